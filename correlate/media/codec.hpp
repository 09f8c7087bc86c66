// Payload type -> codec name and RTP clock rate: the RFC 3551 §6 static table (Tables 4
// and 5) and the clock rates of common dynamic encodings named in SDP rtpmap lines.
//
//   const StaticPayload* p = static_payload(8);  // {"PCMA", 8000}
//   uint32_t rate = clock_rate_for_encoding("opus");  // 48000 (RFC 7587 §4.1)
#pragma once

#include <cstdint>
#include <string_view>

namespace sipscope::correlate::media {

struct StaticPayload {
  std::string_view name;  // RFC 3551 encoding name
  uint32_t clock_rate = 0;
};

// nullptr for unassigned/reserved and dynamic (96..127) payload types.
[[nodiscard]] const StaticPayload* static_payload(uint8_t payload_type);

// Clock rate implied by an encoding name when an rtpmap line is absent, 0 when unknown.
[[nodiscard]] uint32_t clock_rate_for_encoding(std::string_view encoding);

// RFC 4733 events ("telephone-event") carry no audio clock for jitter (RFC 4733 §2.2.1:
// one timestamp per event), so jitter is not updated from them.
[[nodiscard]] bool is_telephone_event(std::string_view encoding);
// Comfort noise: RFC 3389 (PT 13) and the old PT 19.
[[nodiscard]] bool is_comfort_noise(uint8_t payload_type, std::string_view encoding);

}  // namespace sipscope::correlate::media
