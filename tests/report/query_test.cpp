#include "report/query.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "report/store.hpp"
#include "tests/report/fixtures.hpp"

namespace sipscope::report {
namespace {

using test::TempDir;

correlate::CallRecord call_at(int64_t id, std::string cid, int64_t start_us, std::string state,
                              std::string from, std::string to) {
  auto c = test::full_call(id, std::move(cid));
  c.start_us = start_us;
  c.state = std::move(state);
  c.from_user = std::move(from);
  c.to_user = std::move(to);
  return c;
}

class QueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.file("q.db");
    auto store = Store::open(path_, Store::Mode::replace);
    // Written out of start order on purpose: list_calls orders by start_us, then id.
    store->on_call(
        call_at(1, "reused@host", 3000, "answered", "+15551230001", "Bob"),
        {test::message(1, 3000, "192.0.2.1", 5060, "192.0.2.2", 5060, "INVITE"),
         test::message(1, 3100, "192.0.2.2", 5060, "192.0.2.1", 5060, std::nullopt, 200, "OK")});
    store->on_call(call_at(2, "12345", 1000, "busy", "alice", "+15559990002"), {});
    store->on_call(call_at(3, "reused@host", 2000, "answered", "ALICE", "carol"), {});
    // A Call-ID made only of digits that is also an existing calls.id ("1"): the id wins.
    store->on_call(call_at(4, "1", 2000, "failed", "dave", "100%_off"), {});
    store->on_message(
        test::message(std::nullopt, 50, "192.0.2.1", 5060, "192.0.2.9", 5060, "OPTIONS"));
    store->on_anomaly({.capture_id = 1,
                       .call_id = std::nullopt,
                       .frame = 3,
                       .ts_us = 1,
                       .kind = "sip_truncated",
                       .detail = "",
                       .flow = std::nullopt});
    store->on_anomaly({.capture_id = 1,
                       .call_id = 1,
                       .frame = 4,
                       .ts_us = 2,
                       .kind = "sip_truncated",
                       .detail = "",
                       .flow = std::nullopt});
    store->on_anomaly({.capture_id = 1,
                       .call_id = std::nullopt,
                       .frame = 5,
                       .ts_us = 3,
                       .kind = "ip_bad_checksum",
                       .detail = "",
                       .flow = std::nullopt});
    store->close();
    db_ = Database::open_read_only(path_);
  }

  static std::vector<int64_t> ids(const std::vector<correlate::CallRecord>& calls) {
    std::vector<int64_t> out;
    for (const auto& c : calls) out.push_back(c.id);
    return out;
  }

  TempDir dir_;
  std::string path_;
  std::unique_ptr<Database> db_;
};

TEST_F(QueryTest, ListAllOrderedByStartThenId) {
  // starts: 2 -> 1000, 3 -> 2000, 4 -> 2000, 1 -> 3000
  EXPECT_EQ(ids(list_calls(*db_, {})), (std::vector<int64_t>{2, 3, 4, 1}));
}

TEST_F(QueryTest, FilterByState) {
  EXPECT_EQ(ids(list_calls(*db_, {.state = "answered"})), (std::vector<int64_t>{3, 1}));
  EXPECT_TRUE(list_calls(*db_, {.state = "answered' OR '1'='1"}).empty());
}

TEST_F(QueryTest, FilterByExactCallId) {
  EXPECT_EQ(ids(list_calls(*db_, {.call_id = "reused@host"})), (std::vector<int64_t>{3, 1}));
  EXPECT_TRUE(list_calls(*db_, {.call_id = "reused"}).empty());
}

