// Media accuracy, whole pipeline through the real binary:
// 1. every sample in samples/ whose truth lists "rtp_streams" (written by the generator,
//    which knows what it sent and dropped): each stored stream equals its truth row
//    (packets, expected, lost, payload type, codec, first/last time), no stream is
//    invented, and every generator stream is tied to a call through SDP;
// 2. a generated 200-call mixed capture (port reuse across calls, VLANs, loss) the same way;
// 3. every corpus capture against tshark's `rtp,streams` (tshark-baseline/, RTP heuristic
//    on): per stream, packets and lost equal, mean/max jitter within 2 % or 0.05 ms where
//    tshark knows the clock rate (where it prints 0, sipscope stores NULL). Differences that
//    are tshark's (or sipscope's) by design are listed in kAcceptedDifferences with their
//    evidence; an accepted difference that disappears fails the test, so the list only
//    shrinks.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "tests/cli/db_reader.hpp"
#include "tests/cli/run_command.hpp"

namespace sipscope::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string analyze(const fs::path& capture, const std::string& tag) {
  const auto dir = temp_dir("media-db-" + tag);
  const std::string db = (dir / "out.db").string();
  const auto r = run(sipscope_cmd("analyze " + shell_quote(capture.string()) + " --db " +
                                  shell_quote(db) + " --quiet"),
                     dir);
  EXPECT_EQ(r.exit_code, 0) << capture << ": " << r.err;
  return db;
}

// "192.0.2.1:5060" / "[2001:db8::1]:5060" -> ("192.0.2.1", 5060)
std::pair<std::string, int64_t> split_endpoint(const std::string& s) {
  const auto colon = s.rfind(':');
  std::string host = s.substr(0, colon);
  if (!host.empty() && host.front() == '[') host = host.substr(1, host.size() - 2);
  return {host, std::stoll(s.substr(colon + 1))};
}

int64_t as_int(const Value& v) {
  return std::holds_alternative<int64_t>(v) ? std::get<int64_t>(v) : INT64_MIN;
}

// The stream's time series (stream_samples, docs/media.md "Time series") against the
// generator's truth: packets, expected and lost add up to the stream's exact counts, the
// first interval starts at the first packet and every start is on the interval grid. The
// generator delays each packet by less than 3 ms (samples/README.md), so |D| < 3 ms and the
// RFC 3550 estimate J, a running average of |D| from 0, stays below 3 ms in every interval.
void expect_samples_match_truth(const std::string& db, int64_t stream_id, const json& want,
                                const std::string& what) {
  const auto rows =
      query(db, "SELECT * FROM stream_samples WHERE stream_id = " + std::to_string(stream_id) +
                    " ORDER BY start_us");
  ASSERT_FALSE(rows.empty()) << what << ": no stream_samples";
  EXPECT_LE(rows.size(), 256U) << what;
  const int64_t first_us = want["first_us"].get<int64_t>();
  EXPECT_EQ(as_int(rows.front().at("start_us")), first_us) << what;
  int64_t packets = 0, expected = 0, lost = 0;
  for (const auto& r : rows) {
    packets += as_int(r.at("packets"));
    expected += as_int(r.at("expected"));
    lost += as_int(r.at("lost"));
    const int64_t interval_us = as_int(r.at("interval_ms")) * 1000;
    ASSERT_GT(interval_us, 0) << what;
    EXPECT_EQ((as_int(r.at("start_us")) - first_us) % interval_us, 0) << what;
    for (const char* f : {"jitter_ms", "jitter_max_ms"}) {
      if (const auto* j = std::get_if<double>(&r.at(f))) {
        EXPECT_LT(*j, 3.0) << what << " " << f;
      }
    }
  }
  EXPECT_EQ(packets, want["packets"].get<int64_t>()) << what << ": samples' packets";
  EXPECT_EQ(expected, want["expected"].get<int64_t>()) << what << ": samples' expected";
  EXPECT_EQ(lost, want["lost"].get<int64_t>()) << what << ": samples' lost";
}

