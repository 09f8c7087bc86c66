#include "correlate/call_tracker.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/correlate/test_support.hpp"

namespace sipscope::correlate {
namespace {

using test::callee_request;
using test::caller_request;
using test::Feeder;
using test::kA;
using test::kB;
using test::kMs;
using test::kP;
using test::kSec;
using test::kT0;
using test::Leg;
using test::response_to_callee;
using test::response_to_caller;
using test::VectorSink;

class CallTrackerTest : public ::testing::Test {
 protected:
  explicit CallTrackerTest(Limits limits = {}) : tracker_(sink_, limits), feed_(tracker_) {}

  // One call's only row; fails the test if there is not exactly one.
  const CallRecord& only_call() {
    EXPECT_EQ(sink_.calls.size(), 1u);
    if (sink_.calls.empty()) sink_.calls.emplace_back();
    return sink_.calls.front().row;
  }

  // INVITE A->B, 100, then `code` B->A at +2 s, ACK.
  void direct_final(int code, const std::string& reason) {
    feed_.send(kT0, kA, kB, caller_request(leg_, "INVITE", 1, "z9hG4bKi1"));
    feed_.send(kT0 + 10 * kMs, kB, kA,
               response_to_caller(leg_, 100, "Trying", 1, "INVITE", "z9hG4bKi1", false));
    feed_.send(kT0 + 2 * kSec, kB, kA,
               response_to_caller(leg_, code, reason, 1, "INVITE", "z9hG4bKi1"));
    feed_.send(kT0 + 2 * kSec + 5 * kMs, kA, kB, caller_request(leg_, "ACK", 1, "z9hG4bKi1", true));
    tracker_.finish(kT0 + 3 * kSec);
  }

