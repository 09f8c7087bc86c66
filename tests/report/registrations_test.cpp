#include "report/render_registrations.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "store/store.hpp"
#include "tests/store/fixtures.hpp"

namespace sipscope::report {
using namespace store;  // the rows, readers and fixtures the renderings are fed from
namespace {

using test::RawDb;
using test::TempDir;

correlate::RegistrationRecord reg(std::string call_id, std::string user, std::string result,
                                  int64_t start_us) {
  correlate::RegistrationRecord r;
  r.sip_call_id = std::move(call_id);
  r.user = user;
  r.aor = "sip:" + user + "@example.com";
  r.contact = "sip:" + user + "@192.0.2.10:5060";
  r.registrant_ip = "192.0.2.10";
  r.registrar_ip = "192.0.2.20";
  r.transport = decode::Transport::udp;
  r.start_us = start_us;
  r.end_us = start_us + 70'000;
  r.requested_expires = 3600;
  r.result = std::move(result);
  r.final_code = r.result == "registered" ? 200 : 403;
  r.final_reason = r.result == "registered" ? "OK" : "Forbidden";
  if (r.result == "registered") r.expires = 1800;
  r.attempts = 2;
  r.challenges = 1;
  r.response_ms = 70.0;
  return r;
}

class RegistrationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.file("r.db");
    auto store = Store::open(path_, Store::Mode::replace);
    store->on_registration(reg("c1", "alice", "registered", 2'000'000));
    store->on_registration(reg("c2", "bob", "failed", 1'000'000));
    store->on_registration(reg("c3", "Alicia", "failed", 3'000'000));
    store->close();
  }
  TempDir dir_;
  std::string path_;
};

TEST_F(RegistrationsTest, StoredColumns) {
  RawDb db(path_);
  EXPECT_EQ(db.integer("SELECT count(*) FROM registrations"), 3);
  EXPECT_EQ(db.value("SELECT contact FROM registrations WHERE sip_call_id = 'c1'"),
            "sip:alice@192.0.2.10:5060");
  EXPECT_EQ(db.integer("SELECT expires FROM registrations WHERE sip_call_id = 'c1'"), 1800);
  EXPECT_EQ(db.value("SELECT typeof(expires) FROM registrations WHERE sip_call_id = 'c2'"), "null");
}

TEST_F(RegistrationsTest, FiltersAndOrder) {
  const auto db = Database::open_read_only(path_);
  const auto all = list_registrations(*db, {});
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].sip_call_id, "c2");  // by start time
  EXPECT_EQ(all[1].sip_call_id, "c1");
  EXPECT_EQ(list_registrations(*db, {.result = "failed"}).size(), 2u);
  EXPECT_EQ(list_registrations(*db, {.user = "ALI"}).size(), 2u);  // case-insensitive
  EXPECT_EQ(list_registrations(*db, {.call_id = "c3"}).size(), 1u);
  EXPECT_EQ(list_registrations(*db, {.since_us = 2'000'000, .until_us = 3'000'000}).size(), 1u);
  EXPECT_EQ(list_registrations(*db, {.limit = 1}).size(), 1u);
  const auto r = list_registrations(*db, {.call_id = "c1"}).at(0);
  EXPECT_EQ(r.result, "registered");
  EXPECT_EQ(r.final_code, 200);
  EXPECT_EQ(r.attempts, 2);
  EXPECT_EQ(r.challenges, 1);
  EXPECT_DOUBLE_EQ(*r.response_ms, 70.0);
}

TEST_F(RegistrationsTest, Renderings) {
  const auto db = Database::open_read_only(path_);
  const auto rows = list_registrations(*db, {});
  const auto json = nlohmann::json::parse(render_registrations_json(rows));
  ASSERT_EQ(json.size(), 3u);
  EXPECT_EQ(json[1]["user"], "alice");
  EXPECT_EQ(json[0]["expires"], nullptr);
  const std::string csv = render_registrations_csv(rows);
  EXPECT_EQ(csv.substr(0, csv.find("\r\n")),
            "sip_call_id,user,aor,contact,registrant_ip,registrar_ip,transport,start_us,end_us,"
            "requested_expires,expires,result,final_code,final_reason,attempts,challenges,"
            "response_ms");
  EXPECT_NE(csv.find("c1,alice,sip:alice@example.com,"), std::string::npos);
  const std::string table = render_registrations_table(rows);
  EXPECT_NE(table.find("registered"), std::string::npos);
  EXPECT_NE(table.find("3 registrations"), std::string::npos);
}

}  // namespace
}  // namespace sipscope::report
