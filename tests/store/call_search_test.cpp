// The web UI's call search (store/call_search.hpp) over call_search, the trigram index the
// writer keeps (docs/schema.md): what a live capture writes (a call row stored while open,
// then replaced) is found by its current values only, and FTS5's own integrity check
// passes against `calls`. Expected values: the records written here.
#include "store/call_search.hpp"

#include <gtest/gtest.h>

#include "store/store.hpp"
#include "tests/store/fixtures.hpp"

namespace sipscope::store {
namespace {

using test::full_call;
using test::TempDir;

int64_t total(const std::string& path, const std::string& q) {
  const auto db = Database::open_read_only(path);
  return search_calls(*db, {.q = q}).total;
}

TEST(CallSearch, LiveRowsAreFoundByTheirCurrentValues) {
  TempDir dir;
  const auto path = dir.file("live.db");
  auto store = Store::open(path, Store::Mode::replace);
  store->use_wal();
  auto call = full_call(1, "first-call-id");
  store->upsert_open_call(call);
  call.to_user = "carol-early";
  call.to_uri = "sip:carol@example.net";
  store->upsert_open_call(call);  // replaced before its first commit
  store->commit();
  EXPECT_EQ(total(path, "carol-early"), 1);
  EXPECT_EQ(total(path, "bob"), 0);
  call.to_user = "dave-final";
  call.to_uri = "sip:dave@example.org";
  store->on_call(call, {});  // the final row replaces the committed one
  store->on_call(full_call(2, "second-call-id"), {});
  store->commit();
  EXPECT_EQ(total(path, "carol-early"), 0);
  EXPECT_EQ(total(path, "DAVE-fin"), 1);
  EXPECT_EQ(total(path, "example.org"), 1);
  EXPECT_EQ(total(path, "alice"), 2);
  EXPECT_EQ(total(path, "call-id"), 2);
  store->close();
  test::RawDb raw(path);
  EXPECT_TRUE(raw.exec("INSERT INTO call_search (call_search) VALUES ('integrity-check')"));
}

}  // namespace
}  // namespace sipscope::store