  VectorSink sink_;
  CallTracker tracker_;
  Feeder feed_;
  Leg leg_;
};

// Direct A<->B call, answered, callee hangs up.
// start = INVITE at T0; ring = 180 at T0+0.5 s -> pdd 500 ms; answer = 200 at T0+3 s;
// end = BYE at T0+63 s -> duration 60 000 ms; BYE From-tag is the callee's -> callee;
// 7 messages.
TEST_F(CallTrackerTest, AnsweredCallHungUpByCallee) {
  feed_.send(kT0, kA, kB, caller_request(leg_, "INVITE", 1, "z9hG4bKi1"));
  feed_.send(kT0 + 10 * kMs, kB, kA,
             response_to_caller(leg_, 100, "Trying", 1, "INVITE", "z9hG4bKi1", false));
  feed_.send(kT0 + 500 * kMs, kB, kA,
             response_to_caller(leg_, 180, "Ringing", 1, "INVITE", "z9hG4bKi1"));
  feed_.send(kT0 + 3 * kSec, kB, kA, response_to_caller(leg_, 200, "OK", 1, "INVITE", "z9hG4bKi1"));
  feed_.send(kT0 + 3 * kSec + 10 * kMs, kA, kB, caller_request(leg_, "ACK", 1, "z9hG4bKa1", true));
  feed_.send(kT0 + 63 * kSec, kB, kA, callee_request(leg_, "BYE", 1, "z9hG4bKb1"));
  feed_.send(kT0 + 63 * kSec + 20 * kMs, kA, kB,
             response_to_callee(leg_, 200, "OK", 1, "BYE", "z9hG4bKb1"));
  EXPECT_TRUE(sink_.calls.empty());  // still lingering for stragglers
  tracker_.finish(kT0 + 64 * kSec);

  const CallRecord& c = only_call();
  EXPECT_EQ(c.id, 1);
  EXPECT_EQ(c.sip_call_id, leg_.call_id);
  EXPECT_EQ(c.from_user, "1001");
  EXPECT_EQ(c.to_user, "2002");
  EXPECT_EQ(c.from_uri, "sip:1001@example.com");
  EXPECT_EQ(c.to_uri, "sip:2002@example.com");
  EXPECT_EQ(c.caller_ip, "192.0.2.10");
  EXPECT_EQ(c.callee_ip, "192.0.2.30");
  EXPECT_EQ(c.transport, decode::Transport::udp);
  EXPECT_EQ(c.start_us, kT0);
  EXPECT_EQ(c.ring_us, kT0 + 500 * kMs);
  EXPECT_EQ(c.answer_us, kT0 + 3 * kSec);
  EXPECT_EQ(c.end_us, kT0 + 63 * kSec);
  EXPECT_EQ(c.state, CallState::answered);
  EXPECT_EQ(c.final_code, 200);
  EXPECT_EQ(c.final_reason, "OK");
  EXPECT_EQ(c.hangup_by, Party::callee);
  EXPECT_DOUBLE_EQ(c.pdd_ms.value_or(-1), 500.0);
  EXPECT_DOUBLE_EQ(c.duration_ms.value_or(-1), 60'000.0);
  EXPECT_EQ(c.message_count, 7);

  const auto& msgs = sink_.calls.front().messages;
  ASSERT_EQ(msgs.size(), 7u);
  for (size_t i = 0; i < msgs.size(); ++i) {
    EXPECT_EQ(msgs[i].call_id, 1);
    EXPECT_EQ(msgs[i].frame, i + 1);  // capture order
    EXPECT_FALSE(msgs[i].retransmission);
  }
  EXPECT_EQ(msgs[0].method, "INVITE");
  EXPECT_EQ(msgs[5].method, "BYE");
  EXPECT_EQ(msgs[6].status_code, 200);
  EXPECT_EQ(msgs[6].cseq_method, "BYE");
  EXPECT_TRUE(sink_.messages.empty());
  EXPECT_EQ(tracker_.stats().calls, 1u);
  EXPECT_EQ(tracker_.stats().call_messages, 7u);
}

// 486 at T0+2 s: busy, final 486, end = the 486, nothing answered, no BYE.
TEST_F(CallTrackerTest, Busy486) {
  direct_final(486, "Busy Here");
  const CallRecord& c = only_call();
  EXPECT_EQ(c.state, CallState::busy);
  EXPECT_EQ(c.final_code, 486);
  EXPECT_EQ(c.final_reason, "Busy Here");
  EXPECT_EQ(c.end_us, kT0 + 2 * kSec);
  EXPECT_FALSE(c.ring_us.has_value());
  EXPECT_FALSE(c.pdd_ms.has_value());
  EXPECT_FALSE(c.answer_us.has_value());
  EXPECT_FALSE(c.duration_ms.has_value());
  EXPECT_FALSE(c.hangup_by.has_value());
  EXPECT_EQ(c.message_count, 4);
}

struct FinalRow {
  int code;
  const char* reason;
  CallState state;
};

class FinalCodeTest : public CallTrackerTest, public ::testing::WithParamInterface<FinalRow> {};

// docs/states.md `state` for single final responses: 408/480 no_answer, 603 rejected,
// 302 redirected, 500 failed, 600 busy.
TEST_P(FinalCodeTest, StateFromFinalResponse) {
  const FinalRow& row = GetParam();
  direct_final(row.code, row.reason);
  const CallRecord& c = only_call();
  EXPECT_EQ(c.state, row.state);
  EXPECT_EQ(c.final_code, row.code);
  EXPECT_EQ(c.final_reason, row.reason);
  EXPECT_EQ(c.end_us, kT0 + 2 * kSec);
  EXPECT_FALSE(c.answer_us.has_value());
}

INSTANTIATE_TEST_SUITE_P(
    Codes, FinalCodeTest,
    ::testing::Values(FinalRow{408, "Request Timeout", CallState::no_answer},
                      FinalRow{480, "Temporarily Unavailable", CallState::no_answer},
                      FinalRow{603, "Decline", CallState::rejected},
                      FinalRow{302, "Moved Temporarily", CallState::redirected},
                      FinalRow{500, "Server Internal Error", CallState::failed},
                      FinalRow{600, "Busy Everywhere", CallState::busy}));

// INVITE, 180 at +1 s, CANCEL at +5 s, 200 CANCEL, 487 at +5.02 s, ACK.
// cancelled, final 487, end = 487 time, ring +1 s -> pdd 1000 ms, 6 messages.
TEST_F(CallTrackerTest, CancelledWith487) {
  feed_.send(kT0, kA, kB, caller_request(leg_, "INVITE", 1, "z9hG4bKi1"));
  feed_.send(kT0 + 1 * kSec, kB, kA,
             response_to_caller(leg_, 180, "Ringing", 1, "INVITE", "z9hG4bKi1"));
  feed_.send(kT0 + 5 * kSec, kA, kB, caller_request(leg_, "CANCEL", 1, "z9hG4bKi1"));
  feed_.send(kT0 + 5 * kSec + 10 * kMs, kB, kA,
             response_to_caller(leg_, 200, "OK", 1, "CANCEL", "z9hG4bKi1"));
  feed_.send(kT0 + 5 * kSec + 20 * kMs, kB, kA,
             response_to_caller(leg_, 487, "Request Terminated", 1, "INVITE", "z9hG4bKi1"));
  feed_.send(kT0 + 5 * kSec + 30 * kMs, kA, kB, caller_request(leg_, "ACK", 1, "z9hG4bKi1", true));
  tracker_.finish(kT0 + 6 * kSec);
  const CallRecord& c = only_call();
  EXPECT_EQ(c.state, CallState::cancelled);
  EXPECT_EQ(c.final_code, 487);
  EXPECT_EQ(c.final_reason, "Request Terminated");
  EXPECT_EQ(c.end_us, kT0 + 5 * kSec + 20 * kMs);
  EXPECT_EQ(c.ring_us, kT0 + 1 * kSec);
  EXPECT_DOUBLE_EQ(c.pdd_ms.value_or(-1), 1000.0);
  EXPECT_FALSE(c.answer_us.has_value());
  EXPECT_EQ(c.message_count, 6);
}

// CANCEL answered 200 but the 487 never captured: still cancelled; no final response,
// so final_code and end_us are NULL.
TEST_F(CallTrackerTest, CancelAnsweredWithout487) {
  feed_.send(kT0, kA, kB, caller_request(leg_, "INVITE", 1, "z9hG4bKi1"));
  feed_.send(kT0 + 1 * kSec, kB, kA,
             response_to_caller(leg_, 180, "Ringing", 1, "INVITE", "z9hG4bKi1"));
  feed_.send(kT0 + 5 * kSec, kA, kB, caller_request(leg_, "CANCEL", 1, "z9hG4bKi1"));
  feed_.send(kT0 + 5 * kSec + 10 * kMs, kB, kA,
             response_to_caller(leg_, 200, "OK", 1, "CANCEL", "z9hG4bKi1"));
  tracker_.finish(kT0 + 6 * kSec);
  const CallRecord& c = only_call();
  EXPECT_EQ(c.state, CallState::cancelled);
  EXPECT_FALSE(c.final_code.has_value());
  EXPECT_FALSE(c.final_reason.has_value());
  EXPECT_FALSE(c.end_us.has_value());
  EXPECT_FALSE(c.answer_us.has_value());  // 200 to CANCEL is not an answer
}

// 401 challenge, ACK, retry with CSeq 2 (same Call-ID, same From-tag), 180, 200: one
// call, answered; start is the first INVITE, ring and answer from the retry's responses.
TEST_F(CallTrackerTest, AuthRetryIsTheSameCall) {
  feed_.send(kT0, kA, kB, caller_request(leg_, "INVITE", 1, "z9hG4bKi1"));
  feed_.send(kT0 + 5 * kMs, kB, kA,
             response_to_caller(leg_, 401, "Unauthorized", 1, "INVITE", "z9hG4bKi1"));
  feed_.send(kT0 + 6 * kMs, kA, kB, caller_request(leg_, "ACK", 1, "z9hG4bKi1", true));
  feed_.send(kT0 + 10 * kMs, kA, kB, caller_request(leg_, "INVITE", 2, "z9hG4bKi2"));
  feed_.send(kT0 + 500 * kMs, kB, kA,
             response_to_caller(leg_, 180, "Ringing", 2, "INVITE", "z9hG4bKi2"));
  feed_.send(kT0 + 2 * kSec, kB, kA, response_to_caller(leg_, 200, "OK", 2, "INVITE", "z9hG4bKi2"));
  feed_.send(kT0 + 2 * kSec + 5 * kMs, kA, kB, caller_request(leg_, "ACK", 2, "z9hG4bKa2", true));
  tracker_.finish(kT0 + 3 * kSec);
  const CallRecord& c = only_call();
  EXPECT_EQ(c.state, CallState::answered);
  EXPECT_EQ(c.start_us, kT0);
  EXPECT_EQ(c.ring_us, kT0 + 500 * kMs);
  EXPECT_EQ(c.answer_us, kT0 + 2 * kSec);
  EXPECT_EQ(c.final_code, 200);
  EXPECT_FALSE(c.end_us.has_value());  // answered, no BYE yet
  EXPECT_FALSE(c.duration_ms.has_value());
  EXPECT_EQ(c.message_count, 7);
}

// The retry INVITE itself is missing from the capture (IP-fragmented in the field, see
// voipshark's SRTP call): its 180 and 200 (CSeq 2, caller's From-tag, nothing answered yet)
// can only be answers to a retry, so the call is answered, not failed 401.
TEST_F(CallTrackerTest, ResponsesToAnUncapturedRetryCount) {
  feed_.send(kT0, kA, kB, caller_request(leg_, "INVITE", 1, "z9hG4bKi1"));
  feed_.send(kT0 + 5 * kMs, kB, kA,
             response_to_caller(leg_, 401, "Unauthorized", 1, "INVITE", "z9hG4bKi1"));
  feed_.send(kT0 + 6 * kMs, kA, kB, caller_request(leg_, "ACK", 1, "z9hG4bKi1", true));
  feed_.send(kT0 + 300 * kMs, kB, kA,
             response_to_caller(leg_, 180, "Ringing", 2, "INVITE", "z9hG4bKi2"));
  feed_.send(kT0 + 2 * kSec, kB, kA, response_to_caller(leg_, 200, "OK", 2, "INVITE", "z9hG4bKi2"));
  tracker_.finish(kT0 + 3 * kSec);
  const CallRecord& c = only_call();
  EXPECT_EQ(c.state, CallState::answered);
  EXPECT_EQ(c.ring_us, kT0 + 300 * kMs);
  EXPECT_EQ(c.answer_us, kT0 + 2 * kSec);
  EXPECT_EQ(c.final_code, 200);
}

// 401 then retry that nobody answers: the challenge is not the outcome any more; 40 s
// later the call is no_answer, not failed 401.
TEST_F(CallTrackerTest, RetriedChallengeIsNotTheFinal) {
  feed_.send(kT0, kA, kB, caller_request(leg_, "INVITE", 1, "z9hG4bKi1"));
  feed_.send(kT0 + 5 * kMs, kB, kA,
             response_to_caller(leg_, 401, "Unauthorized", 1, "INVITE", "z9hG4bKi1"));
  feed_.send(kT0 + 10 * kMs, kA, kB, caller_request(leg_, "INVITE", 2, "z9hG4bKi2"));
  tracker_.finish(kT0 + 40 * kSec);
  const CallRecord& c = only_call();
  EXPECT_EQ(c.state, CallState::no_answer);
  EXPECT_FALSE(c.final_code.has_value());
  EXPECT_FALSE(c.end_us.has_value());
}

// The retry comes 51 s after the 407 (a softphone asked its user for the password, as in
// sngrep's aaa.pcap): still the same call; its 403 decides -> failed 403.
TEST_F(CallTrackerTest, SlowAuthRetryIsStillTheSameCall) {
  feed_.send(kT0, kA, kP, caller_request(leg_, "INVITE", 1, "z9hG4bKi1"));
  feed_.send(
      kT0 + 150 * kMs, kP, kA,
      response_to_caller(leg_, 407, "Proxy Authentication Required", 1, "INVITE", "z9hG4bKi1"));
  feed_.send(kT0 + 155 * kMs, kA, kP, caller_request(leg_, "ACK", 1, "z9hG4bKi1", true));
  feed_.send(kT0 + 51 * kSec, kA, kP, caller_request(leg_, "INVITE", 2, "z9hG4bKi2"));
  feed_.send(kT0 + 51 * kSec + 200 * kMs, kP, kA,
             response_to_caller(leg_, 403, "Forbidden", 2, "INVITE", "z9hG4bKi2"));
  tracker_.finish(kT0 + 60 * kSec);
  const CallRecord& c = only_call();
  EXPECT_EQ(c.state, CallState::failed);
  EXPECT_EQ(c.final_code, 403);
  EXPECT_EQ(c.start_us, kT0);
  EXPECT_EQ(c.end_us, kT0 + 51 * kSec + 200 * kMs);
  EXPECT_EQ(c.message_count, 5);
}

// From <sip:host;user=phone> has no user part: from_user is NULL, not "".
TEST_F(CallTrackerTest, UriWithoutUserGivesNullUser) {
  leg_.caller_uri = "sip:200.57.7.195:55061;user=phone";
  feed_.send(kT0, kA, kB, caller_request(leg_, "INVITE", 1, "z9hG4bKi1"));
  tracker_.finish(kT0 + 1 * kSec);
  const CallRecord& c = only_call();
  EXPECT_FALSE(c.from_user.has_value());
  EXPECT_EQ(c.from_uri, "sip:200.57.7.195:55061;user=phone");
  EXPECT_EQ(c.to_user, "2002");
}

// 407 and no retry: failed with 407 as the final, end at the 407.
TEST_F(CallTrackerTest, UnretriedProxyChallengeFails) {
  feed_.send(kT0, kA, kP, caller_request(leg_, "INVITE", 1, "z9hG4bKi1"));
  feed_.send(
      kT0 + 5 * kMs, kP, kA,
      response_to_caller(leg_, 407, "Proxy Authentication Required", 1, "INVITE", "z9hG4bKi1"));
  feed_.send(kT0 + 6 * kMs, kA, kP, caller_request(leg_, "ACK", 1, "z9hG4bKi1", true));
  tracker_.finish(kT0 + 1 * kSec);
  const CallRecord& c = only_call();
  EXPECT_EQ(c.state, CallState::failed);
  EXPECT_EQ(c.final_code, 407);
  EXPECT_EQ(c.final_reason, "Proxy Authentication Required");
  EXPECT_EQ(c.end_us, kT0 + 5 * kMs);
}

// A -> P -> B with 100/180/200 on both hops, ACK on both, caller hangs up on both hops.
// Caller-side times come from the P->A copies: ring +401 ms, answer +2001 ms; end = first
// BYE (A->P at +10 s); pdd 401 ms; duration (10 000 000 - 2 001 000) us = 7999 ms.
// callee_ip: hops A->P and P->B; P sends the INVITE onward, B does not -> B.
// 14 messages (7 per hop).
TEST_F(CallTrackerTest, ProxiedCallUsesCallerSideHop) {
  const std::string inv = caller_request(leg_, "INVITE", 1, "z9hG4bKa");
  feed_.send(kT0, kA, kP, inv);
  feed_.send(kT0 + 1 * kMs, kP, kA,
             response_to_caller(leg_, 100, "Trying", 1, "INVITE", "z9hG4bKa", false));
  feed_.send(kT0 + 2 * kMs, kP, kB, caller_request(leg_, "INVITE", 1, "z9hG4bKp"));
  feed_.send(kT0 + 3 * kMs, kB, kP,
             response_to_caller(leg_, 100, "Trying", 1, "INVITE", "z9hG4bKp", false));
  feed_.send(kT0 + 400 * kMs, kB, kP,
             response_to_caller(leg_, 180, "Ringing", 1, "INVITE", "z9hG4bKp"));
  feed_.send(kT0 + 401 * kMs, kP, kA,
             response_to_caller(leg_, 180, "Ringing", 1, "INVITE", "z9hG4bKa"));
  feed_.send(kT0 + 2000 * kMs, kB, kP,
             response_to_caller(leg_, 200, "OK", 1, "INVITE", "z9hG4bKp"));
  feed_.send(kT0 + 2001 * kMs, kP, kA,
             response_to_caller(leg_, 200, "OK", 1, "INVITE", "z9hG4bKa"));
  feed_.send(kT0 + 2010 * kMs, kA, kP, caller_request(leg_, "ACK", 1, "z9hG4bKa2", true));
  feed_.send(kT0 + 2011 * kMs, kP, kB, caller_request(leg_, "ACK", 1, "z9hG4bKp2", true));
  feed_.send(kT0 + 10 * kSec, kA, kP, caller_request(leg_, "BYE", 2, "z9hG4bKa3", true));
  feed_.send(kT0 + 10 * kSec + 1 * kMs, kP, kB, caller_request(leg_, "BYE", 2, "z9hG4bKp3", true));
  feed_.send(kT0 + 10 * kSec + 10 * kMs, kB, kP,
             response_to_caller(leg_, 200, "OK", 2, "BYE", "z9hG4bKp3"));
  feed_.send(kT0 + 10 * kSec + 11 * kMs, kP, kA,
             response_to_caller(leg_, 200, "OK", 2, "BYE", "z9hG4bKa3"));
  tracker_.finish(kT0 + 11 * kSec);
  const CallRecord& c = only_call();
  EXPECT_EQ(c.state, CallState::answered);
  EXPECT_EQ(c.caller_ip, "192.0.2.10");
  EXPECT_EQ(c.callee_ip, "192.0.2.30");
  EXPECT_EQ(c.start_us, kT0);
  EXPECT_EQ(c.ring_us, kT0 + 401 * kMs);
  EXPECT_EQ(c.answer_us, kT0 + 2001 * kMs);
  EXPECT_EQ(c.end_us, kT0 + 10 * kSec);
  EXPECT_DOUBLE_EQ(c.pdd_ms.value_or(-1), 401.0);
  EXPECT_DOUBLE_EQ(c.duration_ms.value_or(-1), 7999.0);
  EXPECT_EQ(c.hangup_by, Party::caller);
  EXPECT_EQ(c.message_count, 14);
  for (const auto& m : sink_.calls.front().messages) EXPECT_FALSE(m.retransmission);
}

// Capture shows the P<->B hop plus the caller's INVITE, but not P's responses to A:
// ring and answer fall back to the first 180/200 seen anywhere (B->P).
TEST_F(CallTrackerTest, FallsBackToResponsesSeenAnywhere) {
  feed_.send(kT0, kA, kP, caller_request(leg_, "INVITE", 1, "z9hG4bKa"));
  feed_.send(kT0 + 2 * kMs, kP, kB, caller_request(leg_, "INVITE", 1, "z9hG4bKp"));
  feed_.send(kT0 + 400 * kMs, kB, kP,
             response_to_caller(leg_, 180, "Ringing", 1, "INVITE", "z9hG4bKp"));
  feed_.send(kT0 + 2000 * kMs, kB, kP,
             response_to_caller(leg_, 200, "OK", 1, "INVITE", "z9hG4bKp"));
  tracker_.finish(kT0 + 3 * kSec);
  const CallRecord& c = only_call();
  EXPECT_EQ(c.state, CallState::answered);
  EXPECT_EQ(c.ring_us, kT0 + 400 * kMs);
  EXPECT_EQ(c.answer_us, kT0 + 2000 * kMs);
  EXPECT_DOUBLE_EQ(c.pdd_ms.value_or(-1), 400.0);
}

// The 180 to the caller comes back to another port of the caller's host (sent by its
// first hop): it still counts as delivered to the caller and wins over the far-side 180.
TEST_F(CallTrackerTest, ResponseToAnotherCallerPortCountsAsDelivered) {
  const auto a_other_port = test::ep({192, 0, 2, 10}, 5099);
  feed_.send(kT0, kA, kP, caller_request(leg_, "INVITE", 1, "z9hG4bKa"));
  feed_.send(kT0 + 2 * kMs, kP, kB, caller_request(leg_, "INVITE", 1, "z9hG4bKp"));
  feed_.send(kT0 + 400 * kMs, kB, kP,
             response_to_caller(leg_, 180, "Ringing", 1, "INVITE", "z9hG4bKp"));
  feed_.send(kT0 + 450 * kMs, kP, a_other_port,
             response_to_caller(leg_, 180, "Ringing", 1, "INVITE", "z9hG4bKa"));
  tracker_.finish(kT0 + 3 * kSec);
  EXPECT_EQ(only_call().ring_us, kT0 + 450 * kMs);
}

// INVITE and 100, no final response. finish() 40 s after the INVITE: no_answer (>= 32 s);
// 10 s after: in_progress.
TEST_F(CallTrackerTest, NoFinalResponseAfter40sIsNoAnswer) {
  feed_.send(kT0, kA, kB, caller_request(leg_, "INVITE", 1, "z9hG4bKi1"));
  feed_.send(kT0 + 10 * kMs, kB, kA,
             response_to_caller(leg_, 100, "Trying", 1, "INVITE", "z9hG4bKi1", false));
  tracker_.finish(kT0 + 40 * kSec);
  const CallRecord& c = only_call();
  EXPECT_EQ(c.state, CallState::no_answer);
  EXPECT_FALSE(c.final_code.has_value());
  EXPECT_FALSE(c.end_us.has_value());
}

TEST_F(CallTrackerTest, NoFinalResponseAfter10sIsInProgress) {
  feed_.send(kT0, kA, kB, caller_request(leg_, "INVITE", 1, "z9hG4bKi1"));
  feed_.send(kT0 + 10 * kMs, kB, kA,
             response_to_caller(leg_, 100, "Trying", 1, "INVITE", "z9hG4bKi1", false));
  tracker_.finish(kT0 + 10 * kSec);
  const CallRecord& c = only_call();
  EXPECT_EQ(c.state, CallState::in_progress);
  EXPECT_FALSE(c.final_code.has_value());
  EXPECT_FALSE(c.end_us.has_value());
}

// An unanswered INVITE is flushed by advance() once it is no_answer (32 s) and has been
// quiet a linger (32 s) longer: due at T0 + 64 s.
TEST_F(CallTrackerTest, UnansweredInviteExpiresAsNoAnswer) {
  feed_.send(kT0, kA, kB, caller_request(leg_, "INVITE", 1, "z9hG4bKi1"));
  tracker_.advance(kT0 + 64 * kSec);
  EXPECT_TRUE(sink_.calls.empty());
  tracker_.advance(kT0 + 64 * kSec + 1);
  EXPECT_EQ(only_call().state, CallState::no_answer);
  EXPECT_TRUE(sink_.anomalies.empty());  // a normal outcome, not an anomaly
}

// BYE and its 200 for a Call-ID never seen: the capture began mid-call.
TEST_F(CallTrackerTest, ByeWithoutInviteIsUnknown) {
  feed_.send(kT0, kA, kB, caller_request(leg_, "BYE", 2, "z9hG4bKb1", true));
  feed_.send(kT0 + 10 * kMs, kB, kA, response_to_caller(leg_, 200, "OK", 2, "BYE", "z9hG4bKb1"));
  tracker_.finish(kT0 + 1 * kSec);
  const CallRecord& c = only_call();
  EXPECT_EQ(c.state, CallState::unknown);
  EXPECT_FALSE(c.start_us.has_value());
  EXPECT_FALSE(c.final_code.has_value());
  // Without the INVITE the first request seen orients the dialog (documented rule): its
  // sender A is taken as caller, its From/To as the call's from/to, so it hung up.
  EXPECT_EQ(c.from_user, "1001");
  EXPECT_EQ(c.to_user, "2002");
  EXPECT_EQ(c.caller_ip, "192.0.2.10");
  EXPECT_EQ(c.callee_ip, "192.0.2.30");
  EXPECT_EQ(c.hangup_by, Party::caller);
  EXPECT_EQ(c.end_us, kT0);
  EXPECT_EQ(c.message_count, 2);
}

// Mid-call capture whose first message is a response: the response goes back to the
// requester, so its destination is the caller side and its From is the caller's.
TEST_F(CallTrackerTest, UnknownCallOrientedByFirstResponse) {
  feed_.send(kT0, kB, kA, response_to_caller(leg_, 200, "OK", 3, "INVITE", "z9hG4bKr1"));
  feed_.send(kT0 + 5 * kSec, kB, kA, callee_request(leg_, "BYE", 1, "z9hG4bKb1"));
  tracker_.finish(kT0 + 6 * kSec);
  const CallRecord& c = only_call();
  EXPECT_EQ(c.state, CallState::unknown);
  EXPECT_EQ(c.caller_ip, "192.0.2.10");
  EXPECT_EQ(c.callee_ip, "192.0.2.30");
  EXPECT_EQ(c.from_user, "1001");
  EXPECT_EQ(c.hangup_by, Party::callee);
  EXPECT_EQ(c.end_us, kT0 + 5 * kSec);
}

// REGISTER (401, retry, 200) and OPTIONS/200: non-call activity, stored with call_id NULL.
TEST_F(CallTrackerTest, RegisterAndOptionsAreNotCalls) {
  Leg reg;
  reg.call_id = "reg-1@192.0.2.10";
  Leg opt;
  opt.call_id = "opt-1@192.0.2.10";
  feed_.send(kT0, kA, kP, caller_request(reg, "REGISTER", 1, "z9hG4bKr1"));
  feed_.send(kT0 + 1 * kMs, kP, kA,
             response_to_caller(reg, 401, "Unauthorized", 1, "REGISTER", "z9hG4bKr1"));
  feed_.send(kT0 + 2 * kMs, kA, kP, caller_request(reg, "REGISTER", 2, "z9hG4bKr2"));
  feed_.send(kT0 + 3 * kMs, kP, kA, response_to_caller(reg, 200, "OK", 2, "REGISTER", "z9hG4bKr2"));
  feed_.send(kT0 + 4 * kMs, kP, kA, caller_request(opt, "OPTIONS", 1, "z9hG4bKo1"));
  feed_.send(kT0 + 5 * kMs, kA, kP, response_to_caller(opt, 200, "OK", 1, "OPTIONS", "z9hG4bKo1"));
  tracker_.finish(kT0 + 1 * kSec);
  EXPECT_TRUE(sink_.calls.empty());
  ASSERT_EQ(sink_.messages.size(), 6u);
  for (const auto& m : sink_.messages) EXPECT_FALSE(m.call_id.has_value());
  EXPECT_EQ(sink_.messages[0].method, "REGISTER");
  EXPECT_EQ(sink_.messages[1].status_code, 401);
  EXPECT_EQ(sink_.messages[4].method, "OPTIONS");
  EXPECT_EQ(tracker_.stats().other_messages, 6u);
  EXPECT_EQ(tracker_.stats().calls, 0u);
}

// A stray ACK (no To-tag, no call) is not a call either.
TEST_F(CallTrackerTest, StrayAckIsNotACall) {
  feed_.send(kT0, kA, kB, caller_request(leg_, "ACK", 1, "z9hG4bKx"));
  tracker_.finish(kT0 + 1 * kSec);
  EXPECT_TRUE(sink_.calls.empty());
  EXPECT_EQ(sink_.messages.size(), 1u);
}

TEST_F(CallTrackerTest, MessageWithoutCallIdIsAnAnomalyAndStored) {
  const std::string text =
      "OPTIONS sip:x@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKa\r\n"
      "From: <sip:y@example.com>;tag=1\r\nTo: <sip:x@example.com>\r\nCSeq: 1 OPTIONS\r\n"
      "Content-Length: 0\r\n\r\n";
  feed_.send(kT0, kA, kB, text);
  ASSERT_EQ(sink_.anomalies.size(), 1u);
  EXPECT_EQ(sink_.anomalies[0].kind, decode::AnomalyKind::message_without_call_id);
  EXPECT_EQ(sink_.anomalies[0].frame, 1u);
  EXPECT_EQ(sink_.anomalies[0].flow, "192.0.2.10:5060 -> 192.0.2.30:5060");
  ASSERT_EQ(sink_.messages.size(), 1u);
  EXPECT_EQ(sink_.messages[0].sip_call_id, "");
}

// Call 1 busy at T0+2 s; at T0+5 s the same Call-ID is reused by an INVITE with another
// From-tag: call 1 is flushed, call 2 (id 2) starts and is answered.
TEST_F(CallTrackerTest, CallIdReusedWithNewFromTagIsANewCall) {
  Leg second = leg_;
  second.caller_tag = "ctag2";
  feed_.send(kT0, kA, kB, caller_request(leg_, "INVITE", 1, "z9hG4bKi1"));
  feed_.send(kT0 + 2 * kSec, kB, kA,
             response_to_caller(leg_, 486, "Busy Here", 1, "INVITE", "z9hG4bKi1"));
  feed_.send(kT0 + 2 * kSec + 5 * kMs, kA, kB, caller_request(leg_, "ACK", 1, "z9hG4bKi1", true));
  feed_.send(kT0 + 5 * kSec, kA, kB, caller_request(second, "INVITE", 1, "z9hG4bKj1"));
  ASSERT_EQ(sink_.calls.size(), 1u);  // the old call went out when the new one came
  EXPECT_EQ(sink_.calls[0].row.id, 1);
  EXPECT_EQ(sink_.calls[0].row.state, CallState::busy);
  EXPECT_EQ(sink_.calls[0].row.message_count, 3);
  feed_.send(kT0 + 6 * kSec, kB, kA,
             response_to_caller(second, 200, "OK", 1, "INVITE", "z9hG4bKj1"));
  tracker_.finish(kT0 + 7 * kSec);
  ASSERT_EQ(sink_.calls.size(), 2u);
  EXPECT_EQ(sink_.calls[1].row.id, 2);
  EXPECT_EQ(sink_.calls[1].row.state, CallState::answered);
  EXPECT_EQ(sink_.calls[1].row.start_us, kT0 + 5 * kSec);
  EXPECT_EQ(sink_.calls[1].row.message_count, 2);
}

// Same From-tag: a new INVITE more than linger (32 s) after the end is a new call even if
// a straggler (a retransmitted 486 at +20 s) kept the old one open.
TEST_F(CallTrackerTest, CallIdReusedAfterLingerIsANewCall) {
  feed_.send(kT0, kA, kB, caller_request(leg_, "INVITE", 1, "z9hG4bKi1"));
  const std::string busy = response_to_caller(leg_, 486, "Busy Here", 1, "INVITE", "z9hG4bKi1");
  feed_.send(kT0 + 1 * kSec, kB, kA, busy);
  feed_.send(kT0 + 20 * kSec, kB, kA, busy);
  feed_.send(kT0 + 40 * kSec, kA, kB, caller_request(leg_, "INVITE", 1, "z9hG4bKi9"));
  tracker_.finish(kT0 + 41 * kSec);
  ASSERT_EQ(sink_.calls.size(), 2u);
  EXPECT_EQ(sink_.calls[0].row.state, CallState::busy);
  EXPECT_EQ(sink_.calls[0].row.message_count, 3);
  EXPECT_TRUE(sink_.calls[0].messages[2].retransmission);
  EXPECT_EQ(sink_.calls[1].row.start_us, kT0 + 40 * kSec);
  EXPECT_EQ(sink_.calls[1].row.state, CallState::in_progress);
}

// The caller retransmits its INVITE (its 100 was lost): flagged, counted, one call.
TEST_F(CallTrackerTest, RetransmittedInviteIsFlagged) {
  const std::string inv = caller_request(leg_, "INVITE", 1, "z9hG4bKi1");
  feed_.send(kT0, kA, kB, inv);
  feed_.send(kT0 + 500 * kMs, kA, kB, inv);
  feed_.send(kT0 + 600 * kMs, kB, kA,
             response_to_caller(leg_, 100, "Trying", 1, "INVITE", "z9hG4bKi1", false));
  feed_.send(kT0 + 1 * kSec, kB, kA,
             response_to_caller(leg_, 603, "Decline", 1, "INVITE", "z9hG4bKi1"));
  tracker_.finish(kT0 + 2 * kSec);
  const auto& call = sink_.calls.at(0);
  EXPECT_EQ(call.row.state, CallState::rejected);
  EXPECT_EQ(call.row.start_us, kT0);  // the first copy
  EXPECT_EQ(call.row.message_count, 4);
  ASSERT_EQ(call.messages.size(), 4u);
  EXPECT_FALSE(call.messages[0].retransmission);
  EXPECT_TRUE(call.messages[1].retransmission);
  EXPECT_FALSE(call.messages[2].retransmission);
  EXPECT_FALSE(call.messages[3].retransmission);
}

// The INVITE retransmitted after the 486 (lost on its way): same From-tag within linger,
// so it is the same call, not a reuse.
TEST_F(CallTrackerTest, InviteRetransmittedAfterFinalStaysInCall) {
  const std::string inv = caller_request(leg_, "INVITE", 1, "z9hG4bKi1");
  feed_.send(kT0, kA, kB, inv);
  feed_.send(kT0 + 1 * kSec, kB, kA,
             response_to_caller(leg_, 486, "Busy Here", 1, "INVITE", "z9hG4bKi1"));
  feed_.send(kT0 + 1500 * kMs, kA, kB, inv);
  tracker_.finish(kT0 + 3 * kSec);
  const CallRecord& c = only_call();
  EXPECT_EQ(c.state, CallState::busy);
  EXPECT_EQ(c.message_count, 3);
}

// Calls get ids first_call_id, first_call_id+1 ... in order of their start.
TEST_F(CallTrackerTest, IdsFollowStartOrderFromFirstCallId) {
  VectorSink sink;
  Limits limits;
  limits.first_call_id = 100;
  CallTracker tracker(sink, limits);
  Feeder feed(tracker);
  for (int i = 0; i < 3; ++i) {
    Leg l;
    l.call_id = "ids-" + std::to_string(i);
    feed.send(kT0 + i * kMs, kA, kB, caller_request(l, "INVITE", 1, "z9hG4bKi"));
  }
  tracker.finish(kT0 + 1 * kSec);
  ASSERT_EQ(sink.calls.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(sink.calls[i].row.id, 100 + i);
    EXPECT_EQ(sink.calls[i].row.sip_call_id, "ids-" + std::to_string(i));
  }
}

// An answered call that never sends BYE is cut off after call_idle_us of silence, with
// the anomaly call_expired_open.
TEST_F(CallTrackerTest, IdleAnsweredCallExpiresWithAnomaly) {
  VectorSink sink;
  Limits limits;
  limits.call_idle_us = 100 * kSec;
  CallTracker tracker(sink, limits);
  Feeder feed(tracker);
  feed.send(kT0, kA, kB, caller_request(leg_, "INVITE", 1, "z9hG4bKi1"));
  feed.send(kT0 + 1 * kSec, kB, kA, response_to_caller(leg_, 200, "OK", 1, "INVITE", "z9hG4bKi1"));
  tracker.advance(kT0 + 101 * kSec);
  EXPECT_TRUE(sink.calls.empty());
  tracker.advance(kT0 + 101 * kSec + 1);
  ASSERT_EQ(sink.calls.size(), 1u);
  EXPECT_EQ(sink.calls[0].row.state, CallState::answered);
  EXPECT_FALSE(sink.calls[0].row.end_us.has_value());
  ASSERT_EQ(sink.anomalies.size(), 1u);
  EXPECT_EQ(sink.anomalies[0].kind, decode::AnomalyKind::call_expired_open);
  EXPECT_EQ(sink.anomalies[0].call_id, 1);
}

// max_open_calls = 2 and a third INVITE: the call nearest its expiry (the first one) is
// flushed early (in_progress: 2 ms after its INVITE) with call_table_full.
TEST_F(CallTrackerTest, OpenCallLimitFlushesOldestWithAnomaly) {
  VectorSink sink;
  Limits limits;
  limits.max_open_calls = 2;
  CallTracker tracker(sink, limits);
  Feeder feed(tracker);
  for (int i = 0; i < 3; ++i) {
    Leg l;
    l.call_id = "full-" + std::to_string(i);
    feed.send(kT0 + i * kMs, kA, kB, caller_request(l, "INVITE", 1, "z9hG4bKi"));
  }
  ASSERT_EQ(sink.calls.size(), 1u);
  EXPECT_EQ(sink.calls[0].row.id, 1);
  EXPECT_EQ(sink.calls[0].row.state, CallState::in_progress);
  ASSERT_EQ(sink.anomalies.size(), 1u);
  EXPECT_EQ(sink.anomalies[0].kind, decode::AnomalyKind::call_table_full);
  EXPECT_EQ(sink.anomalies[0].call_id, 1);
  EXPECT_EQ(sink.anomalies[0].frame, 3u);  // the frame that needed the room
  EXPECT_EQ(tracker.stats().open_calls, 2u);
  tracker.finish(kT0 + 1 * kSec);
  EXPECT_EQ(sink.calls.size(), 3u);
  EXPECT_EQ(tracker.stats().open_calls_peak, 2u);
}

// 10 000 calls, one per second, each 0.5 s long: with linger 32 s only the calls of the
// last ~33 s can be open at once, whatever the length of the capture.
TEST_F(CallTrackerTest, MemoryStaysBoundedOverManySequentialCalls) {
  constexpr int kCalls = 10'000;
  for (int i = 0; i < kCalls; ++i) {
    Leg l;
    l.call_id = "seq-" + std::to_string(i);
    const int64_t t = kT0 + i * kSec;
    feed_.send(t, kA, kB, caller_request(l, "INVITE", 1, "z9hG4bKi"));
    feed_.send(t + 100 * kMs, kB, kA, response_to_caller(l, 200, "OK", 1, "INVITE", "z9hG4bKi"));
    feed_.send(t + 110 * kMs, kA, kB, caller_request(l, "ACK", 1, "z9hG4bKa", true));
    feed_.send(t + 500 * kMs, kA, kB, caller_request(l, "BYE", 2, "z9hG4bKb", true));
    feed_.send(t + 510 * kMs, kB, kA, response_to_caller(l, 200, "OK", 2, "BYE", "z9hG4bKb"));
    tracker_.advance(t + 600 * kMs);
  }
  EXPECT_LE(tracker_.stats().open_calls_peak, 35u);
  EXPECT_GE(sink_.calls.size(), static_cast<size_t>(kCalls - 35));
  tracker_.finish(kT0 + kCalls * kSec);
  ASSERT_EQ(sink_.calls.size(), static_cast<size_t>(kCalls));
  for (int i = 0; i < kCalls; ++i) {
    EXPECT_EQ(sink_.calls[i].row.id, i + 1);
    EXPECT_EQ(sink_.calls[i].row.state, CallState::answered);
    EXPECT_EQ(sink_.calls[i].row.hangup_by, Party::caller);
  }
  EXPECT_EQ(tracker_.stats().open_calls, 0u);
}

TEST_F(CallTrackerTest, DecoderAnomalyIsForwardedAtOnce) {
  decode::AnomalyEvent ev;
  ev.frame = {2, 17, kT0};
  ev.kind = decode::AnomalyKind::sip_bad_cseq;
  ev.detail = "CSeq: abc";
  ev.has_flow = true;
  ev.src = kA;
  ev.dst = kP;
  tracker_.on_anomaly(ev);
  ASSERT_EQ(sink_.anomalies.size(), 1u);
  const AnomalyRecord& a = sink_.anomalies[0];
  EXPECT_EQ(a.capture_id, 2u);
  EXPECT_EQ(a.frame, 17u);
  EXPECT_EQ(a.ts_us, kT0);
  EXPECT_EQ(a.kind, decode::AnomalyKind::sip_bad_cseq);
  EXPECT_EQ(a.detail, "CSeq: abc");
  EXPECT_EQ(a.flow, "192.0.2.10:5060 -> 192.0.2.20:5060");
  EXPECT_FALSE(a.call_id.has_value());

  ev.has_flow = false;
  tracker_.on_anomaly(ev);
  EXPECT_FALSE(sink_.anomalies[1].flow.has_value());
  EXPECT_EQ(tracker_.stats().anomalies, 2u);
}

// Live capture's tick: each open call a message joined is reported once with its new
// messages (the sink's on_message), the calls nothing joined are not, and the final
// on_call() carries only the messages not handed out: every message exactly once, in
// capture order.
class LiveCallTrackerTest : public CallTrackerTest {
 protected:
  LiveCallTrackerTest() : CallTrackerTest(live_limits()) {}
  static Limits live_limits() {
    Limits l;
    l.messages_wait_for_row = true;
    return l;
  }
  size_t held_messages() const {
    size_t n = 0;
    for (const auto& [id, m] : sink_.held) n += m.size();
    return n;
  }
};

TEST_F(LiveCallTrackerTest, LiveTickHandsOutNewMessagesOnce) {
  std::vector<int64_t> rows;
  const auto tick = [&](int64_t now) {
    tracker_.open_calls_changed(now, [&](const OpenCallRows& r) { rows.push_back(r.row.id); });
  };
  Leg other;
  other.call_id = "leg-2@192.0.2.10";
  feed_.send(kT0, kA, kB, caller_request(leg_, "INVITE", 1, "z9hG4bKi1"));
  feed_.send(kT0 + 10 * kMs, kA, kB, caller_request(other, "INVITE", 1, "z9hG4bKo1"));
  EXPECT_EQ(held_messages(), 0u);  // not before their rows
  tick(kT0 + kSec);
  std::sort(rows.begin(), rows.end());  // in no particular order
  EXPECT_EQ(rows, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(held_messages(), 2u);  // both INVITEs

  rows.clear();
  tick(kT0 + 2 * kSec);  // nothing joined
  EXPECT_TRUE(rows.empty());
  EXPECT_EQ(held_messages(), 2u);

  feed_.send(kT0 + 3 * kSec, kB, kA, response_to_caller(leg_, 200, "OK", 1, "INVITE", "z9hG4bKi1"));
  tick(kT0 + 4 * kSec);
  EXPECT_EQ(rows, (std::vector<int64_t>{1}));
  ASSERT_EQ(sink_.held[1].size(), 2u);
  EXPECT_EQ(sink_.held[1][1].status_code, 200);
  EXPECT_EQ(sink_.held[1][1].call_id, 1);

  feed_.send(kT0 + 4 * kSec + 10 * kMs, kA, kB,
             caller_request(leg_, "ACK", 1, "z9hG4bKa1", true));  // not ticked
  EXPECT_EQ(held_messages(), 3u);
  tracker_.finish(kT0 + 5 * kSec);
  ASSERT_EQ(sink_.calls.size(), 2u);
  EXPECT_TRUE(sink_.messages.empty());  // none outside calls
  for (const auto& c : sink_.calls) {
    if (c.row.id == 1) {
      // INVITE and 200 from the ticks, the ACK with the final row: each once.
      EXPECT_EQ(c.row.message_count, 3);
      ASSERT_EQ(c.messages.size(), 3u);
      EXPECT_EQ(c.messages[0].method, "INVITE");
      EXPECT_EQ(c.messages[1].status_code, 200);
      EXPECT_EQ(c.messages[2].method, "ACK");
    } else {
      EXPECT_EQ(c.row.message_count, 1);
      EXPECT_EQ(c.messages.size(), 1u);
    }
  }
}

// Files: an open call holds no message. Each kept message reaches the sink while the call is
// still open (before its row), so memory holds what is open, not what was said. Live
// (messages_wait_for_row): they wait for open_calls_changed(), which gives the row first.
TEST(CallTrackerMessages, FilesHandEachMessageOutWhileTheCallIsOpen) {
  VectorSink sink;
  CallTracker tracker(sink, {});
  test::Feeder feed(tracker);
  Leg leg;
  feed.send(kT0, kA, kB, caller_request(leg, "INVITE", 1, "z9hG4bKi1"));
  feed.send(kT0 + 10 * kMs, kB, kA,
            response_to_caller(leg, 180, "Ringing", 1, "INVITE", "z9hG4bKi1"));
  EXPECT_TRUE(sink.calls.empty());
  ASSERT_EQ(sink.held[1].size(), 2u);  // INVITE and 180, in capture order
  EXPECT_EQ(sink.held[1][0].method, "INVITE");
  EXPECT_EQ(sink.held[1][1].status_code, 180);
  tracker.finish(kT0 + kSec);
  ASSERT_EQ(sink.calls.size(), 1u);
  EXPECT_EQ(sink.calls[0].row.message_count, 2);
  EXPECT_EQ(sink.calls[0].messages.size(), 2u);
}

TEST(CallTrackerMessages, LiveMessagesWaitForTheirCallsRow) {
  VectorSink sink;
  Limits limits;
  limits.messages_wait_for_row = true;
  CallTracker tracker(sink, limits);
  test::Feeder feed(tracker);
  Leg leg;
  feed.send(kT0, kA, kB, caller_request(leg, "INVITE", 1, "z9hG4bKi1"));
  EXPECT_TRUE(sink.held.empty());
  std::vector<int64_t> rows;
  tracker.open_calls_changed(kT0 + kMs, [&](const OpenCallRows& open) {
    rows.push_back(open.row.id);
    EXPECT_TRUE(sink.held.empty());  // the row is handed out before its messages
  });
  EXPECT_EQ(rows, std::vector<int64_t>{1});
  ASSERT_EQ(sink.held[1].size(), 1u);
  EXPECT_EQ(sink.held[1][0].method, "INVITE");
}

}  // namespace
}  // namespace sipscope::correlate
