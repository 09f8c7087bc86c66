#include "correlate/transaction.hpp"

#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "correlate/sip_summary.hpp"
#include "tests/correlate/test_support.hpp"

namespace sipscope::correlate {
namespace {

using test::caller_request;
using test::EventMaker;
using test::kA;
using test::kB;
using test::kMs;
using test::kSec;
using test::kT0;
using test::Leg;
using test::response_to_caller;

using S = TxState;
using E = TxEvent;

// RFC 3261 Figure 5 with RFC 6026 §7.2 (Accepted replaces Terminated on a 2xx).
TEST(TransactionStateTest, InviteClientTransitions) {
  const std::vector<std::tuple<S, E, S>> table = {
      {S::calling, E::provisional, S::proceeding},
      {S::calling, E::final_2xx, S::accepted},
      {S::calling, E::final_failure, S::completed},
      {S::calling, E::timer, S::terminated},  // Timer B
      {S::calling, E::ack, S::calling},
      {S::proceeding, E::provisional, S::proceeding},
      {S::proceeding, E::final_2xx, S::accepted},
      {S::proceeding, E::final_failure, S::completed},
      {S::proceeding, E::timer, S::proceeding},        // no Timer B once a 1xx arrived
      {S::completed, E::final_failure, S::completed},  // retransmitted final, ACK resent
      {S::completed, E::ack, S::completed},
      {S::completed, E::timer, S::terminated},   // Timer D
      {S::accepted, E::final_2xx, S::accepted},  // 2xx retransmissions, other forks
      {S::accepted, E::timer, S::terminated},    // Timer M
      {S::terminated, E::provisional, S::terminated},
      {S::terminated, E::final_2xx, S::terminated},
  };
  for (const auto& [from, event, to] : table) {
    EXPECT_EQ(next_invite_tx_state(from, event), to)
        << tx_state_name(from) << " + " << static_cast<int>(event);
  }
}

// RFC 3261 Figure 6.
TEST(TransactionStateTest, NonInviteClientTransitions) {
  const std::vector<std::tuple<S, E, S>> table = {
      {S::trying, E::provisional, S::proceeding},
      {S::trying, E::final_2xx, S::completed},
      {S::trying, E::final_failure, S::completed},
      {S::trying, E::timer, S::terminated},  // Timer F
      {S::proceeding, E::provisional, S::proceeding},
      {S::proceeding, E::final_failure, S::completed},
      {S::proceeding, E::timer, S::terminated},  // Timer F
      {S::completed, E::final_2xx, S::completed},
      {S::completed, E::timer, S::terminated},  // Timer K
      {S::terminated, E::final_2xx, S::terminated},
  };
  for (const auto& [from, event, to] : table) {
    EXPECT_EQ(next_non_invite_tx_state(from, event), to)
        << tx_state_name(from) << " + " << static_cast<int>(event);
  }
}

TEST(TransactionStateTest, Names) {
  EXPECT_EQ(tx_state_name(S::calling), "calling");
  EXPECT_EQ(tx_state_name(S::accepted), "accepted");
  EXPECT_EQ(tx_state_name(S::terminated), "terminated");
}

// Keys are computed at once: a SipSummary views the maker's text, replaced by the next make().
uint64_t key_of(EventMaker& m, const std::string& text, std::string_view method) {
  return transaction_key(summarize(*m.make(kT0, kA, kB, text).message), method);
}

// §17.2.3: branch + sent-by + method; an ACK is tested against its INVITE with "INVITE".
TEST(TransactionKeyTest, BranchSentByAndMethod) {
  Leg l;
  EventMaker m;
  const uint64_t inv = key_of(m, caller_request(l, "INVITE", 1, "z9hG4bKx"), "INVITE");
  const std::string ack = caller_request(l, "ACK", 1, "z9hG4bKx", true);
  EXPECT_EQ(key_of(m, ack, "INVITE"), inv);
  EXPECT_NE(key_of(m, ack, "ACK"), inv);
  // CANCEL is its own transaction.
  EXPECT_NE(key_of(m, caller_request(l, "CANCEL", 1, "z9hG4bKx"), "CANCEL"), inv);
  // Responses match by CSeq method.
  EXPECT_EQ(key_of(m, response_to_caller(l, 200, "OK", 1, "INVITE", "z9hG4bKx"), "INVITE"), inv);
  EXPECT_NE(key_of(m, caller_request(l, "INVITE", 1, "z9hG4bKy"), "INVITE"), inv);

  std::string moved = caller_request(l, "INVITE", 1, "z9hG4bKx");
  moved.replace(moved.find("192.0.2.10:5060"), 15, "192.0.2.11:5060");
  EXPECT_NE(key_of(m, moved, "INVITE"), inv);  // other sent-by
}

// RFC 2543 peers: no cookie, so CSeq and the dialog identifiers decide.
TEST(TransactionKeyTest, Rfc2543Fallback) {
  Leg l;
  EventMaker m;
  EXPECT_FALSE(has_magic_cookie("1234"));
  EXPECT_TRUE(has_magic_cookie("z9hG4bK776asdhds"));
  const uint64_t a = key_of(m, caller_request(l, "INVITE", 1, "1234"), "INVITE");
  EXPECT_EQ(key_of(m, caller_request(l, "INVITE", 1, "1234"), "INVITE"), a);
  EXPECT_NE(key_of(m, caller_request(l, "INVITE", 2, "1234"), "INVITE"), a);
  EXPECT_EQ(key_of(m, response_to_caller(l, 486, "Busy Here", 1, "INVITE", "1234"), "INVITE"), a);
}

class TableTest : public ::testing::Test {
 protected:
  bool feed(int64_t ts, decode::Endpoint src, decode::Endpoint dst, const std::string& text) {
    const auto& ev = maker_.make(ts, src, dst, text);
    return table_.observe(ev, summarize(*ev.message)).retransmission;
  }
  EventMaker maker_;
  TransactionTable table_{16};
  Leg l_;
};

// INVITE sent twice (T1 = 500 ms apart), 180 twice, 200 three times and no ACK: the copies
// are retransmissions (same transaction, same hop, same kind); the 2xx repeated without
// ACK is the RFC 3261 §13.3.1.4 sign of a lost ACK.
TEST_F(TableTest, RetransmissionsAndMissingAck) {
  EXPECT_FALSE(feed(kT0, kA, kB, caller_request(l_, "INVITE", 1, "z9hG4bKi")));
  EXPECT_TRUE(feed(kT0 + 500 * kMs, kA, kB, caller_request(l_, "INVITE", 1, "z9hG4bKi")));
  EXPECT_FALSE(feed(kT0 + 600 * kMs, kB, kA,
                    response_to_caller(l_, 180, "Ringing", 1, "INVITE", "z9hG4bKi")));
  EXPECT_TRUE(feed(kT0 + 700 * kMs, kB, kA,
                   response_to_caller(l_, 180, "Ringing", 1, "INVITE", "z9hG4bKi")));
  EXPECT_FALSE(
      feed(kT0 + 2 * kSec, kB, kA, response_to_caller(l_, 200, "OK", 1, "INVITE", "z9hG4bKi")));
  EXPECT_TRUE(
      feed(kT0 + 2500 * kMs, kB, kA, response_to_caller(l_, 200, "OK", 1, "INVITE", "z9hG4bKi")));
  EXPECT_TRUE(
      feed(kT0 + 3500 * kMs, kB, kA, response_to_caller(l_, 200, "OK", 1, "INVITE", "z9hG4bKi")));
  // The same 200 relayed on another hop (B -> P) is not a copy of this one.
  EXPECT_FALSE(feed(kT0 + 3600 * kMs, kB, test::kP,
                    response_to_caller(l_, 200, "OK", 1, "INVITE", "z9hG4bKi")));

  const auto rows = table_.records(7, kT0 + 4 * kSec, 500 * kMs);
  ASSERT_EQ(rows.size(), 1u);
  const auto& t = rows[0];
  EXPECT_EQ(t.call_id, 7);
  EXPECT_EQ(t.method, "INVITE");
  EXPECT_EQ(t.cseq, 1);
  EXPECT_EQ(t.branch, "z9hG4bKi");
  EXPECT_EQ(t.state, TxState::accepted);
  EXPECT_EQ(t.requests, 2);
  EXPECT_EQ(t.responses, 6);
  EXPECT_EQ(t.retransmissions, 4);
  EXPECT_EQ(t.final_code, 200);
  EXPECT_EQ(t.first_response_us, kT0 + 600 * kMs);
  EXPECT_EQ(t.final_us, kT0 + 2 * kSec);
  EXPECT_DOUBLE_EQ(*t.response_ms, 2000.0);  // first INVITE -> first 200
  EXPECT_EQ(table_.retransmissions(), 4);

  std::vector<DiagnosticRecord> d;
  table_.diagnose(7, kT0 + 4 * kSec, 500 * kMs, d);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].kind, DiagnosticKind::no_ack_for_2xx);
  EXPECT_EQ(d[0].call_id, 7);
  EXPECT_EQ(d[0].ts_us, kT0 + 2 * kSec);
  EXPECT_EQ(d[0].frames,
            (std::vector<uint64_t>{1, 2, 3, 4, 5, 6, 7, 8}));  // the first kMaxFrames frames
}

