// CallTracker's per-call bounds (Limits::max_call_messages, max_call_transactions,
// max_call_dialogs) and the 2xx ACK index of the transaction table: at each bound the call
// goes on, the named anomaly is recorded once per call. Asserted by counts, never by time.
#include <gtest/gtest.h>

#include <string>

#include "correlate/call_tracker.hpp"
#include "correlate/transaction.hpp"
#include "tests/correlate/test_support.hpp"

namespace sipscope::correlate {
namespace {

using namespace test;

size_t count_kind(const VectorSink& sink, decode::AnomalyKind kind) {
  size_t n = 0;
  for (const auto& a : sink.anomalies) n += a.kind == kind ? 1 : 0;
  return n;
}

// A tracker with `limits` and an answered call (INVITE, 200, ACK: frames 1-3).
struct AnsweredCall {
  explicit AnsweredCall(const Limits& limits) : tracker(sink, limits), feed(tracker) {
    feed.send(kT0, kA, kB, caller_request(leg, "INVITE", 1, "z9hG4bKi"));
    feed.send(kT0 + 1 * kMs, kB, kA, response_to_caller(leg, 200, "OK", 1, "INVITE", "z9hG4bKi"));
    feed.send(kT0 + 2 * kMs, kA, kB, caller_request(leg, "ACK", 1, "z9hG4bKa", true));
  }
  // INFO requests in the dialog (CSeq 2, 3, ...), with their 200 when answered.
  void info(uint32_t count, bool answered) {
    for (uint32_t i = 0; i < count; ++i) {
      const std::string branch = "z9hG4bKinfo" + std::to_string(i);
      feed.send(kT0 + (10 + i) * kMs, kA, kB, caller_request(leg, "INFO", 2 + i, branch, true));
      if (answered) {
        feed.send(kT0 + (10 + i) * kMs + 1, kB, kA,
                  response_to_caller(leg, 200, "OK", 2 + i, "INFO", branch));
      }
    }
    tracker.finish(kT0 + 1 * kSec);
  }
  VectorSink sink;
  CallTracker tracker;
  Feeder feed;
  Leg leg;
};

TEST(CallLimits, MessagesPastTheBoundAreCountedNotStored) {
  Limits limits;
  limits.max_call_messages = 5;
  AnsweredCall c(limits);
  c.info(20, true);  // a chatty dialog
  ASSERT_EQ(c.sink.calls.size(), 1U);
  EXPECT_EQ(c.sink.calls[0].messages.size(), 5U);
  EXPECT_EQ(c.sink.calls[0].row.message_count, 43);
  EXPECT_EQ(count_kind(c.sink, decode::AnomalyKind::call_message_limit), 1U);
  EXPECT_EQ(c.sink.anomalies[0].call_id, 1);
  EXPECT_EQ(c.sink.anomalies[0].frame, 6U);  // the first message not kept
}

TEST(CallLimits, TransactionsPastTheBoundAreNotMatched) {
  Limits limits;
  limits.max_call_transactions = 3;
  AnsweredCall c(limits);
  c.info(4, false);
  ASSERT_EQ(c.sink.calls.size(), 1U);
  EXPECT_EQ(c.sink.calls[0].messages.size(), 7U);
  EXPECT_EQ(c.sink.transactions.size(), 3U);  // INVITE, ACK, first INFO
  EXPECT_EQ(count_kind(c.sink, decode::AnomalyKind::call_transaction_limit), 1U);
}

TEST(CallLimits, DialogsPastTheBoundAreNotTracked) {
  VectorSink sink;
  Limits limits;
  limits.max_call_dialogs = 2;
  CallTracker tracker(sink, limits);
  Feeder feed(tracker);
  Leg l;
  feed.send(kT0, kA, kB, caller_request(l, "INVITE", 1, "z9hG4bKi"));
  // A forking proxy: four branches answer 180 with their own To-tags.
  for (int i = 0; i < 4; ++i) {
    Leg branch = l;
    branch.callee_tag = "fork" + std::to_string(i);
    feed.send(kT0 + (1 + i) * kMs, kB, kA,
              response_to_caller(branch, 180, "Ringing", 1, "INVITE", "z9hG4bKi"));
  }
  tracker.finish(kT0 + 1 * kSec);
  EXPECT_EQ(sink.dialogs.size(), 2U);
  EXPECT_EQ(count_kind(sink, decode::AnomalyKind::dialog_limit), 1U);
}

TEST(TransactionAckIndex, A2xxAckFindsItsInviteAmongManyTransactions) {
  // 2000 answered INVITE transactions in one table, then 2xx ACKs for two of them: each ACK
  // acknowledges only the INVITE of its own Call-ID and CSeq (RFC 3261 §13.2.2.4).
  TransactionTable table(4096);
  EventMaker maker;
  auto observe = [&](int64_t ts, decode::Endpoint src, decode::Endpoint dst, std::string text) {
    const auto& ev = maker.make(ts, src, dst, std::move(text));
    return table.observe(ev, summarize(*ev.message));
  };
  for (int i = 0; i < 2000; ++i) {
    Leg l;
    l.call_id = "ack-" + std::to_string(i);
    const std::string branch = "z9hG4bKi" + std::to_string(i);
    observe(kT0 + i, kA, kB, caller_request(l, "INVITE", 1, branch));
    // The 200 twice: a UAS retransmits its 2xx until the ACK comes (§13.3.1.4), T1 later.
    observe(kT0 + i, kB, kA, response_to_caller(l, 200, "OK", 1, "INVITE", branch));
    observe(kT0 + i + 500'000, kB, kA, response_to_caller(l, 200, "OK", 1, "INVITE", branch));
  }
  for (int i : {7, 1999}) {
    Leg l;
    l.call_id = "ack-" + std::to_string(i);
    observe(kT0 + 5000, kA, kB,
            caller_request(l, "ACK", 1, "z9hG4bKack" + std::to_string(i), true));
  }
  std::vector<DiagnosticRecord> diagnostics;
  table.diagnose(1, kT0 + 10 * kSec, 500'000, diagnostics);
  // Every other INVITE (the same CSeq 1, other Call-IDs) is still unacknowledged.
  EXPECT_EQ(diagnostics.size(), 1998U);
  for (const auto& d : diagnostics) EXPECT_EQ(d.kind, DiagnosticKind::no_ack_for_2xx);
  EXPECT_EQ(table.size(), 2002U);  // 2000 INVITE transactions + 2 ACK transactions
}

}  // namespace
}  // namespace sipscope::correlate
