// E-model (correlate/media/emodel.hpp) against G.107's formulas evaluated by hand.
#include "correlate/media/emodel.hpp"

#include <gtest/gtest.h>

namespace sipscope::correlate::media {
namespace {

TEST(EModel, DefaultRatingMapsToMos4409) {
  // G.107 Annex B: MOS = 1 + 0.035*93.2 + 93.2*33.2*6.8*7e-6 = 4.409285824
  EXPECT_NEAR(mos_from_r(93.2), 4.409285824, 1e-9);
  EXPECT_DOUBLE_EQ(mos_from_r(-5), 1.0);
  EXPECT_DOUBLE_EQ(mos_from_r(120), 4.5);
}

TEST(EModel, RandomLossOnG711) {
  // Ie,eff = 0 + 95 * 1 / (1/1 + 25.1) = 3.63985; R = 93.2 - 3.63985 = 89.56015
  const CodecImpairment* c = codec_impairment("pcmu");
  ASSERT_NE(c, nullptr);
  const double r = r_factor({.ie = c->ie, .bpl = c->bpl, .ppl_percent = 1.0});
  EXPECT_NEAR(r, 89.56015325670498, 1e-9);
}

TEST(EModel, CodecImpairmentWithoutLoss) {
  const CodecImpairment* c = codec_impairment("G729");
  ASSERT_NE(c, nullptr);
  EXPECT_NEAR(r_factor({.ie = c->ie, .bpl = c->bpl}), 93.2 - 11.0, 1e-12);
  EXPECT_EQ(codec_impairment("no-such-codec"), nullptr);
}

TEST(EModel, DelayImpairment) {
  EXPECT_DOUBLE_EQ(delay_impairment(80), 0.0);
  // Ta = 200 ms: X = 1, Idd = 25 * (2^(1/6) - 3 (1 + 3^-6)^(1/6) + 2) = 3.04441
  EXPECT_NEAR(delay_impairment(200), 3.0444142235187543, 1e-9);
}

TEST(EModel, BurstyLossHurtsMore) {
  const double random = effective_equipment_impairment({.ie = 0, .bpl = 25.1, .ppl_percent = 5});
  const double bursty =
      effective_equipment_impairment({.ie = 0, .bpl = 25.1, .ppl_percent = 5, .burst_ratio = 3});
  EXPECT_GT(bursty, random);
}

}  // namespace
}  // namespace sipscope::correlate::media
