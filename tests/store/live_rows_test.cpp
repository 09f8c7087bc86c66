// Live capture's write-then-replace rows (store/live_rows.cpp): an open call's
// transactions, dialogs and diagnostics stored by one tick are replaced by the next tick's
// and, through forget_open_call_rows(), by the call's final rows; rows this did not store
// (a media diagnostic of the same call, another call's rows) are never touched. Expected
// values: the records written here.
#include <gtest/gtest.h>

#include "store/store.hpp"
#include "tests/store/fixtures.hpp"

namespace sipscope::store {
namespace {

using test::full_call;
using test::RawDb;
using test::TempDir;

correlate::TransactionRecord transaction(int64_t call_id, const std::string& method,
                                         std::optional<int> final_code) {
  correlate::TransactionRecord t;
  t.call_id = call_id;
  t.sip_call_id = std::string("c").append(std::to_string(call_id));  // GCC PR 105651
  t.method = method;
  t.cseq = 1;
  t.branch = "z9hG4bK" + method;
  t.src_ip = "10.0.0.1";
  t.dst_ip = "10.0.0.2";
  t.start_us = 1'000'000;
  t.final_code = final_code;
  return t;
}

correlate::OpenCallRows open_rows(int64_t call_id, std::optional<int> invite_final) {
  correlate::OpenCallRows rows;
  rows.row = full_call(call_id, "c" + std::to_string(call_id));
  rows.transactions.push_back(transaction(call_id, "INVITE", invite_final));
  correlate::DialogRecord d;
  d.call_id = call_id;
  d.from_tag = "f";
  d.to_tag = "t";
  rows.dialogs.push_back(d);
  correlate::DiagnosticRecord g;
  g.call_id = call_id;
  g.detail = "from the tracker";
  rows.diagnostics.push_back(g);
  return rows;
}

TEST(LiveRows, EachTickReplacesTheCallsRowsAndTheFinalRowsReplaceTheLast) {
  TempDir dir;
  const auto path = dir.file("live.db");
  auto store = Store::open(path, Store::Mode::replace);
  store->use_wal();
  // Tick 1: call 1 ringing (INVITE without final), call 2 too.
  auto one = open_rows(1, std::nullopt);
  store->upsert_open_call(one.row);
  store->replace_open_call_rows(one);
  store->replace_open_call_rows(open_rows(2, std::nullopt));
  // A media diagnostic of call 1, not from the tracker: never replaced.
  correlate::DiagnosticRecord media;
  media.call_id = 1;
  media.detail = "from the media tracker";
  store->on_diagnostic(media);
  store->commit();
  {
    RawDb db(path);
    EXPECT_EQ(db.integer("SELECT count(*) FROM transactions WHERE call_id = 1"), 1);
    EXPECT_EQ(db.integer("SELECT count(*) FROM diagnostics WHERE call_id = 1"), 2);
  }
  // Tick 2: call 1 answered and hung up: INVITE 200 and a BYE transaction.
  one = open_rows(1, 200);
  one.transactions.push_back(transaction(1, "BYE", 200));
  store->replace_open_call_rows(one);
  store->commit();
  {
    RawDb db(path);
    EXPECT_EQ(db.integer("SELECT count(*) FROM transactions WHERE call_id = 1"), 2);
    EXPECT_EQ(db.integer("SELECT count(*) FROM transactions WHERE call_id = 1 AND method = "
                         "'INVITE' AND final_code = 200"),
              1);
    EXPECT_EQ(db.integer("SELECT count(*) FROM transactions WHERE final_code IS NULL"), 1);
    EXPECT_EQ(db.integer("SELECT count(*) FROM dialogs WHERE call_id = 1"), 1);
    EXPECT_EQ(db.integer("SELECT count(*) FROM diagnostics WHERE call_id = 1"), 2);
  }
  // The final flush of call 1: its open rows give way to the final ones.
  store->forget_open_call_rows(1);
  store->on_call(one.row, {});
  store->on_transaction(transaction(1, "INVITE", 200));
  store->on_transaction(transaction(1, "BYE", 200));
  store->on_dialog(one.dialogs.front());
  store->forget_open_call_rows(1);  // nothing left to forget: a no-op
  store->commit();
  RawDb db(path);
  EXPECT_EQ(db.integer("SELECT count(*) FROM transactions WHERE call_id = 1"), 2);
  EXPECT_EQ(db.integer("SELECT count(*) FROM dialogs WHERE call_id = 1"), 1);
  // The tracker's final diagnostics were none; the media one stays.
  EXPECT_EQ(db.integer("SELECT count(*) FROM diagnostics WHERE call_id = 1"), 1);
  EXPECT_EQ(db.integer("SELECT count(*) FROM diagnostics WHERE detail = 'from the media "
                       "tracker'"),
            1);
  // Call 2 is untouched.
  EXPECT_EQ(db.integer("SELECT count(*) FROM transactions WHERE call_id = 2"), 1);
  EXPECT_EQ(db.integer("SELECT count(*) FROM dialogs WHERE call_id = 2"), 1);
  EXPECT_EQ(db.integer("SELECT count(*) FROM diagnostics WHERE call_id = 2"), 1);
}

}  // namespace
}  // namespace sipscope::store
