#include "correlate/activity.hpp"

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

std::string request(std::string_view method, std::string_view branch, std::string_view headers,
                    std::string_view body = "") {
  std::string s = std::string(method) + " sip:bob@example.com SIP/2.0\r\n";
  s += "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=" + std::string(branch) + "\r\n";
  s += "From: <sip:alice@example.com>;tag=a\r\nTo: <sip:bob@example.com>\r\n";
  s += "Call-ID: " + std::string(branch) + "@192.0.2.10\r\n";
  s += "CSeq: 1 " + std::string(method) + "\r\n" + std::string(headers);
  if (!body.empty()) s += "Content-Type: text/plain\r\n";
  s += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
  return s;
}

std::string response(int code, std::string_view method, std::string_view branch,
                     std::string_view headers = "") {
  std::string s = "SIP/2.0 " + std::to_string(code) + " R\r\n";
  s += "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=" + std::string(branch) + "\r\n";
  s += "From: <sip:alice@example.com>;tag=a\r\nTo: <sip:bob@example.com>;tag=b\r\n";
  s += "Call-ID: " + std::string(branch) + "@192.0.2.10\r\n";
  s += "CSeq: 1 " + std::string(method) + "\r\n" + std::string(headers);
  s += "Content-Length: 0\r\n\r\n";
  return s;
}

// RFC 3903 §4.1: what a PUBLISH does follows from SIP-If-Match, Expires and the body.
TEST(PublishAction, Table) {
  struct Row {
    bool if_match, expires_zero, body;
    std::string_view action;
  };
  const Row rows[] = {
      {false, false, true, "initial"},
      {true, false, false, "refresh"},
      {true, false, true, "modify"},
      {true, true, false, "remove"},
  };
  for (const auto& r : rows) {
    EXPECT_EQ(publish_action(r.if_match, r.expires_zero, r.body), r.action);
  }
}

class ActivityTest : public ::testing::Test {
 protected:
  void send(int64_t ts, decode::Endpoint src, decode::Endpoint dst, const std::string& text,
            bool retx = false) {
    test::feed(maker_, tracker_, done_, ts, src, dst, text, retx);
  }
  EventMaker maker_;
  ActivityTracker tracker_{ActivityLimits{.max_open = 16, .timeout_us = 32 * kSec}};
  std::vector<ActivityRecord> done_;
};

TEST_F(ActivityTest, MessageAnsweredAndRetransmittedAnswer) {
  send(kT0, kA, kB, request("MESSAGE", "z9hG4bK1", "", "Hello"));
  send(kT0 + 4 * kMs, kB, kA, response(200, "MESSAGE", "z9hG4bK1"));
  send(kT0 + 504 * kMs, kB, kA, response(200, "MESSAGE", "z9hG4bK1"), true);
  ASSERT_EQ(done_.size(), 1u);
  const auto& r = done_[0];
  EXPECT_EQ(r.method, "MESSAGE");
  EXPECT_EQ(r.from_user, "alice");
  EXPECT_EQ(r.to_user, "bob");
  EXPECT_EQ(r.result, "success");
  EXPECT_EQ(r.final_code, 200);
  EXPECT_DOUBLE_EQ(*r.response_ms, 4.0);
  EXPECT_EQ(r.content_type, "text/plain");
  EXPECT_EQ(r.body_bytes, 5);
  EXPECT_EQ(r.frame, 1u);
  EXPECT_FALSE(r.action);
}

TEST_F(ActivityTest, PublishEntityTags) {
  send(kT0, kA, kB,
       request("PUBLISH", "z9hG4bK2", "Event: presence\r\nSIP-If-Match: abc\r\nExpires: 0\r\n"));
  send(kT0 + kMs, kB, kA, response(200, "PUBLISH", "z9hG4bK2", "SIP-ETag: abc\r\nExpires: 0\r\n"));
  ASSERT_EQ(done_.size(), 1u);
  EXPECT_EQ(done_[0].action, "remove");
  EXPECT_EQ(done_[0].event, "presence");
  EXPECT_EQ(done_[0].if_match, "abc");
  EXPECT_EQ(done_[0].etag, "abc");
  EXPECT_EQ(done_[0].expires, 0);
  EXPECT_EQ(done_[0].granted_expires, 0);
}

TEST_F(ActivityTest, UnansweredAfterTimerFAndPendingAtEnd) {
  send(kT0, kA, kB, request("MESSAGE", "z9hG4bK3", "", "a"));
  send(kT0 + 20 * kSec, kA, kB, request("MESSAGE", "z9hG4bK4", "", "b"));
  tracker_.advance(kT0 + 33 * kSec, done_);
  ASSERT_EQ(done_.size(), 1u);
  EXPECT_EQ(done_[0].result, "no_response");
  EXPECT_FALSE(done_[0].final_code);
  tracker_.finish(kT0 + 40 * kSec, done_);  // the second's window ends at 52 s
  ASSERT_EQ(done_.size(), 2u);
  EXPECT_EQ(done_[1].result, "pending");
}

TEST_F(ActivityTest, AnswerWithoutRequestAndFailure) {
  send(kT0, kB, kA, response(404, "MESSAGE", "z9hG4bK5"));
  ASSERT_EQ(done_.size(), 1u);
  EXPECT_EQ(done_[0].result, "failed");
  EXPECT_EQ(done_[0].src_ip, "192.0.2.10");  // the response's receiver sent the request
  EXPECT_FALSE(done_[0].response_ms);
}

}  // namespace
}  // namespace sipscope::correlate
