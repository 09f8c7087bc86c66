#include "decode/rtp.hpp"

#include "decode/byte_reader.hpp"

namespace sipscope::decode::rtp {

std::string_view rtp_error_name(RtpError e) {
  switch (e) {
    case RtpError::ok:
      return "ok";
    case RtpError::truncated_header:
      return "truncated_header";
    case RtpError::bad_version:
      return "bad_version";
    case RtpError::truncated_csrc:
      return "truncated_csrc";
    case RtpError::truncated_extension:
      return "truncated_extension";
    case RtpError::bad_padding:
      return "bad_padding";
    case RtpError::looks_like_rtcp:
      return "looks_like_rtcp";
  }
  return "unknown";
}

bool is_rtcp_packet_type(std::span<const uint8_t> d) {
  return d.size() >= 2 && (d[0] >> 6) == 2 && d[1] >= 200 && d[1] <= 207;
}

RtpError parse_rtp(std::span<const uint8_t> datagram, RtpHeader& out) {
  out = RtpHeader{};
  ByteReader r(datagram);
  uint8_t b0 = 0;
  uint8_t b1 = 0;
  if (!r.read_u8(b0) || !r.read_u8(b1) || !r.read_u16(out.sequence) || !r.read_u32(out.timestamp) ||
      !r.read_u32(out.ssrc))
    return RtpError::truncated_header;
  out.version = static_cast<uint8_t>(b0 >> 6);
  if (out.version != 2) return RtpError::bad_version;
  if (b1 >= 200 && b1 <= 207) return RtpError::looks_like_rtcp;
  out.padding = (b0 & 0x20) != 0;
  out.extension = (b0 & 0x10) != 0;
  out.csrc_count = b0 & 0x0f;
  out.marker = (b1 & 0x80) != 0;
  out.payload_type = b1 & 0x7f;
  if (!r.subspan(size_t{out.csrc_count} * 4, out.csrcs)) return RtpError::truncated_csrc;
  if (out.extension) {
    uint16_t words = 0;
    if (!r.read_u16(out.extension_profile) || !r.read_u16(words) ||
        !r.subspan(size_t{words} * 4, out.extension_data))
      return RtpError::truncated_extension;
  }
  std::span<const uint8_t> payload = r.rest();
  if (out.padding) {
    // RFC 3550 §5.1: the last octet counts the padding octets, itself included.
    if (payload.empty()) return RtpError::bad_padding;
    const uint8_t n = payload.back();
    if (n == 0 || n > payload.size()) return RtpError::bad_padding;
    out.padding_length = n;
    payload = payload.first(payload.size() - n);
  }
  out.payload = payload;
  return RtpError::ok;
}

EventError parse_telephone_event(std::span<const uint8_t> payload, TelephoneEvent& out) {
  ByteReader r(payload);
  uint8_t ev = 0;
  uint8_t flags = 0;
  if (!r.read_u8(ev) || !r.read_u8(flags) || !r.read_u16(out.duration))
    return EventError::truncated;
  out.event = ev;
  out.end = (flags & 0x80) != 0;
  out.volume = flags & 0x3f;
  return EventError::ok;
}

char dtmf_char(uint8_t event) {
  if (event <= 9) return static_cast<char>('0' + event);
  switch (event) {
    case 10:
      return '*';
    case 11:
      return '#';
    case 12:
    case 13:
    case 14:
    case 15:
      return static_cast<char>('A' + (event - 12));
    case 16:
      return '!';
    default:
      return '?';
  }
}

}  // namespace sipscope::decode::rtp
