#include "correlate/registration.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "correlate/call_tracker.hpp"
#include "tests/correlate/test_support.hpp"

namespace sipscope::correlate {
namespace {

using test::EventMaker;
using test::Feeder;
using test::kA;
using test::kMs;
using test::kP;
using test::kSec;
using test::kT0;
using test::VectorSink;

// REGISTER of alice (RFC 3261 §10.2), CSeq `cseq`, asking `expires` seconds.
std::string register_request(uint32_t cseq, std::string_view branch, int expires,
                             std::string_view call_id = "reg-1@192.0.2.10") {
  std::string s = "REGISTER sip:example.com SIP/2.0\r\n";
  s += "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=" + std::string(branch) + "\r\n";
  s += "From: <sip:alice@example.com>;tag=rt1\r\nTo: <sip:alice@example.com>\r\n";
  s += "Call-ID: " + std::string(call_id) + "\r\n";
  s += "CSeq: " + std::to_string(cseq) + " REGISTER\r\n";
  s += "Contact: <sip:alice@192.0.2.10:5060>\r\nExpires: " + std::to_string(expires) + "\r\n";
  s += "Content-Length: 0\r\n\r\n";
  return s;
}

std::string register_response(int code, std::string_view reason, uint32_t cseq,
                              std::string_view branch, std::string_view extra = "",
                              std::string_view call_id = "reg-1@192.0.2.10") {
  std::string s = "SIP/2.0 " + std::to_string(code) + " " + std::string(reason) + "\r\n";
  s += "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=" + std::string(branch) + "\r\n";
  s += "From: <sip:alice@example.com>;tag=rt1\r\nTo: <sip:alice@example.com>;tag=reg\r\n";
  s += "Call-ID: " + std::string(call_id) + "\r\n";
  s += "CSeq: " + std::to_string(cseq) + " REGISTER\r\n";
  s += std::string(extra);
  s += "Content-Length: 0\r\n\r\n";
  return s;
}

class RegistrationTest : public ::testing::Test {
 protected:
  void send(int64_t ts, decode::Endpoint src, decode::Endpoint dst, const std::string& text,
            bool retx = false) {
    const auto& ev = maker_.make(ts, src, dst, text);
    tracker_.on_message(ev, summarize(*ev.message), retx, done_);
  }
  EventMaker maker_;
  RegistrationTracker tracker_{16, 32 * kSec};
  std::vector<RegistrationRecord> done_;
};

// REGISTER -> 401 -> REGISTER (CSeq 2, credentials) -> 200 with the binding for 1800 s
// (the registrar shortened the 3600 asked): one registration, 2 attempts, 1 challenge.
TEST_F(RegistrationTest, ChallengeThenOk) {
  send(kT0, kA, kP, register_request(1, "z9hG4bKr1", 3600));
  send(kT0 + 20 * kMs, kP, kA,
       register_response(401, "Unauthorized", 1, "z9hG4bKr1",
                         "WWW-Authenticate: Digest realm=\"example.com\", nonce=\"n\"\r\n"));
  EXPECT_TRUE(done_.empty());
  send(kT0 + 40 * kMs, kA, kP, register_request(2, "z9hG4bKr2", 3600));
  send(kT0 + 70 * kMs, kP, kA,
       register_response(200, "OK", 2, "z9hG4bKr2",
                         "Contact: <sip:alice@192.0.2.10:5060>;expires=1800\r\n"));
  ASSERT_EQ(done_.size(), 1u);
  const auto& r = done_[0];
  EXPECT_EQ(r.result, "registered");
  EXPECT_EQ(r.user, "alice");
  EXPECT_EQ(r.aor, "sip:alice@example.com");
  EXPECT_EQ(r.contact, "sip:alice@192.0.2.10:5060");
  EXPECT_EQ(r.registrant_ip, "192.0.2.10");
  EXPECT_EQ(r.registrar_ip, "192.0.2.20");
  EXPECT_EQ(r.requested_expires, 3600);
  EXPECT_EQ(r.expires, 1800);
  EXPECT_EQ(r.final_code, 200);
  EXPECT_EQ(r.attempts, 2);
  EXPECT_EQ(r.challenges, 1);
  EXPECT_EQ(r.start_us, kT0);
  EXPECT_EQ(r.end_us, kT0 + 70 * kMs);
  EXPECT_DOUBLE_EQ(*r.response_ms, 70.0);

  // A late copy of the 200 does not start another registration.
  send(kT0 + 80 * kMs, kP, kA, register_response(200, "OK", 2, "z9hG4bKr2"), true);
  tracker_.finish(done_);
  EXPECT_EQ(done_.size(), 1u);
}

TEST_F(RegistrationTest, ForbiddenFails) {
  send(kT0, kA, kP, register_request(1, "z9hG4bKr1", 3600));
  send(kT0 + 20 * kMs, kP, kA, register_response(401, "Unauthorized", 1, "z9hG4bKr1"));
  send(kT0 + 40 * kMs, kA, kP, register_request(2, "z9hG4bKr2", 3600));
  send(kT0 + 60 * kMs, kP, kA, register_response(403, "Forbidden", 2, "z9hG4bKr2"));
  ASSERT_EQ(done_.size(), 1u);
  EXPECT_EQ(done_[0].result, "failed");
  EXPECT_EQ(done_[0].final_code, 403);
  EXPECT_EQ(done_[0].final_reason, "Forbidden");
  EXPECT_EQ(done_[0].challenges, 1);
  EXPECT_FALSE(done_[0].expires.has_value());
}

// Expires: 0 removes the binding (§10.2.2).
TEST_F(RegistrationTest, UnregisterAndRefreshOnSameCallId) {
  send(kT0, kA, kP, register_request(1, "z9hG4bKr1", 3600));
  send(kT0 + 10 * kMs, kP, kA, register_response(200, "OK", 1, "z9hG4bKr1"));
  send(kT0 + 60 * kSec, kA, kP, register_request(2, "z9hG4bKr2", 0));
  send(kT0 + 60 * kSec + 10 * kMs, kP, kA, register_response(200, "OK", 2, "z9hG4bKr2"));
  ASSERT_EQ(done_.size(), 2u);
  EXPECT_EQ(done_[0].result, "registered");
  EXPECT_EQ(done_[0].expires, 3600);  // nothing granted explicitly: what was asked
  EXPECT_EQ(done_[1].result, "unregistered");
  EXPECT_EQ(done_[1].attempts, 1);
  EXPECT_EQ(done_[1].start_us, kT0 + 60 * kSec);
}

// Only a challenge (the client gave up) / no answer at all: decided when the horizon passes.
TEST_F(RegistrationTest, ChallengedAndNoResponse) {
  send(kT0, kA, kP, register_request(1, "z9hG4bKr1", 3600, "c1"));
  send(kT0 + 10 * kMs, kP, kA, register_response(407, "Proxy Auth", 1, "z9hG4bKr1", "", "c1"));
  send(kT0 + kSec, kA, kP, register_request(1, "z9hG4bKr9", 3600, "c2"));
  send(kT0 + 1500 * kMs, kA, kP, register_request(1, "z9hG4bKr9", 3600, "c2"), true);
  tracker_.advance(kT0 + 20 * kSec, done_);
  EXPECT_TRUE(done_.empty());
  tracker_.advance(kT0 + 40 * kSec, done_);
  ASSERT_EQ(done_.size(), 2u);
  EXPECT_EQ(done_[0].result, "challenged");
  EXPECT_EQ(done_[0].final_code, 407);
  EXPECT_EQ(done_[1].result, "no_response");
  EXPECT_EQ(done_[1].attempts, 1);  // a retransmission is not another attempt
  EXPECT_EQ(tracker_.open(), 0u);
}

TEST_F(RegistrationTest, BoundedWithEviction) {
  RegistrationTracker small(1, 32 * kSec);
  auto send_small = [&](const std::string& text) {
    const auto& ev = maker_.make(kT0, kA, kP, text);
    small.on_message(ev, summarize(*ev.message), false, done_);
  };
  send_small(register_request(1, "z9hG4bKa", 60, "x1"));
  send_small(register_request(1, "z9hG4bKb", 60, "x2"));
  EXPECT_EQ(small.evicted(), 1u);
  EXPECT_EQ(small.open(), 1u);
  ASSERT_EQ(done_.size(), 1u);
  EXPECT_EQ(done_[0].sip_call_id, "x1");
}

// Through the CallTracker: registrations are rows of their own, never calls, and every
// message is still stored outside calls with its retransmission flag.
TEST(RegistrationTrackerIntegrationTest, NotACall) {
  VectorSink sink;
  CallTracker tracker(sink, {});
  Feeder feed(tracker);
  feed.send(kT0, kA, kP, register_request(1, "z9hG4bKr1", 3600));
  feed.send(kT0 + 500 * kMs, kA, kP, register_request(1, "z9hG4bKr1", 3600));
  feed.send(kT0 + 600 * kMs, kP, kA, register_response(403, "Forbidden", 1, "z9hG4bKr1"));
  tracker.finish(kT0 + kSec);
  EXPECT_TRUE(sink.calls.empty());
  ASSERT_EQ(sink.messages.size(), 3u);
  EXPECT_FALSE(sink.messages[0].retransmission);
  EXPECT_TRUE(sink.messages[1].retransmission);
  ASSERT_EQ(sink.registrations.size(), 1u);
  EXPECT_EQ(sink.registrations[0].result, "failed");
  ASSERT_EQ(sink.transactions.size(), 1u);
  EXPECT_FALSE(sink.transactions[0].call_id.has_value());
  EXPECT_EQ(sink.transactions[0].method, "REGISTER");
  EXPECT_EQ(sink.transactions[0].retransmissions, 1);
  EXPECT_EQ(sink.transactions[0].final_code, 403);
  EXPECT_EQ(tracker.stats().registrations, 1u);
}

}  // namespace
}  // namespace sipscope::correlate
