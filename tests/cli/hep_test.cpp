// HEP in both directions with real peers. In: `sipscope capture --hep-listen` fed by sngrep
// replaying samples/basic.pcap as HEP3 over UDP (`sngrep -I FILE -H udp:ADDR:PORT -N -q`),
// and by `sipscope analyze --hep-send` over UDP and TCP. Out: `analyze --hep-send` into
// sngrep listening for HEP (`sngrep -L udp:ADDR:PORT -O FILE`), whose capture is analysed
// again. Expected calls, states, final codes and start times come from the generator's
// truth (samples/basic.truth.json), never from sipscope's output. Listeners on 127.0.0.1
// need no privilege: these run everywhere sngrep is installed (install-deps.sh --test).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "forward/hep_encoder.hpp"
#include "tests/cli/child_process.hpp"
#include "tests/cli/db_reader.hpp"
#include "tests/cli/pcap_builder.hpp"
#include "tests/cli/run_command.hpp"
#include "tests/cli/udp_port.hpp"

namespace sipscope::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

const fs::path kSample = fs::path(SIPSCOPE_SOURCE_DIR) / "samples/basic.pcap";

json basic_truth() {
  std::ifstream in(fs::path(SIPSCOPE_SOURCE_DIR) / "samples/basic.truth.json");
  return json::parse(in);
}

bool wait_ready(const fs::path& db, Child& capture) {
  for (int i = 0; i < 100; ++i) {
    if (capture.wait_exit(milliseconds(0))) return false;
    try {
      if (fs::exists(db) && query_int(db.string(), "SELECT count(*) FROM captures") > 0) {
        return true;
      }
    } catch (const std::exception&) {
      // created but not yet committed
    }
    std::this_thread::sleep_for(milliseconds(100));
  }
  return false;
}

struct Replay {
  fs::path dir;
  fs::path db;
  std::string out;
  std::optional<int> status;
  std::string sender_out;
};

// The HEP sender of a replay: a shell command given the collector's "ADDR:PORT".
using Sender = std::function<std::string(const std::string& addr)>;

std::string sngrep_sender(const std::string& addr) {
  return "timeout 30 sngrep -I " + shell_quote(kSample.string()) + " -H udp:" + addr + " -N -q";
}

// Starts the collector (`listen_prefix` "" or "tcp:"), runs the sender, waits until
// `messages` rows are committed (or 10 s; messages = 0: 1.5 s), stops the collector with
// SIGINT.
Replay replay_into_capture(const std::string& name, const std::vector<std::string>& extra,
                           int64_t messages, const Sender& sender = sngrep_sender,
                           const std::string& listen_prefix = "") {
  Replay r;
  r.dir = temp_dir(name);
  r.db = r.dir / "hep.db";
  const uint16_t port = free_udp_port();
  EXPECT_NE(port, 0);
  const std::string addr = "127.0.0.1:" + std::to_string(port);
  std::vector<std::string> argv = {SIPSCOPE_EXE,         "capture", "--hep-listen",
                                   listen_prefix + addr, "--db",    r.db.string(),
                                   "--duration",         "60"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  Child capture(argv, r.dir, r.dir / "capture.out", r.dir / "capture.err");
  if (!wait_ready(r.db, capture)) {
    ADD_FAILURE() << read_text(r.dir / "capture.err");
    return r;
  }
  const auto sent = run(sender(addr), r.dir);
  EXPECT_EQ(sent.exit_code, 0) << sent.out << sent.err;
  r.sender_out = sent.out;
  for (int i = 0; i < (messages > 0 ? 100 : 15); ++i) {
    if (messages > 0 && query_int(r.db.string(), "SELECT count(*) FROM messages") >= messages) {
      break;
    }
    std::this_thread::sleep_for(milliseconds(100));
  }
  capture.signal(SIGINT);
  r.status = capture.wait_exit(seconds(10));
  r.out = read_text(r.dir / "capture.out");
  return r;
}

bool sngrep_present() {
  return std::system("command -v sngrep >/dev/null 2>&1") == 0;
}

// Every call of the truth, with the agent's capture time (not the arrival time).
void expect_truth_calls(const std::string& db, const json& truth) {
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM calls"),
            static_cast<int64_t>(truth["calls"].size()));
  for (const auto& call : truth["calls"]) {
    const std::string id = call["sip_call_id"].get<std::string>();
    SCOPED_TRACE(id);
    const auto rows = query(db,
                            "SELECT state, final_code, start_us, caller_ip, callee_ip, transport, "
                            "message_count FROM calls WHERE sip_call_id = '" +
                                id + "'");
    ASSERT_EQ(rows.size(), 1U);
    const auto& row = rows.front();
    EXPECT_EQ(std::get<std::string>(row.at("state")), call["state"].get<std::string>());
    EXPECT_EQ(std::get<int64_t>(row.at("final_code")), call["final_code"].get<int64_t>());
    // The agent's capture time, not the arrival time.
    EXPECT_EQ(std::get<int64_t>(row.at("start_us")), call["start_us"].get<int64_t>());
    EXPECT_EQ(std::get<std::string>(row.at("caller_ip")), call["caller_ip"].get<std::string>());
    EXPECT_EQ(std::get<std::string>(row.at("callee_ip")), call["callee_ip"].get<std::string>());
    EXPECT_EQ(std::get<std::string>(row.at("transport")), call["transport"].get<std::string>());
    EXPECT_EQ(std::get<int64_t>(row.at("message_count")), call["message_count"].get<int64_t>());
  }
}

