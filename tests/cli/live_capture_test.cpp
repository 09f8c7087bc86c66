// `sipscope capture` on loopback with real SIPp traffic (needs root or CAP_NET_RAW; CI runs
// as root, so these run there). Expected values come from SIPp's own scenarios (`sipp -sd`),
// SIPp's exit status (0: every call of -m succeeded) and tshark's count of the RTP packets
// SIPp plays from its pcap; never from sipscope's output. Every test uses its own ports so
// suites can run in parallel, and its filter keeps other loopback traffic out.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "tests/cli/child_process.hpp"
#include "tests/cli/db_reader.hpp"
#include "tests/cli/live_helpers.hpp"
#include "tests/cli/run_command.hpp"

namespace sipscope::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(LiveCapture, SippCallsWithRtpBothDirections) {
  require_live_capture();
  if (IsSkipped()) return;
  ASSERT_TRUE(tool_present("tshark"));
  const auto dir = temp_dir("live-rtp");
  fs::create_directories(dir / "pcap");
  for (const auto& f : fs::directory_iterator("/usr/share/sip-tester")) {
    if (f.path().extension() == ".pcap")
      fs::copy_file(f.path(), dir / "pcap" / f.path().filename());
  }
  // RTP packets SIPp plays per call (one SSRC, tshark): the UAS echoes each of them.
  const int64_t rtp_packets = output_lines(
      "tshark -r " + shell_quote((dir / "pcap/g711a.pcap").string()) + " -T fields -e frame.number",
      dir);
  ASSERT_GT(rtp_packets, 100);
  const int per_call = scenario_messages(dir, "uac_pcap", "uas");
  ASSERT_EQ(per_call, 6);  // INVITE, ACK, BYE + 180, 200, 200 (the built-in uas sends no 100)

  const auto db = dir / "live.db";
  // SIP on 25060 (uas) / 25062 (uac); media ports 25100+ (uas) and 25200+ (uac).
  Child capture(capture_argv(db, "udp and portrange 25060-25299"), dir, dir / "capture.out",
                dir / "capture.err");
  ASSERT_TRUE(wait_ready(db, capture)) << read_text(dir / "capture.err");
  // One call at a time (-l 1): the built-in uas echoes every call's RTP on the one -mp
  // port, so overlapping calls would share a stream address.
  constexpr int kCalls = 2;
  Child uas({"sipp", "-sn", "uas", "-rtp_echo", "-i", "127.0.0.1", "-p", "25060", "-mp", "25100",
             "-m", std::to_string(kCalls), "-nostdin"},
            dir, dir / "uas.out", dir / "uas.err");
  std::this_thread::sleep_for(milliseconds(500));
  Child uac({"sipp", "-sn", "uac_pcap", "127.0.0.1:25060", "-m", std::to_string(kCalls), "-r", "1",
             "-l", "1", "-i", "127.0.0.1", "-p", "25062", "-mp", "25200", "-nostdin"},
            dir, dir / "uac.out", dir / "uac.err");
  ASSERT_EQ(uac.wait_exit(seconds(90)), 0) << read_text(dir / "uac.err");
  ASSERT_EQ(uas.wait_exit(seconds(10)), 0) << read_text(dir / "uas.err");
  std::this_thread::sleep_for(milliseconds(500));

  std::optional<int> status;
  const auto took = stop(capture, SIGINT, status);
  ASSERT_EQ(status, 0) << read_text(dir / "capture.err");
  EXPECT_LE(took.count(), 1000) << "SIGINT to exit";

