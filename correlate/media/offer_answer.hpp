// The audio codecs of an SDP offer or answer (RFC 3264 §5, §6), to tell when an answer
// shares no codec with its offer ("codec_mismatch" in docs/media.md). Codecs are named by
// their rtpmap encoding, else the RFC 3551 static name, else "pt<N>" (a dynamic type with
// no rtpmap must be answered with the same number), compared case-insensitively; RFC 4733
// events and comfort noise are left out: they carry no speech. Only audio m-lines with a
// non-zero port count (port 0 rejects the stream, RFC 3264 §6).
//
//   AudioCodecs offer = audio_codecs(offer_sdp), answer = audio_codecs(answer_sdp);
//   if (no_common_codec(offer, answer)) report("no common codec");
#pragma once

#include <string>
#include <vector>

#include "decode/sdp/sdp.hpp"

namespace sipscope::correlate::media {

struct AudioCodecs {
  std::vector<std::string> names;  // lower case, each once, at most 32
  bool has_audio = false;          // at least one audio m-line
  bool all_rejected = false;       // audio m-lines present, every one with port 0
};

[[nodiscard]] AudioCodecs audio_codecs(const decode::sdp::Session& sdp);

// True when the offer and the answer both name speech codecs and none is common, or when
// the answer rejects every audio stream of an offer that had one.
[[nodiscard]] bool no_common_codec(const AudioCodecs& offer, const AudioCodecs& answer);

// "PCMU, PCMA" (for a finding's detail).
[[nodiscard]] std::string codec_list(const AudioCodecs& codecs);

}  // namespace sipscope::correlate::media