TEST(HepListen, SngrepReplayGivesEveryCallOfTheTruth) {
  ASSERT_TRUE(sngrep_present()) << "sngrep missing: scripts/install-deps.sh --test";
  const json truth = basic_truth();
  const int64_t sip_messages = truth["sip_messages"].get<int64_t>();
  const Replay r = replay_into_capture("hep-listen", {}, sip_messages);
  ASSERT_EQ(r.status, 0) << read_text(r.dir / "capture.err");
  const std::string db = r.db.string();

  EXPECT_EQ(query_int(db, "SELECT count(*) FROM messages"), sip_messages);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM messages WHERE hep_agent IS NULL"), 0);
  expect_truth_calls(db, truth);
}

TEST(HepListen, WrongPasswordIsCountedAndDropped) {
  ASSERT_TRUE(sngrep_present()) << "sngrep missing: scripts/install-deps.sh --test";
  const json truth = basic_truth();
  const int64_t sip_messages = truth["sip_messages"].get<int64_t>();
  // sngrep -H sends no auth-key chunk: every packet fails the check. The collector is
  // stopped 1.5 s after the replay, long enough for the datagrams to be read.
  const Replay r = replay_into_capture("hep-listen-pass", {"--hep-password", "secret"}, 0);
  ASSERT_EQ(r.status, 0) << read_text(r.dir / "capture.err");
  EXPECT_EQ(query_int(r.db.string(), "SELECT count(*) FROM messages"), 0);
  EXPECT_NE(r.out.find("HEP packets dropped for a wrong auth key: " + std::to_string(sip_messages)),
            std::string::npos)
      << r.out;
}

// `analyze` of the sample, its database in a directory of its own.
// --max-calls ends a capture by itself, as a signal would: exit 0, at least that many
// calls finished (end_us set) in the database.
TEST(HepListen, MaxCallsEndsTheCapture) {
  ASSERT_TRUE(sngrep_present()) << "sngrep missing: scripts/install-deps.sh --test";
  const fs::path dir = temp_dir("hep-max-calls");
  const fs::path db = dir / "max.db";
  const std::string addr = "127.0.0.1:" + std::to_string(free_udp_port());
  Child capture({SIPSCOPE_EXE, "capture", "--hep-listen", addr, "--db", db.string(), "--duration",
                 "60", "--max-calls", "3"},
                dir, dir / "capture.out", dir / "capture.err");
  ASSERT_TRUE(wait_ready(db, capture)) << read_text(dir / "capture.err");
  const auto sent = run(sngrep_sender(addr), dir);
  ASSERT_EQ(sent.exit_code, 0) << sent.err;
  EXPECT_EQ(capture.wait_exit(seconds(15)), 0) << read_text(dir / "capture.err");
  EXPECT_GE(query_int(db.string(), "SELECT count(*) FROM calls WHERE end_us IS NOT NULL"), 3);
  EXPECT_NE(read_text(dir / "capture.out").find("database: "), std::string::npos);
}

std::string analyze_sender(const std::string& target, const std::string& extra = "",
                           const fs::path& sample = kSample) {
  const fs::path db = temp_dir("hep-sender") / "send.db";
  return std::string(SIPSCOPE_EXE) + " analyze -q " + shell_quote(sample.string()) + " --db " +
         shell_quote(db.string()) + " --hep-send " + target + " " + extra;
}

TEST(HepSend, AnalyzeIntoCaptureOverUdpWithPassword) {
  const json truth = basic_truth();
  const int64_t sip_messages = truth["sip_messages"].get<int64_t>();
  const Replay r = replay_into_capture(
      "hep-send-udp", {"--hep-password", "s3cret"}, sip_messages, [](const std::string& addr) {
        return analyze_sender("udp:" + addr, "--hep-send-password s3cret --hep-capture-id 2001");
      });
  ASSERT_EQ(r.status, 0) << read_text(r.dir / "capture.err");
  EXPECT_NE(r.sender_out.find("hep:      " + std::to_string(sip_messages) + " sent to udp:"),
            std::string::npos)
      << r.sender_out;
  const std::string db = r.db.string();
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM messages"), sip_messages);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM messages WHERE hep_agent = '2001'"), sip_messages);
  expect_truth_calls(db, truth);
}