  const std::string path = db.string();
  EXPECT_EQ(query_int(path, "SELECT count(*) FROM calls"), kCalls);
  EXPECT_EQ(
      query_int(path,
                "SELECT count(*) FROM calls WHERE state = 'answered' AND "
                "message_count = " +
                    std::to_string(per_call) + " AND end_us IS NOT NULL AND hangup_by = 'caller'"),
      kCalls);
  EXPECT_EQ(query_int(path, "SELECT count(*) FROM messages WHERE call_id IS NOT NULL"),
            kCalls * per_call);
  // Both directions of every call: the played stream and its echo, each complete.
  const std::string pairs =
      "SELECT count(DISTINCT a.call_id) FROM streams a JOIN streams b ON a.call_id = b.call_id "
      "AND a.src_ip = b.dst_ip AND a.src_port = b.dst_port AND a.dst_ip = b.src_ip AND "
      "a.dst_port = b.src_port WHERE a.packets >= " +
      std::to_string(rtp_packets) + " AND b.packets >= " + std::to_string(rtp_packets);
  EXPECT_EQ(query_int(path, pairs), kCalls);
  EXPECT_EQ(query_int(path,
                      "SELECT count(*) FROM captures WHERE path = 'lo' AND status = "
                      "'complete' AND kernel_drops IS NOT NULL AND interface_drops IS NOT "
                      "NULL AND packets > 0"),
            1);
  const auto out = read_text(dir / "capture.out");
  EXPECT_NE(out.find("kernel drops"), std::string::npos) << out;
  EXPECT_NE(out.find("calls: " + std::to_string(kCalls)), std::string::npos) << out;
}

// A UAS that rings for 20 s before answering: the call is open when the capture stops.
constexpr const char* kSlowUas = R"(<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="slow uas">
  <recv request="INVITE"/>
  <send><![CDATA[
SIP/2.0 180 Ringing
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[local_ip]:[local_port];transport=[transport]>
Content-Length: 0

]]></send>
  <pause milliseconds="20000"/>
</scenario>
)";

TEST(LiveCapture, SigtermMidCallKeepsOpenCallInProgress) {
  require_live_capture();
  if (IsSkipped()) return;
  const auto dir = temp_dir("live-sigterm");
  std::ofstream(dir / "slow_uas.xml") << kSlowUas;
  const auto db = dir / "live.db";
  Child capture(capture_argv(db, "udp and portrange 25360-25369"), dir, dir / "capture.out",
                dir / "capture.err");
  ASSERT_TRUE(wait_ready(db, capture)) << read_text(dir / "capture.err");
  Child uas(
      {"sipp", "-sf", "slow_uas.xml", "-i", "127.0.0.1", "-p", "25360", "-m", "1", "-nostdin"}, dir,
      dir / "uas.out", dir / "uas.err");
  std::this_thread::sleep_for(milliseconds(300));
  Child uac({"sipp", "-sn", "uac", "127.0.0.1:25360", "-m", "1", "-i", "127.0.0.1", "-p", "25362",
             "-nostdin"},
            dir, dir / "uac.out", dir / "uac.err");

  // The live database shows the ringing call as an in_progress row within a second or so
  // (committed every wall second) while the capture runs.
  const std::string path = db.string();
  bool seen = false;
  for (int i = 0; i < 50 && !seen; ++i) {
    std::this_thread::sleep_for(milliseconds(100));
    seen = query_int(path,
                     "SELECT count(*) FROM calls WHERE state = 'in_progress' AND "
                     "message_count = 2") == 1;
  }
  ASSERT_TRUE(seen) << "no in_progress row while capturing";

  std::optional<int> status;
  const auto took = stop(capture, SIGTERM, status);
  ASSERT_EQ(status, 0) << read_text(dir / "capture.err");
  EXPECT_LE(took.count(), 1000) << "SIGTERM to exit";

  EXPECT_EQ(query(path, "PRAGMA integrity_check").at(0).begin()->second, Value("ok"));
  // INVITE and 180 were on the wire (uac sends INVITE, slow uas answers 180 and waits).
  EXPECT_EQ(query_int(path,
                      "SELECT count(*) FROM calls WHERE state = 'in_progress' AND "
                      "message_count = 2 AND final_code IS NULL AND ring_us IS NOT NULL"),
            1);
  EXPECT_EQ(query_int(path, "SELECT count(*) FROM messages WHERE call_id IS NOT NULL"), 2);
  const auto listed = run(sipscope_cmd("calls --db " + shell_quote(path)), dir);
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("in_progress"), std::string::npos) << listed.out;
}

