// Per-interval samples (correlate/media/stream_series.hpp), driven the way MediaTracker
// drives them, with expectations derived by hand in each test.
#include "correlate/media/stream_series.hpp"

#include <gtest/gtest.h>

#include "correlate/media/rtp_stats.hpp"

namespace sipscope::correlate::media {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000'000;

// A 20 ms PCMU sender (160 timestamp units per packet) received with the given arrival
// offsets; `drop(n)` removes packet n. Mirrors MediaTracker::on_rtp's calls.
struct Feed {
  StreamSeries series;
  SequenceStats seq;
  TransitStats transit;
  int64_t last_us = -1;

  void packet(int n, int64_t extra_delay_us = 0) {
    const int64_t ts = kT0 + n * 20'000 + extra_delay_us;
    const int64_t gap = last_us < 0 ? -1 : ts - last_us;
    series.begin_packet(ts, seq, 0);
    last_us = ts;
    seq.update(static_cast<uint16_t>(n));
    transit.update(ts, static_cast<uint32_t>(n * 160), 0, false, 8000);
    series.end_packet(gap, transit.has_jitter(), transit.jitter_ms());
  }
  std::vector<StreamSampleRecord> samples() {
    std::vector<StreamSampleRecord> out;
    series.emit(seq.expected(), 0, out);
    return out;
  }
};

TEST(StreamSeries, OneSecondIntervalsCountPacketsAndLoss) {
  // 150 packets (3 s); packets 60..64 lost (in the second interval, [1 s, 2 s) =
  // packets 50..99). Interval k holds packets 50k..50k+49: 50, 45, 50 packets; expected
  // grows by 50 per interval: at the first packet of interval 1 (n = 50) expected is 50,
  // at n = 100 it is 100, at the end 150.
  Feed f;
  for (int n = 0; n < 150; ++n)
    if (n < 60 || n > 64) f.packet(n);
  const auto s = f.samples();
  ASSERT_EQ(s.size(), 3U);
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(s[k].start_us, kT0 + static_cast<int64_t>(k) * 1'000'000);
    EXPECT_EQ(s[k].interval_ms, 1000);
    EXPECT_EQ(s[k].expected, 50);
  }
  EXPECT_EQ(s[0].packets, 50);
  EXPECT_EQ(s[1].packets, 45);
  EXPECT_EQ(s[1].lost, 5);
  EXPECT_EQ(s[0].lost, 0);
  EXPECT_EQ(s[2].lost, 0);
  // The gap over the lost packets: packet 59 at 1.18 s, packet 65 at 1.30 s: 120 ms.
  ASSERT_TRUE(s[1].max_delta_ms.has_value());
  EXPECT_NEAR(*s[1].max_delta_ms, 120.0, 1e-3);
  EXPECT_NEAR(*s[0].max_delta_ms, 20.0, 1e-3);
  // No delay variation: J stays 0.
  EXPECT_NEAR(*s[2].jitter_ms, 0.0, 1e-9);
}

TEST(StreamSeries, JitterAtTheEndOfTheInterval) {
  // Packets 0..99 on time except packet 60, 8 ms late. RFC 3550 §6.4.1: at packet 60
  // D = 8 ms -> J = 8/16 = 0.5; at packet 61 D = -8 ms -> J = 0.5 + (8 - 0.5)/16 =
  // 0.96875; then D = 0: J decays by 15/16 per packet. Interval 1 ends at packet 99:
  // J = 0.96875 * (15/16)^38. Its max is 0.96875.
  Feed f;
  for (int n = 0; n < 100; ++n) f.packet(n, n == 60 ? 8'000 : 0);
  const auto s = f.samples();
  ASSERT_EQ(s.size(), 2U);
  EXPECT_NEAR(*s[0].jitter_max_ms, 0.0, 1e-9);
  EXPECT_NEAR(*s[1].jitter_max_ms, 0.96875, 1e-5);
  double j = 0.96875;
  for (int i = 0; i < 38; ++i) j *= 15.0 / 16.0;
  EXPECT_NEAR(*s[1].jitter_ms, j, 1e-5);
  // Gaps around packet 60: 28 ms before it, 12 ms after it.
  EXPECT_NEAR(*s[1].max_delta_ms, 28.0, 1e-3);
}

TEST(StreamSeries, SilenceLeavesNoRowAndKeepsTheGrid) {
  // Packets 0..9 (0..0.18 s), then nothing until packet 160 (3.2 s) .. 169: intervals 0
  // and 3 only; the second starts at 3 s on the grid of the first packet.
  Feed f;
  for (int n = 0; n < 10; ++n) f.packet(n);
  for (int n = 160; n < 170; ++n) f.packet(n);
  const auto s = f.samples();
  ASSERT_EQ(s.size(), 2U);
  EXPECT_EQ(s[1].start_us, kT0 + 3'000'000);
  EXPECT_EQ(s[1].packets, 10);
  // The sequence jumped by 150 (< MAX_DROPOUT): 150 numbers missing, counted as lost where
  // the jump is seen, in interval 3: expected = 170 - 10 = 160 there.
  EXPECT_EQ(s[1].expected, 160);
  EXPECT_EQ(s[1].lost, 150);
}

TEST(StreamSeries, LongStreamsMergeIntervalsUpToTheCap) {
  // 600 s of packets: 600 one-second intervals do not fit in 256. Halving at 256 closed
  // intervals gives 128 of 2 s; at 256 again (512 s) 128 of 4 s; the rest fill 4 s slots:
  // 600 s / 4 s = 150 rows of 200 packets each.
  Feed f;
  for (int n = 0; n < 30'000; ++n) f.packet(n);
  const auto s = f.samples();
  ASSERT_EQ(s.size(), 150U);
  int64_t packets = 0;
  for (size_t k = 0; k < s.size(); ++k) {
    EXPECT_EQ(s[k].interval_ms, 4000);
    EXPECT_EQ(s[k].start_us, kT0 + static_cast<int64_t>(k) * 4'000'000);
    EXPECT_EQ(s[k].packets, 200);
    EXPECT_EQ(s[k].lost, 0);
    packets += s[k].packets;
  }
  EXPECT_EQ(packets, 30'000);
  EXPECT_LE(s.size(), StreamSeries::kMaxSamples);
}

}  // namespace
}  // namespace sipscope::correlate::media