void expect_streams_match_truth(const fs::path& capture, const fs::path& truth_path) {
  const json truth = json::parse(read_text(truth_path));
  if (!truth.contains("rtp_streams")) return;
  const std::string db = analyze(capture, capture.stem().string());
  const auto rows = query(db, "SELECT * FROM streams");
  EXPECT_EQ(rows.size(), truth["rtp_streams"].size())
      << capture.filename() << ": stored streams vs generator streams";
  std::set<size_t> used;
  for (const auto& want : truth["rtp_streams"]) {
    const auto [sip, sport] = split_endpoint(want["src"].get<std::string>());
    const auto [dip, dport] = split_endpoint(want["dst"].get<std::string>());
    const int64_t ssrc = want["ssrc"].get<int64_t>();
    const Row* got = nullptr;
    for (size_t i = 0; i < rows.size(); ++i) {
      const Row& r = rows[i];
      if (used.count(i) == 0 && std::get<std::string>(r.at("src_ip")) == sip &&
          as_int(r.at("src_port")) == sport && std::get<std::string>(r.at("dst_ip")) == dip &&
          as_int(r.at("dst_port")) == dport && as_int(r.at("ssrc")) == ssrc) {
        got = &r;
        used.insert(i);
        break;
      }
    }
    const std::string what = capture.filename().string() + " stream " + want.dump();
    ASSERT_NE(got, nullptr) << what << " not stored";
    for (const char* f : {"packets", "expected", "lost", "payload_type", "first_us", "last_us"})
      EXPECT_EQ(as_int(got->at(f)), want[f].get<int64_t>()) << what << " " << f;
    EXPECT_EQ(std::get<std::string>(got->at("codec")), want["codec"].get<std::string>()) << what;
    // The generator sends RTP only inside calls, announced by SDP.
    EXPECT_NE(as_int(got->at("call_id")), INT64_MIN) << what << ": not tied to a call";
    expect_samples_match_truth(db, as_int(got->at("id")), want, what);
  }
  // The call a stream is tied to announced one of its addresses in SDP: its caller or
  // callee signalling address shares the stream's media host (the generator's parties use
  // one address for SIP and RTP).
  for (const auto& r : query(db,
                             "SELECT s.src_ip, s.dst_ip, c.caller_ip, c.callee_ip FROM streams s "
                             "JOIN calls c ON c.id = s.call_id")) {
    const auto& src = std::get<std::string>(r.at("src_ip"));
    const auto& dst = std::get<std::string>(r.at("dst_ip"));
    std::set<std::string> call_hosts;
    for (const char* f : {"caller_ip", "callee_ip"})
      if (const auto* s = std::get_if<std::string>(&r.at(f))) call_hosts.insert(*s);
    EXPECT_TRUE(call_hosts.count(src) + call_hosts.count(dst) > 0)
        << capture.filename() << ": stream " << src << " -> " << dst
        << " tied to a call between other hosts";
  }
}

TEST(GoldenMedia, SamplesMatchGeneratorTruth) {
  const fs::path root = fs::path(SIPSCOPE_SOURCE_DIR) / "samples";
  int checked = 0;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    const std::string name = e.path().filename().string();
    const std::string suffix = ".truth.json";
    if (name.size() <= suffix.size() || name.substr(name.size() - suffix.size()) != suffix)
      continue;
    const std::string stem = name.substr(0, name.size() - suffix.size());
    const json truth = json::parse(read_text(e.path()));
    if (!truth.contains("rtp_streams") || truth.contains("pending_decoder")) continue;
    for (const char* ext : {".pcap", ".pcapng"}) {
      const auto capture = e.path().parent_path() / (stem + ext);
      if (!fs::exists(capture)) continue;
      expect_streams_match_truth(capture, e.path());
      ++checked;
    }
  }
  EXPECT_GT(checked, 5);
}