TEST(HepSend, AnalyzeIntoCaptureOverTcp) {
  const json truth = basic_truth();
  const int64_t sip_messages = truth["sip_messages"].get<int64_t>();
  const Replay r = replay_into_capture(
      "hep-send-tcp", {}, sip_messages,
      [](const std::string& addr) { return analyze_sender("tcp:" + addr, "--hep-node edge1"); },
      "tcp:");
  ASSERT_EQ(r.status, 0) << read_text(r.dir / "capture.err");
  const std::string db = r.db.string();
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM messages"), sip_messages);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM messages WHERE hep_agent = '0/edge1'"),
            sip_messages);
  expect_truth_calls(db, truth);
}

// --hep-rtcp: every RTCP compound packet tshark finds in the capture arrives as a HEP
// packet of payload type 5, which the collector counts and does not store.
TEST(HepSend, RtcpIsForwardedWithHepRtcp) {
  const fs::path sample = fs::path(SIPSCOPE_SOURCE_DIR) / "samples/media/rtcp.pcap";
  const fs::path dir = temp_dir("hep-send-rtcp-oracle");
  const auto tshark = run("tshark -r " + shell_quote(sample.string()) + " -Y rtcp", dir);
  ASSERT_EQ(tshark.exit_code, 0) << tshark.err;
  const int64_t rtcp = std::count(tshark.out.begin(), tshark.out.end(), '\n');
  ASSERT_GT(rtcp, 0);
  const Replay r = replay_into_capture("hep-send-rtcp", {}, 0, [&](const std::string& addr) {
    return analyze_sender("udp:" + addr, "--hep-rtcp", sample);
  });
  ASSERT_EQ(r.status, 0) << read_text(r.dir / "capture.err");
  EXPECT_NE(r.out.find("HEP packets not SIP (RTCP, logs; not stored): " + std::to_string(rtcp)),
            std::string::npos)
      << r.out;
}

// sngrep listening for HEP writes what it received as a pcap with the original addresses
// and times (-O); read back, it holds every call of the truth.
TEST(HepSend, AnalyzeIntoSngrepListener) {
  ASSERT_TRUE(sngrep_present()) << "sngrep missing: scripts/install-deps.sh --test";
  const json truth = basic_truth();
  const fs::path dir = temp_dir("hep-send-sngrep");
  const std::string addr = "127.0.0.1:" + std::to_string(free_udp_port());
  Child sngrep({"sngrep", "-N", "-q", "-L", "udp:" + addr, "-O", (dir / "sngrep.pcap").string()},
               dir, dir / "sngrep.out", dir / "sngrep.err");
  std::this_thread::sleep_for(milliseconds(500));  // its socket bound
  const auto sent = run(analyze_sender("udp:" + addr), dir);
  ASSERT_EQ(sent.exit_code, 0) << sent.out << sent.err;
  std::this_thread::sleep_for(milliseconds(500));
  sngrep.signal(SIGTERM);
  ASSERT_TRUE(sngrep.wait_exit(seconds(10)));
  const auto back =
      run(std::string(SIPSCOPE_EXE) + " analyze -q " + shell_quote((dir / "sngrep.pcap").string()) +
              " --db " + shell_quote((dir / "back.db").string()),
          dir);
  ASSERT_EQ(back.exit_code, 0) << back.out << back.err;
  const std::string db = (dir / "back.db").string();
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM messages"), truth["sip_messages"].get<int64_t>());
  expect_truth_calls(db, truth);
}

TEST(HepSend, MalformedTargetIsAUsageError) {
  const fs::path dir = temp_dir("hep-send-usage");
  const auto r = run(analyze_sender("udp:nowhere"), dir);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--hep-send 'udp:nowhere'"), std::string::npos) << r.err;
  const auto p = run(std::string(SIPSCOPE_EXE) + " analyze -q " + shell_quote(kSample.string()) +
                         " --db " + shell_quote((dir / "x.db").string()) + " --hep-rtcp",
                     dir);
  EXPECT_EQ(p.exit_code, 1);
  EXPECT_NE(p.err.find("--hep-rtcp needs --hep-send"), std::string::npos) << p.err;
}

