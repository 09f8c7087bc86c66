// The real proxy captures of samples/kamailio/ (SIPp -> Kamailio -> SIPp, recorded by its
// record.sh) beyond the per-call columns the golden test compares: every message of every
// call is stored on that call, on the right hop, as the right message, in the frame tshark
// saw it in, and only real repeats on a hop are flagged as retransmissions. The expected
// values are the truth's "ladders" (each call hop by hop, from the scenario definitions,
// checked against tshark when recorded), "parties", "frames" (tshark's frame numbers) and
// "retransmissions" (samples/kamailio/truth.py says how each is made).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/cli/db_reader.hpp"
#include "tests/cli/run_command.hpp"

namespace sipscope::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Analysed {
  json truth;
  std::string db;
};

// Analyses samples/kamailio/proxy_VARIANT.pcap once per variant.
const Analysed& analysed(const std::string& variant) {
  static std::map<std::string, Analysed> cache;
  auto it = cache.find(variant);
  if (it != cache.end()) return it->second;
  const fs::path dir = fs::path(SIPSCOPE_SOURCE_DIR) / "samples" / "kamailio";
  Analysed a;
  a.truth = json::parse(read_text(dir / ("proxy_" + variant + ".truth.json")));
  const auto tmp = temp_dir("kamailio-" + variant);
  a.db = (tmp / "out.db").string();
  const auto r =
      run(sipscope_cmd("analyze " + shell_quote((dir / ("proxy_" + variant + ".pcap")).string()) +
                       " --db " + shell_quote(a.db) + " --quiet"),
          tmp);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return cache.emplace(variant, std::move(a)).first->second;
}

std::string text(const Value& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  return "";
}

std::string endpoint(const Row& r, const std::string& side) {
  const std::string ip = text(r.at(side + "_ip"));
  const std::string port = text(r.at(side + "_port"));
  return ip.find(':') != std::string::npos ? "[" + ip + "]:" + port : ip + ":" + port;
}

// The stored messages of one call, ordered as captured.
std::vector<Row> messages_of(const std::string& db, const std::string& call_id) {
  std::string quoted;
  for (char c : call_id) quoted += c == '\'' ? std::string("''") : std::string(1, c);
  return query(
      db, "SELECT m.* FROM messages m JOIN calls c ON c.id = m.call_id WHERE c.sip_call_id = '" +
              quoted + "' ORDER BY m.ts_us, m.id");
}

class KamailioSample : public ::testing::TestWithParam<std::string> {};

// Each stored message as the truth's ladders spell it: "X>Y label", X and Y the caller A
// (source of the call's first message), the callee B, the forked call's second phone C or
// the proxy P; the label is the method, "200/CSEQ-METHOD" for a 200, else the code.
TEST_P(KamailioSample, EveryMessageIsOnItsCallAndHop) {
  const auto& a = analysed(GetParam());
  const std::string b = a.truth["parties"]["B"], c = a.truth["parties"]["C"];
  for (const auto& [call_id, ladder] : a.truth["ladders"].items()) {
    const auto rows = messages_of(a.db, call_id);
    ASSERT_FALSE(rows.empty()) << call_id;
    const std::string caller = endpoint(rows.front(), "src");
    auto role = [&](const std::string& ep) {
      return ep == caller ? "A" : ep == b ? "B" : ep == c ? "C" : "P";
    };
    std::vector<std::string> got, want(ladder.begin(), ladder.end());
    for (const auto& r : rows) {
      std::string label = text(r.at("method"));
      if (label.empty()) {
        label = text(r.at("status_code"));
        if (label == "200") {
          label += '/';
          label += text(r.at("cseq_method"));
        }
      }
      got.push_back(std::string(role(endpoint(r, "src"))) + ">" + role(endpoint(r, "dst")) + " " +
                    label);
    }
    // Hop copies sent within microseconds may be stored in either order: compare as multisets.
    std::sort(got.begin(), got.end());
    std::sort(want.begin(), want.end());
    EXPECT_EQ(got, want) << call_id;
  }
}

TEST_P(KamailioSample, MessagesAreInTsharksFrames) {
  const auto& a = analysed(GetParam());
  const std::string transport = a.truth["calls"][0]["transport"];
  for (const auto& [call_id, frames] : a.truth["frames"].items()) {
    std::vector<int64_t> got, want(frames.begin(), frames.end());
    for (const auto& r : messages_of(a.db, call_id)) {
      got.push_back(std::get<int64_t>(r.at("frame")));
      EXPECT_EQ(text(r.at("transport")), transport) << call_id << " frame " << got.back();
    }
    std::sort(got.begin(), got.end());
    std::sort(want.begin(), want.end());
    EXPECT_EQ(got, want) << call_id;
  }
}

// Only the late ACK call's 200, sent again by the callee and relayed again by the proxy,
// repeats a message on its hop (over UDP); every hop copy of everything else is new.
TEST_P(KamailioSample, OnlyRepeatsOnAHopAreRetransmissions) {
  const auto& a = analysed(GetParam());
  for (const auto& call : a.truth["calls"]) {
    const std::string id = call["sip_call_id"];
    int64_t flagged = 0;
    for (const auto& r : messages_of(a.db, id))
      flagged += std::get<int64_t>(r.at("retransmission"));
    EXPECT_EQ(flagged, a.truth["retransmissions"].value(id, 0)) << id;
  }
}

INSTANTIATE_TEST_SUITE_P(Kamailio, KamailioSample, ::testing::Values("udp", "tcp", "ipv6"));

}  // namespace
}  // namespace sipscope::testing
