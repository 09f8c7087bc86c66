#include "correlate/open_call.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tests/correlate/test_support.hpp"

namespace sipscope::correlate {
namespace {

using test::callee_request;
using test::caller_request;
using test::EventMaker;
using test::kA;
using test::kB;
using test::kMs;
using test::kP;
using test::kSec;
using test::kT0;
using test::Leg;
using test::response_to_callee;
using test::response_to_caller;

constexpr int64_t kLinger = 32 * kSec;
constexpr int64_t kNoAnswer = 32 * kSec;
constexpr int64_t kIdle = 4 * 3600 * kSec;
constexpr int64_t kChallengeWait = 180 * kSec;

class OpenCallTest : public ::testing::Test {
 protected:
  OpenCall start(int64_t ts, decode::Endpoint src, decode::Endpoint dst, std::string text) {
    const auto& ev = maker_.make(ts, src, dst, std::move(text));
    return OpenCall(7, ev, summarize(*ev.message));
  }
  void add(OpenCall& c, int64_t ts, decode::Endpoint src, decode::Endpoint dst, std::string text) {
    const auto& ev = maker_.make(ts, src, dst, std::move(text));
    c.add(ev, summarize(*ev.message));
  }
  // The summary's views live in `keeper`, apart from the makers the calls use.
  static SipSummary summary_of(EventMaker& keeper, std::string text) {
    const auto& ev = keeper.make(0, kA, kB, std::move(text));
    return summarize(*ev.message);
  }