TEST(GoldenMedia, BasicSampleTimeSeriesByHand) {
  // samples/basic.pcap, call 1 (samples/generator/scenarios.cpp): 150 PCMU packets at 20 ms
  // from 192.0.2.10:49170, packet index 60 not sent, no send jitter. From the first packet,
  // 1 s intervals hold indices 0-49, 50-99 (without 60) and 100-149: 50/49/50 packets,
  // 50 expected each, lost 0/1/0; J stays 0 (perfect pacing); the longest gap is 20 ms
  // except across the lost packet in interval 1 (40 ms).
  const auto db = analyze(fs::path(SIPSCOPE_SOURCE_DIR) / "samples" / "basic.pcap", "basic-ts");
  const auto rows = query(db,
                          "SELECT x.* FROM stream_samples x JOIN streams s ON s.id = x.stream_id "
                          "WHERE s.src_ip = '192.0.2.10' AND s.src_port = 49170 "
                          "ORDER BY x.start_us");
  ASSERT_EQ(rows.size(), 3U);
  const int64_t first_us = 1767261603050000;  // basic.truth.json first_us
  const int64_t packets[] = {50, 49, 50};
  const double max_delta[] = {20.0, 40.0, 20.0};
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(as_int(rows[k].at("start_us")), first_us + static_cast<int64_t>(k) * 1'000'000);
    EXPECT_EQ(as_int(rows[k].at("interval_ms")), 1000);
    EXPECT_EQ(as_int(rows[k].at("packets")), packets[k]);
    EXPECT_EQ(as_int(rows[k].at("expected")), 50);
    EXPECT_EQ(as_int(rows[k].at("lost")), 50 - packets[k]);
    EXPECT_NEAR(std::get<double>(rows[k].at("jitter_ms")), 0.0, 1e-9);
    EXPECT_NEAR(std::get<double>(rows[k].at("max_delta_ms")), max_delta[k], 1e-3);
  }
}

