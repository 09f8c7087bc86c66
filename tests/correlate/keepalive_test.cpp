#include "correlate/keepalive.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tests/correlate/non_call_support.hpp"

namespace sipscope::correlate {
namespace {

using test::EventMaker;
using test::kMs;
using test::kSec;
using test::kT0;

const decode::Endpoint kMonitor = test::ep({198, 51, 100, 1});
const decode::Endpoint kGw = test::ep({203, 0, 113, 5});
const decode::Endpoint kGw2 = test::ep({203, 0, 113, 6});

std::string options(std::string_view branch, std::string_view call_id) {
  std::string s = "OPTIONS sip:203.0.113.5:5060 SIP/2.0\r\n";
  s += "Via: SIP/2.0/UDP 198.51.100.1:5060;branch=" + std::string(branch) + "\r\n";
  s += "From: <sip:ping@198.51.100.1>;tag=p1\r\nTo: <sip:203.0.113.5:5060>\r\n";
  s += "Call-ID: " + std::string(call_id) + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
  return s;
}

std::string answer(int code, std::string_view reason, std::string_view branch,
                   std::string_view call_id) {
  std::string s = "SIP/2.0 " + std::to_string(code) + " " + std::string(reason) + "\r\n";
  s += "Via: SIP/2.0/UDP 198.51.100.1:5060;branch=" + std::string(branch) + "\r\n";
  s += "From: <sip:ping@198.51.100.1>;tag=p1\r\nTo: <sip:203.0.113.5:5060>;tag=g\r\n";
  s += "Call-ID: " + std::string(call_id) + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
  return s;
}

// The pinger's view (Kamailio dispatcher, Asterisk qualify): any final answer but 408/503
// proves the peer alive; 408/503 or silence past Timer F takes it down.
TEST(PeerStateMachine, TransitionTable) {
  struct Row {
    PeerState from;
    PingResult result;
    PeerState to;
  };
  const Row rows[] = {
      {PeerState::unknown, PingResult::alive, PeerState::up},
      {PeerState::unknown, PingResult::failed, PeerState::down},
      {PeerState::unknown, PingResult::timeout, PeerState::down},
      {PeerState::up, PingResult::alive, PeerState::up},
      {PeerState::up, PingResult::failed, PeerState::down},
      {PeerState::up, PingResult::timeout, PeerState::down},
      {PeerState::down, PingResult::alive, PeerState::up},
      {PeerState::down, PingResult::failed, PeerState::down},
      {PeerState::down, PingResult::timeout, PeerState::down},
  };
  for (const auto& r : rows) {
    EXPECT_EQ(next_peer_state(r.from, r.result), r.to)
        << peer_state_name(r.from) << " + " << static_cast<int>(r.result);
  }
}

TEST(PeerStateMachine, ResponseCodes) {
  for (int code : {200, 404, 405, 483, 486, 500, 603}) {
    EXPECT_EQ(ping_result_of(code), PingResult::alive) << code;
  }
  EXPECT_EQ(ping_result_of(408), PingResult::failed);
  EXPECT_EQ(ping_result_of(503), PingResult::failed);
}

class PeerTrackerTest : public ::testing::Test {
 protected:
  void send(int64_t ts, decode::Endpoint src, decode::Endpoint dst, const std::string& text,
            bool retx = false) {
    test::feed(maker_, tracker_, out_, ts, src, dst, text, retx);
  }
  void ping(int64_t ts, const std::string& branch, int code = 200) {
    send(ts, kMonitor, kGw, options(branch, branch + "@m"));
    if (code != 0) send(ts + 2 * kMs, kGw, kMonitor, answer(code, "R", branch, branch + "@m"));
  }
  EventMaker maker_;
  PeerTracker tracker_{PeerLimits{.max_peers = 8, .max_pending = 64, .timeout_us = 32 * kSec}};
  PeerOutput out_;
};

TEST_F(PeerTrackerTest, DownAfterTimerFAndBackUp) {
  ping(kT0, "z9hG4bKa");                                             // frames 1, 2: up
  send(kT0 + 10 * kSec, kMonitor, kGw, options("z9hG4bKb", "b@m"));  // frame 3: never answered
  send(kT0 + 10 * kSec + 500 * kMs, kMonitor, kGw, options("z9hG4bKb", "b@m"), true);
  tracker_.advance(kT0 + 43 * kSec, out_);  // Timer F of the 10 s ping ran out at 42 s
  ping(kT0 + 50 * kSec, "z9hG4bKc");        // up again at 50.002 s
  tracker_.finish(kT0 + 60 * kSec, out_);

  ASSERT_EQ(out_.events.size(), 3u);
  EXPECT_EQ(out_.events[0].state, PeerState::up);
  EXPECT_EQ(out_.events[0].previous, PeerState::unknown);
  EXPECT_EQ(out_.events[0].ts_us, kT0 + 2 * kMs);
  EXPECT_FALSE(out_.events[0].previous_ms);
  EXPECT_EQ(out_.events[1].state, PeerState::down);
  EXPECT_EQ(out_.events[1].ts_us, kT0 + 42 * kSec);
  EXPECT_EQ(out_.events[1].frame, 3u);  // the unanswered OPTIONS is the evidence
  EXPECT_FALSE(out_.events[1].code);
  EXPECT_DOUBLE_EQ(*out_.events[1].previous_ms, 42'000.0 - 2.0);
  EXPECT_EQ(out_.events[2].state, PeerState::up);
  EXPECT_DOUBLE_EQ(*out_.events[2].previous_ms, 8'002.0);  // 42 s -> 50.002 s

  ASSERT_EQ(out_.peers.size(), 1u);
  const PeerRecord& p = out_.peers[0];
  EXPECT_EQ(p.pinger_ip, "198.51.100.1");
  EXPECT_EQ(p.peer_ip, "203.0.113.5");
  EXPECT_EQ(p.peer_port, 5060);
  EXPECT_EQ(p.pings, 3);  // the retransmission is the same ping
  EXPECT_EQ(p.answered, 2);
  EXPECT_EQ(p.timeouts, 1);
  EXPECT_EQ(p.state, PeerState::up);
  EXPECT_EQ(p.down_count, 1);
  EXPECT_DOUBLE_EQ(p.down_ms, 8'002.0);
  EXPECT_DOUBLE_EQ(*p.last_rtt_ms, 2.0);
}

TEST_F(PeerTrackerTest, NewerAnswerWinsOverOlderTimeout) {
  ping(kT0, "z9hG4bKa");
  send(kT0 + 10 * kSec, kMonitor, kGw, options("z9hG4bKb", "b@m"));  // lost
  ping(kT0 + 20 * kSec, "z9hG4bKc");
  tracker_.advance(kT0 + 50 * kSec, out_);  // the 10 s ping times out at 42 s: stale
  tracker_.finish(kT0 + 50 * kSec, out_);
  ASSERT_EQ(out_.events.size(), 1u);
  EXPECT_EQ(out_.peers.at(0).timeouts, 1);
  EXPECT_EQ(out_.peers.at(0).state, PeerState::up);
}

TEST_F(PeerTrackerTest, ServiceUnavailableIsDownAndCaptureEndIsNoTimeout) {
  ping(kT0, "z9hG4bKa", 503);
  send(kT0 + 10 * kSec, kMonitor, kGw, options("z9hG4bKb", "b@m"));
  tracker_.finish(kT0 + 20 * kSec, out_);  // its Timer F window was not all captured
  ASSERT_EQ(out_.events.size(), 1u);
  EXPECT_EQ(out_.events[0].state, PeerState::down);
  EXPECT_EQ(out_.events[0].code, 503);
  EXPECT_EQ(out_.peers.at(0).failures, 1);
  EXPECT_EQ(out_.peers.at(0).timeouts, 0);
  EXPECT_DOUBLE_EQ(out_.peers.at(0).down_ms, 20'000.0 - 2.0);  // down until the end
}

TEST_F(PeerTrackerTest, AnswerWithoutCapturedRequest) {
  send(kT0, kGw, kMonitor, answer(404, "Not Found", "z9hG4bKx", "x@m"));
  tracker_.finish(kT0 + kSec, out_);
  ASSERT_EQ(out_.peers.size(), 1u);
  EXPECT_EQ(out_.peers[0].pinger_ip, "198.51.100.1");
  EXPECT_EQ(out_.peers[0].peer_ip, "203.0.113.5");
  EXPECT_EQ(out_.peers[0].state, PeerState::up);
  EXPECT_FALSE(out_.peers[0].last_rtt_ms);
}

TEST(PeerTrackerLimits, FullTableEvictsQuietestPeer) {
  EventMaker maker;
  PeerTracker tracker(PeerLimits{.max_peers = 1, .max_pending = 64, .timeout_us = 32 * kSec});
  PeerOutput out;
  auto send = [&](int64_t ts, decode::Endpoint dst, const std::string& branch) {
    const auto& ev = maker.make(ts, kMonitor, dst, options(branch, branch + "@m"));
    tracker.on_message(ev, summarize(*ev.message), false, out);
  };
  send(kT0, kGw, "z9hG4bKa");
  send(kT0 + kSec, kGw2, "z9hG4bKb");
  EXPECT_EQ(tracker.evicted(), 1u);
  ASSERT_EQ(out.peers.size(), 1u);
  EXPECT_EQ(out.peers[0].peer_ip, "203.0.113.5");
  EXPECT_EQ(tracker.open(), 1u);
}

}  // namespace
}  // namespace sipscope::correlate
