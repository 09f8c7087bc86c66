// RecordWriter: the writer thread writes what the caller's thread would, in the same order;
// the store's exceptions reach the producer; sync() sees everything queued before it.
#include "store/record_writer.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tests/store/db_dump.hpp"
#include "tests/store/fixtures.hpp"

namespace sipscope::store {
namespace {

using test::TempDir;

// Many batches' worth of calls, messages, anomalies, open-call rows and commits, in an
// order where each row depends on the ones before (ids, upserts replacing rows).
void write_records(RecordWriter& w) {
  for (int64_t id = 1; id <= 3000; ++id) {
    auto call = test::full_call(id, "call-" + std::to_string(id));
    call.group_id = std::nullopt;
    if (id % 7 == 0) w.push<&Store::upsert_open_call>(call);  // stored open, then replaced
    std::vector<correlate::MessageRecord> messages;
    for (int i = 0; i < 3; ++i) {
      messages.push_back(test::message(id, id * 10 + i, "192.0.2.1", 5060, "192.0.2.2", 5060,
                                       std::string(i == 0 ? "INVITE" : "ACK")));
    }
    w.on_call(call, std::move(messages));
    w.on_message(test::message(std::nullopt, id * 10 + 5, "192.0.2.3", 5060, "192.0.2.4", 5060,
                               std::string("OPTIONS")));
    correlate::AnomalyRecord a;
    a.capture_id = 1;
    a.frame = static_cast<uint64_t>(id);
    a.ts_us = id;
    a.kind = decode::AnomalyKind::sip_bad_start_line;
    a.detail = "bad " + std::to_string(id);
    w.on_anomaly(std::move(a));
    if (id % 500 == 0) w.commit();
  }
}

std::vector<std::string> written(RecordWriter::Thread thread, const std::string& path) {
  {
    auto store = Store::open(path, Store::Mode::replace);
    store->use_wal();  // live: a call's final row replaces its open one; commits as told
    RecordWriter writer(*store, thread);
    write_records(writer);
    writer.finish();
    store->close();
  }
  return test::dump_rows(path);
}

TEST(RecordWriter, WriterThreadWritesWhatTheCallerWould) {
  TempDir dir;
  const auto direct = written(RecordWriter::Thread::caller, dir.file("direct.db"));
  const auto threaded = written(RecordWriter::Thread::own, dir.file("threaded.db"));
  // 3000 calls, 4 messages and one anomaly each (hand count), beside the FTS index rows.
  EXPECT_GT(direct.size(), 3000U * 6);
  ASSERT_EQ(direct.size(), threaded.size());
  for (size_t i = 0; i < direct.size(); ++i) ASSERT_EQ(direct[i], threaded[i]) << "row " << i;
}

TEST(RecordWriter, StoreErrorOnTheWriterThreadReachesFinish) {
  TempDir dir;
  auto store = Store::open(dir.file("a.db"), Store::Mode::replace);
  RecordWriter writer(*store);
  writer.on_call(test::full_call(1, "a"), {});
  writer.on_call(test::full_call(1, "b"), {});  // the same calls.id: the INSERT fails
  EXPECT_THROW(writer.finish(), StoreError);
}

TEST(RecordWriter, StoreErrorStopsTheProducerAtItsNextHandOver) {
  TempDir dir;
  auto store = Store::open(dir.file("a.db"), Store::Mode::replace);
  RecordWriter writer(*store);
  writer.on_call(test::full_call(1, "a"), {});
  writer.on_call(test::full_call(1, "b"), {});
  // More batches than the queue holds: the producer must be told, not left waiting.
  const auto keep_pushing = [&] {
    for (size_t i = 0; i < RecordWriter::kBatchItems * (RecordWriter::kMaxBatches + 4); ++i) {
      writer.on_message(test::message(std::nullopt, 1, "192.0.2.3", 5060, "192.0.2.4", 5060,
                                      std::string("OPTIONS")));
    }
  };
  EXPECT_THROW(keep_pushing(), StoreError);
}

TEST(RecordWriter, SyncSeesEverythingQueuedBeforeIt) {
  TempDir dir;
  auto store = Store::open(dir.file("a.db"), Store::Mode::replace);
  RecordWriter writer(*store);
  for (int64_t id = 1; id <= 1000; ++id) writer.on_call(test::bare_call(id, "c"), {});
  EXPECT_EQ(writer.sync([](Store& s) { return s.next_call_id(); }), 1001);
  writer.finish();
  // After finish() calls are written at once on this thread.
  writer.on_call(test::bare_call(1001, "c"), {});
  EXPECT_EQ(store->next_call_id(), 1002);
}

}  // namespace
}  // namespace sipscope::store
