#include "store/store.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/store/fixtures.hpp"

namespace sipscope::store {
namespace {

using test::RawDb;
using test::TempDir;

TEST(Store, CallColumnsReadBackAsWritten) {
  TempDir dir;
  const auto path = dir.file("a.db");
  const auto call = test::full_call(1, "abc@host");
  {
    auto store = Store::open(path, Store::Mode::replace);
    store->on_call(call, {});
    store->close();
  }
  RawDb db(path);
  EXPECT_EQ(db.value("SELECT sip_call_id FROM calls WHERE id = 1"), "abc@host");
  EXPECT_EQ(db.integer("SELECT group_id FROM calls"), 7);
  EXPECT_EQ(db.value("SELECT from_user FROM calls"), "alice");
  EXPECT_EQ(db.value("SELECT to_user FROM calls"), "bob");
  EXPECT_EQ(db.value("SELECT from_uri FROM calls"), "sip:alice@example.com");
  EXPECT_EQ(db.value("SELECT to_uri FROM calls"), "sip:bob@example.com");
  EXPECT_EQ(db.value("SELECT caller_ip FROM calls"), "192.0.2.1");
  EXPECT_EQ(db.value("SELECT callee_ip FROM calls"), "192.0.2.2");
  EXPECT_EQ(db.value("SELECT transport FROM calls"), "UDP");
  EXPECT_EQ(db.integer("SELECT start_us FROM calls"), *call.start_us);
  EXPECT_EQ(db.integer("SELECT ring_us FROM calls"), *call.ring_us);
  EXPECT_EQ(db.integer("SELECT answer_us FROM calls"), *call.answer_us);
  EXPECT_EQ(db.integer("SELECT end_us FROM calls"), *call.end_us);
  EXPECT_EQ(db.value("SELECT state FROM calls"), "answered");
  EXPECT_EQ(db.integer("SELECT final_code FROM calls"), 200);
  EXPECT_EQ(db.value("SELECT final_reason FROM calls"), "OK");
  EXPECT_EQ(db.value("SELECT hangup_by FROM calls"), "caller");
  EXPECT_EQ(db.value("SELECT pdd_ms = 250.0 AND typeof(pdd_ms) = 'real' FROM calls"), "1");
  EXPECT_EQ(db.value("SELECT duration_ms = 10500.0 AND typeof(duration_ms) = 'real' FROM calls"),
            "1");
  EXPECT_EQ(db.integer("SELECT message_count FROM calls"), 6);
}

TEST(Store, NulloptColumnsAreNull) {
  TempDir dir;
  const auto path = dir.file("a.db");
  {
    auto store = Store::open(path, Store::Mode::replace);
    store->on_call(test::bare_call(3, "x"), {});
  }  // the destructor closes and commits
  RawDb db(path);
  for (const char* col : {"group_id", "from_user", "to_user", "from_uri", "to_uri", "caller_ip",
                          "callee_ip", "start_us", "ring_us", "answer_us", "end_us", "final_code",
                          "final_reason", "hangup_by", "pdd_ms", "duration_ms"}) {
    EXPECT_EQ(db.value(std::string("SELECT typeof(") + col + ") FROM calls"), "null") << col;
  }
  EXPECT_EQ(db.integer("SELECT message_count FROM calls"), 0);
}

TEST(Store, MessageColumnsAndExactRawBytes) {
  TempDir dir;
  const auto path = dir.file("a.db");
  auto m = test::message(5, 1'000'000, "2001:db8::1", 5060, "192.0.2.2", 5061, std::nullopt, 180,
                         "Ringing");
  m.capture_id = 2;
  m.frame = 42;
  m.transport = decode::Transport::tcp;
  m.cseq = 102;
  m.cseq_method = "INVITE";
  m.sip_call_id = "cid-1";
  m.retransmission = true;
  // NUL, CRLF and a byte that is not UTF-8: the column must keep every byte and the length.
  static constexpr char kRaw[] = "SIP/2.0 180 Ringing\r\nX: a\0b\r\n\r\n\xff";
  m.raw = std::string(kRaw, sizeof kRaw - 1);  // 32 bytes: 19 + 2 + 4 + 1 + 1 + 4 + 1
  {
    auto store = Store::open(path, Store::Mode::replace);
    store->on_call(test::bare_call(5, "cid-1"), {m});
  }
  RawDb db(path);
  EXPECT_EQ(db.integer("SELECT call_id FROM messages"), 5);
  EXPECT_EQ(db.integer("SELECT capture_id FROM messages"), 2);
  EXPECT_EQ(db.integer("SELECT frame FROM messages"), 42);
  EXPECT_EQ(db.integer("SELECT ts_us FROM messages"), 1'000'000);
  EXPECT_EQ(db.value("SELECT src_ip FROM messages"), "2001:db8::1");
  EXPECT_EQ(db.integer("SELECT src_port FROM messages"), 5060);
  EXPECT_EQ(db.value("SELECT dst_ip FROM messages"), "192.0.2.2");
  EXPECT_EQ(db.integer("SELECT dst_port FROM messages"), 5061);
  EXPECT_EQ(db.value("SELECT transport FROM messages"), "TCP");
  EXPECT_EQ(db.value("SELECT typeof(method) FROM messages"), "null");
  EXPECT_EQ(db.integer("SELECT status_code FROM messages"), 180);
  EXPECT_EQ(db.value("SELECT reason FROM messages"), "Ringing");
  EXPECT_EQ(db.integer("SELECT cseq FROM messages"), 102);
  EXPECT_EQ(db.value("SELECT cseq_method FROM messages"), "INVITE");
  EXPECT_EQ(db.value("SELECT sip_call_id FROM messages"), "cid-1");
  EXPECT_EQ(db.integer("SELECT retransmission FROM messages"), 1);
  EXPECT_EQ(db.value("SELECT typeof(raw) FROM messages"), "text");
  EXPECT_EQ(db.integer("SELECT length(CAST(raw AS BLOB)) FROM messages"), 32);
  EXPECT_EQ(db.value("SELECT raw FROM messages"), m.raw);
}

TEST(Store, MessageOutsideCallHasNullCallIdAndRequestHasNullStatus) {
  TempDir dir;
  const auto path = dir.file("a.db");
  {
    auto store = Store::open(path, Store::Mode::replace);
    auto m = test::message(std::nullopt, 5, "192.0.2.1", 5060, "192.0.2.9", 5060, "REGISTER");
    m.cseq = std::nullopt;
    m.cseq_method = std::nullopt;
    store->on_message(m);
  }
  RawDb db(path);
  EXPECT_EQ(db.value("SELECT typeof(call_id) FROM messages"), "null");
  EXPECT_EQ(db.value("SELECT method FROM messages"), "REGISTER");
  EXPECT_EQ(db.value("SELECT typeof(status_code) FROM messages"), "null");
  EXPECT_EQ(db.value("SELECT typeof(reason) FROM messages"), "null");
  EXPECT_EQ(db.value("SELECT typeof(cseq) FROM messages"), "null");
  EXPECT_EQ(db.value("SELECT typeof(cseq_method) FROM messages"), "null");
  EXPECT_EQ(db.integer("SELECT retransmission FROM messages"), 0);
}

TEST(Store, AnomalyColumns) {
  TempDir dir;
  const auto path = dir.file("a.db");
  {
    auto store = Store::open(path, Store::Mode::replace);
    store->on_anomaly({.capture_id = 1,
                       .call_id = 4,
                       .frame = 17,
                       .ts_us = 99,
                       .kind = decode::AnomalyKind::sip_bad_start_line,
                       .detail = "no SIP version",
                       .flow = "192.0.2.1:5060 -> 192.0.2.2:5060"});
    // frame 0: not tied to one frame (frames are 1-based), stored NULL.
    correlate::AnomalyRecord unframed;
    unframed.capture_id = 1;
    unframed.kind = decode::AnomalyKind::capture_truncated;
    unframed.detail = "eof";
    store->on_anomaly(unframed);
  }
  RawDb db(path);
  EXPECT_EQ(db.integer("SELECT count(*) FROM anomalies"), 2);
  EXPECT_EQ(db.integer("SELECT capture_id FROM anomalies WHERE id = 1"), 1);
  EXPECT_EQ(db.integer("SELECT call_id FROM anomalies WHERE id = 1"), 4);
  EXPECT_EQ(db.integer("SELECT frame FROM anomalies WHERE id = 1"), 17);
  EXPECT_EQ(db.integer("SELECT ts_us FROM anomalies WHERE id = 1"), 99);
  EXPECT_EQ(db.value("SELECT kind FROM anomalies WHERE id = 1"), "sip_bad_start_line");
  EXPECT_EQ(db.value("SELECT detail FROM anomalies WHERE id = 1"), "no SIP version");
  EXPECT_EQ(db.value("SELECT flow FROM anomalies WHERE id = 1"),
            "192.0.2.1:5060 -> 192.0.2.2:5060");
  EXPECT_EQ(db.value("SELECT typeof(call_id) FROM anomalies WHERE id = 2"), "null");
  EXPECT_EQ(db.value("SELECT typeof(frame) FROM anomalies WHERE id = 2"), "null");
  EXPECT_EQ(db.value("SELECT typeof(flow) FROM anomalies WHERE id = 2"), "null");
}

TEST(Store, CaptureIsInterruptedUntilFinished) {
  TempDir dir;
  const auto path = dir.file("a.db");
  auto store = Store::open(path, Store::Mode::replace);
  const uint32_t first = store->add_capture("one.pcap");
  const uint32_t second = store->add_capture("two.pcap");
  EXPECT_EQ(first, 1U);
  EXPECT_EQ(second, 2U);
  store->commit();
  {
    RawDb db(path);
    EXPECT_EQ(db.value("SELECT path FROM captures WHERE id = 1"), "one.pcap");
    EXPECT_EQ(db.value("SELECT status FROM captures WHERE id = 1"), "interrupted");
  }
  store->finish_capture({.capture_id = first,
                         .link_type = 1,
                         .first_us = 10,
                         .last_us = 20,
                         .packets = 3,
                         .status = "complete"});
  store->finish_capture({.capture_id = second, .link_type = 113, .status = "truncated"});
  store->close();
  RawDb db(path);
  EXPECT_EQ(db.integer("SELECT link_type FROM captures WHERE id = 1"), 1);
  EXPECT_EQ(db.integer("SELECT first_us FROM captures WHERE id = 1"), 10);
  EXPECT_EQ(db.integer("SELECT last_us FROM captures WHERE id = 1"), 20);
  EXPECT_EQ(db.integer("SELECT packets FROM captures WHERE id = 1"), 3);
  EXPECT_EQ(db.value("SELECT status FROM captures WHERE id = 1"), "complete");
  EXPECT_EQ(db.value("SELECT typeof(first_us) FROM captures WHERE id = 2"), "null");
  EXPECT_EQ(db.value("SELECT typeof(last_us) FROM captures WHERE id = 2"), "null");
  EXPECT_EQ(db.integer("SELECT packets FROM captures WHERE id = 2"), 0);
  EXPECT_EQ(db.value("SELECT status FROM captures WHERE id = 2"), "truncated");
}

TEST(Store, SchemaVersionAndTables) {
  TempDir dir;
  const auto path = dir.file("a.db");
  Store::open(path, Store::Mode::replace)->close();
  RawDb db(path);
  EXPECT_EQ(db.integer("PRAGMA user_version"), kSchemaVersion);
  EXPECT_EQ(db.integer("PRAGMA application_id"), 0x53495053);  // "SIPS"
  for (const char* table :
       {"captures", "calls", "call_links", "messages", "streams", "diagnostics", "anomalies"}) {
    EXPECT_EQ(db.integer(std::string("SELECT count(*) FROM sqlite_schema WHERE type = 'table' "
                                     "AND name = '") +
                         table + "'"),
              1)
        << table;
  }
  // The docs/schema.md columns, spot-checked on the tables nothing writes yet.
  EXPECT_TRUE(db.exec(
      "SELECT id, call_id, src_ip, src_port, dst_ip, dst_port, ssrc, payload_type, codec, "
      "first_us, last_us, packets, expected, lost, duplicates, out_of_order, jitter_mean_ms, "
      "jitter_max_ms, max_delta_ms, mos FROM streams"));
  EXPECT_TRUE(db.exec("SELECT id, call_id, ts_us, kind, detail, frames FROM diagnostics"));
  EXPECT_TRUE(db.exec("SELECT call_id, linked_call_id, reason FROM call_links"));
  EXPECT_EQ(db.value("PRAGMA journal_mode"), "delete");
}

TEST(Store, ReplaceDeletesExistingFileAndJournal) {
  TempDir dir;
  const auto path = dir.file("a.db");
  {
    auto store = Store::open(path, Store::Mode::replace);
    store->on_call(test::full_call(1, "old"), {});
  }
  // A stale journal beside the old file must not be replayed into the new one.
  std::ofstream(path + "-journal") << "stale";
  {
    auto store = Store::open(path, Store::Mode::replace);
    EXPECT_EQ(store->next_call_id(), 1);
  }
  EXPECT_FALSE(std::filesystem::exists(path + "-journal"));
  RawDb db(path);
  EXPECT_EQ(db.integer("SELECT count(*) FROM calls"), 0);
}

TEST(Store, AppendKeepsRowsAndContinuesIds) {
  TempDir dir;
  const auto path = dir.file("a.db");
  {
    auto store = Store::open(path, Store::Mode::replace);
    EXPECT_EQ(store->next_call_id(), 1);
    store->add_capture("one.pcap");
    store->on_call(test::full_call(1, "a"), {});
    store->on_call(test::full_call(4, "b"), {});
    EXPECT_EQ(store->next_call_id(), 5);  // max(id) + 1, uncommitted rows included
  }
  {
    auto store = Store::open(path, Store::Mode::append);
    EXPECT_EQ(store->next_call_id(), 5);
    EXPECT_EQ(store->add_capture("two.pcap"), 2U);
    store->on_call(test::full_call(5, "c"), {});
  }
  RawDb db(path);
  EXPECT_EQ(db.integer("SELECT count(*) FROM calls"), 3);
  EXPECT_EQ(db.integer("SELECT count(*) FROM captures"), 2);
}

TEST(Store, AppendToMissingFileCreatesIt) {
  TempDir dir;
  const auto path = dir.file("new.db");
  Store::open(path, Store::Mode::append)->close();
  RawDb db(path);
  EXPECT_EQ(db.integer("PRAGMA user_version"), kSchemaVersion);
}

TEST(Store, AppendToNonSqliteFileFailsNamingTheFile) {
  TempDir dir;
  const auto path = dir.file("notes.txt");
  std::ofstream(path) << "these are not the tables you are looking for\n";
  try {
    Store::open(path, Store::Mode::append);
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.rfind(path + ": not a sipscope database", 0), 0U) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos);
  }
}

