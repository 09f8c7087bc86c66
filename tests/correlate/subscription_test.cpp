#include "correlate/subscription.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/correlate/non_call_support.hpp"

namespace sipscope::correlate {
namespace {

using test::EventMaker;
using test::kA;
using test::kB;
using test::kMs;
using test::kSec;
using test::kT0;

// Watcher A subscribes at notifier B (RFC 6665 §4.1): A's tag "w", B's tag "n".
std::string request(std::string_view method, uint32_t cseq, std::string_view branch,
                    std::string_view headers, bool from_watcher = true, bool to_tag = true,
                    std::string_view call_id = "sub-1@192.0.2.10") {
  std::string s = std::string(method) + " sip:bob@example.com SIP/2.0\r\n";
  s += "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=" + std::string(branch) + "\r\n";
  if (from_watcher) {
    s += "From: <sip:alice@example.com>;tag=w\r\nTo: <sip:bob@example.com>";
    s += to_tag ? ";tag=n\r\n" : "\r\n";
  } else {
    s += "From: <sip:bob@example.com>;tag=n\r\nTo: <sip:alice@example.com>;tag=w\r\n";
  }
  s += "Call-ID: " + std::string(call_id) + "\r\n";
  s += "CSeq: " + std::to_string(cseq) + " " + std::string(method) + "\r\n";
  s += std::string(headers) + "Content-Length: 0\r\n\r\n";
  return s;
}

std::string response(int code, uint32_t cseq, std::string_view method, std::string_view branch,
                     std::string_view headers = "", bool to_watcher = true) {
  std::string s = "SIP/2.0 " + std::to_string(code) + " X\r\n";
  s += "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=" + std::string(branch) + "\r\n";
  if (to_watcher) {
    s += "From: <sip:alice@example.com>;tag=w\r\nTo: <sip:bob@example.com>;tag=n\r\n";
  } else {
    s += "From: <sip:bob@example.com>;tag=n\r\nTo: <sip:alice@example.com>;tag=w\r\n";
  }
  s += "Call-ID: sub-1@192.0.2.10\r\n";
  s += "CSeq: " + std::to_string(cseq) + " " + std::string(method) + "\r\n";
  s += std::string(headers) + "Content-Length: 0\r\n\r\n";
  return s;
}

TEST(SubscriptionStateMachine, TransitionTable) {
  using S = SubState;
  using E = SubEvent;
  struct Row {
    S from;
    E event;
    S to;
  };
  const Row rows[] = {
      {S::sent, E::accepted_2xx, S::accepted},
      {S::sent, E::rejected, S::rejected},
      {S::sent, E::notify_active, S::active},  // NOTIFY overtook the 2xx (§4.1.2.4)
      {S::sent, E::expiry, S::sent},
      {S::accepted, E::notify_pending, S::pending},
      {S::accepted, E::notify_active, S::active},
      {S::accepted, E::expiry, S::expired},
      {S::pending, E::notify_active, S::active},
      {S::pending, E::accepted_2xx, S::pending},  // refresh
      {S::active, E::accepted_2xx, S::active},
      {S::active, E::rejected, S::active},  // a failed refresh runs on to expiry (§4.1.2.2)
      {S::active, E::notify_terminated, S::terminated},
      {S::active, E::expiry, S::expired},
      {S::terminated, E::notify_active, S::terminated},
      {S::rejected, E::accepted_2xx, S::rejected},
      {S::expired, E::notify_active, S::expired},
      {S::active, E::gone, S::terminated},
      {S::pending, E::gone, S::terminated},
      {S::rejected, E::gone, S::rejected},
  };
  for (const auto& r : rows) {
    EXPECT_EQ(next_sub_state(r.from, r.event), r.to)
        << sub_state_name(r.from) << " + " << static_cast<int>(r.event);
  }
}

class SubscriptionTest : public ::testing::Test {
 protected:
  void send(int64_t ts, decode::Endpoint src, decode::Endpoint dst, const std::string& text,
            bool retx = false) {
    test::feed(maker_, tracker_, done_, ts, src, dst, text, retx);
  }
  EventMaker maker_;
  SubscriptionTracker tracker_{SubscriptionLimits{.max_open = 16, .linger_us = 32 * kSec}};
  std::vector<SubscriptionRecord> done_;
};

TEST_F(SubscriptionTest, AcceptedActiveTerminated) {
  send(kT0, kA, kB,
       request("SUBSCRIBE", 1, "z9hG4bK1", "Event: presence\r\nExpires: 600\r\n", true, false));
  send(kT0 + 5 * kMs, kB, kA, response(200, 1, "SUBSCRIBE", "z9hG4bK1", "Expires: 300\r\n"));
  send(kT0 + 10 * kMs, kB, kA,
       request("NOTIFY", 1, "z9hG4bKn1",
               "Event: presence\r\nSubscription-State: active;expires=300\r\n", false));
  // The proxy's copy of the same NOTIFY on the next hop (same CSeq) is not another one.
  send(kT0 + 11 * kMs, kB, kA,
       request("NOTIFY", 1, "z9hG4bKn1b",
               "Event: presence\r\nSubscription-State: active;expires=300\r\n", false));
  send(kT0 + 20 * kSec, kB, kA,
       request("NOTIFY", 2, "z9hG4bKn2",
               "Event: presence\r\nSubscription-State: terminated;reason=noresource\r\n", false));
  tracker_.advance(kT0 + 60 * kSec, done_);
  ASSERT_EQ(done_.size(), 1u);
  const auto& r = done_[0];
  EXPECT_EQ(r.event, "presence");
  EXPECT_EQ(r.state, SubState::terminated);
  EXPECT_EQ(r.reason, "noresource");
  EXPECT_EQ(r.final_code, 200);
  EXPECT_DOUBLE_EQ(*r.response_ms, 5.0);
  EXPECT_EQ(r.requested_expires, 600);
  EXPECT_EQ(r.expires, 300);
  EXPECT_EQ(r.notifies, 2);
  EXPECT_EQ(r.subscribes, 1);
  EXPECT_EQ(r.history, "active terminated:noresource");
  EXPECT_EQ(r.end_us, kT0 + 20 * kSec);
  EXPECT_EQ(r.subscriber_ip, "192.0.2.10");
  EXPECT_EQ(r.notifier_ip, "192.0.2.30");
}

TEST_F(SubscriptionTest, ExpiresWithoutRefresh) {
  send(kT0, kA, kB,
       request("SUBSCRIBE", 1, "z9hG4bK1", "Event: dialog;id=7\r\nExpires: 60\r\n", true, false));
  send(kT0 + 5 * kMs, kB, kA, response(202, 1, "SUBSCRIBE", "z9hG4bK1", "Expires: 60\r\n"));
  tracker_.advance(kT0 + 120 * kSec, done_);  // 60 s + linger passed
  ASSERT_EQ(done_.size(), 1u);
  EXPECT_EQ(done_[0].state, SubState::expired);
  EXPECT_EQ(done_[0].event_id, "7");
  EXPECT_EQ(done_[0].end_us, kT0 + 5 * kMs + 60 * kSec);
  EXPECT_EQ(done_[0].notifies, 0);
}

TEST_F(SubscriptionTest, ChallengeThenRefreshCounts) {
  send(kT0, kA, kB, request("SUBSCRIBE", 1, "z9hG4bK1", "Event: presence\r\n", true, false));
  send(kT0 + kMs, kB, kA, response(407, 1, "SUBSCRIBE", "z9hG4bK1"));
  send(kT0 + 9 * kMs, kA, kB,
       request("SUBSCRIBE", 2, "z9hG4bK2", "Event: presence\r\n", true, false));
  send(kT0 + 10 * kMs, kB, kA, response(200, 2, "SUBSCRIBE", "z9hG4bK2", "Expires: 3600\r\n"));
  send(kT0 + 60 * kSec, kA, kB, request("SUBSCRIBE", 3, "z9hG4bK3", "Event: presence\r\n"));
  send(kT0 + 60 * kSec + kMs, kB, kA,
       response(200, 3, "SUBSCRIBE", "z9hG4bK3", "Expires: 3600\r\n"));
  tracker_.finish(kT0 + 70 * kSec, done_);
  ASSERT_EQ(done_.size(), 1u);
  EXPECT_EQ(done_[0].state, SubState::accepted);  // no NOTIFY seen
  EXPECT_EQ(done_[0].final_code, 200);
  EXPECT_DOUBLE_EQ(*done_[0].response_ms, 10.0);
  EXPECT_EQ(done_[0].subscribes, 3);
  EXPECT_EQ(done_[0].challenges, 1);
  EXPECT_EQ(done_[0].refreshes, 1);
  EXPECT_FALSE(done_[0].end_us);
}

TEST_F(SubscriptionTest, RejectedAndNotifyWithoutSubscribe) {
  send(kT0, kA, kB, request("SUBSCRIBE", 1, "z9hG4bK1", "Event: foo\r\n", true, false));
  send(kT0 + kMs, kB, kA, response(489, 1, "SUBSCRIBE", "z9hG4bK1"));
  // A NOTIFY of a subscription made before the capture began.
  send(kT0 + 2 * kSec, kB, kA,
       request("NOTIFY", 9, "z9hG4bKn", "Event: message-summary\r\nSubscription-State: active\r\n",
               false, true, "other@192.0.2.30"));
  tracker_.finish(kT0 + 3 * kSec, done_);
  ASSERT_EQ(done_.size(), 2u);
  EXPECT_EQ(done_[0].state, SubState::rejected);
  EXPECT_EQ(done_[0].final_code, 489);
  EXPECT_EQ(done_[0].end_us, kT0 + kMs);
  EXPECT_EQ(done_[1].event, "message-summary");
  EXPECT_EQ(done_[1].state, SubState::active);
  EXPECT_EQ(done_[1].subscribes, 0);
  EXPECT_EQ(done_[1].subscriber_ip, "192.0.2.10");  // the NOTIFY's receiver
}

// RFC 6665 §4.1.2.2 / §4.2.2: a 481 to a refresh or to a NOTIFY says the subscription is
// gone (the B2BUA in heplify_erspan_sip_ipv4_udp.pcapng answers both ways).
TEST_F(SubscriptionTest, Gone481) {
  send(kT0, kA, kB, request("SUBSCRIBE", 1, "z9hG4bK1", "Event: presence\r\n", true, false));
  send(kT0 + kMs, kB, kA, response(202, 1, "SUBSCRIBE", "z9hG4bK1", "Expires: 3600\r\n"));
  send(kT0 + 5 * kSec, kA, kB, request("SUBSCRIBE", 2, "z9hG4bK2", "Event: presence\r\n"));
  send(kT0 + 5 * kSec + kMs, kB, kA, response(481, 2, "SUBSCRIBE", "z9hG4bK2"));
  send(kT0 + 6 * kSec, kB, kA,
       request("NOTIFY", 4, "z9hG4bKn", "Event: dialog\r\nSubscription-State: active\r\n", false));
  send(kT0 + 6 * kSec + kMs, kA, kB, response(481, 4, "NOTIFY", "z9hG4bKn", "", false));
  tracker_.finish(kT0 + 10 * kSec, done_);
  ASSERT_EQ(done_.size(), 2u);
  EXPECT_EQ(done_[0].state, SubState::terminated);
  EXPECT_EQ(done_[0].reason, "481");
  EXPECT_EQ(done_[0].end_us, kT0 + 5 * kSec + kMs);
  EXPECT_EQ(done_[0].final_code, 202);  // of the initial SUBSCRIBE
  EXPECT_EQ(done_[1].event, "dialog");
  EXPECT_EQ(done_[1].state, SubState::terminated);
  EXPECT_EQ(done_[1].reason, "481");
}

TEST(SubscriptionLimits, FullTableEvicts) {
  EventMaker maker;
  SubscriptionTracker tracker(SubscriptionLimits{.max_open = 1});
  std::vector<SubscriptionRecord> done;
  for (const char* id : {"a@x", "b@x"}) {
    const auto& ev = maker.make(
        kT0, kA, kB, request("SUBSCRIBE", 1, "z9hG4bK1", "Event: presence\r\n", true, false, id));
    tracker.on_message(ev, summarize(*ev.message), false, done);
  }
  EXPECT_EQ(tracker.evicted(), 1u);
  EXPECT_EQ(done.size(), 1u);
  EXPECT_EQ(tracker.open(), 1u);
}

}  // namespace
}  // namespace sipscope::correlate
