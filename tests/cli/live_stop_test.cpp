// Issue 15 point 5: a stop stores every open call as it stands, whatever their number. 20,000
// answered calls without BYE (INVITE, 200, ACK each, sent as HEP3 to `capture
// --hep-listen`, stamped with the wall clock) are all open when SIGINT comes; each tick
// has stored them already, so the stop stores one more tick, not 20,000 flushes. Expected
// values by hand: RFC 3261, a 2xx answered and ACKed call with no BYE is answered and
// still talking (end_us NULL), three messages each.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "forward/hep_encoder.hpp"
#include "tests/cli/child_process.hpp"
#include "tests/cli/db_reader.hpp"
#include "tests/cli/live_helpers.hpp"
#include "tests/cli/run_command.hpp"
#include "tests/cli/udp_port.hpp"

namespace sipscope::testing {
namespace {

#if defined(__SANITIZE_ADDRESS__)
// The sanitizer build reads several times slower: fewer calls, sent four times slower, so the
// listener's socket buffer never overflows.
constexpr int kCalls = 5'000;
constexpr int kMicrosPerDatagram = 500;
#else
constexpr int kCalls = 20'000;
constexpr int kMicrosPerDatagram = 125;
#endif

// Sends the calls as HEP3 datagrams at about 8,000 a second (the listener's socket buffer
// keeps up on a loaded 2-core machine).
void send_calls(uint16_t port) {
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const uint8_t a[4] = {10, 1, 0, 1};
  const uint8_t b[4] = {10, 1, 0, 2};
  const decode::Endpoint caller{decode::IpAddress::v4(a), 5060};
  const decode::Endpoint callee{decode::IpAddress::v4(b), 5060};
  std::vector<uint8_t> hep;
  const auto start = std::chrono::steady_clock::now();
  int sent = 0;
  for (int i = 0; i < kCalls; ++i) {
    const std::string n = std::to_string(i);
    const std::string common = "From: <sip:alice" + n + "@10.1.0.1>;tag=f" + n +
                               "\r\nCall-ID: stop-" + n +
                               "@test\r\nMax-Forwards: 70\r\nContact: <sip:alice@10.1.0.1>\r\n";
    const std::string via = "Via: SIP/2.0/UDP 10.1.0.1:5060;branch=z9hG4bK" + n;
    const std::string to_uri = "To: <sip:bob" + n + "@10.1.0.2>";
    const std::string messages[3] = {
        "INVITE sip:bob" + n + "@10.1.0.2 SIP/2.0\r\n" + via + "\r\n" + common + to_uri +
            "\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
        "SIP/2.0 200 OK\r\n" + via + "\r\n" + common + to_uri + ";tag=t" + n +
            "\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
        "ACK sip:bob" + n + "@10.1.0.2 SIP/2.0\r\n" + via + "a\r\n" + common + to_uri + ";tag=t" +
            n + "\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n"};
    for (int m = 0; m < 3; ++m) {
      const std::string& text = messages[m];
      ASSERT_TRUE(forward::encode_hep3(
          {m == 1 ? callee : caller, m == 1 ? caller : callee, 17, wall_us(), 1,
           std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size())},
          {2001, "", ""}, hep));
      (void)sendto(fd, hep.data(), hep.size(), 0, reinterpret_cast<const sockaddr*>(&to),
                   sizeof to);
      ++sent;
    }
    const auto due = start + std::chrono::microseconds(sent * kMicrosPerDatagram);
    if (due > std::chrono::steady_clock::now()) std::this_thread::sleep_until(due);
  }
  close(fd);
}

TEST(LiveStop, ThousandsOfOpenCallsAreStoredAsTheyStoodAtTheStop) {
  const auto dir = temp_dir("live-stop");
  const auto db = dir / "stop.db";
  const uint16_t port = free_udp_port();
  ASSERT_NE(port, 0);
  Child capture({SIPSCOPE_EXE, "capture", "--hep-listen", "127.0.0.1:" + std::to_string(port),
                 "--db", db.string()},
                dir, dir / "capture.out", dir / "capture.err");
  ASSERT_TRUE(wait_ready(db, capture)) << read_text(dir / "capture.err");
  send_calls(port);
  if (HasFatalFailure()) return;
  const std::string path = db.string();
  int64_t stored = 0;
  for (int i = 0; i < 300 && stored < kCalls; ++i) {
    std::this_thread::sleep_for(milliseconds(100));
    stored = query_int(path, "SELECT count(*) FROM calls");
  }
  ASSERT_EQ(stored, kCalls) << "HEP datagrams lost on loopback: " << read_text(dir / "capture.err");
  std::this_thread::sleep_for(milliseconds(1200));  // the last messages' tick is done

  std::optional<int> status;
  const auto took = stop(capture, SIGINT, status);
  ASSERT_EQ(status, 0) << read_text(dir / "capture.err");
  // How long the stop took is measured by bench/live_stop.sh (docs/capture.md), not asserted
  // here: what holds is that every open call is stored as it stood.
  RecordProperty("stop_ms", std::to_string(took.count()));
  EXPECT_EQ(query_int(path,
                      "SELECT count(*) FROM calls WHERE state = 'answered' AND end_us IS NULL "
                      "AND message_count = 3"),
            kCalls);
  EXPECT_EQ(query_int(path, "SELECT count(*) FROM messages WHERE call_id IS NOT NULL"), 3 * kCalls);
  // Each call's INVITE transaction, answered by the 200.
  EXPECT_EQ(query_int(path,
                      "SELECT count(*) FROM transactions WHERE method = 'INVITE' AND final_code "
                      "= 200"),
            kCalls);
}

}  // namespace
}  // namespace sipscope::testing