TEST(Store, AppendToOtherSqliteDatabaseFails) {
  TempDir dir;
  const auto path = dir.file("other.db");
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "CREATE TABLE t (x)", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  try {
    Store::open(path, Store::Mode::append);
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_EQ(std::string(e.what()), path +
                                         ": not a sipscope database (schema version 0, expected " +
                                         std::to_string(kSchemaVersion) + ")");
  }
}

TEST(Store, AppendToOtherSchemaVersionFails) {
  TempDir dir;
  const auto path = dir.file("a.db");
  Store::open(path, Store::Mode::replace)->close();
  {
    RawDb db(path);
    ASSERT_TRUE(db.exec("PRAGMA user_version = 99"));
  }
  try {
    Store::open(path, Store::Mode::append);
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_EQ(std::string(e.what()), path +
                                         ": not a sipscope database (schema version 99, expected " +
                                         std::to_string(kSchemaVersion) + ")");
  }
}

TEST(Store, CommitMakesRowsVisibleToOtherConnections) {
  TempDir dir;
  const auto path = dir.file("a.db");
  auto store = Store::open(path, Store::Mode::replace);
  store->on_call(test::full_call(1, "a"),
                 {test::message(1, 1, "192.0.2.1", 5060, "192.0.2.2", 5060, "INVITE")});
  store->commit();
  RawDb db(path);
  EXPECT_EQ(db.integer("SELECT count(*) FROM calls"), 1);
  EXPECT_EQ(db.integer("SELECT count(*) FROM messages"), 1);
}

