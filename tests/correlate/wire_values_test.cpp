// Malformed wire values become named anomalies, never silent NULLs or nonsense numbers
// (issue 13.5), and a CANCEL whose INVITE was not captured still joins its call (issue 14).
#include <gtest/gtest.h>

#include <string>

#include "correlate/call_tracker.hpp"
#include "tests/correlate/test_support.hpp"

namespace sipscope::correlate {
namespace {

using test::caller_request;
using test::Feeder;
using test::kA;
using test::kB;
using test::kMs;
using test::kSec;
using test::kT0;
using test::Leg;
using test::response_to_caller;
using test::VectorSink;

class WireValuesTest : public ::testing::Test {
 protected:
  size_t count(decode::AnomalyKind kind) const {
    size_t n = 0;
    for (const auto& a : sink_.anomalies) n += a.kind == kind ? 1 : 0;
    return n;
  }
  static std::string with_cseq(std::string text, const std::string& cseq_value) {
    const size_t at = text.find("CSeq: ") + 6;
    return text.replace(at, text.find("\r\n", at) - at, cseq_value);
  }

  VectorSink sink_;
  CallTracker tracker_{sink_, {}};
  Feeder feed_{tracker_};
  Leg leg_;
};

// RFC 3261 §20.16 / §25.1: CSeq = 1*DIGIT LWS Method, the number < 2^31; §8.1.1.5: the
// method matches the request's. Each bad one is one sip_bad_cseq anomaly with the frame,
// attributed to the call the message joined.
TEST_F(WireValuesTest, AnInvalidCSeqIsAnAnomaly) {
  const std::string invite = caller_request(leg_, "INVITE", 1, "z9hG4bKi");
  feed_.send(kT0, kA, kB, invite);                                     // frame 1: ok
  feed_.send(kT0 + 1 * kMs, kA, kB, with_cseq(invite, "abc INVITE"));  // frame 2
  feed_.send(kT0 + 2 * kMs, kA, kB, with_cseq(invite, "36893488147419103232 INVITE"));  // 3
  feed_.send(kT0 + 3 * kMs, kA, kB, with_cseq(invite, "1INVITE"));                      // frame 4
  feed_.send(kT0 + 4 * kMs, kA, kB, with_cseq(invite, "1 BYE"));                        // frame 5
  tracker_.finish(kT0 + kSec);
  ASSERT_EQ(count(decode::AnomalyKind::sip_bad_cseq), 4u);
  uint64_t frame = 2;
  for (const auto& a : sink_.anomalies) {
    if (a.kind != decode::AnomalyKind::sip_bad_cseq) continue;
    EXPECT_EQ(a.frame, frame++);
    EXPECT_EQ(a.call_id, 1);
    EXPECT_NE(a.detail.find("CSeq: "), std::string::npos);
  }
}

// The 180 is captured 300 ms before its INVITE (two captures of hosts whose clocks differ,
// merged by time): ring_us is what was captured, pdd_ms is NULL (not -300 ms), and one
// timestamp_backwards anomaly names the 180's frame.
TEST_F(WireValuesTest, ARingCapturedBeforeItsInviteGivesNoNegativePdd) {
  feed_.send(kT0, kA, kB, caller_request(leg_, "INVITE", 1, "z9hG4bKi"));
  feed_.send(kT0 - 300 * kMs, kB, kA,
             response_to_caller(leg_, 180, "Ringing", 1, "INVITE", "z9hG4bKi"));
  feed_.send(kT0 + 2 * kSec, kB, kA,
             response_to_caller(leg_, 486, "Busy Here", 1, "INVITE", "z9hG4bKi"));
  tracker_.finish(kT0 + 3 * kSec);
  ASSERT_EQ(sink_.calls.size(), 1u);
  const CallRecord& c = sink_.calls[0].row;
  EXPECT_EQ(c.ring_us, kT0 - 300 * kMs);
  EXPECT_FALSE(c.pdd_ms.has_value());
  ASSERT_EQ(count(decode::AnomalyKind::timestamp_backwards), 1u);
  for (const auto& a : sink_.anomalies) {
    if (a.kind != decode::AnomalyKind::timestamp_backwards) continue;
    EXPECT_EQ(a.frame, 2u);
    EXPECT_EQ(a.call_id, 1);
  }
}

// Corpus pcpp_sip_reqs frames 2-3: a CANCEL (no To-tag, like its INVITE) and then an ACK
// with the callee's tag, the INVITE not in the capture. RFC 3261 §9.1: a CANCEL only ever
// cancels an INVITE, so both are one `unknown` call of two messages.
TEST_F(WireValuesTest, ACancelWhoseInviteWasNotCapturedJoinsItsCall) {
  feed_.send(kT0, kA, kB, caller_request(leg_, "CANCEL", 2, "z9hG4bKc"));
  feed_.send(kT0 + 10 * kMs, kA, kB, caller_request(leg_, "ACK", 2, "z9hG4bKc", true));
  tracker_.finish(kT0 + kSec);
  ASSERT_EQ(sink_.calls.size(), 1u);
  EXPECT_EQ(sink_.calls[0].row.state, CallState::unknown);
  ASSERT_EQ(sink_.calls[0].messages.size(), 2u);
  EXPECT_EQ(sink_.calls[0].messages[0].method, "CANCEL");
  EXPECT_TRUE(sink_.messages.empty());  // nothing left outside the call
}

// A REGISTER captured twice 10 us apart (`-i any`) and its 200: one attempt, no
// retransmission (RFC 3261 would retransmit after T1 = 500 ms at the earliest).
TEST_F(WireValuesTest, ARegisterCapturedTwiceIsOneAttempt) {
  Leg reg;
  reg.call_id = "reg-1";
  const std::string text = caller_request(reg, "REGISTER", 1, "z9hG4bKr");
  feed_.send(kT0, kA, kB, text);
  feed_.send(kT0 + 10, kA, kB, text);
  feed_.send(kT0 + 50 * kMs, kB, kA, response_to_caller(reg, 200, "OK", 1, "REGISTER", "z9hG4bKr"));
  tracker_.finish(kT0 + kSec);
  ASSERT_EQ(sink_.registrations.size(), 1u);
  EXPECT_EQ(sink_.registrations[0].attempts, 1);
  for (const auto& m : sink_.messages) EXPECT_FALSE(m.retransmission);
}

}  // namespace
}  // namespace sipscope::correlate
