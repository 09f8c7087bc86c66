// MediaTracker's table bounds (MediaLimits): at each bound the oldest item goes with its
// named anomaly and processing goes on; idle items leave by the expiry queues. Asserted by
// table sizes and anomaly counts, never by time.
#include <gtest/gtest.h>

#include <string>

#include "correlate/media/media_tracker.hpp"
#include "correlate/media/sdp_bindings.hpp"
#include "tests/correlate/media/media_test_support.hpp"

namespace sipscope::correlate::media {
namespace {

using test::ep;

constexpr int64_t kT0 = 1'700'000'000'000'000;
constexpr int64_t kSec = 1'000'000;

struct Harness {
  explicit Harness(MediaLimits limits) : tracker(sink, limits) {}
  test::Sink sink;
  MediaTracker tracker;
  uint64_t frame = 0;

  // An SDP offer for call `call_id` announcing 10.0.x.y:port (RTP; RTCP on port + 1).
  void offer(int64_t call_id, int n, int64_t ts) {
    const std::string ip = "10.0." + std::to_string(n / 250) + "." + std::to_string(n % 250 + 1);
    test::SipFixture f(
        test::sip_text("INVITE sip:b@x SIP/2.0", "1 INVITE", test::sdp(ip, 20000, "0")),
        ep({192, 0, 2, 1}, 5060), ep({192, 0, 2, 2}, 5060), ts, ++frame);
    tracker.advance(ts);
    tracker.on_sip(f.event, call_id);
  }
  // Two consecutive RTP packets of one SSRC nobody announced (a stream for certain).
  void orphan_stream(uint32_t ssrc, int64_t ts) {
    for (uint16_t i = 0; i < 2; ++i) {
      const auto bytes = test::rtp_bytes(0, static_cast<uint16_t>(100 + i), 160u * i, ssrc);
      decode::UdpDatagram d{{1, ++frame, ts + i * 20'000},
                            ep({198, 51, 100, 1}, 30000),
                            ep({198, 51, 100, 2}, 30002),
                            bytes};
      tracker.advance(ts + i * 20'000);
      tracker.on_udp(d);
    }
  }
};

TEST(MediaLimits, StreamTableFullFlushesTheQuietestStream) {
  Harness h({.max_streams = 4});
  for (uint32_t s = 1; s <= 10; ++s) h.orphan_stream(s, kT0 + s * kSec);
  EXPECT_EQ(h.tracker.open().streams, 4U);
  EXPECT_EQ(h.sink.count_anomaly(decode::AnomalyKind::stream_table_full), 6U);
  ASSERT_EQ(h.sink.streams.size(), 6U);  // flushed early, oldest first
  for (uint32_t s = 1; s <= 6; ++s) EXPECT_EQ(h.sink.streams[s - 1].ssrc, s);
  h.tracker.finish();
  EXPECT_EQ(h.sink.streams.size(), 10U);  // every packet still in a row
  for (const auto& st : h.sink.streams) EXPECT_EQ(st.packets, 2);
}

TEST(MediaLimits, StreamTableFullKeepsTheActiveStream) {
  // Stream 1 keeps sending: the quietest is another one, though 1 is the oldest.
  Harness h({.max_streams = 2});
  h.orphan_stream(1, kT0);
  h.orphan_stream(2, kT0 + kSec);
  h.orphan_stream(1, kT0 + 2 * kSec);  // same SSRC and addresses: stream 1 again
  h.orphan_stream(3, kT0 + 3 * kSec);
  EXPECT_EQ(h.sink.count_anomaly(decode::AnomalyKind::stream_table_full), 1U);
  ASSERT_EQ(h.sink.streams.size(), 1U);
  EXPECT_EQ(h.sink.streams[0].ssrc, 2U);
}

TEST(MediaLimits, SdpBindingTableFullForgetsTheOldestAddresses) {
  Harness h({.max_sdp_bindings = 6});
  for (int i = 0; i < 5; ++i) h.offer(i + 1, i, kT0 + i * kSec);  // 2 addresses each
  EXPECT_EQ(h.tracker.open().sdp_bindings, 6U);
  EXPECT_EQ(h.sink.count_anomaly(decode::AnomalyKind::sdp_binding_table_full),
            2U);  // calls 4 and 5
}

TEST(MediaLimits, CallMediaTableFullFlushesTheQuietestCall) {
  Harness h({.max_call_media = 3});
  for (int i = 0; i < 8; ++i) h.offer(i + 1, i, kT0 + i * kSec);
  EXPECT_EQ(h.tracker.open().call_media, 3U);
  EXPECT_EQ(h.sink.count_anomaly(decode::AnomalyKind::call_media_table_full), 5U);
  // A flushed call's addresses are forgotten with it.
  EXPECT_EQ(h.tracker.open().sdp_bindings, 6U);
}

TEST(MediaLimits, CallsWithoutSdpKeepNoMediaEntry) {
  Harness h({});
  test::SipFixture f(test::sip_text("INVITE sip:b@x SIP/2.0", "1 INVITE", ""),
                     ep({192, 0, 2, 1}, 5060), ep({192, 0, 2, 2}, 5060), kT0, 1);
  h.tracker.on_sip(f.event, 1);
  EXPECT_EQ(h.tracker.open().call_media, 0U);
}

TEST(MediaLimits, IdleStreamsAndCallsExpireInTimeOrder) {
  MediaLimits limits;
  limits.stream_idle_us = 1000 * kSec;  // calls: 2000 s after their last message
  Harness h(limits);
  for (int i = 1; i <= 50; ++i) {
    h.offer(i, i, kT0 + i * kSec);
    h.orphan_stream(static_cast<uint32_t>(i), kT0 + i * kSec);
  }
  // Idle streams: last packet (i s + 20 ms) more than 1000 s before 1040 s: 1..39.
  h.tracker.advance(kT0 + 1040 * kSec);
  EXPECT_EQ(h.tracker.open().streams, 11U);
  ASSERT_EQ(h.sink.streams.size(), 39U);
  for (uint32_t s = 1; s <= 39; ++s) EXPECT_EQ(h.sink.streams[s - 1].ssrc, s);
  EXPECT_EQ(h.tracker.open().call_media, 50U);
  // Call entries (last message at i s) idle more than 2000 s at 2040 s: 1..39, and the
  // addresses their SDP bound go with them.
  h.tracker.advance(kT0 + 2040 * kSec);
  EXPECT_EQ(h.tracker.open().streams, 0U);
  EXPECT_EQ(h.tracker.open().call_media, 11U);
  EXPECT_EQ(h.tracker.open().sdp_bindings, 22U);
  EXPECT_TRUE(h.sink.anomalies.empty());
}

TEST(SdpBindingsLimit, OldestAnnouncementGoesFirstAndReannouncingRenews) {
  SdpBindings b(3);
  auto announce = [&](int64_t call, uint16_t port, int64_t ts) {
    const std::string text = test::sdp("192.0.2.5", port, "0", "a=rtcp-mux\r\n");
    decode::sdp::Session s;
    EXPECT_EQ(decode::sdp::parse_sdp(text, s), decode::sdp::SdpError::ok);
    return b.announce(call, {1, 1, ts}, ep({192, 0, 2, 1}, 5060), s);
  };
  (void)announce(1, 4000, 1);
  (void)announce(2, 4002, 2);
  (void)announce(3, 4004, 3);
  (void)announce(4, 4000, 4);  // 4000 re-announced: now the youngest
  const auto r = announce(5, 4006, 5);
  EXPECT_EQ(r.evicted, 1);
  EXPECT_EQ(b.size(), 3U);
  EXPECT_EQ(b.find(ep({192, 0, 2, 5}, 4002)), nullptr);  // the oldest went
  ASSERT_NE(b.find(ep({192, 0, 2, 5}, 4000)), nullptr);
  EXPECT_EQ(b.find(ep({192, 0, 2, 5}, 4000))->call_id, 4);
  b.expire(5);  // made before 5: 4004 (3) and 4000 (4)
  EXPECT_EQ(b.size(), 1U);
  EXPECT_NE(b.find(ep({192, 0, 2, 5}, 4006)), nullptr);
  b.forget(4, ep({192, 0, 2, 5}, 4006));  // bound to call 5, not 4: kept
  EXPECT_EQ(b.size(), 1U);
  b.forget(5, ep({192, 0, 2, 5}, 4006));
  EXPECT_EQ(b.size(), 0U);
  EXPECT_EQ(b.find_port(4006, nullptr), nullptr);
}

}  // namespace
}  // namespace sipscope::correlate::media
