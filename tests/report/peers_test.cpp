#include "report/render_peers.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "correlate/keepalive.hpp"
#include "store/store.hpp"
#include "tests/store/fixtures.hpp"

namespace sipscope::report {
using namespace store;  // the rows, readers and fixtures the renderings are fed from
namespace {

using test::RawDb;
using test::TempDir;

constexpr int64_t kT0 = 1'767'261'600'000'000;  // 2026-01-01T10:00:00Z

correlate::PeerRecord peer(std::string ip, std::string state, int64_t first_us) {
  correlate::PeerRecord p;
  p.pinger_ip = "198.51.100.1";
  p.peer_ip = std::move(ip);
  p.peer_port = 5060;
  p.transport = decode::Transport::udp;
  p.peer_uri = "sip:" + p.peer_ip + ":5060";
  p.first_us = first_us;
  p.last_us = first_us + 100'000'000;
  p.pings = 11;
  p.answered = 7;
  p.timeouts = 4;
  p.failures = 1;
  p.state = correlate::parse_peer_state(state).value();
  p.state_since_us = first_us + 90'000'000;
  p.last_code = 200;
  p.last_rtt_ms = 2.0;
  p.avg_rtt_ms = 2.0;
  p.max_rtt_ms = 2.5;
  p.down_count = 1;
  p.down_ms = 18'002.0;
  return p;
}

correlate::PeerEventRecord event(std::string ip, int64_t ts, std::string from, std::string to) {
  correlate::PeerEventRecord e;
  e.pinger_ip = "198.51.100.1";
  e.peer_ip = std::move(ip);
  e.peer_port = 5060;
  e.ts_us = ts;
  e.previous = correlate::parse_peer_state(from).value();
  e.state = correlate::parse_peer_state(to).value();
  e.reason = to == "down" ? "no response within 32 s (Timer F)" : "200 OK";
  if (to == "up") e.code = 200;
  e.capture_id = 1;
  e.frame = 17;
  if (from != "unknown") e.previous_ms = 71'998.0;
  return e;
}

class PeersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.file("p.db");
    auto store = Store::open(path_, Store::Mode::replace);
    store->on_peer_event(event("203.0.113.5", kT0 + 2'000, "unknown", "up"));
    store->on_peer_event(event("203.0.113.5", kT0 + 72'000'000, "up", "down"));
    store->on_peer(peer("203.0.113.6", "up", kT0 + 5'000'000));
    store->on_peer(peer("203.0.113.5", "down", kT0));
    store->close();
  }
  TempDir dir_;
  std::string path_;
};

TEST_F(PeersTest, StoredColumns) {
  RawDb db(path_);
  EXPECT_EQ(db.integer("SELECT count(*) FROM peers"), 2);
  EXPECT_EQ(db.value("SELECT reason FROM peer_events WHERE state = 'down'"),
            "no response within 32 s (Timer F)");
  EXPECT_EQ(db.value("SELECT typeof(code) FROM peer_events WHERE state = 'down'"), "null");
  EXPECT_EQ(db.value("SELECT typeof(previous_ms) FROM peer_events WHERE previous = 'unknown'"),
            "null");
}

TEST_F(PeersTest, FiltersAndOrder) {
  const auto db = Database::open_read_only(path_);
  const auto all = list_peers(*db, {});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].peer_ip, "203.0.113.5");  // by first ping
  EXPECT_EQ(all[0].down_ms, 18'002.0);
  EXPECT_EQ(list_peers(*db, {.state = "down"}).size(), 1u);
  EXPECT_EQ(list_peers(*db, {.peer = "113.6:5060"}).size(), 1u);
  EXPECT_EQ(list_peers(*db, {.peer = "sip:203.0.113.6"}).size(), 1u);  // by URI
  EXPECT_EQ(list_peers(*db, {.pinger = "10.0."}).size(), 0u);
  EXPECT_EQ(list_peers(*db, {.limit = 1}).size(), 1u);
  const auto events = list_peer_events(*db, {.state = "down"});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].ts_us, kT0 + 72'000'000);
  EXPECT_EQ(events[0].frame, 17u);
  EXPECT_EQ(list_peer_events(*db, {.since_us = kT0 + 1'000'000}).size(), 1u);
}

TEST_F(PeersTest, Renderings) {
  const auto db = Database::open_read_only(path_);
  const auto peers = list_peers(*db, {});
  const std::string table = render_peers_table(peers);
  EXPECT_NE(table.find("203.0.113.5:5060"), std::string::npos) << table;
  EXPECT_NE(table.find("18.002 s"), std::string::npos) << table;
  EXPECT_NE(table.find("2 peers\n"), std::string::npos);
  const auto j = nlohmann::json::parse(render_peers_json(peers));
  EXPECT_EQ(j[1]["peer_uri"], "sip:203.0.113.6:5060");
  EXPECT_EQ(j[0]["max_rtt_ms"], 2.5);
  const std::string csv = render_peers_csv(peers);
  EXPECT_EQ(csv.rfind("pinger_ip,peer_ip,peer_port,", 0), 0u);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3);
  const auto events = list_peer_events(*db, {});
  const std::string et = render_peer_events_table(events);
  EXPECT_NE(et.find("2026-01-01T10:01:12.000Z"), std::string::npos) << et;
  EXPECT_NE(et.find("up -> down"), std::string::npos);
  EXPECT_NE(et.find("71.998 s"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(render_peer_events_json(events))[0]["code"], 200);
  EXPECT_NE(render_peer_events_csv(events).find(",down,up,"), std::string::npos);
}

}  // namespace
}  // namespace sipscope::report