// Issue 15 point 2: a finished call's messages are readable within about a second of its
// last message, long before the call leaves the tracker (its 32 s linger), and are stored
// once. The built-in uac holds the call for 2 s, so the answered call's first messages are
// stored by one tick and its BYE and 200 by a later one.
TEST(LiveCapture, FinishedCallMessagesCommittedWithinASecond) {
  require_live_capture();
  if (IsSkipped()) return;
  const auto dir = temp_dir("live-latency");
  const int per_call = scenario_messages(dir, "uac", "uas");
  ASSERT_EQ(per_call, 6);  // INVITE, ACK, BYE + 180, 200, 200
  const auto db = dir / "live.db";
  Child capture(capture_argv(db, "udp and portrange 25860-25869"), dir, dir / "capture.out",
                dir / "capture.err");
  ASSERT_TRUE(wait_ready(db, capture)) << read_text(dir / "capture.err");
  Child uas({"sipp", "-sn", "uas", "-i", "127.0.0.1", "-p", "25860", "-m", "1", "-nostdin"}, dir,
            dir / "uas.out", dir / "uas.err");
  std::this_thread::sleep_for(milliseconds(300));
  Child uac({"sipp", "-sn", "uac", "127.0.0.1:25860", "-m", "1", "-d", "2000", "-i", "127.0.0.1",
             "-p", "25862", "-nostdin"},
            dir, dir / "uac.out", dir / "uac.err");

  const std::string path = db.string();
  const std::string stored = "SELECT count(*) FROM messages WHERE call_id IS NOT NULL";
  bool answered_seen = false;  // the answered call's first messages, before its BYE
  int64_t seen_all_us = 0;
  for (int i = 0; i < 200 && seen_all_us == 0; ++i) {
    std::this_thread::sleep_for(milliseconds(50));
    const int64_t n = query_int(path, stored);
    if (n > 0 && n < per_call &&
        query_int(path, "SELECT count(*) FROM messages WHERE method = 'BYE'") == 0) {
      answered_seen = true;
    }
    if (n == per_call) seen_all_us = wall_us();
  }
  ASSERT_NE(seen_all_us, 0) << "the call's messages never appeared while capturing";
  EXPECT_TRUE(answered_seen) << "the messages before the BYE were not stored on their own";
  // The last message's capture time is the kernel's clock, the same as wall_us().
  const int64_t last_us = query_int(path, "SELECT max(ts_us) FROM messages");
  EXPECT_LE(seen_all_us - last_us, 2'000'000) << "messages committed too late";
  RecordProperty("commit_latency_us", std::to_string(seen_all_us - last_us));
  EXPECT_EQ(query_int(path,
                      "SELECT count(*) FROM calls WHERE state = 'answered' AND end_us IS NOT "
                      "NULL AND message_count = " +
                          std::to_string(per_call)),
            1);
  ASSERT_EQ(uac.wait_exit(seconds(30)), 0) << read_text(dir / "uac.err");
  ASSERT_EQ(uas.wait_exit(seconds(10)), 0) << read_text(dir / "uas.err");

  std::optional<int> status;
  (void)stop(capture, SIGINT, status);
  ASSERT_EQ(status, 0) << read_text(dir / "capture.err");
  // The final flush adds the call's other rows but none of its messages a second time.
  EXPECT_EQ(query_int(path, stored), per_call);
  EXPECT_EQ(query_int(path, "SELECT count(DISTINCT frame) FROM messages"), per_call);
  EXPECT_GT(query_int(path, "SELECT count(*) FROM transactions WHERE call_id IS NOT NULL"), 0);
}

TEST(LiveCapture, SecondSignalExitsAtOnceWithConsistentDatabase) {
  require_live_capture();
  if (IsSkipped()) return;
  const auto dir = temp_dir("live-second-signal");
  const auto db = dir / "live.db";
  Child capture(capture_argv(db, "udp and port 25460"), dir, dir / "capture.out",
                dir / "capture.err");
  ASSERT_TRUE(wait_ready(db, capture)) << read_text(dir / "capture.err");
  // Two different signals back to back (the same one twice could merge into one delivery).
  capture.signal(SIGINT);
  capture.signal(SIGTERM);
  EXPECT_EQ(capture.wait_exit(seconds(5)), 3);
  const std::string path = db.string();
  EXPECT_EQ(query(path, "PRAGMA integrity_check").at(0).begin()->second, Value("ok"));
  EXPECT_EQ(query_int(path, "SELECT count(*) FROM captures"), 1);
}

