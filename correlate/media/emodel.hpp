// ITU-T G.107 E-model (transmission rating R and its MOS-CQE estimate) for one RTP stream,
// with codec impairments from ITU-T G.113 Appendix I. Assumptions and sources of every
// constant are in docs/media.md ("MOS and R-factor"); in short:
//   R = 93.2 - Idd(Ta) - Ie,eff          (G.107 §7 with all other parameters at default)
//   Ie,eff = Ie + (95 - Ie) * Ppl / (Ppl / BurstR + Bpl)             (G.107 eq. 7-29)
//   MOS = 1 + 0.035 R + R (R - 60)(100 - R) 7e-6 for 0 < R < 100    (G.107 Annex B)
// Every codec row cites its G.113 table and row (emodel.cpp); rows that G.113 does not
// have (GSM-FR Bpl, iLBC, and the wideband G.722 and opus scored on the narrowband scale)
// are flagged `approximation` and explained in docs/media.md.
//
//   const CodecImpairment* c = codec_impairment("PCMA");
//   double r = r_factor({.ie = c->ie, .bpl = c->bpl, .ppl_percent = 1.0});
//   double mos = mos_from_r(r);
#pragma once

#include <cstdint>
#include <string_view>

namespace sipscope::correlate::media {

struct CodecImpairment {
  std::string_view codec;      // SDP encoding name (case-insensitive match)
  double ie = 0;               // equipment impairment factor, narrowband scale
  double bpl = 0;              // packet-loss robustness factor
  bool approximation = false;  // value not taken from a G.113 table (docs/media.md)
  std::string_view source;     // where the two numbers come from
};

// Ro - Is with every G.107 parameter at its default (G.107 §7.7: "R = 93.2").
inline constexpr double kDefaultRating = 93.2;

// nullptr when the codec has no impairment values: then MOS is NULL.
[[nodiscard]] const CodecImpairment* codec_impairment(std::string_view codec);

struct EModelInput {
  double ie = 0;
  double bpl = 1;
  double ppl_percent = 0;       // packet loss probability in %, network loss + late discards
  double burst_ratio = 1;       // BurstR; 1 = random loss
  double one_way_delay_ms = 0;  // Ta (absolute one-way delay)
};

// G.107 delay impairment Idd for absolute delay Ta (0 for Ta <= 100 ms).
[[nodiscard]] double delay_impairment(double ta_ms);
[[nodiscard]] double effective_equipment_impairment(const EModelInput& in);
[[nodiscard]] double r_factor(const EModelInput& in);
[[nodiscard]] double mos_from_r(double r);

// What limits a stream's MOS (`streams.mos_limited_by`, docs/media.md "What limits the
// MOS"): the largest of the four terms 93.2 - R splits into: the codec's Ie, the part of
// Ie,eff - Ie owed to network loss and the part owed to late discards (split in proportion
// to their packets), and Idd. `none` when the terms add up to less than
// kNegligibleImpairment (R > 92.2: MOS within 0.03 of the best, 4.41).
enum class MosLimit : uint8_t { none, codec, loss, late_discards, delay };
inline constexpr double kNegligibleImpairment = 1.0;

struct Impairments {
  double codec = 0, loss = 0, late_discards = 0, delay = 0;  // R points
};

// The terms of 93.2 - R for `in`, with `lost` and `late` the packet counts Ppl adds up.
[[nodiscard]] Impairments impairments(const EModelInput& in, double lost, double late);
[[nodiscard]] MosLimit mos_limited_by(const Impairments& i);
[[nodiscard]] std::string_view mos_limit_name(MosLimit m);

}  // namespace sipscope::correlate::media
