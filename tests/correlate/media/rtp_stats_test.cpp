// SequenceStats against RFC 3550 Appendix A.1/A.3 worked by hand; TransitStats against
// the jitter recurrence of RFC 3550 §6.4.1 as Wireshark 4.0 applies it (values derived in
// the comments).
#include "correlate/media/rtp_stats.hpp"

#include <gtest/gtest.h>

#include <array>
#include <initializer_list>

namespace sipscope::correlate::media {
namespace {

SequenceStats feed(std::initializer_list<uint16_t> seqs) {
  SequenceStats s;
  for (uint16_t q : seqs) (void)s.update(q);
  return s;
}

TEST(SequenceStats, InOrderStream) {
  SequenceStats s;
  for (uint16_t q = 100; q < 150; ++q) (void)s.update(q);
  EXPECT_EQ(s.packets(), 50U);
  EXPECT_EQ(s.expected(), 50);  // A.3: extended max - base + 1 = 149 - 100 + 1
  EXPECT_EQ(s.lost(), 0);
}

TEST(SequenceStats, LossIsExpectedMinusReceivedWithBursts) {
  const auto s = feed({0, 1, 2, 5, 6, 7, 8, 9});  // 3 and 4 missing: one burst of 2
  EXPECT_EQ(s.expected(), 10);
  EXPECT_EQ(s.lost(), 2);
  EXPECT_EQ(s.loss_bursts(), 1U);
  EXPECT_EQ(s.max_burst(), 2U);
}

TEST(SequenceStats, WrapCountsACycle) {
  const auto s = feed({65533, 65534, 65535, 0, 1, 2});
  EXPECT_EQ(s.wraps(), 1U);
  EXPECT_EQ(s.expected(), 6);  // 65536 + 2 - 65533 + 1
  EXPECT_EQ(s.lost(), 0);
}

TEST(SequenceStats, ADuplicateIsNotReceivedTwice) {
  // 1, 2, 2, 3: A.1 sees the second 2 as a sequence number already received (a duplicate);
  // 3 expected, 3 distinct received: lost 0, not A.3's 3 - 4 = -1 (docs/media.md).
  const auto s = feed({1, 2, 2, 3});
  EXPECT_EQ(s.packets(), 4U);
  EXPECT_EQ(s.duplicates(), 1U);
  EXPECT_EQ(s.expected(), 3);
  EXPECT_EQ(s.lost(), 0);
}

TEST(SequenceStats, ReorderedPacketIsOutOfOrderNotLost) {
  const auto s = feed({1, 3, 2, 4});
  EXPECT_EQ(s.out_of_order(), 1U);
  EXPECT_EQ(s.duplicates(), 0U);
  EXPECT_EQ(s.expected(), 4);
  EXPECT_EQ(s.lost(), 0);
  const auto d = feed({1, 3, 2, 2, 4});  // the late packet then duplicated
  EXPECT_EQ(d.duplicates(), 1U);
}

TEST(SequenceStats, RestartKeepsTheEarlierRun) {
  // A jump beyond MAX_DROPOUT followed by its successor restarts the sequence (A.1); the
  // first run (10, 11) stays counted: expected 2 + 3, no loss.
  const auto s = feed({10, 11, 20000, 20001, 20002});
  EXPECT_EQ(s.restarts(), 1U);
  EXPECT_EQ(s.packets(), 5U);
  EXPECT_EQ(s.expected(), 5);
  EXPECT_EQ(s.lost(), 0);
}

TEST(SequenceStats, StrayPacketIsCountedButNotExpected) {
  // 40000 is a lone jump (A.1 would discard it): every packet counts, so packets 5,
  // expected 4 (10..13) and lost -1.
  const auto s = feed({10, 11, 40000, 12, 13});
  EXPECT_EQ(s.packets(), 5U);
  EXPECT_EQ(s.expected(), 4);
  EXPECT_EQ(s.lost(), -1);
}

TEST(TransitStats, PerfectPacingHasZeroJitter) {
  TransitStats t;
  for (int i = 0; i < 50; ++i)
    t.update(1'000'000 + i * 20'000, static_cast<uint32_t>(i * 160), 0, false, 8000);
  ASSERT_TRUE(t.has_jitter());
  EXPECT_DOUBLE_EQ(t.mean_jitter_ms(), 0.0);
  EXPECT_DOUBLE_EQ(t.max_jitter_ms(), 0.0);
  EXPECT_DOUBLE_EQ(t.max_delta_ms(), 20.0);
}

TEST(TransitStats, OneLatePacketWorkedByHand) {
  // Arrivals 0, 20, 45, 60, 80 ms; timestamps every 160 (20 ms at 8 kHz).
  //   p2: D = |20 - (0 + 20)| = 0          J = 0           mean = 0/1
  //   p3: D = |45 - (20 + 20)| = 5         J = 5/16        mean = (0 + 0.3125)/2
  //   p4: D = |60 - (45 + 20)| = 5         J = (15*0.3125 + 5)/16 = 0.60546875
  //       mean = (0.15625*2 + 0.60546875)/3
  //   p5: D = 0                            J = 15*0.60546875/16 = 0.567626953125
  //       mean = (mean3*3 + J5)/4 = 0.37139892578125
  TransitStats t;
  const int64_t arrivals[] = {0, 20, 45, 60, 80};
  for (int i = 0; i < 5; ++i)
    t.update(arrivals[i] * 1000, static_cast<uint32_t>(i * 160), 8, false, 8000);
  EXPECT_NEAR(t.max_jitter_ms(), 0.60546875, 1e-12);
  EXPECT_NEAR(t.jitter_ms(), 0.567626953125, 1e-12);
  EXPECT_NEAR(t.mean_jitter_ms(), 0.37139892578125, 1e-12);
  EXPECT_DOUBLE_EQ(t.max_delta_ms(), 25.0);
}

TEST(TransitStats, ReorderedPacketCountsLikeTshark) {
  // Arrivals 0, 20, 45 (seq 3, ts 480), 50 (seq 2, ts 320), 80 ms (seq 4, ts 640); 8 kHz.
  // Both the late packet and its successor are in time sequence (timestamps after the
  // first packet's), so each D enters J and the mean/max (tshark 4.0.17 on the same
  // arrivals prints mean 1.573, max 2.914):
  //   p2: D = |20 - (0 + 20)| = 0             J = 0
  //   p3: D = |45 - (20 + 40)| = 15           J = 15/16 = 0.9375
  //   p4: D = |50 - (45 - 20)| = 25           J = (15*0.9375 + 25)/16 = 2.4414...
  //   p5: D = |80 - (50 + 40)| = 10           J = (15*2.44140625 + 10)/16 = 2.91381835...
  // mean over p2..p5 (n = 1..4): (0 + 0.9375 + 2.44140625 + 2.9138183594)/4
  const std::array<int64_t, 5> arrival_ms = {0, 20, 45, 50, 80};
  const std::array<uint32_t, 5> ts = {0, 160, 480, 320, 640};
  TransitStats t;
  for (size_t i = 0; i < 5; ++i) t.update(arrival_ms[i] * 1000, ts[i], 0, false, 8000);
  EXPECT_NEAR(t.jitter_ms(), 2.9138183594, 1e-9);
  EXPECT_NEAR(t.max_jitter_ms(), 2.9138183594, 1e-9);
  EXPECT_NEAR(t.mean_jitter_ms(), (0 + 0.9375 + 2.44140625 + 2.9138183594) / 4, 1e-9);
}

TEST(TransitStats, PacketBeforeTheFirstTimestampIsIgnored) {
  // The first packet (ts 160) overtook its predecessor (ts 0, arriving 5 ms later): the
  // late one is before the first timestamp, so it touches neither J nor the arrival
  // reference, and the perfectly paced rest gives J = 0 (tshark 4.0.17: 0.000 / 0.000).
  TransitStats t;
  t.update(20'000, 160, 0, false, 8000);
  t.update(25'000, 0, 0, false, 8000);
  for (int i = 2; i < 50; ++i) t.update(i * 20'000, static_cast<uint32_t>(i * 160), 0, false, 8000);
  EXPECT_TRUE(t.has_jitter());
  EXPECT_DOUBLE_EQ(t.max_jitter_ms(), 0.0);
  EXPECT_DOUBLE_EQ(t.mean_jitter_ms(), 0.0);
  EXPECT_DOUBLE_EQ(t.max_delta_ms(), 20.0);
}

TEST(TransitStats, UnknownClockRateGivesNoJitter) {
  TransitStats t;
  for (int i = 0; i < 5; ++i) t.update(i * 20'000, static_cast<uint32_t>(i * 160), 96, false, 0);
  EXPECT_FALSE(t.has_jitter());
  EXPECT_TRUE(t.has_delta());
}

TEST(TransitStats, MarkerAndComfortNoiseStayOutOfMaxDelta) {
  TransitStats t;
  t.update(0, 0, 0, false, 8000);
  t.update(20'000, 160, 0, false, 8000);
  t.update(520'000, 4160, 0, true, 8000);    // talkspurt start after 500 ms: marker
  t.update(540'000, 4320, 13, false, 8000);  // CN
  t.update(940'000, 7520, 0, false, 8000);   // follows CN
  t.update(960'000, 7680, 0, false, 8000);
  EXPECT_DOUBLE_EQ(t.max_delta_ms(), 20.0);
}

}  // namespace
}  // namespace sipscope::correlate::media
