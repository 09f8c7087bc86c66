// streams.mos_limited_by end to end through the MediaTracker (docs/media.md "What limits the
// MOS"): streams built in the test with their impairment planted, the reason and the MOS
// derived by hand from G.107 / G.113 numbers.
#include <gtest/gtest.h>
#include <algorithm>
#include <utility>
#include <vector>

#include "correlate/media/media_tracker.hpp"
#include "tests/correlate/media/media_test_support.hpp"

namespace sipscope::correlate::media {
namespace {

using test::Harness;
using test::kMediaA;
using test::kMediaB;
using test::kSipA;
using test::kSipB;
using test::kT0;

// Offer and answer with one codec, PT `pt`.
void offer_answer(Harness& h, const std::string& pt) {
  h.sip(test::sip_text("INVITE sip:b@x SIP/2.0", "1 INVITE", test::sdp("192.0.2.1", 4000, pt)),
        kSipA, kSipB, kT0, 7);
  h.sip(test::sip_text("SIP/2.0 200 OK", "1 INVITE", test::sdp("192.0.2.2", 6000, pt)), kSipB,
        kSipA, kT0 + 1000, 7);
}

// `count` packets of PT `pt` every 20 ms (timestamp + 160), A -> B; `lose(i)` leaves one
// out, `delay_us(i)` delays its arrival.
template <typename Lose, typename Delay>
const StreamRecord& send(Harness& h, uint8_t pt, int count, Lose lose, Delay delay_us) {
  std::vector<std::pair<int64_t, int>> order;
  for (int i = 0; i < count; ++i)
    if (!lose(i)) order.emplace_back(kT0 + 100'000 + i * 20'000 + delay_us(i), i);
  std::sort(order.begin(), order.end());
  for (const auto& [ts, i] : order)
    h.udp(kMediaA, kMediaB,
          test::rtp_bytes(pt, static_cast<uint16_t>(i), static_cast<uint32_t>(i) * 160u, 0xa), ts);
  h.tracker.finish();
  const StreamRecord* s = h.sink.stream(0xa, 6000);
  EXPECT_NE(s, nullptr);
  return *s;
}

TEST(MosLimitedBy, ACleanG729StreamIsLimitedByItsCodec) {
  // G.729 (Ie 11), no loss, Ta = 20 + 60 = 80 ms: R = 93.2 - 11 = 82.2,
  // MOS = 1 + 0.035 * 82.2 + 82.2 * 22.2 * 17.8 * 7e-6 = 4.10438.
  Harness h;
  offer_answer(h, "18");
  const auto& s = send(
      h, 18, 100, [](int) { return false; }, [](int) { return 0; });
  EXPECT_EQ(s.codec, "G729");
  EXPECT_EQ(s.lost, 0);
  EXPECT_EQ(s.late_discards, 0);
  ASSERT_TRUE(s.mos.has_value());
  EXPECT_NEAR(*s.mos, 4.10438, 1e-5);
  EXPECT_EQ(s.mos_limited_by, "codec");
}

TEST(MosLimitedBy, ACleanPcmuStreamIsLimitedByNothing) {
  Harness h;
  offer_answer(h, "0");
  const auto& s = send(
      h, 0, 100, [](int) { return false; }, [](int) { return 0; });
  ASSERT_TRUE(s.mos.has_value());
  EXPECT_NEAR(*s.mos, 4.40929, 1e-5);  // R 93.2: 1 + 3.262 + 93.2 * 33.2 * 6.8 * 7e-6
  EXPECT_EQ(s.mos_limited_by, "none");
}

TEST(MosLimitedBy, PlantedLossIsNamed) {
  // PCMU, 10 of 200 lost one at a time (every 20th): Ppl 5 %, BurstR 1 (bursts of 1:
  // 1 * (1 - 0.05) < 1), Ie,eff = 95 * 5 / (5 + 25.1) = 15.78073, R = 77.41927.
  Harness h;
  offer_answer(h, "0");
  const auto& s = send(
      h, 0, 200, [](int i) { return i % 20 == 10; }, [](int) { return 0; });
  EXPECT_EQ(s.lost, 10);
  EXPECT_EQ(s.late_discards, 0);
  ASSERT_TRUE(s.r_factor.has_value());
  EXPECT_NEAR(*s.r_factor, 93.2 - 95.0 * 5 / 30.1, 1e-9);
  EXPECT_EQ(s.mos_limited_by, "loss");
}

TEST(MosLimitedBy, LatePacketsAreNamed) {
  // PCMU, 200 packets, every 10th arriving 80 ms late: its transit exceeds the buffer's
  // anchor by 80 > 60 ms (docs/media.md jitter buffer), one at a time (no re-anchoring):
  // 20 late discards, nothing lost. Ppl 10 %, Ie,eff = 95 * 10 / 35.1 = 27.06553.
  Harness h;
  offer_answer(h, "0");
  const auto& s = send(
      h, 0, 200, [](int) { return false; }, [](int i) { return i % 10 == 5 ? 80'000 : 0; });
  EXPECT_EQ(s.lost, 0);
  EXPECT_EQ(s.late_discards, 20);
  ASSERT_TRUE(s.r_factor.has_value());
  EXPECT_NEAR(*s.r_factor, 93.2 - 95.0 * 10 / 35.1, 1e-9);
  EXPECT_EQ(s.mos_limited_by, "late_discards");
}

TEST(MosLimitedBy, NullWithoutAMos) {
  Harness h;
  offer_answer(h, "0");
  const auto& s = send(
      h, 0, 20, [](int) { return false; }, [](int) { return 0; });  // < 50 expected
  EXPECT_FALSE(s.mos.has_value());
  EXPECT_FALSE(s.mos_limited_by.has_value());
}

}  // namespace
}  // namespace sipscope::correlate::media
