#include "store/query.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "store/store.hpp"
#include "tests/store/fixtures.hpp"

namespace sipscope::store {
namespace {

using test::TempDir;

correlate::CallRecord call_at(int64_t id, std::string cid, int64_t start_us, std::string state,
                              std::string from, std::string to) {
  auto c = test::full_call(id, std::move(cid));
  c.start_us = start_us;
  c.state = correlate::parse_call_state(state).value();
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
                       .kind = decode::AnomalyKind::sip_body_truncated,
                       .detail = "",
                       .flow = std::nullopt});
    store->on_anomaly({.capture_id = 1,
                       .call_id = 1,
                       .frame = 4,
                       .ts_us = 2,
                       .kind = decode::AnomalyKind::sip_body_truncated,
                       .detail = "",
                       .flow = std::nullopt});
    store->on_anomaly({.capture_id = 1,
                       .call_id = std::nullopt,
                       .frame = 5,
                       .ts_us = 3,
                       .kind = decode::AnomalyKind::bad_ipv4_header_length,
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
  // "1" is both calls.id 1 and the Call-ID of call 4: docs/cli.md says the id wins.
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
  EXPECT_EQ(s.anomalies_by_kind, (std::map<std::string, int64_t>{{"bad_ipv4_header_length", 1},
                                                                 {"sip_body_truncated", 2}}));
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

// Extended `calls` filters. Loss and MOS come from streams rows written here directly:
// call 1 has two streams (5 of 100 and 0 of 100 lost: 5 / 200 = 2.5 %, MOS 3.9 and 4.3 ->
// lowest 3.9), call 2 one (20 of 200 = 10 %, MOS 3.0), calls 3 and 4 none.
class CallFilterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.file("f.db");
    {
      auto store = Store::open(path_, Store::Mode::replace);
      auto c1 = call_at(1, "c1", 1000, "answered", "alice", "bob");
      c1.duration_ms = 10'500;
      auto c2 = call_at(2, "c2", 2000, "answered", "+15551230002", "carol");
      c2.duration_ms = 5'000;
      auto c3 = call_at(3, "c3", 3000, "busy", "ALICE", "dave");
      c3.duration_ms = std::nullopt;
      auto c4 = call_at(4, "c4", 4000, "answered", "erin", "+15559990004");
      c4.duration_ms = 60'000;
      for (auto* c : {&c1, &c2, &c3, &c4}) store->on_call(*c, {});
      store->close();
    }
    test::RawDb raw(path_);
    const char* kStream =
        "INSERT INTO streams (call_id, src_ip, src_port, dst_ip, dst_port, ssrc, packets, "
        "expected, lost, mos) VALUES ";
    ASSERT_TRUE(
        raw.exec(std::string(kStream) +
                 "(1, '192.0.2.1', 4000, '192.0.2.2', 5000, 1, 95, "
                 "100, 5, 3.9), (1, '192.0.2.2', 5000, '192.0.2.1', 4000, 2, 100, 100, "
                 "0, 4.3), (2, '192.0.2.1', 4002, '192.0.2.2', 5002, 3, 180, 200, 20, 3.0)"));
    ASSERT_TRUE(
        raw.exec("INSERT INTO diagnostics (call_id, kind) VALUES (2, 'one_way_audio'), "
                 "(3, 'no_ack')"));
  }
  std::vector<int64_t> ids(const CallFilter& f) {
    const auto db = Database::open_read_only(path_);
    std::vector<int64_t> out;
    for (const auto& c : list_calls(*db, f)) out.push_back(c.id);
    return out;
  }
  TempDir dir_;
  std::string path_;
};

using Ids = std::vector<int64_t>;

TEST_F(CallFilterTest, MinLossPercent) {
  EXPECT_EQ(ids({.min_loss_pct = 5.0}), Ids({2}));
  EXPECT_EQ(ids({.min_loss_pct = 2.5}), Ids({1, 2}));
  EXPECT_EQ(ids({.min_loss_pct = 0.0}), Ids({1, 2}));  // calls without streams never match
}

TEST_F(CallFilterTest, MaxMosUsesLowestStream) {
  EXPECT_EQ(ids({.max_mos = 3.9}), Ids({1, 2}));
  EXPECT_EQ(ids({.max_mos = 3.5}), Ids({2}));
  EXPECT_EQ(ids({.max_mos = 2.0}), Ids({}));
}

TEST_F(CallFilterTest, HasDiagnosticAnyOrKind) {
  EXPECT_EQ(ids({.diagnostic = ""}), Ids({2, 3}));
  EXPECT_EQ(ids({.diagnostic = "no_ack"}), Ids({3}));
  EXPECT_EQ(ids({.diagnostic = "nothing_like_it"}), Ids({}));
}

TEST_F(CallFilterTest, DurationRangeInMilliseconds) {
  EXPECT_EQ(ids({.min_duration_ms = 6'000}), Ids({1, 4}));
  EXPECT_EQ(ids({.max_duration_ms = 6'000}), Ids({2}));
  EXPECT_EQ(ids({.min_duration_ms = 5'000, .max_duration_ms = 10'500}), Ids({1, 2}));
}

TEST_F(CallFilterTest, RegexOnUserParts) {
  EXPECT_EQ(ids({.from_regex = "^[A-Z]+$"}), Ids({3}));
  EXPECT_EQ(ids({.from_regex = "^\\+1555"}), Ids({2}));
  EXPECT_EQ(ids({.to_regex = "^(bob|dave)$"}), Ids({1, 3}));
  // The limit counts matching rows, not rows before the regex.
  EXPECT_EQ(ids({.limit = 1, .from_regex = "[Aa]lice"}), Ids({1}));
  EXPECT_EQ(ids({.limit = 1, .from_regex = "^[A-Z]"}), Ids({3}));
  EXPECT_THROW(ids({.from_regex = "("}), CallFilterError);
}

// RE2 syntax: Perl classes and non-greedy repetition work; backreferences are not RE2.
TEST_F(CallFilterTest, RegexIsRe2) {
  EXPECT_EQ(ids({.from_regex = "^\\+\\d{4}"}), Ids({2}));
  EXPECT_EQ(ids({.from_regex = "(?i)^alice$"}), Ids({1, 3}));
  EXPECT_THROW(ids({.from_regex = "(a)\\1"}), CallFilterError);
}

// An invalid expression is one line naming it, whatever RE2 reports.
TEST_F(CallFilterTest, BadRegexIsOneLine) {
  for (const char* bad : {"(", "[z-a]", "a**", "x{2,1}"}) {
    try {
      (void)ids({.to_regex = bad});
      ADD_FAILURE() << bad << " accepted";
    } catch (const CallFilterError& e) {
      const std::string what = e.what();
      EXPECT_EQ(what.find('\n'), std::string::npos) << what;
      EXPECT_NE(what.find(std::string("'") + bad + "'"), std::string::npos) << what;
    }
  }
}

// libstdc++ regex recursed once per character: (a|b)+ over a 50,000-character user part
// overflowed the stack. RE2 runs in linear time without recursion.
TEST(CallFilterLong, FiftyThousandCharacterValueAndPattern) {
  TempDir dir;
  const std::string path = dir.file("long.db");
  const std::string long_user(50'000, 'a');
  {
    auto store = Store::open(path, Store::Mode::replace);
    store->on_call(call_at(1, "c1", 1000, "answered", long_user + "b", "bob"), {});
    store->on_call(call_at(2, "c2", 2000, "answered", "alice", "bob"), {});
    store->close();
  }
  auto db = Database::open_read_only(path);
  auto ids = [&](const CallFilter& f) {
    std::vector<int64_t> out;
    for (const auto& c : list_calls(*db, f)) out.push_back(c.id);
    return out;
  };
  EXPECT_EQ(ids({.from_regex = "^(a|b)+$"}), (std::vector<int64_t>{1}));
  EXPECT_EQ(ids({.from_regex = "^(a|b)*c$"}), (std::vector<int64_t>{}));
  EXPECT_EQ(ids({.from_regex = "a{1000}b$"}), (std::vector<int64_t>{1}));
  // The value itself as the substring filter: matches call 1 only. (A 50,000-character
  // pattern is tested against short values in tests/cli: RE2 is linear in the value for a
  // given pattern, so pattern length times value length is the cost.)
  EXPECT_EQ(ids({.from_user = long_user}), (std::vector<int64_t>{1}));
}

TEST_F(CallFilterTest, SortKeysNullsLast) {
  EXPECT_EQ(ids({.sort = CallSort::duration}), Ids({2, 1, 4, 3}));
  EXPECT_EQ(ids({.sort = CallSort::duration, .descending = true}), Ids({4, 1, 2, 3}));
  EXPECT_EQ(ids({.sort = CallSort::loss, .descending = true}), Ids({2, 1, 4, 3}));
  EXPECT_EQ(ids({.sort = CallSort::mos}), Ids({2, 1, 3, 4}));
  EXPECT_EQ(ids({.limit = 2, .sort = CallSort::id, .descending = true}), Ids({4, 3}));
  EXPECT_EQ(parse_call_sort("pdd"), CallSort::pdd);
  EXPECT_EQ(parse_call_sort("bogus"), std::nullopt);
}

}  // namespace
}  // namespace sipscope::store