TEST(Store, LargeBatchSpanningSeveralTransactions) {
  TempDir dir;
  const auto path = dir.file("a.db");
  constexpr int kRows = 25'000;  // more than two batches of 10,000 rows
  {
    auto store = Store::open(path, Store::Mode::replace);
    for (int i = 0; i < kRows; ++i) {
      store->on_message(
          test::message(std::nullopt, i, "192.0.2.1", 5060, "192.0.2.2", 5060, "OPTIONS"));
    }
  }
  RawDb db(path);
  EXPECT_EQ(db.integer("SELECT count(*) FROM messages"), kRows);
  EXPECT_EQ(db.integer("SELECT max(ts_us) FROM messages"), kRows - 1);
}

TEST(Store, DuplicateCallIdIsAStoreErrorNamingTheFile) {
  TempDir dir;
  const auto path = dir.file("a.db");
  auto store = Store::open(path, Store::Mode::replace);
  store->on_call(test::full_call(1, "a"), {});
  try {
    store->on_call(test::full_call(1, "b"), {});
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path + ": ", 0), 0U) << e.what();
  }
}

TEST(Store, UnwritableLocationFailsNamingTheFile) {
  TempDir dir;
  const auto path = dir.file("no/such/dir/a.db");
  try {
    Store::open(path, Store::Mode::replace);
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path + ": ", 0), 0U) << e.what();
  }
}

TEST(Store, WritesAfterCloseThrow) {
  TempDir dir;
  auto store = Store::open(dir.file("a.db"), Store::Mode::replace);
  store->close();
  store->close();  // idempotent
  EXPECT_THROW(store->on_call(test::bare_call(1, "a"), {}), StoreError);
}

}  // namespace
}  // namespace sipscope::store
