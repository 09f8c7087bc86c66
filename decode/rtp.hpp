// RTP fixed header parser (RFC 3550 §5.1: version 2, padding, extension, CSRC list; §5.3.1
// header extension) and the RFC 4733 §2.3 telephone-event payload (DTMF digits).
//
// Views (csrc bytes, extension, payload) point into the datagram passed to parse_rtp() and
// live as long as it. No allocation, no exceptions.
//
//   decode::rtp::RtpHeader h;
//   if (decode::rtp::parse_rtp(udp_payload, h) == decode::rtp::RtpError::ok)
//     use(h.ssrc, h.sequence, h.timestamp, h.payload);
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "decode/view_guard.hpp"

namespace sipscope::decode::rtp {

enum class RtpError : uint8_t {
  ok,
  truncated_header,     // fewer than 12 bytes
  bad_version,          // version field is not 2
  truncated_csrc,       // CC says more CSRCs than the datagram holds
  truncated_extension,  // X bit set but the extension header/data is cut
  bad_padding,          // P bit set with a padding count of 0 or larger than the payload
  looks_like_rtcp,      // second byte 200..207 with version 2 (RFC 5761 §4 demultiplexing)
};

[[nodiscard]] std::string_view rtp_error_name(RtpError e);

struct RtpHeader {
  uint8_t version = 0;
  bool padding = false;
  bool extension = false;
  bool marker = false;
  uint8_t csrc_count = 0;
  uint8_t payload_type = 0;
  uint16_t sequence = 0;
  uint32_t timestamp = 0;
  uint32_t ssrc = 0;
  std::span<const uint8_t> csrcs;  // csrc_count * 4 bytes, network order
  uint16_t extension_profile = 0;  // "defined by profile" field when extension is set
  std::span<const uint8_t> extension_data;
  uint8_t padding_length = 0;  // trailing bytes removed from payload
  std::span<const uint8_t> payload;
};

// True when the first two bytes say "RTCP" per RFC 5761 §4 (version 2, packet type 200..207
// i.e. an RTP payload type of 72..79 with the marker bit). Needs at least 2 bytes.
[[nodiscard]] bool is_rtcp_packet_type(std::span<const uint8_t> datagram);

[[nodiscard]] RtpError parse_rtp(std::span<const uint8_t> datagram, RtpHeader& out);
template <TemporaryBuffer T>
RtpError parse_rtp(T&&, RtpHeader&) = delete;  // views into a temporary

// RFC 4733 §2.3 named telephone event payload (4 bytes).
struct TelephoneEvent {
  uint8_t event = 0;      // 0-9 digits, 10 '*', 11 '#', 12-15 A-D, 16 flash (RFC 4733 §3.2)
  bool end = false;       // E bit
  uint8_t volume = 0;     // 0..63, -dBm0
  uint16_t duration = 0;  // in timestamp units
};

enum class EventError : uint8_t { ok, truncated };
[[nodiscard]] EventError parse_telephone_event(std::span<const uint8_t> payload,
                                               TelephoneEvent& out);
// '0'..'9', '*', '#', 'A'..'D', '!' for flash, '?' otherwise.
[[nodiscard]] char dtmf_char(uint8_t event);

}  // namespace sipscope::decode::rtp
