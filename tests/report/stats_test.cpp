#include "report/render_stats.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "store/store.hpp"
#include "tests/store/fixtures.hpp"

namespace sipscope::report {
using namespace store;  // the rows, readers and fixtures the renderings are fed from
namespace {

using test::TempDir;

correlate::CallRecord call(int64_t id, std::string state, std::optional<int> code,
                           std::string reason, std::string callee, std::optional<double> pdd,
                           std::optional<double> duration) {
  auto c = test::full_call(id, "cid-" + std::to_string(id));
  c.state = correlate::parse_call_state(state).value();
  c.final_code = code;
  c.final_reason = std::move(reason);
  c.callee_ip = std::move(callee);
  c.caller_ip = "192.0.2.1";
  c.pdd_ms = pdd;
  c.ring_us =
      pdd ? std::optional<int64_t>(*c.start_us + static_cast<int64_t>(*pdd) * 1000) : std::nullopt;
  c.duration_ms = duration;
  return c;
}

// Eight calls whose numbers are worked out by hand below (definitions: docs/stats.md).
class StatsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.file("s.db");
    auto store = Store::open(path_, Store::Mode::replace);
    const std::string a = "198.51.100.1";
    const std::string b = "198.51.100.2";
    auto invite = test::message(1, 1000, "192.0.2.1", 5060, a, 5060, "INVITE");
    auto retx = invite;
    retx.retransmission = true;
    auto ok = test::message(1, 2000, a, 5060, "192.0.2.1", 5060, std::nullopt, 200, "OK");
    auto ack = test::message(1, 3000, "192.0.2.1", 5060, a, 5060, "ACK");
    store->on_call(call(1, "answered", 200, "OK", a, 100, 10'000), {invite, retx, ok, ack});
    store->on_call(call(2, "answered", 200, "OK", b, 300, 20'000), {});
    store->on_call(call(3, "busy", 486, "Busy Here", a, 200, std::nullopt), {});
    store->on_call(call(4, "failed", 503, "Service Unavailable", b, std::nullopt, std::nullopt),
                   {});
    store->on_call(call(5, "failed", 503, "Overloaded", b, std::nullopt, std::nullopt), {});
    store->on_call(call(6, "no_answer", 480, "Temporarily Unavailable", a, 400, std::nullopt), {});
    store->on_call(call(7, "in_progress", std::nullopt, "", a, std::nullopt, std::nullopt), {});
    store->on_call(call(8, "no_answer", 408, "Request Timeout", a, std::nullopt, std::nullopt), {});
    store->close();
    db_ = Database::open_read_only(path_);
  }
  TempDir dir_;
  std::string path_;
  std::unique_ptr<Database> db_;
};

TEST_F(StatsTest, CallRatios) {
  const Stats s = compute_stats(*db_);
  EXPECT_EQ(s.calls, 8);
  EXPECT_EQ(s.attempts, 7);  // in_progress has no outcome yet
  EXPECT_EQ(s.answered, 2);
  // ASR = 2 / 7. NER counts answered (2), busy (3) and the no_answer that rang (6): 4 / 7;
  // the 503s and the 408 that never rang are network failures.
  ASSERT_TRUE(s.asr_pct);
  EXPECT_NEAR(*s.asr_pct, 200.0 / 7.0, 1e-9);
  EXPECT_EQ(s.network_effective, 4);
  EXPECT_NEAR(*s.ner_pct, 400.0 / 7.0, 1e-9);
  // ACD over answered calls: (10 s + 20 s) / 2.
  EXPECT_NEAR(*s.acd_s, 15.0, 1e-9);
}

TEST_F(StatsTest, PddNearestRankPercentiles) {
  const Stats s = compute_stats(*db_);
  // Samples 100, 200, 300, 400: p50 rank ceil(0.5 * 4) = 2 -> 200; p90 rank ceil(3.6) = 4.
  EXPECT_EQ(s.pdd_ms.samples, 4);
  EXPECT_EQ(s.pdd_ms.p50, 200.0);
  EXPECT_EQ(s.pdd_ms.p90, 400.0);
  EXPECT_EQ(s.pdd_ms.p99, 400.0);
  EXPECT_EQ(s.pdd_ms.max, 400.0);
  EXPECT_EQ(nearest_rank({}, 50), std::nullopt);
  EXPECT_EQ(nearest_rank({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 95), 10.0);  // rank ceil(9.5) = 10
  EXPECT_EQ(nearest_rank({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 90), 9.0);
}

TEST_F(StatsTest, MessagesAndRetransmissions) {
  const Stats s = compute_stats(*db_);
  ASSERT_EQ(s.methods.size(), 2U);
  EXPECT_EQ(s.methods[0].key, "INVITE");
  EXPECT_EQ(s.methods[0].messages, 2);
  EXPECT_EQ(s.methods[0].retransmissions, 1);
  EXPECT_EQ(s.methods[1].key, "ACK");
  ASSERT_EQ(s.responses.size(), 1U);
  EXPECT_EQ(s.responses[0].key, "200");
  EXPECT_EQ(s.messages, 4);
  EXPECT_EQ(s.retransmissions, 1);
  EXPECT_NEAR(*s.retransmission_pct, 25.0, 1e-9);
}

TEST_F(StatsTest, PeersAndFailures) {
  const Stats s = compute_stats(*db_);
  ASSERT_EQ(s.by_destination.size(), 2U);
  // 198.51.100.1: calls 1, 3, 6, 7, 8; attempts 4 (7 in progress); answered 1 (10 s).
  EXPECT_EQ(s.by_destination[0].peer, "198.51.100.1");
  EXPECT_EQ(s.by_destination[0].calls, 5);
  EXPECT_NEAR(*s.by_destination[0].asr_pct, 25.0, 1e-9);
  EXPECT_NEAR(*s.by_destination[0].acd_s, 10.0, 1e-9);
  EXPECT_EQ(s.by_destination[1].calls, 3);
  EXPECT_NEAR(*s.by_destination[1].asr_pct, 100.0 / 3.0, 1e-9);
  ASSERT_EQ(s.by_source.size(), 1U);
  EXPECT_EQ(s.by_source[0].calls, 8);
  // 503 twice first; ties by code: 408, 480, 486.
  ASSERT_EQ(s.failures.size(), 4U);
  EXPECT_EQ(s.failures[0].code, 503);
  EXPECT_EQ(s.failures[0].calls, 2);
  EXPECT_EQ(s.failures[1].code, 408);
  EXPECT_EQ(s.failures[2].code, 480);
  EXPECT_EQ(s.failures[3].code, 486);
}

TEST_F(StatsTest, JsonAndTableRenderings) {
  const Stats s = compute_stats(*db_);
  const auto j = nlohmann::json::parse(render_stats_json(s));
  EXPECT_EQ(j["answered"], 2);
  EXPECT_EQ(j["pdd_ms"]["p50"], 200.0);
  EXPECT_EQ(j["failures"][0]["code"], 503);
  const std::string table = render_stats_table(s);
  EXPECT_NE(table.find("ASR: 28.6 %   NER: 57.1 %   ACD: 15.0 s"), std::string::npos);
}

TEST(Stats, EmptyDatabaseHasNoRatios) {
  TempDir dir;
  const auto path = dir.file("e.db");
  Store::open(path, Store::Mode::replace)->close();
  const auto s = compute_stats(*Database::open_read_only(path));
  EXPECT_EQ(s.calls, 0);
  EXPECT_EQ(s.asr_pct, std::nullopt);
  EXPECT_EQ(s.ner_pct, std::nullopt);
  EXPECT_EQ(s.acd_s, std::nullopt);
  EXPECT_EQ(s.retransmission_pct, std::nullopt);
}

}  // namespace
}  // namespace sipscope::report
