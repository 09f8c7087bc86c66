// Reading `streams` back (store/streams.hpp): streams.mos_limited_by stored and read, and a
// file written before the column existed (docs/schema.md: added within schema version 1)
// read as NULL and given the column by --append.
#include "store/streams.hpp"

#include <gtest/gtest.h>

#include "store/store.hpp"
#include "tests/store/fixtures.hpp"

namespace sipscope::store {
namespace {

using test::RawDb;
using test::TempDir;

correlate::StreamRecord stream(uint32_t ssrc, std::optional<std::string_view> limited_by) {
  correlate::StreamRecord r;
  r.capture_id = 1;
  r.src_ip = "192.0.2.1";
  r.src_port = 4000;
  r.dst_ip = "192.0.2.2";
  r.dst_port = 6000;
  r.ssrc = ssrc;
  r.codec = "G729";
  r.packets = 100;
  r.first_us = ssrc;
  if (limited_by) {
    r.mos = 4.1;
    r.mos_limited_by = limited_by;
  }
  return r;
}

TEST(StoreStreams, MosLimitedByIsStoredAndReadBack) {
  TempDir dir;
  const auto path = dir.file("s.db");
  {
    auto store = Store::open(path, Store::Mode::replace);
    store->on_stream(stream(1, "codec"));
    store->on_stream(stream(2, std::nullopt));
  }
  RawDb raw(path);
  EXPECT_EQ(raw.value("SELECT mos_limited_by FROM streams WHERE ssrc = 1"), "codec");
  const auto db = Database::open_read_only(path);
  const auto rows = list_streams(*db, {});
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_EQ(rows[0].mos_limited_by, "codec");
  EXPECT_FALSE(rows[1].mos_limited_by.has_value());
}

TEST(StoreStreams, AFileWithoutTheColumnReadsNullAndAppendAddsIt) {
  TempDir dir;
  const auto path = dir.file("old.db");
  {
    auto store = Store::open(path, Store::Mode::replace);
    store->on_stream(stream(1, std::nullopt));
  }
  {
    RawDb raw(path);  // as written before the column was added
    ASSERT_TRUE(raw.exec("ALTER TABLE streams DROP COLUMN mos_limited_by"));
  }
  {
    const auto db = Database::open_read_only(path);
    const auto rows = list_streams(*db, {});
    ASSERT_EQ(rows.size(), 1U);
    EXPECT_FALSE(rows[0].mos_limited_by.has_value());
  }
  {
    auto store = Store::open(path, Store::Mode::append);
    store->on_stream(stream(2, "loss"));
  }
  const auto db = Database::open_read_only(path);
  const auto rows = list_streams(*db, {});
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_FALSE(rows[0].mos_limited_by.has_value());
  EXPECT_EQ(rows[1].mos_limited_by, "loss");
}

}  // namespace
}  // namespace sipscope::store