// A `-i any` capture holds each packet twice, microseconds apart (once per interface it
// crossed). RFC 3261 never retransmits before T1 (Timer A, §17.1.1.2): an identical copy
// 15 us later is the same packet captured twice, not a retransmission; the copy 500 ms
// later is one, and its own duplicate is not a second one.
TEST_F(TableTest, TheSamePacketCapturedTwiceIsADuplicateNotARetransmission) {
  const std::string invite = caller_request(l_, "INVITE", 1, "z9hG4bKi");
  auto observe = [&](int64_t ts) {
    const auto& ev = maker_.make(ts, kA, kB, invite);
    return table_.observe(ev, summarize(*ev.message));
  };
  const ObserveResult first = observe(kT0);
  EXPECT_FALSE(first.retransmission || first.duplicate);
  const ObserveResult twice = observe(kT0 + 15);
  EXPECT_FALSE(twice.retransmission);
  EXPECT_TRUE(twice.duplicate);
  const ObserveResult timer_a = observe(kT0 + 500 * kMs);
  EXPECT_TRUE(timer_a.retransmission);
  EXPECT_FALSE(timer_a.duplicate);
  EXPECT_TRUE(observe(kT0 + 500 * kMs + 15).duplicate);
  EXPECT_EQ(table_.retransmissions(), 1);
  EXPECT_EQ(table_.duplicates(), 2);
  const auto rows = table_.records(1, kT0 + kSec, 500 * kMs);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].requests, 2);  // the copies on the wire: the INVITE and its Timer A copy
  EXPECT_EQ(rows[0].retransmissions, 1);
}

