#include "report/render_activity.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "correlate/subscription.hpp"
#include "store/store.hpp"
#include "tests/store/fixtures.hpp"

namespace sipscope::report {
using namespace store;  // the rows, readers and fixtures the renderings are fed from
namespace {

using test::RawDb;
using test::TempDir;

correlate::SubscriptionRecord subscription(std::string call_id, std::string state, int64_t start) {
  correlate::SubscriptionRecord s;
  s.sip_call_id = std::move(call_id);
  s.event = "presence";
  s.subscriber_uri = "sip:alice@atlanta.example.com";
  s.resource_uri = "sip:bob@biloxi.example.com";
  s.subscriber_ip = "192.0.2.10";
  s.notifier_ip = "198.51.100.20";
  s.transport = decode::Transport::udp;
  s.start_us = start;
  s.state = correlate::parse_sub_state(state).value();
  s.final_code = 200;
  s.subscribes = 3;
  s.refreshes = 2;
  s.notifies = 4;
  s.history = "pending active terminated:timeout";
  return s;
}

correlate::ActivityRecord transaction(std::string method, std::string result, int64_t start) {
  correlate::ActivityRecord a;
  a.method = std::move(method);
  a.sip_call_id = "m" + std::to_string(start);
  a.cseq = 1;
  a.from_user = "alice";
  a.to_user = "carol";
  a.from_uri = "sip:alice@atlanta.example.com";
  a.to_uri = "sip:carol@biloxi.example.com";
  a.src_ip = "192.0.2.10";
  a.dst_ip = "198.51.100.30";
  a.transport = decode::Transport::udp;
  a.capture_id = 1;
  a.frame = 3;
  a.start_us = start;
  a.result = std::move(result);
  if (a.result == "success") {
    a.final_code = 200;
    a.response_ms = 4.0;
  }
  if (a.method == "PUBLISH") {
    a.event = "presence";
    a.action = "refresh";
    a.if_match = "dx200xyz";
    a.etag = "kwj449x";
  } else {
    a.content_type = "text/plain";
    a.body_bytes = 5;
  }
  return a;
}

class ActivityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.file("a.db");
    auto store = Store::open(path_, Store::Mode::replace);
    store->on_activity(transaction("MESSAGE", "success", 3'000'000));
    store->on_subscription(subscription("s1", "terminated", 2'000'000));
    store->on_activity(transaction("PUBLISH", "success", 1'000'000));
    store->on_activity(transaction("MESSAGE", "no_response", 4'000'000));
    store->close();
  }
  TempDir dir_;
  std::string path_;
};

TEST_F(ActivityTest, StoredColumns) {
  RawDb db(path_);
  EXPECT_EQ(db.integer("SELECT count(*) FROM activity"), 3);
  EXPECT_EQ(db.value("SELECT history FROM subscriptions"), "pending active terminated:timeout");
  EXPECT_EQ(db.value("SELECT typeof(final_code) FROM activity WHERE result = 'no_response'"),
            "null");
}

TEST_F(ActivityTest, MergedInTimeOrderWithFilters) {
  const auto db = Database::open_read_only(path_);
  const auto all = list_activity(*db, {});
  ASSERT_EQ(all.size(), 4u);
  EXPECT_TRUE(all[0].transaction && all[0].transaction->method == "PUBLISH");
  EXPECT_TRUE(all[1].subscription);
  EXPECT_EQ(all[3].start_us(), 4'000'000);
  EXPECT_EQ(list_activity(*db, {.kind = "subscribe"}).size(), 1u);
  EXPECT_EQ(list_activity(*db, {.kind = "message"}).size(), 2u);
  EXPECT_EQ(list_activity(*db, {.kind = "publish"}).size(), 1u);
  EXPECT_EQ(list_activity(*db, {.user = "BOB"}).size(), 1u);  // the subscription's resource
  EXPECT_EQ(list_activity(*db, {.result = "no_response"}).size(), 1u);
  EXPECT_EQ(list_activity(*db, {.call_id = "s1"}).size(), 1u);
  EXPECT_EQ(list_activity(*db, {.since_us = 2'000'000, .until_us = 4'000'000}).size(), 2u);
  EXPECT_EQ(list_activity(*db, {.limit = 2}).size(), 2u);
}

TEST_F(ActivityTest, Renderings) {
  const auto db = Database::open_read_only(path_);
  const auto all = list_activity(*db, {});
  const std::string table = render_activity_table(all);
  EXPECT_NE(table.find("terminated"), std::string::npos) << table;
  EXPECT_NE(table.find("states=pending active terminated:timeout"), std::string::npos);
  EXPECT_NE(table.find("action=refresh etag=kwj449x if-match=dx200xyz"), std::string::npos);
  EXPECT_NE(table.find("4 items\n"), std::string::npos);
  const auto j = nlohmann::json::parse(render_activity_json(all));
  EXPECT_EQ(j[0]["kind"], "publish");
  EXPECT_EQ(j[1]["kind"], "subscribe");
  EXPECT_EQ(j[1]["notifies"], 4);
  EXPECT_EQ(j[3]["result"], "no_response");
  const std::string csv = render_activity_csv(all);
  EXPECT_EQ(csv.rfind("kind,sip_call_id,start_us,", 0), 0u);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 5);
}

}  // namespace
}  // namespace sipscope::report
