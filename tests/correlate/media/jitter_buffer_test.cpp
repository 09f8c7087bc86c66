// The adaptive de-jitter buffer of the MOS model (docs/media.md "Jitter buffer model"),
// from transit sequences derived by hand: 20 ms packets, transit in ms.
#include "correlate/media/jitter_buffer.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include <algorithm>
#include <vector>

#include "tests/correlate/media/media_test_support.hpp"

namespace sipscope::correlate::media {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000'000;

// Feeds packets every 20 ms with the given transits; returns the indexes found late.
std::vector<int> late_of(const std::vector<double>& transits,
                         const std::vector<int>& markers = {}) {
  JitterBufferModel jb;
  std::vector<int> late;
  for (size_t i = 0; i < transits.size(); ++i) {
    const bool marker =
        std::find(markers.begin(), markers.end(), static_cast<int>(i)) != markers.end();
    if (jb.update(kT0 + static_cast<int64_t>(i) * 20'000, transits[i], marker))
      late.push_back(static_cast<int>(i));
  }
  return late;
}

TEST(JitterBuffer, ACleanStreamHasNoLatePacket) {
  // 300 packets whose transit alternates 0 / 4 ms (2 ms mean jitter): never 60 ms above the
  // anchor.
  std::vector<double> t;
  for (int i = 0; i < 300; ++i) t.push_back(i % 2 == 0 ? 0.0 : 4.0);
  EXPECT_TRUE(late_of(t).empty());
}

TEST(JitterBuffer, ASenderStallIsThreeLatePacketsNotTheRestOfTheStream) {
  // Transit 0 for packets 0-9, then 200 ms for 10-299 (the sender stalled once and kept the
  // offset; or the path's delay stepped up). 10, 11, 12 exceed the anchor (0) by 200 > 60:
  // late; the third in a row re-anchors the buffer at 200, and 13-299 are on time. A buffer
  // that never re-anchors (the old model) would discard all 290.
  std::vector<double> t(300, 200.0);
  for (int i = 0; i < 10; ++i) t[i] = 0.0;
  EXPECT_EQ(late_of(t), (std::vector<int>{10, 11, 12}));
}

TEST(JitterBuffer, ASingleSpikeIsOneLatePacket) {
  // Packet 50 is delayed 100 ms (transit 100), the others 0: one late, no re-anchoring, so
  // 51 onwards are measured against 0 again.
  std::vector<double> t(100, 0.0);
  t[50] = 100.0;
  EXPECT_EQ(late_of(t), (std::vector<int>{50}));
}

TEST(JitterBuffer, AnEarlierPathIsFollowedAtOnceALaterOneWithinTwoWindows) {
  // Transit 100 for 0-49, then 0 from 50 on: the anchor drops at once (a smaller transit
  // is the new minimum); nothing late. Then the delay steps up by 50 ms only (not beyond
  // the 60 ms depth): nothing late either.
  std::vector<double> t(200, 0.0);
  for (int i = 0; i < 50; ++i) t[i] = 100.0;
  for (int i = 150; i < 200; ++i) t[i] = 50.0;
  EXPECT_TRUE(late_of(t).empty());
}

TEST(JitterBuffer, ATalkspurtStartReAnchors) {
  // Silence suppression: packets 0-9 at transit 0, then a talkspurt (marker on 10) at 150
  // ms: the buffer re-plans playout at the marker; 10-19 are on time.
  std::vector<double> t(20, 150.0);
  for (int i = 0; i < 10; ++i) t[i] = 0.0;
  EXPECT_TRUE(late_of(t, {10}).empty());
  EXPECT_EQ(late_of(t).size(), 3u);  // without the marker: an under-run of three
}

// G.107 Annex B (B-4), for the expectations below.
double mos_of(double r) {
  return 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6;
}

TEST(JitterBuffer, ACleanStreamWithOneStallScoresAsItsCodecAllows) {
  // PCMU, 300 packets every 20 ms, none lost; the path's delay steps up 200 ms at packet
  // 100 and stays. Late: 100, 101, 102 (then the buffer re-anchors). Ppl = 3/300 = 1 %,
  // no loss burst (BurstR 1), G.711 with PLC Ie 0, Bpl 25.1: Ie,eff = 95 * 1 / (1 + 25.1);
  // mean delta (298 * 20 + 220) / 299 = 20.67 ms, Ta = 80.67 ms <= 100: Idd 0.
  // R = 93.2 - 95 / 26.1 = 89.560; MOS 4.328. Without the stall: R 93.2, MOS 4.409.
  for (const bool stall : {true, false}) {
    test::Harness h;
    h.offer_answer(1, test::kT0);
    for (int i = 0; i < 300; ++i) {
      const int64_t delay = stall && i >= 100 ? 200'000 : 0;
      h.udp(test::kMediaA, test::kMediaB,
            test::rtp_bytes(0, static_cast<uint16_t>(i), static_cast<uint32_t>(i) * 160u, 0xa),
            test::kT0 + 100'000 + i * 20'000 + delay);
    }
    h.tracker.finish();
    const auto* s = h.sink.stream(0xa, 6000);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->lost, 0);
    EXPECT_EQ(s->late_discards, stall ? 3 : 0);
    const double r = stall ? 93.2 - 95.0 / 26.1 : 93.2;
    ASSERT_TRUE(s->r_factor && s->mos);
    EXPECT_NEAR(*s->r_factor, r, 1e-6) << stall;
    EXPECT_NEAR(*s->mos, mos_of(r), 1e-6) << stall;
  }
}

}  // namespace
}  // namespace sipscope::correlate::media
