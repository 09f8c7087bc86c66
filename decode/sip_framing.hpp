// SIP message framing on a byte stream (RFC 3261 §18.3, §7.5; RFC 5626 §3.5.1): where does
// the next message end in bytes reassembled from TCP or WebSocket?
//
// A message is a start line, header lines up to the first empty line, then exactly
// Content-Length body bytes (a missing Content-Length means no body on a stream; the
// compact form `l` counts too). CRLFs before the start line are keep-alives (RFC 5626
// double-CRLF ping, single-CRLF pong) and are skipped. The framer only finds boundaries:
// the caller parses the framed bytes with sip::parse_message(..., {.datagram = false}).
//
//   FrameResult r = frame_sip(buffered);
//   if (r.status == FrameStatus::complete)
//     parse(buffered.substr(r.message_offset, r.consumed - r.message_offset));
//   drop_front(r.consumed);   // always <= buffered.size()
//   if (r.status == FrameStatus::error) resync(find_sip_start(buffered, ...));
//
// Pure functions over views; nothing is retained.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sipscope::decode {

enum class FrameStatus : uint8_t { complete, need_more, error };

enum class FrameError : uint8_t {
  none,
  not_sip,             // the first line is not a SIP request or status line
  bad_content_length,  // Content-Length is not a number or larger than kMaxFramedBody
  headers_too_long,    // no empty line within kMaxFramedHeaders bytes
};

[[nodiscard]] std::string_view frame_error_name(FrameError e);

inline constexpr size_t kMaxFramedHeaders = size_t{64} * 1024;
inline constexpr size_t kMaxFramedBody = size_t{16} << 20;  // sip::parse_message's limit

struct FrameResult {
  FrameStatus status = FrameStatus::need_more;
  FrameError error = FrameError::none;
  // complete: keep-alive CRLFs plus the message; need_more and error: the leading
  // keep-alive CRLFs only (they can be dropped). Always <= the input size.
  size_t consumed = 0;
  // complete: where the message starts (after the keep-alive CRLFs).
  size_t message_offset = 0;
  // need_more: the input size at which a complete message is certain (headers seen and
  // Content-Length known), so the caller may wait until then; 0 when unknown.
  size_t needed = 0;
  // complete: the message has a Content-Length header (else its body was taken as empty).
  bool has_content_length = false;
};

[[nodiscard]] FrameResult frame_sip(std::string_view buffered);

// Offset of the first line start at or after `from` (offset 0 or just after a LF) whose
// line looks like a SIP start line, or npos. A last line without its LF is tested too, so
// callers that wait for more bytes should keep the tail from the last line start
// (last_line_start()).
[[nodiscard]] size_t find_sip_start(std::string_view buffered, size_t from = 0);

// Offset just after the last LF (0 when there is none).
[[nodiscard]] size_t last_line_start(std::string_view buffered);

}  // namespace sipscope::decode
