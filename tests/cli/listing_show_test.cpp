// Issue 14 point 4 on the real binary: `calls` columns, filters and times, `anomalies`,
// option values checked against their lists, and what `show` prints under and on the
// ladder. Expected values come from the generator's truth (samples/*.truth.json), tshark
// run on the same capture, SQL on the stored rows, or captures built here byte by byte
// whose content is derived in the comments.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/cli/db_reader.hpp"
#include "tests/cli/pcap_builder.hpp"
#include "tests/cli/run_command.hpp"
#include "tests/cli/text_lines.hpp"

namespace sipscope::testing {
namespace {

using nlohmann::json;

const std::string kSamples = std::string(SIPSCOPE_SOURCE_DIR) + "/samples/";

json truth_of(const std::string& name) {
  return json::parse(std::ifstream(kSamples + name + ".truth.json"));
}

// A call with RFC 4733 digits, built here: INVITE (SDP offer, audio 4000, PCMU + event 101)
// 192.0.2.10:5060 -> 203.0.113.20:5060, 200 OK (answer, audio 6000), ACK, then from
// 192.0.2.10:4000 to 203.0.113.20:6000 ten PCMU packets and three events, each three packets
// sharing one RTP timestamp (RFC 4733 §2.5.1), the last with the E bit: digits 1, 5, #
// (event codes 1, 5, 11; RFC 4733 §3.2); BYE and 200 at the end.
void write_dtmf_call(const std::filesystem::path& path) {
  PcapBuilder pcap(path);
  const int64_t t0 = 1767261600000000;
  const std::string cid = "dtmf-call@192.0.2.10";
  auto sdp = [](int port, const char* ip) {
    return std::string("v=0\r\no=- 1 1 IN IP4 ") + ip + "\r\ns=-\r\nc=IN IP4 " + ip +
           "\r\nt=0 0\r\nm=audio " + std::to_string(port) +
           " RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
           "a=fmtp:101 0-16\r\n";
  };
  auto msg = [&](const std::string& start, const std::string& cseq, const std::string& to_tag,
                 const std::string& body) {
    std::string m = start + "\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK" +
                    std::to_string(cseq.size() + start.size()) +
                    "\r\nFrom: <sip:alice@192.0.2.10>;tag=a1\r\nTo: <sip:bob@203.0.113.20>" +
                    to_tag + "\r\nCall-ID: " + cid + "\r\nCSeq: " + cseq +
                    "\r\nContact: <sip:alice@192.0.2.10>\r\nMax-Forwards: 70\r\n";
    if (!body.empty()) m += "Content-Type: application/sdp\r\n";
    m += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    return m;
  };
  pcap.udp(t0, "192.0.2.10", 5060, "203.0.113.20", 5060,
           msg("INVITE sip:bob@203.0.113.20 SIP/2.0", "1 INVITE", "", sdp(4000, "192.0.2.10")));
  pcap.udp(t0 + 100000, "203.0.113.20", 5060, "192.0.2.10", 5060,
           msg("SIP/2.0 200 OK", "1 INVITE", ";tag=b2", sdp(6000, "203.0.113.20")));
  pcap.udp(t0 + 110000, "192.0.2.10", 5060, "203.0.113.20", 5060,
           msg("ACK sip:bob@203.0.113.20 SIP/2.0", "1 ACK", ";tag=b2", ""));
  uint16_t seq = 100;
  uint32_t ts = 8000;
  auto rtp = [&](int64_t when, uint8_t pt, bool marker, const std::string& payload) {
    std::string p = {char(0x80),     char((marker ? 0x80 : 0) | pt),
                     char(seq >> 8), char(seq & 0xff),
                     char(ts >> 24), char(ts >> 16),
                     char(ts >> 8),  char(ts),
                     char(0x11),     char(0x22),
                     char(0x33),     char(0x44)};
    ++seq;
    pcap.udp(when, "192.0.2.10", 4000, "203.0.113.20", 6000, p + payload);
  };
  int64_t when = t0 + 200000;
  for (int i = 0; i < 10; ++i, when += 20000, ts += 160)
    rtp(when, 0, i == 0, std::string(160, '\xff'));
  for (const uint8_t event : {1, 5, 11}) {
    for (int k = 0; k < 3; ++k, when += 20000) {
      const uint16_t duration = static_cast<uint16_t>(160 * (k + 1));
      rtp(when, 101, k == 0,
          std::string{char(event), char(k == 2 ? 0x80 | 10 : 10), char(duration >> 8),
                      char(duration & 0xff)});
    }
    ts += 480;
  }
  pcap.udp(when + 100000, "192.0.2.10", 5060, "203.0.113.20", 5060,
           msg("BYE sip:bob@203.0.113.20 SIP/2.0", "2 BYE", ";tag=b2", ""));
  pcap.udp(when + 150000, "203.0.113.20", 5060, "192.0.2.10", 5060,
           msg("SIP/2.0 200 OK", "2 BYE", ";tag=b2", ""));
}

class ListingShow : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(temp_dir("listing-show"));
    write_dtmf_call(*dir_ / "dtmf.pcap");
    for (const std::string& pcap : {kSamples + "basic.pcap", kSamples + "hold_resume.pcap",
                                    kSamples + "mid_call.pcap", kSamples + "b2bua_xcallid.pcap",
                                    kSamples + "tcp/gap.pcap", (*dir_ / "dtmf.pcap").string()}) {
      const std::string stem = std::filesystem::path(pcap).stem().string();
      const auto r = run(sipscope_cmd("analyze " + shell_quote(pcap) + " --db " +
                                      shell_quote(db(stem)) + " --quiet"),
                         *dir_);
      ASSERT_EQ(r.exit_code, 0) << pcap << ": " << r.err;
    }
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string db(const std::string& stem) { return (*dir_ / (stem + ".db")).string(); }
  static CommandResult cmd(const std::string& args, const std::string& env = "") {
    return run(env + sipscope_cmd(args), *dir_);
  }
  // Lines of `tshark -r FILE -Y FILTER -T fields -e ...`; empty when tshark is missing.
  static std::vector<std::string> tshark(const std::string& pcap, const std::string& args) {
    const auto r = run("tshark -r " + shell_quote(pcap) + " " + args, *dir_);
    return r.exit_code == 0 ? lines_of(r.out) : std::vector<std::string>{};
  }
  static std::filesystem::path* dir_;
};
std::filesystem::path* ListingShow::dir_ = nullptr;

// Caller and callee addresses: the truth's IPs; the ports are those of each Call-ID's first
// INVITE as tshark reads it (basic.pcap has no proxy: caller -> callee directly). The loss %
// is the truth streams' sum(lost) / sum(expected) of the streams between the two parties;
// the MOS the lowest stored stream MOS of the call (plain SQL).
TEST_F(ListingShow, CallsShowPartiesWorstMosAndLoss) {
  std::map<std::string, std::pair<std::string, std::string>> ports;  // Call-ID -> src, dst
  for (const auto& line : tshark(kSamples + "basic.pcap",
                                 "-Y 'sip.Method == \"INVITE\"' -T fields -e sip.Call-ID -e "
                                 "udp.srcport -e udp.dstport")) {
    std::istringstream in(line);
    std::string id, src, dst;
    in >> id >> src >> dst;
    ports.try_emplace(id, src, dst);
  }
  if (ports.empty()) GTEST_SKIP() << "tshark not available";
  const auto truth = truth_of("basic");
  const auto r = cmd("calls --db " + db("basic") + " --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto calls = json::parse(r.out);
  ASSERT_EQ(calls.size(), truth["calls"].size());
  std::map<int64_t, double> mos;
  for (const auto& row : query(db("basic"),
                               "SELECT call_id, min(mos) AS m FROM streams "
                               "WHERE call_id IS NOT NULL GROUP BY call_id")) {
    if (const auto* m = std::get_if<double>(&row.at("m"))) {
      mos[std::get<int64_t>(row.at("call_id"))] = *m;
    }
  }
  const auto table = cmd("calls --db " + db("basic")).out;  // not a terminal: --wide
  for (const auto& t : truth["calls"]) {
    const std::string id = t["sip_call_id"];
    const auto c = std::find_if(calls.begin(), calls.end(),
                                [&](const json& j) { return j["sip_call_id"] == id; });
    ASSERT_NE(c, calls.end()) << id;
    EXPECT_EQ((*c)["caller_ip"], t["caller_ip"]);
    EXPECT_EQ((*c)["callee_ip"], t["callee_ip"]);
    EXPECT_EQ(std::to_string((*c)["caller_port"].get<int>()), ports.at(id).first) << id;
    EXPECT_EQ(std::to_string((*c)["callee_port"].get<int>()), ports.at(id).second) << id;
    int64_t lost = 0;
    int64_t expected = 0;
    for (const auto& s : truth["rtp_streams"]) {
      const std::string src = s["src"];
      const std::string dst = s["dst"];
      const std::string a = t["caller_ip"].get<std::string>() + ":";
      const std::string b = t["callee_ip"].get<std::string>() + ":";
      if ((src.rfind(a, 0) == 0 && dst.rfind(b, 0) == 0) ||
          (src.rfind(b, 0) == 0 && dst.rfind(a, 0) == 0)) {
        lost += s["lost"].get<int64_t>();
        expected += s["expected"].get<int64_t>();
      }
    }
    const int64_t call_id = (*c)["id"];
    if (expected > 0) {
      EXPECT_NEAR((*c)["loss_pct"].get<double>(), 100.0 * lost / expected, 1e-9) << id;
    } else {
      EXPECT_TRUE((*c)["loss_pct"].is_null()) << id;
    }
    if (mos.count(call_id) != 0U) {
      EXPECT_DOUBLE_EQ((*c)["worst_mos"].get<double>(), mos[call_id]) << id;
    } else {
      EXPECT_TRUE((*c)["worst_mos"].is_null()) << id;
    }
    // The table row holds both endpoints and the whole Call-ID (output is not a terminal).
    const std::string caller = t["caller_ip"].get<std::string>() + ":" + ports.at(id).first;
    const std::string callee = t["callee_ip"].get<std::string>() + ":" + ports.at(id).second;
    bool found = false;
    for (const auto& line : lines_of(table)) {
      if (line.find(id) == std::string::npos) continue;
      found = true;
      EXPECT_NE(line.find("  " + caller + "  " + callee + "  "), std::string::npos) << line;
    }
    EXPECT_TRUE(found) << id;
  }
  const auto header = lines_of(table).at(0);
  for (const char* title : {"caller", "callee", "MOS", "loss %", "start (UTC)"}) {
    EXPECT_NE(header.find(title), std::string::npos) << title;
  }
}

// --ip, --code and --party against the truth's parties and final codes.
TEST_F(ListingShow, CallsFilterByAddressCodeAndParty) {
  const auto truth = truth_of("basic")["calls"];
  auto ids = [&](const std::string& args) {
    const auto r = cmd("calls --db " + db("basic") + " --format json " + args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::set<std::string> out;
    for (const auto& c : json::parse(r.out)) out.insert(c["sip_call_id"].get<std::string>());
    return out;
  };
  auto expect = [&](auto pred) {
    std::set<std::string> out;
    for (const auto& t : truth) {
      if (pred(t)) out.insert(t["sip_call_id"].get<std::string>());
    }
    return out;
  };
  const std::string busy_callee = truth[2]["callee_ip"];
  EXPECT_EQ(ids("--ip " + busy_callee),
            expect([&](const json& t) { return t["callee_ip"] == busy_callee; }));
  const std::string caller = truth[0]["caller_ip"];
  EXPECT_EQ(ids("--ip " + caller), expect([&](const json& t) {
              return t["caller_ip"] == caller || t["callee_ip"] == caller;
            }));
  EXPECT_EQ(ids("--code 486"), expect([](const json& t) { return t["final_code"] == 486; }));
  EXPECT_EQ(ids("--code 200"), expect([](const json& t) { return t["final_code"] == 200; }));
  const std::string user = truth[1]["to_user"];
  EXPECT_EQ(ids("--party " + user), expect([&](const json& t) {
              auto has = [&](const json& v) {
                return v.is_string() && v.get<std::string>().find(user) != std::string::npos;
              };
              return has(t["from_user"]) || has(t["to_user"]);
            }));
}

// Epoch seconds, RFC 3339 with an offset and local time name the same instant: the calls
// started at or after the third truth call's start.
TEST_F(ListingShow, TimesAsEpochSecondsOffsetsAndLocal) {
  auto truth = truth_of("basic")["calls"];
  std::vector<int64_t> starts;
  for (const auto& t : truth) starts.push_back(t["start_us"]);
  std::sort(starts.begin(), starts.end());
  const int64_t since = starts[2];
  const size_t expected = static_cast<size_t>(
      std::count_if(starts.begin(), starts.end(), [&](int64_t s) { return s >= since; }));
  ASSERT_EQ(since % 1000, 0);  // the generator's times are whole milliseconds
  char epoch[64];
  std::snprintf(epoch, sizeof epoch, "%lld.%06lld", static_cast<long long>(since / 1000000),
                static_cast<long long>(since % 1000000));
  // The same instant written one hour east of UTC (hand-converted from the epoch value).
  const time_t secs = static_cast<time_t>(since / 1000000) + 3600;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char east[64];
  std::snprintf(east, sizeof east, "%04d-%02d-%02dT%02d:%02d:%02d.%03lld+01:00", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(since % 1000000 / 1000));
  std::string local = east;
  local.resize(local.size() - 6);  // without the offset: local time in a UTC+1 zone
  for (const auto& [args, env] : std::vector<std::pair<std::string, std::string>>{
           {std::string("--since ") + epoch, ""},
           {std::string("--since ") + east, ""},
           {"--local --since " + local, "TZ=CET-1 "}}) {
    const auto r = cmd("calls --db " + db("basic") + " --format json " + args, env);
    ASSERT_EQ(r.exit_code, 0) << args << ": " << r.err;
    EXPECT_EQ(json::parse(r.out).size(), expected) << args;
  }
  // --local prints local times with their offset (the first call's start, one hour later).
  const auto r = cmd("calls --db " + db("basic") + " --local --sort start", "TZ=CET-1 ");
  const time_t first = static_cast<time_t>(starts[0] / 1000000) + 3600;
  gmtime_r(&first, &tm);
  char shown[64];
  std::snprintf(shown, sizeof shown, "%04d-%02d-%02dT%02d:%02d:%02d.%03lld+01:00",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(starts[0] % 1000000 / 1000));
  EXPECT_NE(r.out.find("start (local)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(shown), std::string::npos) << shown << "\n" << r.out;
  EXPECT_EQ(cmd("calls --db " + db("basic") + " --since 2026-02-30").exit_code, 1);
}

// A bad value names the option and lists what it accepts, on one line, status 1.
TEST_F(ListingShow, OptionValuesAreCheckedAgainstTheirLists) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"calls --state bogus",
       "--state must be one of: answered, cancelled, busy, rejected, no_answer, redirected, "
       "failed, in_progress, unknown (not 'bogus')"},
      {"calls --format xml", "--format must be one of: table, json, csv (not 'xml')"},
      {"calls --sort size",
       "--sort must be one of: start, id, duration, pdd, loss, mos, messages (not 'size')"},
      {"calls --has-diagnostic nope", "--has-diagnostic must be one of: no_ack_for_2xx, "},
      {"show 1 --format pdf", "--format must be one of: text, json, mermaid, html (not 'pdf')"},
      {"streams --format xml", "--format must be one of: table, json, csv (not 'xml')"},
      {"anomalies --kind nope", "--kind must be one of: "},
      {"registrations --result maybe", "--result must be one of: registered, unregistered, "},
      {"peers --state sideways", "--state must be one of: up, down, unknown (not 'sideways')"},
      {"activity --kind fax", "--kind must be one of: subscribe, message, publish (not 'fax')"},
      {"stats --format csv", "--format must be one of: table, json (not 'csv')"},
      {"calls --since yesterday", "--since must be epoch seconds or an RFC 3339 time"},
  };
  for (const auto& [args, message] : cases) {
    const auto space = args.find(' ');
    const auto r = cmd(args.substr(0, space) + " --db " + db("basic") + args.substr(space));
    EXPECT_EQ(r.exit_code, 1) << args;
    EXPECT_NE(r.err.find("error: " + message), std::string::npos) << args << ": " << r.err;
    EXPECT_EQ(count_of(r.err, "\n"), 1U) << r.err;
    EXPECT_TRUE(r.out.empty()) << args;
  }
  // The lists come from the vocabularies: every diagnostic kind and anomaly kind is named.
  EXPECT_NE(
      cmd("calls --db " + db("basic") + " --has-diagnostic x").err.find("session_timer_expired"),
      std::string::npos);
  EXPECT_NE(cmd("anomalies --db " + db("basic") + " --kind x").err.find("tcp_gap"),
            std::string::npos);
}

// The mid_call sample starts after the INVITE (truth: start_us null): the call shows the
// time of its first captured message (tshark: frame 101, 1767261601.000000 =
// 2026-01-01T10:00:01.000Z), marked, in `calls` and `show`.
TEST_F(ListingShow, CallFirstSeenMidDialogShowsThatTimeMarked) {
  const auto truth = truth_of("mid_call")["calls"];
  ASSERT_EQ(truth.size(), 1U);
  ASSERT_TRUE(truth[0]["start_us"].is_null());
  const auto first = tshark(kSamples + "mid_call.pcap", "-Y sip -T fields -e frame.time_epoch");
  if (first.empty()) GTEST_SKIP() << "tshark not available";
  EXPECT_EQ(first[0], "1767261601.000000000");
  const std::string when = "2026-01-01T10:00:01.000Z";
  const auto table = cmd("calls --db " + db("mid_call"));
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find(when + "*"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("* first seen mid-dialog"), std::string::npos) << table.out;
  const auto j = json::parse(cmd("calls --db " + db("mid_call") + " --format json").out);
  EXPECT_EQ(j[0]["first_seen_us"], 1767261601000000);
  EXPECT_EQ(j[0]["mid_dialog"], true);
  const auto show = cmd("show --db " + db("mid_call") + " 1");
  EXPECT_NE(show.out.find("first seen " + when + "  (mid-dialog: no initial INVITE captured)"),
            std::string::npos)
      << show.out;
  // --since reads the first-seen time for such a call.
  EXPECT_EQ(
      json::parse(cmd("calls --db " + db("mid_call") + " --format json --since 1767261601").out)
          .size(),
      1U);
  EXPECT_EQ(json::parse(cmd("calls --db " + db("mid_call") +
                            " --format json --since "
                            "1767261601.001")
                            .out)
                .size(),
            0U);
}

// hold_resume: tshark finds SDP in 10 messages (INVITE/200 and four re-INVITE/200 pairs);
// the truth notes the re-INVITEs put the call on hold, resume it, hold, resume.
TEST_F(ListingShow, ShowMarksSdpAndHoldResumeOnArrows) {
  const auto sdp_frames = tshark(kSamples + "hold_resume.pcap", "-Y sdp -T fields -e frame.number");
  if (sdp_frames.empty()) GTEST_SKIP() << "tshark not available";
  ASSERT_EQ(sdp_frames.size(), 10U);
  const auto text = cmd("show --db " + db("hold_resume") + " 1 --width 120");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(count_of(text.out, "(SDP)"), sdp_frames.size()) << text.out;
  std::vector<std::string> changes;
  for (const auto& line : lines_of(text.out)) {
    if (line.find("[hold]") != std::string::npos) {
      changes.push_back("hold");
      EXPECT_NE(line.find("INVITE (SDP) [hold]"), std::string::npos) << line;
    }
    if (line.find("[resume]") != std::string::npos) {
      changes.push_back("resume");
      EXPECT_NE(line.find("INVITE (SDP) [resume]"), std::string::npos) << line;
    }
  }
  EXPECT_EQ(changes, (std::vector<std::string>{"hold", "resume", "hold", "resume"}));
  const auto j = json::parse(cmd("show --db " + db("hold_resume") + " 1 --format json").out);
  std::set<int64_t> json_frames;
  std::vector<std::string> json_changes;
  for (const auto& e : j["events"]) {
    if (e["sdp"] == true) json_frames.insert(e["frame"].get<int64_t>());
    if (!e["media_change"].is_null()) json_changes.push_back(e["media_change"]);
  }
  std::set<int64_t> tshark_frames;
  for (const auto& f : sdp_frames) tshark_frames.insert(std::stoll(f));
  EXPECT_EQ(json_frames, tshark_frames);
  EXPECT_EQ(json_changes, changes);
}

// b2bua_xcallid: the truth links each outbound leg to its inbound leg by x_call_id.
TEST_F(ListingShow, ShowListsLinksToOtherCalls) {
  const auto truth = truth_of("b2bua_xcallid");
  const auto calls = json::parse(cmd("calls --db " + db("b2bua_xcallid") + " --format json").out);
  std::map<std::string, int64_t> id_of;
  for (const auto& c : calls) id_of[c["sip_call_id"]] = c["id"];
  for (const auto& link : truth["links"]) {
    const int64_t later = id_of.at(link["call"]);
    const int64_t earlier = id_of.at(link["linked"]);
    const std::string line = "  call " + std::to_string(later) + " linked to call " +
                             std::to_string(earlier) + "  (" + link["reason"].get<std::string>() +
                             ")\n";
    for (const int64_t shown : {later, earlier}) {
      const auto r = cmd("show --db " + db("b2bua_xcallid") + " " + std::to_string(shown));
      ASSERT_EQ(r.exit_code, 0) << r.err;
      EXPECT_NE(r.out.find("\nLinks:\n"), std::string::npos) << r.out;
      EXPECT_NE(r.out.find(line), std::string::npos) << line << r.out;
    }
  }
}

// The built call's digits 1 5 # under its stream; dropped by --redact unless --keep-dtmf.
TEST_F(ListingShow, ShowPrintsDtmfDigitsPerStream) {
  const auto r = cmd("show --db " + db("dtmf") + " 1 --width 160");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = lines_of(r.out);
  const auto stream = std::find_if(lines.begin(), lines.end(), [](const std::string& l) {
    return l.rfind("RTP 192.0.2.10:4000 -> 203.0.113.20:6000", 0) == 0;
  });
  ASSERT_NE(stream, lines.end()) << r.out;
  ASSERT_NE(stream + 1, lines.end());
  // The first event packet: after the INVITE at :00.000 + 200 ms and ten 20 ms packets.
  EXPECT_EQ(*(stream + 1), "  DTMF 1 5 #  from 2026-01-01T10:00:00.400Z") << r.out;
  const auto j = json::parse(cmd("show --db " + db("dtmf") + " 1 --format json").out);
  std::string digits;
  for (const auto& d : j["dtmf"]) digits += d["digit"].get<std::string>();
  EXPECT_EQ(digits, "15#");
  EXPECT_EQ(cmd("show --db " + db("dtmf") + " 1 --redact").out.find("DTMF"), std::string::npos);
  EXPECT_TRUE(json::parse(cmd("show --db " + db("dtmf") + " 1 --redact --format json").out)["dtmf"]
                  .empty());
  EXPECT_NE(cmd("show --db " + db("dtmf") + " 1 --redact --keep-dtmf").out.find("  DTMF 1 5 #"),
            std::string::npos);
  // The HTML report lists them per stream too (and drops them the same way).
  const std::string html = cmd("show --db " + db("dtmf") + " 1 --format html").out;
  EXPECT_NE(html.find("192.0.2.10:4000 &rarr; 203.0.113.20:6000"), std::string::npos) << html;
  EXPECT_NE(html.find("<b class=\"digits\">1 5 #</b>"), std::string::npos) << html;
  EXPECT_EQ(
      cmd("show --db " + db("dtmf") + " 1 --format html --redact").out.find("class=\"digits\""),
      std::string::npos);
}

// tcp/gap: the truth counts one tcp_gap; tshark marks the segment after the hole (frame 7,
// "previous segment not captured").
TEST_F(ListingShow, AnomaliesListKindFrameAndDetail) {
  const auto lost =
      tshark(kSamples + "tcp/gap.pcap", "-Y tcp.analysis.lost_segment -T fields -e frame.number");
  if (lost.empty()) GTEST_SKIP() << "tshark not available";
  const auto truth = truth_of("tcp/gap")["anomalies"];
  const auto r = cmd("anomalies --db " + db("gap") + " --format json --kind tcp_gap");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = json::parse(r.out);
  ASSERT_EQ(rows.size(), truth["tcp_gap"].get<size_t>());
  EXPECT_EQ(std::to_string(rows[0]["frame"].get<int64_t>()), lost[0]);
  EXPECT_FALSE(rows[0]["detail"].get<std::string>().empty());
  // Every stored anomaly is listed (plain SQL count), in the table too.
  const auto all = query(db("gap"), "SELECT count(*) AS n FROM anomalies");
  const auto n = std::get<int64_t>(all.at(0).at("n"));
  const auto table = cmd("anomalies --db " + db("gap"));
  EXPECT_NE(table.out.find("tcp_gap"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("\n" + std::to_string(n) + (n == 1 ? " anomaly\n" : " anomalies\n")),
            std::string::npos)
      << table.out;
  const auto csv = cmd("anomalies --db " + db("gap") + " --format csv").out;
  EXPECT_EQ(csv.rfind("id,capture_id,frame,ts_us,call_id,kind,flow,detail\r\n", 0), 0U);
  EXPECT_EQ(count_of(csv, "\r\n"), static_cast<size_t>(n) + 1);
  // Time filters: nothing before the capture's first frame (2026-01-01T10:00:00Z or later).
  EXPECT_EQ(
      json::parse(cmd("anomalies --db " + db("gap") + " --format json --until 2026-01-01").out)
          .size(),
      0U);
  EXPECT_EQ(cmd("anomalies --db " + db("gap") + " --call nope").exit_code, 1);
}

}  // namespace
}  // namespace sipscope::testing