// A 2xx ACK has its own branch (§13.2.2.4) and acknowledges the INVITE by CSeq.
TEST_F(TableTest, AckFor2xxIsItsOwnTransaction) {
  feed(kT0, kA, kB, caller_request(l_, "INVITE", 1, "z9hG4bKi"));
  feed(kT0 + kSec, kB, kA, response_to_caller(l_, 200, "OK", 1, "INVITE", "z9hG4bKi"));
  feed(kT0 + 1500 * kMs, kB, kA, response_to_caller(l_, 200, "OK", 1, "INVITE", "z9hG4bKi"));
  EXPECT_FALSE(feed(kT0 + 1600 * kMs, kA, kB, caller_request(l_, "ACK", 1, "z9hG4bKa", true)));
  EXPECT_TRUE(feed(kT0 + 1700 * kMs, kA, kB, caller_request(l_, "ACK", 1, "z9hG4bKa", true)));
  const auto rows = table_.records(1, kT0 + 2 * kSec, 500 * kMs);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].method, "ACK");
  EXPECT_EQ(rows[1].state, TxState::terminated);
  std::vector<DiagnosticRecord> d;
  table_.diagnose(1, kT0 + 2 * kSec, 500 * kMs, d);
  EXPECT_TRUE(d.empty());  // retransmitted 2xx, but ACKed
}

