#include "correlate/session_timer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/correlate/test_support.hpp"

namespace sipscope::correlate {
namespace {

using test::EventMaker;
using test::kA;
using test::kB;
using test::kSec;
using test::kT0;
using test::Leg;

std::string with_header(std::string text, const std::string& header) {
  return text.insert(text.find("\r\n") + 2, header + "\r\n");
}

class SessionTimerTest : public ::testing::Test {
 protected:
  void answer(int64_t ts, uint32_t cseq, std::string_view method, std::string_view se) {
    std::string r =
        test::response_to_caller(leg_, 200, "OK", cseq, method, "z9hG4bK" + std::to_string(cseq));
    if (!se.empty()) r = with_header(r, "Session-Expires: " + std::string(se));
    const auto& ev = maker_.make(ts, kB, kA, r);
    timer_.observe(ev, summarize(*ev.message));
  }
  void bye(int64_t ts) {
    const auto& ev =
        maker_.make(ts, kA, kB, test::caller_request(leg_, "BYE", 9, "z9hG4bKb", true));
    timer_.observe(ev, summarize(*ev.message));
  }
  std::vector<DiagnosticRecord> diagnose(int64_t now) {
    std::vector<DiagnosticRecord> out;
    timer_.diagnose(7, now, out);
    return out;
  }
  Leg leg_;
  EventMaker maker_;
  SessionTimer timer_;
};

// RFC 4028 §10: with no refresh by Session-Expires after the last 2xx, the session expired.
TEST_F(SessionTimerTest, ExpiresWithoutRefresh) {
  answer(kT0, 1, "INVITE", "90;refresher=uac");
  EXPECT_TRUE(diagnose(kT0 + 90 * kSec).empty());  // exactly due: not yet past
  const auto d = diagnose(kT0 + 100 * kSec);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].kind, DiagnosticKind::session_timer_expired);
  EXPECT_EQ(d[0].call_id, 7);
  EXPECT_EQ(d[0].ts_us, kT0 + 90 * kSec);
  EXPECT_EQ(d[0].frames, (std::vector<uint64_t>{1}));
  EXPECT_NE(d[0].detail.find("refresher=uac"), std::string::npos);
}

TEST_F(SessionTimerTest, RefreshesMoveTheDeadline) {
  answer(kT0, 1, "INVITE", "90");
  answer(kT0 + 1000, 1, "INVITE", "90");  // the same 2xx on the next hop
  answer(kT0 + 45 * kSec, 2, "UPDATE", "90");
  answer(kT0 + 90 * kSec, 3, "INVITE", "90");
  EXPECT_EQ(timer_.refreshes(), 2);
  EXPECT_TRUE(diagnose(kT0 + 170 * kSec).empty());
  EXPECT_EQ(diagnose(kT0 + 181 * kSec).size(), 1u);
}

TEST_F(SessionTimerTest, ByeInTimeOrLate) {
  answer(kT0, 1, "INVITE", "60");
  bye(kT0 + 59 * kSec);
  EXPECT_TRUE(diagnose(kT0 + 300 * kSec).empty());
}

TEST_F(SessionTimerTest, ByeAfterExpiry) {
  answer(kT0, 1, "INVITE", "60");
  bye(kT0 + 70 * kSec);
  const auto d = diagnose(kT0 + 70 * kSec);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].frames, (std::vector<uint64_t>{1, 2}));
  EXPECT_NE(d[0].detail.find("10 s late"), std::string::npos);
}

TEST_F(SessionTimerTest, RefreshWithoutSessionExpiresTurnsItOff) {
  answer(kT0, 1, "INVITE", "60");
  answer(kT0 + 30 * kSec, 2, "INVITE", "");  // §7.2/§9: no Session-Expires, no timer
  EXPECT_FALSE(timer_.active());
  EXPECT_TRUE(diagnose(kT0 + 300 * kSec).empty());
}

TEST(SessionTimerTracker, DiagnosticReachesTheSink) {
  test::VectorSink sink;
  CallTracker tracker(sink, {});
  test::Feeder feed(tracker);
  Leg l;
  feed.send(kT0, kA, kB, test::caller_request(l, "INVITE", 1, "z9hG4bKi"));
  feed.send(kT0 + 2 * kSec, kB, kA,
            with_header(test::response_to_caller(l, 200, "OK", 1, "INVITE", "z9hG4bKi"),
                        "Session-Expires: 30;refresher=uas"));
  feed.send(kT0 + 2 * kSec + 10'000, kA, kB, test::caller_request(l, "ACK", 1, "z9hG4bKa", true));
  tracker.finish(kT0 + 40 * kSec);
  ASSERT_EQ(sink.calls.size(), 1u);
  int found = 0;
  for (const auto& d : sink.diagnostics) {
    if (d.kind == DiagnosticKind::session_timer_expired) {
      ++found;
      EXPECT_EQ(d.ts_us, kT0 + 32 * kSec);
      EXPECT_EQ(d.frames, (std::vector<uint64_t>{2}));
    }
  }
  EXPECT_EQ(found, 1);
}

}  // namespace
}  // namespace sipscope::correlate
