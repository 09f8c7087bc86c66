#include "correlate/media/emodel.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <utility>

#include "decode/sip/headers.hpp"

namespace sipscope::correlate::media {
namespace {

using decode::sip::iequals;  // ASCII case-insensitive, as SDP encoding names compare

// ITU-T G.113 Appendix I. Ie: the table of provisional planning values for the equipment
// impairment factor (Table I.1). Bpl: the table of provisional planning values for the
// packet-loss robustness factor (Table I.3; later editions renumber it, the row names are
// what to look up). Rows flagged `approximation` are not in G.113: docs/media.md says where
// each of their numbers comes from.
constexpr std::array<CodecImpairment, 9> kCodecs = {{
    // Table I.1 "G.711 PCM 64 kbit/s": Ie 0. Table I.3 "G.711, 10 ms packets, PLC of G.711
    // Appendix I, random loss": Bpl 25.1 (without PLC the row gives 4.3, G.107's default).
    {"PCMU", 0.0, 25.1, false, "G.113 I.1 G.711 / I.3 G.711 with App. I PLC"},
    {"PCMA", 0.0, 25.1, false, "G.113 I.1 G.711 / I.3 G.711 with App. I PLC"},
    // Table I.1 "G.729-A + VAD, CS-ACELP 8 kbit/s": Ie 11. Table I.3 "G.729A + VAD, 20 ms
    // packets (2 frames)": Bpl 19.0.
    {"G729", 11.0, 19.0, false, "G.113 I.1 G.729-A + VAD / I.3 G.729A + VAD 20 ms"},
    // Table I.1 "G.723.1 MP-MLQ 6.3 kbit/s": Ie 15 (5.3 kbit/s ACELP would be 19; SDP does
    // not say which rate, 6.3 is the default). Table I.3 "G.723.1 + VAD, 30 ms": Bpl 16.1.
    {"G723", 15.0, 16.1, false, "G.113 I.1 G.723.1 6.3 kbit/s / I.3 G.723.1 + VAD 30 ms"},
    // Table I.1 "GSM 06.10 RPE-LTP 13 kbit/s (full rate)": Ie 20. No GSM-FR Bpl row was
    // found in the sources quoting Table I.3: Bpl borrowed from GSM-EFR (same 20 ms
    // framing). Approximation.
    {"GSM", 20.0, 10.0, true, "Ie G.113 I.1 GSM 06.10; Bpl borrowed from GSM-EFR (I.3)"},
    // Table I.1 "GSM 06.60 ACELP 12.2 kbit/s (EFR)": Ie 5. Table I.3 "GSM-EFR, 20 ms": 10.0.
    {"GSM-EFR", 5.0, 10.0, false, "G.113 I.1 GSM 06.60 EFR / I.3 GSM-EFR 20 ms"},
    // No G.113 Appendix I iLBC row was found (only sources quoting G.113 were at hand):
    // both values borrowed from G.729A + VAD (a linear-predictive codec of similar bit rate
    // and frame size). Approximation.
    {"iLBC", 11.0, 19.0, true, "no G.113 row found: G.729-A + VAD values borrowed"},
    // Wideband: scored on the narrowband scale as G.711 with PLC, not per G.107.1.
    {"G722", 0.0, 25.1, true, "wideband on the narrowband scale as G.711 with PLC"},
    {"opus", 0.0, 25.1, true, "wideband on the narrowband scale as G.711 with PLC"},
}};

}  // namespace

const CodecImpairment* codec_impairment(std::string_view codec) {
  for (const auto& c : kCodecs)
    if (iequals(c.codec, codec)) return &c;
  return nullptr;
}

double delay_impairment(double ta) {
  if (ta <= 100.0) return 0.0;
  // G.107 §7.4, Idd for Ta > mT with the default delay sensitivity (mT = 100 ms, sT = 1).
  const double x = std::log2(ta / 100.0);
  return 25.0 * (std::pow(1.0 + std::pow(x, 6.0), 1.0 / 6.0) -
                 3.0 * std::pow(1.0 + std::pow(x / 3.0, 6.0), 1.0 / 6.0) + 2.0);
}

double effective_equipment_impairment(const EModelInput& in) {
  const double ppl = in.ppl_percent < 0 ? 0 : in.ppl_percent;
  const double burst = in.burst_ratio < 1 ? 1 : in.burst_ratio;
  return in.ie + (95.0 - in.ie) * ppl / (ppl / burst + in.bpl);
}

double r_factor(const EModelInput& in) {
  return kDefaultRating - delay_impairment(in.one_way_delay_ms) -
         effective_equipment_impairment(in);
}

Impairments impairments(const EModelInput& in, double lost, double late) {
  Impairments i;
  i.codec = in.ie;
  const double packet_loss = effective_equipment_impairment(in) - in.ie;
  const double counted = std::max(0.0, lost) + std::max(0.0, late);
  if (counted > 0 && packet_loss > 0) {
    i.loss = packet_loss * std::max(0.0, lost) / counted;
    i.late_discards = packet_loss * std::max(0.0, late) / counted;
  }
  i.delay = delay_impairment(in.one_way_delay_ms);
  return i;
}

MosLimit mos_limited_by(const Impairments& i) {
  if (i.codec + i.loss + i.late_discards + i.delay < kNegligibleImpairment) return MosLimit::none;
  // Ties go to the earlier term: codec, loss, late discards, delay.
  MosLimit best = MosLimit::codec;
  double most = i.codec;
  for (const auto& [term, value] :
       {std::pair{MosLimit::loss, i.loss}, std::pair{MosLimit::late_discards, i.late_discards},
        std::pair{MosLimit::delay, i.delay}}) {
    if (value > most) best = term, most = value;
  }
  return best;
}

std::string_view mos_limit_name(MosLimit m) {
  switch (m) {
    case MosLimit::none:
      return "none";
    case MosLimit::codec:
      return "codec";
    case MosLimit::loss:
      return "loss";
    case MosLimit::late_discards:
      return "late_discards";
    case MosLimit::delay:
      return "delay";
  }
  return "none";
}

double mos_from_r(double r) {
  if (r <= 0) return 1.0;
  if (r >= 100) return 4.5;
  return 1.0 + 0.035 * r + r * (r - 60.0) * (100.0 - r) * 7e-6;
}

}  // namespace sipscope::correlate::media