// A non-2xx ACK reuses the INVITE branch and belongs to the INVITE transaction (§17.1.1.3).
TEST_F(TableTest, AckForFailureJoinsInvite) {
  feed(kT0, kA, kB, caller_request(l_, "INVITE", 1, "z9hG4bKi"));
  feed(kT0 + kSec, kB, kA, response_to_caller(l_, 486, "Busy Here", 1, "INVITE", "z9hG4bKi"));
  feed(kT0 + kSec + kMs, kA, kB, caller_request(l_, "ACK", 1, "z9hG4bKi", true));
  const auto rows = table_.records(1, kT0 + 2 * kSec, 500 * kMs);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].state, TxState::completed);
  EXPECT_EQ(rows[0].requests, 2);
  // 64*T1 = 32 s after the final, Timer D has ended it.
  EXPECT_EQ(table_.records(1, kT0 + 40 * kSec, 500 * kMs)[0].state, TxState::terminated);
  std::vector<DiagnosticRecord> d;
  table_.diagnose(1, kT0 + 40 * kSec, 500 * kMs, d);
  EXPECT_TRUE(d.empty());
}

// Timer B: INVITE retransmitted at 0, 0.5, 1.5 s and never answered; 64*T1 = 32 s later.
TEST_F(TableTest, TimerBExpiry) {
  feed(kT0, kA, kB, caller_request(l_, "INVITE", 1, "z9hG4bKi"));
  feed(kT0 + 500 * kMs, kA, kB, caller_request(l_, "INVITE", 1, "z9hG4bKi"));
  feed(kT0 + 1500 * kMs, kA, kB, caller_request(l_, "INVITE", 1, "z9hG4bKi"));
  std::vector<DiagnosticRecord> early;
  table_.diagnose(1, kT0 + 10 * kSec, 500 * kMs, early);
  ASSERT_EQ(early.size(), 1u);
  EXPECT_EQ(early[0].kind, DiagnosticKind::invite_no_response);  // capture ended before Timer B
  std::vector<DiagnosticRecord> d;
  table_.diagnose(1, kT0 + 32 * kSec, 500 * kMs, d);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].kind, DiagnosticKind::timer_b_expired);
  EXPECT_EQ(d[0].detail, "CSeq 1 INVITE sent 3 times, no response in 32000 ms");
  EXPECT_EQ(table_.records(1, kT0 + 32 * kSec, 500 * kMs)[0].state, TxState::terminated);
}

TEST_F(TableTest, TimerFAndTimerH) {
  feed(kT0, kA, kB, caller_request(l_, "OPTIONS", 5, "z9hG4bKo"));
  feed(kT0 + kSec, kA, kB, caller_request(l_, "INVITE", 6, "z9hG4bKi"));
  feed(kT0 + 2 * kSec, kB, kA, response_to_caller(l_, 603, "Decline", 6, "INVITE", "z9hG4bKi"));
  feed(kT0 + 2500 * kMs, kB, kA, response_to_caller(l_, 603, "Decline", 6, "INVITE", "z9hG4bKi"));
  std::vector<DiagnosticRecord> d;
  table_.diagnose(1, kT0 + 40 * kSec, 500 * kMs, d);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].kind, DiagnosticKind::timer_f_expired);
  EXPECT_EQ(d[1].kind, DiagnosticKind::timer_h_expired);
  EXPECT_EQ(d[1].ts_us, kT0 + 2 * kSec);
}

// The table holds at most its limit; pop_oldest() frees the first one created.
TEST(TransactionTableTest, BoundedAndPoppedInOrder) {
  TransactionTable t(2);
  EventMaker m;
  Leg l;
  for (int i = 1; i <= 3; ++i) {
    const auto& ev =
        m.make(kT0 + i, kA, kB, caller_request(l, "OPTIONS", i, "z9hG4bK" + std::to_string(i)));
    const auto r = t.observe(ev, summarize(*ev.message));
    EXPECT_EQ(r.transaction == nullptr, i == 3);
  }
  EXPECT_TRUE(t.full());
  ASSERT_NE(t.oldest(), nullptr);
  EXPECT_EQ(t.oldest()->cseq, 1u);
  EXPECT_EQ(t.pop_oldest()->cseq, 1u);
  EXPECT_EQ(t.size(), 1u);
}

}  // namespace
}  // namespace sipscope::correlate
