#include "correlate/media/offer_answer.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "correlate/media/codec.hpp"

namespace sipscope::correlate::media {
namespace {

constexpr size_t kMaxCodecs = 32;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

AudioCodecs audio_codecs(const decode::sdp::Session& sdp) {
  AudioCodecs out;
  bool any_open = false;
  for (const auto& m : sdp.media) {
    if (m.media != "audio") continue;
    out.has_audio = true;
    if (m.port == 0) continue;
    any_open = true;
    for (const auto fmt : m.formats) {
      int pt = -1;
      if (std::from_chars(fmt.data(), fmt.data() + fmt.size(), pt).ec != std::errc{} || pt < 0 ||
          pt > 127)
        continue;
      std::string_view name;
      if (const auto* map = m.rtpmap(pt)) {
        name = map->encoding;
      } else if (const auto* st = static_payload(static_cast<uint8_t>(pt))) {
        name = st->name;
      }
      if (is_telephone_event(name) || is_comfort_noise(static_cast<uint8_t>(pt), name)) continue;
      std::string key = name.empty() ? "pt" + std::to_string(pt) : lower(name);
      if (std::find(out.names.begin(), out.names.end(), key) == out.names.end() &&
          out.names.size() < kMaxCodecs)
        out.names.push_back(std::move(key));
    }
  }
  out.all_rejected = out.has_audio && !any_open;
  return out;
}

bool no_common_codec(const AudioCodecs& offer, const AudioCodecs& answer) {
  if (offer.names.empty()) return false;
  if (answer.all_rejected) return true;
  if (answer.names.empty()) return false;
  return std::none_of(answer.names.begin(), answer.names.end(), [&](const std::string& n) {
    return std::find(offer.names.begin(), offer.names.end(), n) != offer.names.end();
  });
}

std::string codec_list(const AudioCodecs& codecs) {
  if (codecs.all_rejected) return "audio rejected (port 0)";
  std::string out;
  for (const auto& n : codecs.names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}

}  // namespace sipscope::correlate::media
