#include "correlate/non_call.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tests/correlate/test_support.hpp"

namespace sipscope::correlate {
namespace {

using test::kA;
using test::kB;
using test::kMs;
using test::kSec;
using test::kT0;

// VectorSink plus the non-call rows.
struct ActivitySink : test::VectorSink {
  std::vector<PeerRecord> peers;
  std::vector<PeerEventRecord> peer_events;
  std::vector<SubscriptionRecord> subscriptions;
  std::vector<ActivityRecord> activity;
  void on_peer(PeerRecord p) override { peers.push_back(std::move(p)); }
  void on_peer_event(PeerEventRecord e) override { peer_events.push_back(std::move(e)); }
  void on_subscription(SubscriptionRecord s) override { subscriptions.push_back(std::move(s)); }
  void on_activity(ActivityRecord a) override { activity.push_back(std::move(a)); }
};

std::string request(std::string_view method, std::string_view call_id,
                    std::string_view extra = "") {
  std::string s = std::string(method) + " sip:b@example.com SIP/2.0\r\n";
  s += "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK" + std::string(call_id) + "\r\n";
  s += "From: <sip:a@example.com>;tag=a\r\nTo: <sip:b@example.com>\r\n";
  s += "Call-ID: " + std::string(call_id) + "\r\nCSeq: 1 " + std::string(method) + "\r\n";
  s += std::string(extra) + "Content-Length: 0\r\n\r\n";
  return s;
}

std::string response(int code, std::string_view method, std::string_view call_id) {
  std::string s = "SIP/2.0 " + std::to_string(code) + " R\r\n";
  s += "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK" + std::string(call_id) + "\r\n";
  s += "From: <sip:a@example.com>;tag=a\r\nTo: <sip:b@example.com>;tag=b\r\n";
  s += "Call-ID: " + std::string(call_id) + "\r\nCSeq: 1 " + std::string(method) + "\r\n";
  s += "Expires: 60\r\nContent-Length: 0\r\n\r\n";
  return s;
}

// Every kind of non-call request reaches its model through the CallTracker, and none is a
// call (docs/states.md "Correlation vocabulary").
TEST(NonCallActivity, EachMethodReachesItsModel) {
  ActivitySink sink;
  CallTracker tracker(sink, {});
  test::Feeder feed(tracker);
  feed.send(kT0, kA, kB, request("OPTIONS", "o1"));
  feed.send(kT0 + kMs, kB, kA, response(200, "OPTIONS", "o1"));
  feed.send(kT0 + kSec, kA, kB, request("SUBSCRIBE", "s1", "Event: presence\r\n"));
  feed.send(kT0 + kSec + kMs, kB, kA, response(200, "SUBSCRIBE", "s1"));
  feed.send(kT0 + 2 * kSec, kA, kB, request("MESSAGE", "m1"));
  feed.send(kT0 + 2 * kSec + kMs, kB, kA, response(404, "MESSAGE", "m1"));
  feed.send(kT0 + 3 * kSec, kA, kB, request("PUBLISH", "p1", "Event: presence\r\n"));
  tracker.finish(kT0 + 4 * kSec);
  EXPECT_TRUE(sink.calls.empty());
  EXPECT_EQ(sink.messages.size(), 7u);
  ASSERT_EQ(sink.peers.size(), 1u);
  EXPECT_EQ(sink.peers[0].state, PeerState::up);
  EXPECT_EQ(sink.peer_events.size(), 1u);
  ASSERT_EQ(sink.subscriptions.size(), 1u);
  EXPECT_EQ(sink.subscriptions[0].state, SubState::accepted);
  ASSERT_EQ(sink.activity.size(), 2u);
  EXPECT_EQ(sink.activity[0].result, "failed");
  EXPECT_EQ(sink.activity[1].result, "pending");  // the capture ended inside Timer F
  EXPECT_EQ(tracker.stats().peers, 1u);
  EXPECT_EQ(tracker.stats().subscriptions, 1u);
  EXPECT_EQ(tracker.stats().activities, 2u);
}

TEST(NonCallActivity, LimitIsANamedAnomaly) {
  ActivitySink sink;
  Limits limits;
  limits.max_open_peers = 1;
  CallTracker tracker(sink, limits);
  test::Feeder feed(tracker);
  feed.send(kT0, kA, kB, request("OPTIONS", "o1"));
  feed.send(kT0 + kMs, kA, test::kP, request("OPTIONS", "o2"));
  tracker.finish(kT0 + kSec);
  ASSERT_EQ(sink.anomalies.size(), 1u);
  EXPECT_EQ(sink.anomalies[0].kind, decode::AnomalyKind::activity_table_full);
  EXPECT_EQ(sink.peers.size(), 2u);  // the evicted one, then the other at the end
}

}  // namespace
}  // namespace sipscope::correlate