// One call (INVITE, 200, ACK, BYE, 200 between 192.0.2.1:5060 and 192.0.2.2:5060)
// reported by two HEP agents: agent 1 at t_i, agent 2 at t_i + 250 ms + i x 10 ms (its
// clock runs 250..290 ms ahead), and agent 1 reporting the INVITE once more 500 ms later
// (a retransmission it saw). By hand: 6 messages (5 + the retransmission), one answered
// call, and agent pair 1 -> 2 with 5 shared messages, skew mean 270 ms, min 250, max 290.
TEST(HepAgents, SecondAgentsReportsAreSightingsWithTheirClockSkew) {
  const fs::path dir = temp_dir("hep-agents");
  const std::string from = "From: <sip:alice@example.com>;tag=a1\r\n";
  const std::string to = "To: <sip:bob@example.com>";
  const std::string common = "Call-ID: two-agents@example.com\r\nMax-Forwards: 70\r\n";
  const auto msg = [&](const std::string& start, const std::string& via_branch,
                       const std::string& to_tag, const std::string& cseq) {
    return start + "\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK" + via_branch + "\r\n" +
           from + to + to_tag + "\r\n" + common + "CSeq: " + cseq +
           "\r\nContact: <sip:alice@192.0.2.1>\r\nContent-Length: 0\r\n\r\n";
  };
  struct Msg {
    bool from_caller;
    std::string text;
  };
  const std::vector<Msg> call = {
      {true, msg("INVITE sip:bob@example.com SIP/2.0", "inv", "", "1 INVITE")},
      {false, msg("SIP/2.0 200 OK", "inv", ";tag=b1", "1 INVITE")},
      {true, msg("ACK sip:bob@192.0.2.2 SIP/2.0", "ack", ";tag=b1", "1 ACK")},
      {true, msg("BYE sip:bob@192.0.2.2 SIP/2.0", "bye", ";tag=b1", "2 BYE")},
      {false, msg("SIP/2.0 200 OK", "bye", ";tag=b1", "2 BYE")}};
  const uint8_t caller[4] = {192, 0, 2, 1};
  const uint8_t callee[4] = {192, 0, 2, 2};
  const int64_t t0 = 1'700'000'000'000'000;
  struct Report {
    int64_t ts;
    uint32_t agent;
    size_t message;
  };
  std::vector<Report> reports;
  for (size_t i = 0; i < call.size(); ++i) {
    const int64_t t = t0 + static_cast<int64_t>(i) * 1'000'000;
    reports.push_back({t, 1, i});
    reports.push_back({t + 250'000 + static_cast<int64_t>(i) * 10'000, 2, i});
  }
  reports.push_back({t0 + 500'000, 1, 0});
  std::sort(reports.begin(), reports.end(),
            [](const Report& a, const Report& b) { return a.ts < b.ts; });
  {
    PcapBuilder pcap(dir / "agents.pcap");
    for (const Report& r : reports) {
      const Msg& m = call[r.message];
      const decode::Endpoint a{decode::IpAddress::v4(caller), 5060};
      const decode::Endpoint b{decode::IpAddress::v4(callee), 5060};
      std::vector<uint8_t> hep;
      ASSERT_TRUE(forward::encode_hep3(
          {m.from_caller ? a : b, m.from_caller ? b : a, 17, r.ts, 1,
           std::span(reinterpret_cast<const uint8_t*>(m.text.data()), m.text.size())},
          {r.agent, "", ""}, hep));
      pcap.udp(r.ts, r.agent == 1 ? "10.0.0.1" : "10.0.0.2", 40000, "10.0.0.9", 9060,
               std::string(hep.begin(), hep.end()));
    }
  }
  const std::string db = (dir / "agents.db").string();
  const auto analyzed =
      run(std::string(SIPSCOPE_EXE) + " analyze -q " + shell_quote((dir / "agents.pcap").string()) +
              " --db " + shell_quote(db),
          dir);
  ASSERT_EQ(analyzed.exit_code, 0) << analyzed.out << analyzed.err;
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM messages"), 6);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM messages WHERE hep_agent = '2'"), 0);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM messages WHERE retransmission <> 0"), 1);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM calls WHERE state = 'answered'"), 1);
  const auto rows = query(db,
                          "SELECT first_agent, other_agent, messages, mean_us, min_us, max_us "
                          "FROM hep_skew");
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(std::get<std::string>(rows[0].at("first_agent")), "1");
  EXPECT_EQ(std::get<std::string>(rows[0].at("other_agent")), "2");
  EXPECT_EQ(std::get<int64_t>(rows[0].at("messages")), 5);
  EXPECT_EQ(std::get<int64_t>(rows[0].at("mean_us")), 270'000);
  EXPECT_EQ(std::get<int64_t>(rows[0].at("min_us")), 250'000);
  EXPECT_EQ(std::get<int64_t>(rows[0].at("max_us")), 290'000);
  const auto stats = run(std::string(SIPSCOPE_EXE) + " stats --db " + shell_quote(db), dir);
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_NE(stats.out.find("1 -> 2: 5 messages, skew mean 270.0 min 250.0 max 290.0"),
            std::string::npos)
      << stats.out;
}

}  // namespace
}  // namespace sipscope::testing