TEST(LiveCapture, PcapOutRotatesAndExportSlicesFromTheFiles) {
  require_live_capture();
  if (IsSkipped()) return;
  ASSERT_TRUE(tool_present("tshark"));
  const auto dir = temp_dir("live-pcap-out");
  const auto db = dir / "live.db";
  auto argv = capture_argv(db, "udp and portrange 25660-25669");
  for (const char* a : {"--pcap-out", "files", "--rotate", "1s", "--keep", "100"})
    argv.emplace_back(a);
  Child capture(argv, dir, dir / "capture.out", dir / "capture.err");
  ASSERT_TRUE(wait_ready(db, capture)) << read_text(dir / "capture.err");
  Child uas({"sipp", "-sn", "uas", "-i", "127.0.0.1", "-p", "25660", "-m", "3", "-nostdin"}, dir,
            dir / "uas.out", dir / "uas.err");
  std::this_thread::sleep_for(milliseconds(300));
  // Calls of 1.5 s, one every 0.5 s: calls span the 1 s files.
  Child uac({"sipp", "-sn", "uac", "127.0.0.1:25660", "-m", "3", "-r", "2", "-d", "1500", "-i",
             "127.0.0.1", "-p", "25662", "-nostdin"},
            dir, dir / "uac.out", dir / "uac.err");
  ASSERT_EQ(uac.wait_exit(seconds(30)), 0) << read_text(dir / "uac.err");
  ASSERT_EQ(uas.wait_exit(seconds(10)), 0) << read_text(dir / "uas.err");
  std::optional<int> status;
  (void)stop(capture, SIGINT, status);
  ASSERT_EQ(status, 0) << read_text(dir / "capture.err");

  const int per_call = scenario_messages(dir, "uac", "uas");
  const std::string path = db.string();
  const auto files = query(path, "SELECT id, path, packets FROM captures WHERE path LIKE '%.pcap'");
  EXPECT_GE(files.size(), 2U) << "1 s rotation over ~3 s of calls";
  int64_t in_files = 0;
  for (const auto& f : files) {
    const auto& file = std::get<std::string>(f.at("path"));
    ASSERT_TRUE(fs::exists(file)) << file;
    // tshark's frame count of every file equals the packets recorded for it.
    EXPECT_EQ(output_lines("tshark -r " + shell_quote(file), dir),
              std::get<int64_t>(f.at("packets")))
        << file;
    in_files += std::get<int64_t>(f.at("packets"));
  }
  EXPECT_EQ(in_files, query_int(path, "SELECT packets FROM captures WHERE path = 'lo'"));
  // Every message points into a file; export rebuilds each call's messages from them.
  EXPECT_EQ(query_int(path,
                      "SELECT count(*) FROM messages m JOIN captures c ON c.id = "
                      "m.capture_id WHERE c.path NOT LIKE '%.pcap'"),
            0);
  for (int64_t id = 1; id <= 3; ++id) {
    const auto out = dir / ("call" + std::to_string(id) + ".pcap");
    const auto r = run(sipscope_cmd("export --db " + shell_quote(path) + " " + std::to_string(id) +
                                    " --pcap " + shell_quote(out.string())),
                       dir);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(output_lines("tshark -r " + shell_quote(out.string()) +
                               " -d udp.port==25660,sip -d udp.port==25662,sip -Y sip",
                           dir),
              per_call)
        << "call " << id;
  }
}

