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

TEST(EModel, MosMatchesG107AnnexBAnchors) {
  // G.107 Annex B, eq. B-4 evaluated by hand at the R thresholds of its quality classes:
  // R 90 -> 1 + 3.15 + 90*30*10*7e-6 = 4.339; R 80 -> 3.8 + 80*20*20*7e-6 = 4.024;
  // R 70 -> 3.45 + 70*10*30*7e-6 = 3.597; R 60 -> 3.1; R 50 -> 2.75 - 50*10*50*7e-6 = 2.575.
  EXPECT_NEAR(mos_from_r(90), 4.339, 1e-9);
  EXPECT_NEAR(mos_from_r(80), 4.024, 1e-9);
  EXPECT_NEAR(mos_from_r(70), 3.597, 1e-9);
  EXPECT_NEAR(mos_from_r(60), 3.1, 1e-9);
  EXPECT_NEAR(mos_from_r(50), 2.575, 1e-9);
}

TEST(EModel, DefaultsGiveRating93_2) {
  // G.107 §7.7: all parameters at their defaults give R = 93.2 (MOS 4.41).
  EXPECT_DOUBLE_EQ(r_factor({}), 93.2);
  EXPECT_NEAR(mos_from_r(r_factor({})), 4.41, 0.005);
}

TEST(EModel, CodecTableRowsFromG113AppendixI) {
  // Ie (Table I.1) and Bpl (Table I.3) as printed in G.113 Appendix I.
  struct Row {
    const char* codec;
    double ie, bpl;
    bool approximation;
  };
  const Row rows[] = {
      {"PCMU", 0, 25.1, false},   // G.711; G.711 + Appendix I PLC, 10 ms
      {"PCMA", 0, 25.1, false},   // idem
      {"G729", 11, 19.0, false},  // G.729-A + VAD
      {"G723", 15, 16.1, false},  // G.723.1 6.3 kbit/s (+ VAD)
      {"GSM-EFR", 5, 10.0, false},
      {"GSM", 20, 10.0, true},   // Ie from I.1; Bpl: no G.113 row found (GSM-EFR's)
      {"iLBC", 11, 19.0, true},  // no G.113 row found (G.729-A + VAD's values)
      {"G722", 0, 25.1, true},   // wideband on the narrowband scale
      {"opus", 0, 25.1, true},
  };
  for (const auto& r : rows) {
    const CodecImpairment* c = codec_impairment(r.codec);
    ASSERT_NE(c, nullptr) << r.codec;
    EXPECT_DOUBLE_EQ(c->ie, r.ie) << r.codec;
    EXPECT_DOUBLE_EQ(c->bpl, r.bpl) << r.codec;
    EXPECT_EQ(c->approximation, r.approximation) << r.codec;
    EXPECT_FALSE(c->source.empty()) << r.codec;
  }
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

namespace sipscope::correlate::media {
namespace {

TEST(EModel, WorkedExampleOfDocsMedia) {
  // docs/media.md "Worked example": PCMU, 1 of 150 lost, Ta 80 ms. Ppl = 0.66667 %,
  // Ie,eff = 95 * Ppl / (Ppl + 25.1) = 2.45796, R = 90.74204, MOS = 4.35675.
  const CodecImpairment* pcmu = codec_impairment("PCMU");
  ASSERT_NE(pcmu, nullptr);
  const EModelInput in{.ie = pcmu->ie,
                       .bpl = pcmu->bpl,
                       .ppl_percent = 100.0 / 150.0,
                       .burst_ratio = 1.0,
                       .one_way_delay_ms = 80};
  EXPECT_NEAR(effective_equipment_impairment(in), 2.45796, 1e-5);
  EXPECT_NEAR(r_factor(in), 90.74204, 1e-5);
  EXPECT_NEAR(mos_from_r(r_factor(in)), 4.35675, 1e-5);
  // The same loss on G.729 (Ie 11, Bpl 19.0): Ie,eff = 11 + 84 * Ppl / (Ppl + 19) =
  // 13.84746, R = 79.35254, MOS 3.99929.
  const CodecImpairment* g729 = codec_impairment("G729");
  ASSERT_NE(g729, nullptr);
  const EModelInput in2{.ie = g729->ie, .bpl = g729->bpl, .ppl_percent = 100.0 / 150.0};
  EXPECT_NEAR(r_factor(in2), 79.35254, 1e-5);
  EXPECT_NEAR(mos_from_r(r_factor(in2)), 3.99929, 1e-5);
}

}  // namespace
}  // namespace sipscope::correlate::media

namespace sipscope::correlate::media {
namespace {

// docs/media.md "What limits the MOS": the terms of 93.2 - R and the largest of them.
TEST(MosLimitedBy, TheWorkedExampleIsLimitedByLoss) {
  // PCMU, 1 of 150 lost, Ta 80 ms: Ie 0, Ie,eff - Ie = 2.45796 all owed to loss, Idd 0.
  const EModelInput in{.ie = 0, .bpl = 25.1, .ppl_percent = 100.0 / 150.0, .one_way_delay_ms = 80};
  const Impairments i = impairments(in, 1, 0);
  EXPECT_DOUBLE_EQ(i.codec, 0.0);
  EXPECT_NEAR(i.loss, 2.45796, 1e-5);
  EXPECT_DOUBLE_EQ(i.late_discards, 0.0);
  EXPECT_DOUBLE_EQ(i.delay, 0.0);
  EXPECT_EQ(mos_limited_by(i), MosLimit::loss);
  EXPECT_EQ(mos_limit_name(MosLimit::loss), "loss");
}

TEST(MosLimitedBy, ACleanG729IsLimitedByItsCodecAndACleanG711ByNothing) {
  // G.729: Ie 11, no loss, Ta 80 ms -> codec 11, the rest 0; R 82.2.
  EXPECT_EQ(mos_limited_by(impairments({.ie = 11, .bpl = 19, .one_way_delay_ms = 80}, 0, 0)),
            MosLimit::codec);
  // G.711: every term 0 (< 1 R point) -> none.
  EXPECT_EQ(mos_limited_by(impairments({.ie = 0, .bpl = 25.1, .one_way_delay_ms = 80}, 0, 0)),
            MosLimit::none);
  // 1 of 10000 lost on G.711: Ie,eff = 95 * 0.01 / (0.01 + 25.1) = 0.03783 < 1 -> none.
  EXPECT_EQ(mos_limited_by(impairments({.ie = 0, .bpl = 25.1, .ppl_percent = 0.01}, 1, 0)),
            MosLimit::none);
}

TEST(MosLimitedBy, LossIsSharedBetweenLostAndLatePackets) {
  // PCMU, 1 % lost + 3 % late (Ppl 4): Ie,eff = 95 * 4 / (4 + 25.1) = 13.05842, of which
  // 1/4 = 3.26460 loss and 3/4 = 9.79381 late discards.
  const Impairments i = impairments({.ie = 0, .bpl = 25.1, .ppl_percent = 4}, 10, 30);
  EXPECT_NEAR(i.loss, 3.26460, 1e-5);
  EXPECT_NEAR(i.late_discards, 9.79381, 1e-5);
  EXPECT_EQ(mos_limited_by(i), MosLimit::late_discards);
  // G.729 with 2 % loss: 84 * 2 / (2 + 19) = 8.0 < Ie 11 -> codec.
  EXPECT_EQ(mos_limited_by(impairments({.ie = 11, .bpl = 19, .ppl_percent = 2}, 2, 0)),
            MosLimit::codec);
  // G.729 with 5 % loss: 84 * 5 / (5 + 19) = 17.5 > 11 -> loss.
  EXPECT_EQ(mos_limited_by(impairments({.ie = 11, .bpl = 19, .ppl_percent = 5}, 5, 0)),
            MosLimit::loss);
}

TEST(MosLimitedBy, ALongDelayIsNamed) {
  // G.711, Ta 300 ms: X = log2(3) = 1.58496, Idd = 25 {(1 + X^6)^(1/6) - 3 (1 + (X/3)^6)^(1/6)
  // + 2} = 25 (1.60121 - 3.01078 + 2) = 14.761 -> delay.
  const Impairments i = impairments({.ie = 0, .bpl = 25.1, .one_way_delay_ms = 300}, 0, 0);
  EXPECT_NEAR(i.delay, 14.761, 1e-3);
  EXPECT_EQ(mos_limited_by(i), MosLimit::delay);
}

}  // namespace
}  // namespace sipscope::correlate::media
