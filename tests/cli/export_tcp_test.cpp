// Issue 13 point 4: a slice of some of the calls that share TCP or WebSocket connections re-reads
// with the same calls, states, final codes and messages and without a tcp_gap anomaly, because
// export renumbers each connection's sequence space (export/tcp_renumber.hpp). Expected
// values are the samples' truth files (generator scenario, SIPp scenarios, Kamailio
// record.sh), not sipscope's analysis of the original; tshark reads the slice as a peer
// and must find no hole, unseen ACK or retransmission in the kept streams.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "tests/cli/db_reader.hpp"
#include "tests/cli/run_command.hpp"

namespace sipscope::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using CallOutcome = std::tuple<std::string, std::string, int64_t, int64_t>;  // id, state, code, n

bool have_tshark() {
  return std::system("command -v tshark >/dev/null 2>&1") == 0;
}

std::string text_of(const Value& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  return "";
}
int64_t int_of(const Value& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) return *i;
  return -1;
}

// TCP expert notes that say the stream is not whole (tshark -z expert).
std::vector<std::string> stream_holes(const fs::path& dir, const std::string& pcap) {
  const auto r = run("tshark -r " + shell_quote(pcap) + " -q -z expert", dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> out;
  for (const char* phrase : {"Previous segment", "ACKed segment that wasn't captured",
                             "retransmission", "Out-Of-Order", "Spurious"}) {
    if (r.out.find(phrase) != std::string::npos) out.emplace_back(phrase);
  }
  return out;
}

class ExportTcp : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    const fs::path samples = fs::path(SIPSCOPE_SOURCE_DIR) / "samples";
    capture_ = (samples / (GetParam() + ".pcap")).string();
    truth_ = json::parse(read_text(samples / (GetParam() + ".truth.json")));
    std::string name = GetParam();
    std::replace(name.begin(), name.end(), '/', '-');
    dir_ = temp_dir("export-tcp-" + name);
    db_ = (dir_ / "a.db").string();
    const auto r = run(
        sipscope_cmd("analyze " + shell_quote(capture_) + " --db " + shell_quote(db_) + " --quiet"),
        dir_);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Exports the truth calls at `picks` (by Call-ID), re-analyses the slice and returns
  // its calls' outcomes; `slice` is where the pcap went.
  std::vector<CallOutcome> export_and_reread(const std::vector<size_t>& picks, bool redact,
                                             std::string& slice) {
    std::string ids;
    for (size_t i : picks) {
      ids += ' ';  // not `" " + std::string&&`: GCC 12 -Wrestrict false positive
      ids += shell_quote(truth_["calls"][i]["sip_call_id"]);
    }
    slice = (dir_ / (redact ? "redacted.pcap" : "slice.pcap")).string();
    auto r = run(sipscope_cmd("export --db " + shell_quote(db_) + ids + " --pcap " +
                              shell_quote(slice) + (redact ? " --redact" : "")),
                 dir_);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const std::string again = (dir_ / "again.db").string();
    fs::remove(again);
    r = run(
        sipscope_cmd("analyze " + shell_quote(slice) + " --db " + shell_quote(again) + " --quiet"),
        dir_);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(query_int(again, "SELECT count(*) FROM anomalies WHERE kind LIKE 'tcp%'"), 0)
        << GetParam() << ": the slice's streams have holes";
    std::vector<CallOutcome> out;
    for (const auto& row :
         query(again, "SELECT sip_call_id, state, final_code, message_count FROM calls")) {
      out.emplace_back(redact ? "" : text_of(row.at("sip_call_id")), text_of(row.at("state")),
                       int_of(row.at("final_code")), int_of(row.at("message_count")));
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  std::vector<CallOutcome> truth_of(const std::vector<size_t>& picks, bool redact) const {
    std::vector<CallOutcome> out;
    for (size_t i : picks) {
      const json& c = truth_["calls"][i];
      out.emplace_back(redact ? "" : c["sip_call_id"].get<std::string>(),
                       c["state"].get<std::string>(), c["final_code"].get<int64_t>(),
                       c["message_count"].get<int64_t>());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  void check(const std::vector<size_t>& picks) {
    for (const bool redact : {false, true}) {
      std::string slice;
      EXPECT_EQ(export_and_reread(picks, redact, slice), truth_of(picks, redact))
          << GetParam() << (redact ? " (redacted)" : "");
      if (have_tshark()) {
        EXPECT_EQ(stream_holes(dir_, slice), std::vector<std::string>{})
            << GetParam() << (redact ? " (redacted)" : "");
      }
    }
  }

  std::string capture_;
  json truth_;
  fs::path dir_;
  std::string db_;
};

TEST_P(ExportTcp, EveryOtherCallOfSharedConnections) {
  if (have_tshark()) {
    ASSERT_EQ(stream_holes(dir_, capture_), std::vector<std::string>{})
        << "the original capture itself is not whole";
  }
  std::vector<size_t> picks;
  for (size_t i = 0; i < truth_["calls"].size(); i += 2) picks.push_back(i);
  ASSERT_GE(picks.size(), 2U);
  check(picks);
}

TEST_P(ExportTcp, OneCallFromTheMiddle) {
  check({truth_["calls"].size() / 2});
}

// A WebSocket connection (RFC 7118) that carries the call and a REGISTER: the slice keeps the
// HTTP upgrade and the call's frames, leaves the REGISTER out and renumbers the rest.
TEST(ExportWebSocket, TheCallWithoutTheRegisterOfItsConnection) {
  const fs::path samples = fs::path(SIPSCOPE_SOURCE_DIR) / "samples" / "websocket";
  const json truth = json::parse(read_text(samples / "sip_ws.truth.json"));
  ASSERT_EQ(truth["calls"].size(), 1U);
  ASSERT_EQ(truth["non_call_sip_messages"], 2);  // REGISTER and its 200
  const json& call = truth["calls"][0];
  const fs::path dir = temp_dir("export-ws");
  const std::string db = (dir / "a.db").string();
  const std::string slice = (dir / "slice.pcap").string();
  const std::string again = (dir / "again.db").string();
  auto r = run(sipscope_cmd("analyze " + shell_quote((samples / "sip_ws.pcap").string()) +
                            " --db " + shell_quote(db) + " --quiet"),
               dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run(sipscope_cmd("export --db " + shell_quote(db) + " " + shell_quote(call["sip_call_id"]) +
                       " --pcap " + shell_quote(slice)),
          dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run(
      sipscope_cmd("analyze " + shell_quote(slice) + " --db " + shell_quote(again) + " --quiet"),
      dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = query(again, "SELECT sip_call_id, state, final_code, message_count FROM calls");
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(text_of(rows[0].at("sip_call_id")), call["sip_call_id"]);
  EXPECT_EQ(text_of(rows[0].at("state")), call["state"]);
  EXPECT_EQ(int_of(rows[0].at("final_code")), call["final_code"]);
  EXPECT_EQ(int_of(rows[0].at("message_count")), call["message_count"]);
  EXPECT_EQ(query_int(again, "SELECT count(*) FROM anomalies"), 0);
  EXPECT_EQ(query_int(again, "SELECT count(*) FROM registrations"), 0);
  if (have_tshark()) {
    EXPECT_EQ(stream_holes(dir, slice), std::vector<std::string>{});
    const auto t = run("tshark -r " + shell_quote(slice) + " -Y sip -T fields -e sip.Call-ID", dir);
    ASSERT_EQ(t.exit_code, 0) << t.err;
    // One Call-ID per SIP message tshark decodes (several per frame, comma-separated).
    std::vector<std::string> ids;
    std::istringstream lines(t.out);
    for (std::string line; std::getline(lines, line, '\n');) {
      std::istringstream fields(line);
      for (std::string id; std::getline(fields, id, ',');) ids.push_back(id);
    }
    EXPECT_EQ(ids, std::vector<std::string>(call["message_count"].get<size_t>(),
                                            call["sip_call_id"].get<std::string>()))
        << t.out;
  }
  fs::remove_all(dir);
}

// Several calls on one connection: the generator's 8-call scenario over TCP (one
// connection per pair of endpoints, REGISTER and OPTIONS on them too), real SIPp over one
// TCP connection, and real SIPp -> Kamailio -> SIPp over TCP.
INSTANTIATE_TEST_SUITE_P(Samples, ExportTcp,
                         ::testing::Values("tcp/basic", "sipp_tcp/sipp_tcp", "kamailio/proxy_tcp"),
                         [](const auto& info) {
                           std::string n = info.param;
                           std::replace(n.begin(), n.end(), '/', '_');
                           return n;
                         });

}  // namespace
}  // namespace sipscope::testing