// -i any delivers Linux SLL2 frames (LINKTYPE 276); several -i are polled together, one
// captures row each.
TEST(LiveCapture, AnyInterfaceAsSll2BesideLoopback) {
  require_live_capture();
  if (IsSkipped()) return;
  const auto dir = temp_dir("live-any");
  const auto db = dir / "any.db";
  Child capture({SIPSCOPE_EXE, "capture", "-i", "any", "--db", db.string(), "--filter",
                 "udp and portrange 25760-25769"},
                dir, dir / "capture.out", dir / "capture.err");
  ASSERT_TRUE(wait_ready(db, capture)) << read_text(dir / "capture.err");
  Child uas({"sipp", "-sn", "uas", "-i", "127.0.0.1", "-p", "25760", "-m", "2", "-nostdin"}, dir,
            dir / "uas.out", dir / "uas.err");
  std::this_thread::sleep_for(milliseconds(300));
  Child uac({"sipp", "-sn", "uac", "127.0.0.1:25760", "-m", "2", "-r", "2", "-i", "127.0.0.1", "-p",
             "25762", "-nostdin"},
            dir, dir / "uac.out", dir / "uac.err");
  ASSERT_EQ(uac.wait_exit(seconds(30)), 0) << read_text(dir / "uac.err");
  ASSERT_EQ(uas.wait_exit(seconds(10)), 0) << read_text(dir / "uas.err");
  std::this_thread::sleep_for(milliseconds(300));
  std::optional<int> status;
  (void)stop(capture, SIGINT, status);
  ASSERT_EQ(status, 0) << read_text(dir / "capture.err");
  const int per_call = scenario_messages(dir, "uac", "uas");
  const std::string path = db.string();
  EXPECT_EQ(query_int(path, "SELECT link_type FROM captures WHERE path = 'any'"), 276);
  EXPECT_EQ(query_int(path,
                      "SELECT count(*) FROM calls WHERE state = 'answered' AND "
                      "message_count = " +
                          std::to_string(per_call)),
            2);

  // Two interfaces at once: both rows, both see the traffic.
  const auto db2 = dir / "two.db";
  Child two({SIPSCOPE_EXE, "capture", "-i", "lo", "-i", "any", "--db", db2.string(), "--filter",
             "udp and portrange 25760-25769", "--duration", "3"},
            dir, dir / "two.out", dir / "two.err");
  ASSERT_TRUE(wait_ready(db2, two)) << read_text(dir / "two.err");
  Child uas2({"sipp", "-sn", "uas", "-i", "127.0.0.1", "-p", "25760", "-m", "1", "-nostdin"}, dir,
             dir / "uas2.out", dir / "uas2.err");
  std::this_thread::sleep_for(milliseconds(300));
  Child uac2({"sipp", "-sn", "uac", "127.0.0.1:25760", "-m", "1", "-i", "127.0.0.1", "-p", "25762",
              "-nostdin"},
             dir, dir / "uac2.out", dir / "uac2.err");
  ASSERT_EQ(uac2.wait_exit(seconds(30)), 0);
  ASSERT_EQ(two.wait_exit(seconds(10)), 0) << read_text(dir / "two.err");  // --duration 3
  EXPECT_EQ(query_int(db2.string(), "SELECT count(*) FROM captures WHERE packets >= " +
                                        std::to_string(per_call) + " AND status = 'complete'"),
            2);
}

TEST(LiveCapture, SetupErrorsAreOneLineExitTwo) {
  const auto dir = temp_dir("live-errors");
  const auto db = dir / "x.db";
  auto r = run(sipscope_cmd("capture -i nosuchif0 --db " + shell_quote(db.string())), dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("nosuchif0: no such interface"), std::string::npos) << r.err;
  EXPECT_EQ(count_of(r.err, "\n"), 1) << r.err;
  EXPECT_FALSE(fs::exists(db)) << "the database is not touched on a setup error";

  r = run(sipscope_cmd("capture -i lo --filter 'port fifty' --db " + shell_quote(db.string())),
          dir);
  if (geteuid() == 0) {  // unprivileged, opening lo fails first
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("bad capture filter 'port fifty'"), std::string::npos) << r.err;
    EXPECT_EQ(count_of(r.err, "\n"), 1) << r.err;
  }

  // Without privileges: a copy of the binary run as nobody, with no capabilities.
  if (geteuid() == 0 && tool_present("setpriv")) {
    fs::permissions(dir, fs::perms::all);
    fs::copy_file(SIPSCOPE_EXE, dir / "sipscope");
    r = run("setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all " +
                shell_quote((dir / "sipscope").string()) + " capture -i lo --db " +
                shell_quote(db.string()),
            dir);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("CAP_NET_RAW"), std::string::npos) << r.err;
    EXPECT_EQ(count_of(r.err, "\n"), 1) << r.err;
  }
}

TEST(LiveCapture, FilterDroppingFragmentsIsWarnedWithTheFix) {
  require_live_capture();
  if (IsSkipped()) return;
  const auto dir = temp_dir("live-filter");
  const auto db = dir / "x.db";
  const auto r = run(sipscope_cmd("capture -i lo --filter 'port 25560' --duration 0.5 --db " +
                                  shell_quote(db.string())),
                     dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("warning: filter 'port 25560' drops the non-first IP fragments"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("--filter '(port 25560) or (ip[6:2] & 0x1fff != 0) or (ip6[6] == 44)'"),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace sipscope::testing
