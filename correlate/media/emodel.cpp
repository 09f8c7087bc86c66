#include "correlate/media/emodel.hpp"

#include <array>
#include <cctype>
#include <cmath>

#include "decode/sip/headers.hpp"

namespace sipscope::correlate::media {
namespace {

using decode::sip::iequals;  // ASCII case-insensitive, as SDP encoding names compare

// docs/media.md lists the source of each row.
constexpr std::array<CodecImpairment, 9> kCodecs = {{
    {"PCMU", 0.0, 25.1, false},   // G.711 with PLC (G.711 App. I), G.113 App. I
    {"PCMA", 0.0, 25.1, false},   // idem
    {"G729", 11.0, 19.0, false},  // G.729A + VAD
    {"G723", 15.0, 16.1, false},  // G.723.1 6.3 kbit/s + VAD
    {"GSM", 20.0, 10.0, true},    // GSM 06.10 FR: Ie from G.113; Bpl approximated
    {"GSM-EFR", 5.0, 10.0, false},
    {"iLBC", 11.0, 32.0, true},  // approximation (docs/media.md)
    {"G722", 0.0, 25.1, true},   // wideband, mapped to the narrowband scale (docs)
    {"opus", 0.0, 25.1, true},   // idem
}};

}  // namespace

const CodecImpairment* codec_impairment(std::string_view codec) {
  for (const auto& c : kCodecs)
    if (iequals(c.codec, codec)) return &c;
  return nullptr;
}

double delay_impairment(double ta) {
  if (ta <= 100.0) return 0.0;
  // G.107 §7.4 (Idd for Ta > 100 ms, default mT = 100 ms, sT = 1).
  const double x = std::log10(ta / 100.0) / std::log10(2.0);
  return 25.0 * (std::pow(1.0 + std::pow(x, 6.0), 1.0 / 6.0) -
                 3.0 * std::pow(1.0 + std::pow(x / 3.0, 6.0), 1.0 / 6.0) + 2.0);
}

double effective_equipment_impairment(const EModelInput& in) {
  const double ppl = in.ppl_percent < 0 ? 0 : in.ppl_percent;
  const double burst = in.burst_ratio < 1 ? 1 : in.burst_ratio;
  return in.ie + (95.0 - in.ie) * ppl / (ppl / burst + in.bpl);
}

double r_factor(const EModelInput& in) {
  return 93.2 - delay_impairment(in.one_way_delay_ms) - effective_equipment_impairment(in);
}

double mos_from_r(double r) {
  if (r <= 0) return 1.0;
  if (r >= 100) return 4.5;
  return 1.0 + 0.035 * r + r * (r - 60.0) * (100.0 - r) * 7e-6;
}

}  // namespace sipscope::correlate::media