  EventMaker maker_;
  Leg leg_;
  Limits limits_;  // defaults: linger and no-answer 32 s, idle 4 h, challenge wait 180 s
};

// The proxy listens on 5060 but forwards from 5080, so the endpoint that received the
// INVITE (P:5060) never sends it onward either: two candidate last hops, A->P:5060
// (seen first) and P:5080->B (seen last). The one seen last is the far end: B.
TEST_F(OpenCallTest, CalleeIpIsTheLastHopFirstSeenLast) {
  const auto p_out = test::ep({192, 0, 2, 20}, 5080);
  OpenCall c = start(kT0, kA, kP, caller_request(leg_, "INVITE", 1, "z9hG4bKa"));
  add(c, kT0 + 1 * kMs, p_out, kB, caller_request(leg_, "INVITE", 1, "z9hG4bKp"));
  add(c, kT0 + 500 * kMs, kA, kP, caller_request(leg_, "INVITE", 1, "z9hG4bKa"));  // Timer A
  auto [row, messages] = c.flush(kT0 + 1 * kSec, kNoAnswer);
  EXPECT_EQ(row.callee_ip, "192.0.2.30");
  EXPECT_EQ(row.id, 7);
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_TRUE(messages[2].retransmission);
}

// Spiral: P forwards to itself on another port, then to B. P:5062 sends it on, so only B
// never forwards.
TEST_F(OpenCallTest, CalleeIpSkipsEveryForwardingHop) {
  const auto p2 = test::ep({192, 0, 2, 20}, 5062);
  OpenCall c = start(kT0, kA, kP, caller_request(leg_, "INVITE", 1, "z9hG4bKa"));
  add(c, kT0 + 1 * kMs, kP, p2, caller_request(leg_, "INVITE", 1, "z9hG4bKp1"));
  add(c, kT0 + 2 * kMs, p2, kB, caller_request(leg_, "INVITE", 1, "z9hG4bKp2"));
  EXPECT_EQ(c.flush(kT0 + 1 * kSec, kNoAnswer).first.callee_ip, "192.0.2.30");
}

// A forking proxy sends the INVITE to B and to a second UA B2; both are last hops, B2's
// seen last. B answers: the callee is the UA that answered (its 2xx leaves B before P
// relays it), not the branch forked last (found by samples/fork_early.pcap).
TEST_F(OpenCallTest, ForkedCalleeIsTheBranchThatAnswered) {
  const auto b2 = test::ep({192, 0, 2, 31});
  OpenCall c = start(kT0, kA, kP, caller_request(leg_, "INVITE", 1, "z9hG4bKa"));
  add(c, kT0 + 1 * kMs, kP, kB, caller_request(leg_, "INVITE", 1, "z9hG4bKp1"));
  add(c, kT0 + 2 * kMs, kP, b2, caller_request(leg_, "INVITE", 1, "z9hG4bKp2"));
  add(c, kT0 + 1 * kSec, kB, kP, response_to_caller(leg_, 200, "OK", 1, "INVITE", "z9hG4bKp1"));
  add(c, kT0 + 1 * kSec + 1 * kMs, kP, kA,
      response_to_caller(leg_, 200, "OK", 1, "INVITE", "z9hG4bKa"));
  EXPECT_EQ(c.flush(kT0 + 2 * kSec, kNoAnswer).first.callee_ip, "192.0.2.30");
}

// The callee's own re-INVITE reuses CSeq 1 in its CSeq space (legal, RFC 3261 §12.2.1.1).
// Its 200 carries the callee's From-tag, so it is not an answer to the initial INVITE.
TEST_F(OpenCallTest, CalleeReInviteWithSameCSeqIsNotTheAnswer) {
  OpenCall c = start(kT0, kA, kB, caller_request(leg_, "INVITE", 1, "z9hG4bKi"));
  add(c, kT0 + 1 * kSec, kB, kA,
      response_to_caller(leg_, 183, "Session Progress", 1, "INVITE", "z9hG4bKi"));
  add(c, kT0 + 2 * kSec, kB, kA, callee_request(leg_, "INVITE", 1, "z9hG4bKr"));
  add(c, kT0 + 2 * kSec + 1, kA, kB, response_to_callee(leg_, 200, "OK", 1, "INVITE", "z9hG4bKr"));
  const CallRecord row = c.flush(kT0 + 3 * kSec, kNoAnswer).first;
  EXPECT_EQ(row.state, CallState::in_progress);
  EXPECT_FALSE(row.answer_us.has_value());
  EXPECT_EQ(row.ring_us, kT0 + 1 * kSec);  // 183 is in 180..189
}

// Without tags, hangup_by falls back to addresses: a BYE delivered to the caller was sent
// by the callee; one leaving the caller's host was sent by the caller.
TEST_F(OpenCallTest, HangupByFallsBackToAddressesWithoutTags) {
  auto untagged_bye = [&](decode::Endpoint /*src*/) {
    std::string bye = caller_request(leg_, "BYE", 2, "z9hG4bKb", true);
    bye.replace(bye.find(";tag=" + leg_.caller_tag), 5 + leg_.caller_tag.size(), "");
    return bye;
  };
  {
    OpenCall c = start(kT0, kA, kP, caller_request(leg_, "INVITE", 1, "z9hG4bKi"));
    add(c, kT0 + 1 * kSec, kP, kA, untagged_bye(kP));
    EXPECT_EQ(c.flush(kT0 + 2 * kSec, kNoAnswer).first.hangup_by, Party::callee);
  }
  {
    OpenCall c = start(kT0, kA, kP, caller_request(leg_, "INVITE", 1, "z9hG4bKi"));
    add(c, kT0 + 1 * kSec, kA, kP, untagged_bye(kA));
    EXPECT_EQ(c.flush(kT0 + 2 * kSec, kNoAnswer).first.hangup_by, Party::caller);
  }
}

// Expiry deadlines: unanswered INVITE -> no-answer point plus linger; ended -> last
// message plus linger; answered and talking -> last message plus idle limit.
TEST_F(OpenCallTest, DueTimesFollowTheCallPhase) {
  OpenCall c = start(kT0, kA, kB, caller_request(leg_, "INVITE", 1, "z9hG4bKi"));
  EXPECT_TRUE(c.waiting_for_final());
  EXPECT_EQ(c.due_us(limits_), kT0 + kNoAnswer + kLinger);
  add(c, kT0 + 1 * kSec, kB, kA, response_to_caller(leg_, 200, "OK", 1, "INVITE", "z9hG4bKi"));
  EXPECT_FALSE(c.waiting_for_final());
  EXPECT_FALSE(c.ended());
  EXPECT_EQ(c.due_us(limits_), kT0 + 1 * kSec + kIdle);
  add(c, kT0 + 9 * kSec, kA, kB, caller_request(leg_, "BYE", 2, "z9hG4bKb", true));
  EXPECT_TRUE(c.ended());
  EXPECT_EQ(c.due_us(limits_), kT0 + 9 * kSec + kLinger);
}

// RFC 3326 §2: the Reason header of the BYE is kept whole, and the Q.850 cause of its
// Q.850 value (here the second value) gets its own field. A later BYE does not replace it.
TEST_F(OpenCallTest, KeepsTheReasonOfTheFirstByeAndItsQ850Cause) {
  OpenCall c = start(kT0, kA, kB, caller_request(leg_, "INVITE", 1, "z9hG4bKi"));
  add(c, kT0 + 1 * kSec, kB, kA, response_to_caller(leg_, 200, "OK", 1, "INVITE", "z9hG4bKi"));
  auto with_reason = [](std::string text, std::string_view reason) {
    return text.insert(text.find("Content-Length"), "Reason: " + std::string(reason) + "\r\n");
  };
  add(c, kT0 + 5 * kSec, kB, kA,
      with_reason(
          callee_request(leg_, "BYE", 1, "z9hG4bKb"),
          "SIP;cause=200;text=\"Call completed elsewhere\", Q.850;cause=16;text=\"Normal\""));
  add(c, kT0 + 6 * kSec, kA, kB,
      with_reason(caller_request(leg_, "BYE", 2, "z9hG4bKc", true), "Q.850;cause=31"));
  auto [row, messages] = c.flush(kT0 + 60 * kSec, kNoAnswer);
  EXPECT_EQ(row.hangup_reason,
            "SIP;cause=200;text=\"Call completed elsewhere\", Q.850;cause=16;text=\"Normal\"");
  EXPECT_EQ(row.q850_cause, 16);
  EXPECT_EQ(row.hangup_by, Party::callee);
}

// A call cleared without a Reason header has neither field.
TEST_F(OpenCallTest, NoReasonHeaderLeavesBothNull) {
  OpenCall c = start(kT0, kA, kB, caller_request(leg_, "INVITE", 1, "z9hG4bKi"));
  add(c, kT0 + 1 * kSec, kB, kA, response_to_caller(leg_, 200, "OK", 1, "INVITE", "z9hG4bKi"));
  add(c, kT0 + 5 * kSec, kA, kB, caller_request(leg_, "BYE", 2, "z9hG4bKb", true));
  auto [row, messages] = c.flush(kT0 + 60 * kSec, kNoAnswer);
  EXPECT_FALSE(row.hangup_reason.has_value());
  EXPECT_FALSE(row.q850_cause.has_value());
}

// A 401 that will be retried does not make the Call-ID reusable; a 486 does, for another
// From-tag at once and for the same one after linger.
TEST_F(OpenCallTest, ReplacedByOnlyAfterARealEnd) {
  Leg other = leg_;
  other.caller_tag = "new";
  EventMaker keep_same, keep_new;
  const SipSummary same_tag = summary_of(keep_same, caller_request(leg_, "INVITE", 2, "z9hG4bKx"));
  const SipSummary new_tag = summary_of(keep_new, caller_request(other, "INVITE", 1, "z9hG4bKy"));

  OpenCall c = start(kT0, kA, kB, caller_request(leg_, "INVITE", 1, "z9hG4bKi"));
  EXPECT_FALSE(c.replaced_by(new_tag, kT0 + 1 * kSec, kLinger));
  add(c, kT0 + 1 * kSec, kB, kA,
      response_to_caller(leg_, 401, "Unauthorized", 1, "INVITE", "z9hG4bKi"));
  EXPECT_FALSE(c.replaced_by(same_tag, kT0 + 2 * kSec, kLinger));
  EXPECT_FALSE(c.replaced_by(new_tag, kT0 + 2 * kSec, kLinger));
  EXPECT_TRUE(c.ended());  // for expiry: nothing more is expected unless a retry comes
  EXPECT_EQ(c.due_us(limits_), kT0 + 1 * kSec + kChallengeWait);  // a human may be typing

  OpenCall d = start(kT0, kA, kB, caller_request(leg_, "INVITE", 1, "z9hG4bKi"));
  add(d, kT0 + 1 * kSec, kB, kA,
      response_to_caller(leg_, 486, "Busy Here", 1, "INVITE", "z9hG4bKi"));
  EXPECT_TRUE(d.replaced_by(new_tag, kT0 + 2 * kSec, kLinger));
  EXPECT_FALSE(d.replaced_by(same_tag, kT0 + 2 * kSec, kLinger));
  EXPECT_TRUE(d.replaced_by(same_tag, kT0 + 1 * kSec + kLinger + 1, kLinger));
}

// Serial forking seen on both sides: B1 says 486 to the proxy, the proxy then gets 480
// from B2 and relays that to the caller. The caller's final decides: no_answer 480.
TEST_F(OpenCallTest, FinalDeliveredToCallerWinsOverFarSide) {
  OpenCall c = start(kT0, kA, kP, caller_request(leg_, "INVITE", 1, "z9hG4bKa"));
  add(c, kT0 + 1 * kMs, kP, kB, caller_request(leg_, "INVITE", 1, "z9hG4bKp"));
  add(c, kT0 + 1 * kSec, kB, kP,
      response_to_caller(leg_, 486, "Busy Here", 1, "INVITE", "z9hG4bKp"));
  add(c, kT0 + 2 * kSec, kP, kA,
      response_to_caller(leg_, 480, "Temporarily Unavailable", 1, "INVITE", "z9hG4bKa"));
  const CallRecord row = c.flush(kT0 + 3 * kSec, kNoAnswer).first;
  EXPECT_EQ(row.state, CallState::no_answer);
  EXPECT_EQ(row.final_code, 480);
  EXPECT_EQ(row.end_us, kT0 + 2 * kSec);
}

// RFC 3261 §15: "The caller's UA MAY send a BYE for either confirmed or early dialogs".
// INVITE at T0, 180 (early dialog, callee's tag) at T0 + 1 s, the caller's BYE in that
// dialog at T0 + 5 s, no 487 captured: the BYE ends the call (end_us = T0 + 5 s) and the
// caller gave up before the answer: `cancelled` (docs/states.md rule 5), even 40 s later.
TEST_F(OpenCallTest, TheCallersByeOnAnEarlyDialogEndsTheCallCancelled) {
  OpenCall c = start(kT0, kA, kB, caller_request(leg_, "INVITE", 1, "z9hG4bKa"));
  add(c, kT0 + 1 * kSec, kB, kA, response_to_caller(leg_, 180, "Ringing", 1, "INVITE", "z9hG4bKa"));
  add(c, kT0 + 5 * kSec, kA, kB, caller_request(leg_, "BYE", 2, "z9hG4bKb", true));
  EXPECT_TRUE(c.ended());
  const CallRecord row = c.flush(kT0 + 40 * kSec, kNoAnswer).first;
  EXPECT_EQ(row.hangup_by, Party::caller);
  EXPECT_EQ(row.end_us, kT0 + 5 * kSec);
  EXPECT_EQ(row.state, CallState::cancelled);
  EXPECT_FALSE(row.duration_ms.has_value());
}

// The callee must not BYE an early dialog (§15): its BYE before answering is `failed`;
// a 487 captured after the caller's BYE still decides (state and end_us from it).
TEST_F(OpenCallTest, AnEarlyByeFromTheCalleeFailsAndACapturedFinalStillDecides) {
  {
    OpenCall c = start(kT0, kA, kB, caller_request(leg_, "INVITE", 1, "z9hG4bKa"));
    add(c, kT0 + 1 * kSec, kB, kA,
        response_to_caller(leg_, 180, "Ringing", 1, "INVITE", "z9hG4bKa"));
    add(c, kT0 + 2 * kSec, kB, kA, callee_request(leg_, "BYE", 1, "z9hG4bKc"));
    const CallRecord row = c.flush(kT0 + 3 * kSec, kNoAnswer).first;
    EXPECT_EQ(row.hangup_by, Party::callee);
    EXPECT_EQ(row.end_us, kT0 + 2 * kSec);
    EXPECT_EQ(row.state, CallState::failed);
  }
  {
    OpenCall c = start(kT0, kA, kB, caller_request(leg_, "INVITE", 1, "z9hG4bKa"));
    add(c, kT0 + 1 * kSec, kB, kA,
        response_to_caller(leg_, 180, "Ringing", 1, "INVITE", "z9hG4bKa"));
    add(c, kT0 + 2 * kSec, kA, kB, caller_request(leg_, "BYE", 2, "z9hG4bKb", true));
    add(c, kT0 + 2 * kSec + 5 * kMs, kB, kA,
        response_to_caller(leg_, 487, "Request Terminated", 1, "INVITE", "z9hG4bKa"));
    const CallRecord row = c.flush(kT0 + 3 * kSec, kNoAnswer).first;
    EXPECT_EQ(row.final_code, 487);
    EXPECT_EQ(row.end_us, kT0 + 2 * kSec + 5 * kMs);
    EXPECT_EQ(row.state, CallState::cancelled);
  }
}

}  // namespace
}  // namespace sipscope::correlate
