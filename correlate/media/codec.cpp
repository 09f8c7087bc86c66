#include "correlate/media/codec.hpp"

#include <array>

#include "decode/sip/headers.hpp"

namespace sipscope::correlate::media {
namespace {

using decode::sip::iequals;  // ASCII case-insensitive, as SDP encoding names compare

// RFC 3551 §6, Table 4 (audio) and Table 5 (video). Empty name = unassigned/reserved.
constexpr std::array<StaticPayload, 35> kStatic = {{
    {"PCMU", 8000},  {"", 0},         {"", 0},         {"GSM", 8000},   {"G723", 8000},
    {"DVI4", 8000},  {"DVI4", 16000}, {"LPC", 8000},   {"PCMA", 8000},  {"G722", 8000},
    {"L16", 44100},  {"L16", 44100},  {"QCELP", 8000}, {"CN", 8000},    {"MPA", 90000},
    {"G728", 8000},  {"DVI4", 11025}, {"DVI4", 22050}, {"G729", 8000},  {"", 0},
    {"", 0},         {"", 0},         {"", 0},         {"", 0},         {"", 0},
    {"CelB", 90000}, {"JPEG", 90000}, {"", 0},         {"nv", 90000},   {"", 0},
    {"", 0},         {"H261", 90000}, {"MPV", 90000},  {"MP2T", 90000}, {"H263", 90000},
}};

}  // namespace

const StaticPayload* static_payload(uint8_t pt) {
  if (pt >= kStatic.size() || kStatic[pt].name.empty()) return nullptr;
  return &kStatic[pt];
}

uint32_t clock_rate_for_encoding(std::string_view e) {
  struct Named {
    std::string_view name;
    uint32_t rate;
  };
  // Rates fixed by each payload format's RFC (e.g. opus RFC 7587 §4.1, AMR RFC 4867 §8.1,
  // AMR-WB 16000, iLBC RFC 3952 §5, G.722 8000 by RFC 3551's historical error).
  static constexpr std::array<Named, 14> kNamed = {{
      {"PCMU", 8000},
      {"PCMA", 8000},
      {"G729", 8000},
      {"G723", 8000},
      {"GSM", 8000},
      {"G722", 8000},
      {"iLBC", 8000},
      {"opus", 48000},
      {"AMR", 8000},
      {"AMR-WB", 16000},
      {"speex", 8000},
      {"G726-32", 8000},
      {"telephone-event", 8000},
      {"CN", 8000},
  }};
  for (const auto& n : kNamed) {
    if (iequals(n.name, e)) return n.rate;
  }
  return 0;
}

bool is_telephone_event(std::string_view encoding) {
  return iequals(encoding, "telephone-event");
}

bool is_comfort_noise(uint8_t pt, std::string_view encoding) {
  return pt == 13 || pt == 19 || iequals(encoding, "CN");
}

}  // namespace sipscope::correlate::media