TEST(GoldenMedia, RtpGapThresholdIsAnOption) {
  // samples/basic.pcap paces every stream at 20 ms; the one dropped packet (call 1, index
  // 60) leaves a 40 ms gap. Default threshold 1000 ms: no rtp_gap; --rtp-gap-ms 30: exactly
  // that gap, with the frames on both sides as evidence; 0 is a usage error (exit 1).
  const fs::path basic = fs::path(SIPSCOPE_SOURCE_DIR) / "samples" / "basic.pcap";
  const auto dflt = analyze(basic, "gap-default");
  EXPECT_TRUE(query(dflt, "SELECT * FROM diagnostics WHERE kind = 'rtp_gap'").empty());
  const auto dir = temp_dir("media-gap");
  const std::string db = (dir / "gap.db").string();
  const auto r = run(sipscope_cmd("analyze " + shell_quote(basic.string()) + " --db " +
                                  shell_quote(db) + " --quiet --rtp-gap-ms 30"),
                     dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto gaps = query(db, "SELECT * FROM diagnostics WHERE kind = 'rtp_gap'");
  ASSERT_EQ(gaps.size(), 1U);
  const auto& detail = std::get<std::string>(gaps[0].at("detail"));
  EXPECT_NE(detail.find("192.0.2.10:49170 -> 203.0.113.20:3456"), std::string::npos) << detail;
  EXPECT_NE(detail.find("longer than 30 ms, longest 40 ms"), std::string::npos) << detail;
  EXPECT_NE(std::get<std::string>(gaps[0].at("frames")).find(','), std::string::npos);
  const auto bad = run(sipscope_cmd("analyze " + shell_quote(basic.string()) + " --db " +
                                    shell_quote(db) + " --rtp-gap-ms 0"),
                       dir);
  EXPECT_EQ(bad.exit_code, 1);
}

TEST(GoldenMedia, MixedCaptureWithPortReuseMatchesTruth) {
  const auto dir = temp_dir("media-mixed");
  const auto capture = dir / "mixed.pcap";
  const auto truth = dir / "mixed.truth.json";
  const auto gen =
      run(shell_quote(SIPSCOPE_GEN_EXE) + " mixed --calls 200 --rtp-seconds 2 -o " +
              shell_quote(capture.string()) + " --truth " + shell_quote(truth.string()),
          dir);
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  expect_streams_match_truth(capture, truth);
}

// --- tshark ---------------------------------------------------------------------------

struct TsharkStream {
  std::string src, dst;
  int64_t sport = 0, dport = 0, ssrc = 0, packets = 0, lost = 0;
  double mean_jitter = 0, max_jitter = 0;
  std::string payload;
};

std::vector<TsharkStream> tshark_streams(const fs::path& file) {
  static const std::regex line(
      R"(^\s*[\d.]+\s+[\d.]+\s+(\S+)\s+(\d+)\s+(\S+)\s+(\d+)\s+0x([0-9A-Fa-f]+)\s+(.*?)\s+(\d+)\s+(-?\d+) \(\S+\)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+))");
  std::vector<TsharkStream> out;
  std::istringstream in(read_text(file));
  std::string l;
  while (std::getline(in, l)) {
    std::smatch m;
    if (!std::regex_search(l, m, line)) continue;
    TsharkStream t;
    t.src = m[1];
    t.sport = std::stoll(m[2]);
    t.dst = m[3];
    t.dport = std::stoll(m[4]);
    t.ssrc = std::stoll(m[5], nullptr, 16);
    t.payload = m[6];
    t.packets = std::stoll(m[7]);
    t.lost = std::stoll(m[8]);
    t.mean_jitter = std::stod(m[13]);
    t.max_jitter = std::stod(m[14]);
    out.push_back(t);
  }
  return out;
}

// (capture, SSRC in hex as tshark prints it) -> why sipscope differs from tshark there.
const std::map<std::pair<std::string, std::string>, std::string> kAcceptedDifferences = {
    {{"heplify_FAX-Call-t38-CA-TDM-SIP-FB-1.pcap", "0EAF0EAF"},
     "after the re-INVITE to T.38 (frames 3097-3122, partly MGCP SDP that sipscope does not "
     "decode) tshark dissects 2010 datagrams of 10.35.60.100:15580 -> 10.23.1.52:16756 as "
     "T.38 (tshark -Y t38: frames 3106, 3108 ...); sipscope still reads them as this RTP "
     "stream (they parse as RTP with the same SSRC), so it counts 3842 packets, not 1838"},
    {{"heplify_FAX-Call-t38-CA-TDM-SIP-FB-1.pcap", "17D90134"},
     "the RTP timestamp restarts at 0 (seq 1145, after timestamp 347200, tshark -T fields "
     "-e rtp.timestamp); tshark 4.0 and sipscope treat the backwards jump differently in "
     "the jitter recurrence (mean 14.144 vs 13.406 ms, max 2730 vs 2561 ms); packets and "
     "lost agree"},
};

// (capture, "src:port>dst:port") -> why sipscope stores a stream tshark does not list.
const std::map<std::pair<std::string, std::string>, std::string> kAcceptedExtraStreams = {};

bool close_enough(double ours, double theirs) {
  const double d = std::fabs(ours - theirs);
  return d <= 0.05 || d <= 0.02 * std::fabs(theirs);
}

std::string hex_ssrc(int64_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08llX", static_cast<unsigned long long>(v));
  return buf;
}

TEST(CorpusMedia, StreamsMatchTshark) {
  const fs::path pcaps = fs::path(SIPSCOPE_CORPUS_DIR) / "pcaps";
  const fs::path baseline = fs::path(SIPSCOPE_CORPUS_DIR) / "tshark-baseline";
  if (!fs::is_directory(pcaps) || !fs::is_directory(baseline))
    GTEST_SKIP() << "corpus not present at " << pcaps;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(pcaps)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::set<std::pair<std::string, std::string>> differences_seen;
  size_t compared = 0;
  for (const auto& f : files) {
    const std::string name = f.filename().string();
    const fs::path expect = baseline / (name + ".rtp_streams.txt");
    if (!fs::exists(expect)) continue;
    const std::string db = analyze(f, "corpus-" + f.stem().string());
    const auto rows = query(db, "SELECT * FROM streams");
    std::set<size_t> matched;
    for (const auto& t : tshark_streams(expect)) {
      const std::string key = hex_ssrc(t.ssrc);
      const Row* got = nullptr;
      for (size_t i = 0; i < rows.size(); ++i) {
        const Row& r = rows[i];
        if (std::get<std::string>(r.at("src_ip")) == t.src && as_int(r.at("src_port")) == t.sport &&
            std::get<std::string>(r.at("dst_ip")) == t.dst && as_int(r.at("dst_port")) == t.dport &&
            as_int(r.at("ssrc")) == t.ssrc) {
          got = &r;
          matched.insert(i);
          break;
        }
      }
      const std::string what = name + " " + t.src + ":" + std::to_string(t.sport) + " -> " + t.dst +
                               ":" + std::to_string(t.dport) + " SSRC 0x" + key;
      bool same = got != nullptr && as_int(got->at("packets")) == t.packets &&
                  as_int(got->at("lost")) == t.lost;
      std::string detail;
      if (got != nullptr) {
        const Value& mean = got->at("jitter_mean_ms");
        const Value& max = got->at("jitter_max_ms");
        if (t.mean_jitter == 0 && t.max_jitter == 0) {
          // tshark prints 0 when it does not know the clock rate; sipscope may know it from
          // SDP, or store NULL. Either is consistent with tshark's 0.
          if (const auto* d = std::get_if<double>(&mean)) same = same && *d < 0.05;
        } else {
          const auto* dm = std::get_if<double>(&mean);
          const auto* dx = std::get_if<double>(&max);
          same = same && dm != nullptr && dx != nullptr && close_enough(*dm, t.mean_jitter) &&
                 close_enough(*dx, t.max_jitter);
          if (dm != nullptr && dx != nullptr)
            detail = " jitter mean " + std::to_string(*dm) + " vs " +
                     std::to_string(t.mean_jitter) + ", max " + std::to_string(*dx) + " vs " +
                     std::to_string(t.max_jitter);
        }
        detail += " packets " + std::to_string(as_int(got->at("packets"))) + " vs " +
                  std::to_string(t.packets) + ", lost " + std::to_string(as_int(got->at("lost"))) +
                  " vs " + std::to_string(t.lost);
      }
      ++compared;
      const auto accepted = kAcceptedDifferences.find({name, key});
      if (accepted != kAcceptedDifferences.end()) {
        differences_seen.insert({name, key});
        EXPECT_FALSE(same) << what << " now matches tshark: remove it from kAcceptedDifferences";
        continue;
      }
      EXPECT_NE(got, nullptr) << what << ": tshark lists it, sipscope stored no such stream";
      EXPECT_TRUE(same) << what << ":" << detail;
    }
    for (size_t i = 0; i < rows.size(); ++i) {
      if (matched.count(i) != 0) continue;
      const Row& r = rows[i];
      const std::string flow = std::get<std::string>(r.at("src_ip")) + ":" +
                               std::to_string(as_int(r.at("src_port"))) + ">" +
                               std::get<std::string>(r.at("dst_ip")) + ":" +
                               std::to_string(as_int(r.at("dst_port")));
      EXPECT_TRUE(kAcceptedExtraStreams.count({name, flow}) != 0)
          << name << ": sipscope stored " << flow << " SSRC 0x" << hex_ssrc(as_int(r.at("ssrc")))
          << " that tshark does not list";
    }
  }
  for (const auto& [k, why] : kAcceptedDifferences)
    EXPECT_TRUE(differences_seen.count(k) != 0) << k.first << " " << k.second << " not seen";
  EXPECT_GT(compared, 10U);
}

}  // namespace
}  // namespace sipscope::testing
