// A real Kamailio 5.6 with the siptrace module (tests/cli/kamailio_hep.cfg, the lines
// docs/hep.md gives) proxies real SIPp calls on loopback and mirrors every message as HEP3
// into `sipscope capture --hep-listen`. Expected values by hand from the scenarios and the
// proxy's behaviour: SIPp's built-in uac/uas call is INVITE, 180, 200, ACK, BYE, 200 on
// each hop; tm adds its own 100 Trying towards the caller; so 7 messages on the caller's
// hop + 6 on the callee's = 13 per call, two INVITEs and two BYEs, answered (200), hung up
// by the caller. Needs kamailio and sipp (scripts/install-deps.sh --test); no privilege.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "tests/cli/child_process.hpp"
#include "tests/cli/db_reader.hpp"
#include "tests/cli/run_command.hpp"
#include "tests/cli/udp_port.hpp"

namespace sipscope::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kCalls = 3;

bool present(const std::string& tool) {
  return std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) == 0;
}

TEST(HepKamailio, SiptraceOfSippCallsGivesEveryCallWithBothHops) {
  ASSERT_TRUE(present("kamailio")) << "kamailio missing: scripts/install-deps.sh --test";
  ASSERT_TRUE(present("sipp")) << "sipp missing: scripts/install-deps.sh --test";
  const fs::path dir = temp_dir("hep-kamailio");
  const fs::path db = dir / "hep.db";
  const std::string hep = "127.0.0.1:" + std::to_string(free_udp_port());
  Child capture(
      {SIPSCOPE_EXE, "capture", "--hep-listen", hep, "--db", db.string(), "--duration", "60"}, dir,
      dir / "capture.out", dir / "capture.err");
  const fs::path cfg = fs::path(SIPSCOPE_SOURCE_DIR) / "tests/cli/kamailio_hep.cfg";
  Child kamailio({"kamailio", "-DD", "-E", "-f", cfg.string(), "-A", "HEP_URI=\"sip:" + hep + "\""},
                 dir, dir / "kamailio.out", dir / "kamailio.err");
  Child uas({"sipp", "-sn", "uas", "-i", "127.0.0.1", "-p", "35062", "-nostdin"}, dir,
            dir / "uas.out", dir / "uas.err");
  std::this_thread::sleep_for(milliseconds(1500));  // Kamailio's and SIPp's sockets bound
  const auto uac = run("timeout 60 sipp -sn uac 127.0.0.1:35060 -i 127.0.0.1 -p 35064 -m " +
                           std::to_string(kCalls) + " -r 5 -d 200 -nostdin",
                       dir);
  ASSERT_EQ(uac.exit_code, 0) << uac.out << uac.err << read_text(dir / "kamailio.err");
  const int64_t expected = 13 * kCalls;
  for (int i = 0; i < 100; ++i) {
    try {
      if (query_int(db.string(), "SELECT count(*) FROM messages") >= expected) break;
    } catch (const std::exception&) {
      // not yet committed
    }
    std::this_thread::sleep_for(milliseconds(100));
  }
  uas.signal(SIGINT);
  kamailio.signal(SIGINT);
  capture.signal(SIGINT);
  ASSERT_EQ(capture.wait_exit(seconds(10)), 0) << read_text(dir / "capture.err");

  const std::string d = db.string();
  EXPECT_EQ(query_int(d, "SELECT count(*) FROM messages"), expected);
  EXPECT_EQ(query_int(d, "SELECT count(*) FROM messages WHERE hep_agent = '2001'"), expected);
  EXPECT_EQ(query_int(d, "SELECT count(*) FROM calls"), kCalls);
  EXPECT_EQ(query_int(d,
                      "SELECT count(*) FROM calls WHERE state = 'answered' AND final_code = "
                      "200 AND hangup_by = 'caller' AND message_count = 13"),
            kCalls);
  // Both hops of every call: caller -> proxy and proxy -> callee.
  EXPECT_EQ(query_int(d,
                      "SELECT count(*) FROM messages WHERE method = 'INVITE' AND src_port = "
                      "35064 AND dst_port = 35060"),
            kCalls);
  EXPECT_EQ(query_int(d,
                      "SELECT count(*) FROM messages WHERE method = 'INVITE' AND src_port = "
                      "35060 AND dst_port = 35062"),
            kCalls);
  EXPECT_EQ(query_int(d,
                      "SELECT count(*) FROM messages WHERE status_code = 100 AND src_port = "
                      "35060 AND dst_port = 35064"),
            kCalls);
}

}  // namespace
}  // namespace sipscope::testing