TEST_F(QueryTest, FromAndToAreCaseInsensitiveSubstrings) {
  EXPECT_EQ(ids(list_calls(*db_, {.from_user = "alice"})), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(ids(list_calls(*db_, {.from_user = "5551230"})), (std::vector<int64_t>{1}));
  EXPECT_EQ(ids(list_calls(*db_, {.to_user = "999"})), (std::vector<int64_t>{2}));
  // LIKE wildcards are plain characters here: "%" matches only a literal percent sign.
  EXPECT_EQ(ids(list_calls(*db_, {.to_user = "%"})), (std::vector<int64_t>{4}));
  EXPECT_EQ(ids(list_calls(*db_, {.to_user = "_"})), (std::vector<int64_t>{4}));
  EXPECT_EQ(ids(list_calls(*db_, {.from_user = "alice", .to_user = "carol"})),
            (std::vector<int64_t>{3}));
}

TEST_F(QueryTest, SinceInclusiveUntilExclusive) {
  EXPECT_EQ(ids(list_calls(*db_, {.since_us = 2000})), (std::vector<int64_t>{3, 4, 1}));
  EXPECT_EQ(ids(list_calls(*db_, {.until_us = 2000})), (std::vector<int64_t>{2}));
  EXPECT_EQ(ids(list_calls(*db_, {.since_us = 1000, .until_us = 3000})),
            (std::vector<int64_t>{2, 3, 4}));
}

TEST_F(QueryTest, Limit) {
  EXPECT_EQ(ids(list_calls(*db_, {.limit = 2})), (std::vector<int64_t>{2, 3}));
  EXPECT_TRUE(list_calls(*db_, {.limit = 0}).empty());
}

TEST_F(QueryTest, GetCallRoundTripsEveryColumn) {
  auto got = get_call(*db_, 1);
  ASSERT_TRUE(got);
  test::expect_same_call(*got, call_at(1, "reused@host", 3000, "answered", "+15551230001", "Bob"));
  EXPECT_FALSE(get_call(*db_, 99));
}

TEST_F(QueryTest, GetCallKeepsNulls) {
  TempDir dir;
  const auto path = dir.file("n.db");
  Store::open(path, Store::Mode::replace)->on_call(test::bare_call(8, "n"), {});
  auto db = Database::open_read_only(path);
  auto got = get_call(*db, 8);
  ASSERT_TRUE(got);
  test::expect_same_call(*got, test::bare_call(8, "n"));
}

TEST_F(QueryTest, ResolveDigitsThatAreAnId) {
  EXPECT_EQ(resolve_call(*db_, "2"), (std::vector<int64_t>{2}));
  // "1" is both calls.id 1 and the Call-ID of call 4: design.md says the id wins.
  EXPECT_EQ(resolve_call(*db_, "1"), (std::vector<int64_t>{1}));
}

TEST_F(QueryTest, ResolveDigitsThatAreNotAnIdButACallId) {
  EXPECT_EQ(resolve_call(*db_, "12345"), (std::vector<int64_t>{2}));
}

TEST_F(QueryTest, ResolveCallIdWithTwoRows) {
  EXPECT_EQ(resolve_call(*db_, "reused@host"), (std::vector<int64_t>{1, 3}));
}

TEST_F(QueryTest, ResolveNothing) {
  EXPECT_TRUE(resolve_call(*db_, "nope").empty());
  EXPECT_TRUE(resolve_call(*db_, "").empty());
  EXPECT_TRUE(resolve_call(*db_, "99999999999999999999999").empty());  // beyond int64
  EXPECT_TRUE(resolve_call(*db_, "-2").empty());
}

TEST_F(QueryTest, Summarize) {
  const Summary s = summarize(*db_);
  EXPECT_EQ(s.calls, 4);
  EXPECT_EQ(s.calls_by_state,
            (std::map<std::string, int64_t>{{"answered", 2}, {"busy", 1}, {"failed", 1}}));
  EXPECT_EQ(s.messages, 3);
  EXPECT_EQ(s.call_messages, 2);
  EXPECT_EQ(s.anomalies, 3);
  EXPECT_EQ(s.anomalies_by_kind,
            (std::map<std::string, int64_t>{{"ip_bad_checksum", 1}, {"sip_truncated", 2}}));
}

TEST_F(QueryTest, ReadOnlyHandleCannotWrite) {
  EXPECT_NE(sqlite3_exec(db_->handle(), "DELETE FROM calls", nullptr, nullptr, nullptr), SQLITE_OK);
}

TEST(Database, MissingFile) {
  TempDir dir;
  const auto path = dir.file("missing.db");
  try {
    Database::open_read_only(path);
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_EQ(std::string(e.what()), path + ": no such database");
  }
  EXPECT_FALSE(std::filesystem::exists(path));  // and it was not created
}

TEST(Database, NotADatabase) {
  TempDir dir;
  const auto path = dir.file("x.pcap");
  std::ofstream(path) << std::string(200, 'x');
  try {
    Database::open_read_only(path);
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path + ": not a sipscope database", 0), 0U) << e.what();
  }
}

TEST(Database, OtherSchemaVersion) {
  TempDir dir;
  const auto path = dir.file("a.db");
  Store::open(path, Store::Mode::replace)->close();
  {
    test::RawDb db(path);
    ASSERT_TRUE(db.exec("PRAGMA user_version = 2"));
  }
  try {
    Database::open_read_only(path);
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_EQ(std::string(e.what()), path +
                                         ": not a sipscope database (schema version 2, expected " +
                                         std::to_string(kSchemaVersion) + ")");
  }
}

}  // namespace
}  // namespace sipscope::report
