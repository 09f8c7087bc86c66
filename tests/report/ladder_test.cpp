#include "report/ladder.hpp"

#include <gtest/gtest.h>

#include <functional>

#include "store/store.hpp"
#include "tests/store/fixtures.hpp"

namespace sipscope::report {
using namespace store;  // the rows, readers and fixtures the renderings are fed from
namespace {

using test::message;
using test::TempDir;

constexpr int64_t kT = 1'709'294'400'000'000;
const std::string kA = "192.0.2.1";    // caller
const std::string kP = "192.0.2.10";   // proxy
const std::string kB = "2001:db8::2";  // callee, IPv6

// Caller -> proxy -> callee, with a tie in time (two 180s forwarded in the same
// microsecond), a retransmitted INVITE, and a final 200 stored before the retransmission
// (so its message id is lower although it is later in time).
std::vector<correlate::MessageRecord> proxied_call(int64_t call_id) {
  auto retx = message(call_id, kT + 500'000, kA, 5060, kP, 5060, "INVITE");
  retx.retransmission = true;
  return {
      message(call_id, kT, kA, 5060, kP, 5060, "INVITE"),
      message(call_id, kT + 800, kP, 5060, kA, 5060, std::nullopt, 100, "Trying"),
      message(call_id, kT + 1'500, kP, 5060, kB, 5062, "INVITE"),
      message(call_id, kT + 250'000, kB, 5062, kP, 5060, std::nullopt, 180, "Ringing"),
      message(call_id, kT + 250'000, kP, 5060, kA, 5060, std::nullopt, 180, "Ringing"),
      message(call_id, kT + 2'000'000, kB, 5062, kP, 5060, std::nullopt, 200, std::nullopt),
      retx,
  };
}

class LadderTest : public ::testing::Test {
 protected:
  void open_db(const std::function<void(Store&)>& fill) {
    path_ = dir_.file("l.db");
    auto store = Store::open(path_, Store::Mode::replace);
    fill(*store);
    store->close();
    db_ = Database::open_read_only(path_);
  }
  TempDir dir_;
  std::string path_;
  std::unique_ptr<Database> db_;
};

TEST_F(LadderTest, ParticipantsInOrderOfFirstAppearance) {
  open_db([](Store& s) { s.on_call(test::full_call(1, "c1"), proxied_call(1)); });
  const Ladder l = build_ladder(*db_, {1});
  ASSERT_EQ(l.participants.size(), 3U);
  EXPECT_EQ(l.participants[0].index, 0);
  EXPECT_EQ(l.participants[0].address, "192.0.2.1:5060");
  EXPECT_EQ(l.participants[1].index, 1);
  EXPECT_EQ(l.participants[1].address, "192.0.2.10:5060");
  EXPECT_EQ(l.participants[2].index, 2);
  EXPECT_EQ(l.participants[2].address, "[2001:db8::2]:5062");  // RFC 3986 bracketed literal
}

TEST_F(LadderTest, EventsOrderedByTimeThenIdWithDeltasAndOffsets) {
  open_db([](Store& s) { s.on_call(test::full_call(1, "c1"), proxied_call(1)); });
  const Ladder l = build_ladder(*db_, {1});
  ASSERT_EQ(l.events.size(), 7U);
  // Hand-derived from proxied_call(): times relative to kT are 0, 800, 1500, 250000,
  // 250000, 500000 (retransmission), 2000000.
  const std::vector<int64_t> offsets{0, 800, 1'500, 250'000, 250'000, 500'000, 2'000'000};
  const std::vector<int64_t> deltas{0, 800, 700, 248'500, 0, 250'000, 1'500'000};
  const std::vector<std::pair<int, int>> lanes{{0, 1}, {1, 0}, {1, 2}, {2, 1},
                                               {1, 0}, {0, 1}, {2, 1}};
  const std::vector<std::string> labels{"INVITE",      "100 Trying", "INVITE", "180 Ringing",
                                        "180 Ringing", "INVITE",     "200"};
  for (size_t i = 0; i < l.events.size(); ++i) {
    const auto& e = l.events[i];
    EXPECT_EQ(e.ts_us, kT + offsets[i]) << i;
    EXPECT_EQ(e.offset_us, offsets[i]) << i;
    EXPECT_EQ(e.delta_prev_us, deltas[i]) << i;
    EXPECT_EQ(e.from, lanes[i].first) << i;
    EXPECT_EQ(e.to, lanes[i].second) << i;
    EXPECT_EQ(e.label, labels[i]) << i;
    EXPECT_EQ(e.call_id, 1) << i;
    EXPECT_EQ(e.retransmission, i == 5) << i;
  }
  // The tie at +250 ms keeps storage order: the callee's 180 was stored first.
  EXPECT_LT(l.events[3].message_id, l.events[4].message_id);
  // The retransmission was stored last but is drawn before the 200.
  EXPECT_GT(l.events[5].message_id, l.events[6].message_id);
  ASSERT_EQ(l.calls.size(), 1U);
  test::expect_same_call(l.calls[0], test::full_call(1, "c1"));
}

TEST_F(LadderTest, EventCarriesMessageColumns) {
  auto m = message(1, kT, kA, 5060, kP, 5061, std::nullopt, 486, "Busy Here");
  m.capture_id = 3;
  m.frame = 77;
  m.transport = decode::Transport::tls;
  m.cseq = 4711;
  m.cseq_method = "INVITE";
  m.raw = "SIP/2.0 486 Busy Here\r\nCSeq: 4711 INVITE\r\n\r\n";
  open_db([&](Store& s) { s.on_call(test::full_call(1, "c1"), {m}); });
  const Ladder l = build_ladder(*db_, {1});
  ASSERT_EQ(l.events.size(), 1U);
  const auto& e = l.events[0];
  EXPECT_GT(e.message_id, 0);
  EXPECT_EQ(e.capture_id, 3U);
  EXPECT_EQ(e.frame, 77U);
  EXPECT_EQ(e.transport, "TLS");
  EXPECT_EQ(e.method, std::nullopt);
  EXPECT_EQ(e.status_code, 486);
  EXPECT_EQ(e.cseq, 4711);
  EXPECT_EQ(e.cseq_method, "INVITE");
  EXPECT_EQ(e.raw, m.raw);
  EXPECT_EQ(e.label, "486 Busy Here");
}

TEST_F(LadderTest, LegsInterleaveInTimeAndIdsAreDeduplicated) {
  open_db([](Store& s) {
    s.on_call(test::full_call(1, "leg-a"),
              {message(1, 100, kA, 5060, kP, 5060, "INVITE"),
               message(1, 400, kP, 5060, kA, 5060, std::nullopt, 200, "OK")});
    s.on_call(test::full_call(2, "leg-b"),
              {message(2, 200, kP, 5080, kB, 5060, "INVITE"),
               message(2, 300, kB, 5060, kP, 5080, std::nullopt, 200, "OK")});
  });
  // 9 does not exist and is skipped; 2 twice is one leg.
  const Ladder l = build_ladder(*db_, {2, 1, 2, 9});
  ASSERT_EQ(l.calls.size(), 2U);
  EXPECT_EQ(l.calls[0].id, 2);
  EXPECT_EQ(l.calls[1].id, 1);
  ASSERT_EQ(l.events.size(), 4U);
  EXPECT_EQ(l.events[0].call_id, 1);
  EXPECT_EQ(l.events[1].call_id, 2);
  EXPECT_EQ(l.events[2].call_id, 2);
  EXPECT_EQ(l.events[3].call_id, 1);
  // The proxy uses a different port on each leg; its two ports never exchange a packet,
  // so they are one node (report/nodes.hpp rule 1), lanes in first appearance.
  ASSERT_EQ(l.participants.size(), 3U);
  EXPECT_EQ(l.participants[0].address, "192.0.2.1:5060");
  EXPECT_EQ(l.participants[1].address, "192.0.2.10:5060");
  EXPECT_EQ(l.participants[1].addresses,
            (std::vector<std::string>{"192.0.2.10:5060", "192.0.2.10:5080"}));
  EXPECT_EQ(l.participants[2].address, "[2001:db8::2]:5060");
  EXPECT_EQ(l.participants[2].addresses, std::vector<std::string>{"[2001:db8::2]:5060"});
  EXPECT_EQ(l.events[1].from, 1);  // leg B's INVITE leaves the proxy lane
  EXPECT_EQ(l.events[1].to, 2);
  EXPECT_EQ(l.events[3].offset_us, 300);
  EXPECT_EQ(l.events[3].delta_prev_us, 100);
}

TEST_F(LadderTest, UnknownCallGivesEmptyLadder) {
  open_db([](Store&) {});
  const Ladder l = build_ladder(*db_, {1});
  EXPECT_TRUE(l.calls.empty());
  EXPECT_TRUE(l.participants.empty());
  EXPECT_TRUE(l.events.empty());
}

TEST_F(LadderTest, MessagesOutsideTheCallAreNotIncluded) {
  open_db([](Store& s) {
    s.on_call(test::full_call(1, "c1"), {message(1, 100, kA, 5060, kP, 5060, "INVITE")});
    s.on_message(message(std::nullopt, 150, kA, 5060, kP, 5060, "OPTIONS"));
  });
  EXPECT_EQ(build_ladder(*db_, {1}).events.size(), 1U);
}

// A B2BUA passing SDP through (docs/media.md "Media shared by call legs"): leg 1 (A <-> B2BUA)
// and leg 2 (B2BUA <-> C) both carry A's offer (A:4000) and C's answer (C:6000). The media
// tracker gave stream A->C to leg 1 and C->A to leg 2 and linked the legs `shared_media`.
// Each leg negotiated both directions, so each leg's ladder lists both streams, the other
// leg's marked as shared; a stream of leg 2 between addresses leg 1 never announced
// (D:7000 -> E:8000, a later re-INVITE of leg 2 alone) is not leg 1's.
TEST_F(LadderTest, StreamsOfALegSharingTheMediaAreListedOnBoth) {
  const std::string kC = "198.51.100.3", kX = "203.0.113.9";
  const auto sdp_message = [](int64_t call, int64_t ts, const std::string& src,
                              const std::string& dst, std::optional<std::string> method,
                              std::optional<int> code, const std::string& ip, int port) {
    const std::string body = "v=0\r\no=- 1 1 IN IP4 " + ip + "\r\ns=-\r\nc=IN IP4 " + ip +
                             "\r\nt=0 0\r\nm=audio " + std::to_string(port) + " RTP/AVP 0\r\n";
    auto m = message(call, ts, src, 5060, dst, 5060, method, code,
                     code ? std::optional<std::string>("OK") : std::nullopt);
    m.raw = (method ? *method + " sip:x@" + dst + " SIP/2.0" : "SIP/2.0 200 OK") +
            "\r\nCall-ID: leg" + std::to_string(call) +
            "\r\nContent-Type: application/sdp\r\nContent-Length: " + std::to_string(body.size()) +
            "\r\n\r\n" + body;
    return m;
  };
  const auto stream = [](int64_t call, const std::string& src, int sp, const std::string& dst,
                         int dp, uint32_t ssrc) {
    correlate::StreamRecord r;
    r.call_id = call;
    r.capture_id = 1;
    r.src_ip = src;
    r.src_port = static_cast<uint16_t>(sp);
    r.dst_ip = dst;
    r.dst_port = static_cast<uint16_t>(dp);
    r.ssrc = ssrc;
    r.first_us = kT + 3'000'000;
    r.last_us = kT + 9'000'000;
    r.packets = 300;
    return r;
  };
  open_db([&](Store& s) {
    s.on_call(test::full_call(1, "leg1"),
              {sdp_message(1, kT, kA, kX, "INVITE", std::nullopt, kA, 4000),
               sdp_message(1, kT + 2'000'000, kX, kA, std::nullopt, 200, kC, 6000)});
    s.on_call(test::full_call(2, "leg2"),
              {sdp_message(2, kT + 1'000, kX, kC, "INVITE", std::nullopt, kA, 4000),
               sdp_message(2, kT + 1'990'000, kC, kX, std::nullopt, 200, kC, 6000)});
    s.on_call_link({2, 1, "shared_media", 1});
    s.on_stream(stream(1, kA, 4000, kC, 6000, 0x11));
    s.on_stream(stream(2, kC, 6000, kA, 4000, 0x22));
    s.on_stream(stream(2, "192.0.2.77", 7000, "192.0.2.88", 8000, 0x33));
  });
  const Ladder leg1 = build_ladder(*db_, {1});
  ASSERT_EQ(leg1.streams.size(), 2U);
  EXPECT_EQ(leg1.streams[0].ssrc, 0x11U);
  EXPECT_EQ(shared_from(leg1, leg1.streams[0]), std::nullopt);
  EXPECT_EQ(leg1.streams[1].ssrc, 0x22U);
  EXPECT_EQ(shared_from(leg1, leg1.streams[1]), 2);

  const Ladder leg2 = build_ladder(*db_, {2});
  ASSERT_EQ(leg2.streams.size(), 3U);  // its own two, then leg 1's A->C
  EXPECT_EQ(leg2.streams[2].ssrc, 0x11U);
  EXPECT_EQ(shared_from(leg2, leg2.streams[2]), 1);

  const auto for_streams_call_1 = shared_streams(*db_, 1);  // `sipscope streams --call 1`
  ASSERT_EQ(for_streams_call_1.size(), 1U);
  EXPECT_EQ(for_streams_call_1[0].ssrc, 0x22U);
  EXPECT_EQ(for_streams_call_1[0].call_id, 2);

  const Ladder both = build_ladder(*db_, {1, 2});  // each stream once, none "shared"
  ASSERT_EQ(both.streams.size(), 3U);
  for (const auto& st : both.streams) EXPECT_EQ(shared_from(both, st), std::nullopt);
  EXPECT_NE(render_text(leg1, 120).find("(call 2's stream, shared media)"), std::string::npos);
}

}  // namespace
}  // namespace sipscope::report
