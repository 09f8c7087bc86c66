// WebSocket framing (RFC 6455 §5.2) and the HTTP upgrade that starts it (RFC 6455 §4),
// as used by SIP over WebSocket (RFC 7118): enough to pull SIP bytes out of a TCP stream.
//
// Frame layout: FIN|RSV1-3|opcode, MASK|payload len (7, 7+16 or 7+64 bits), masking key
// (4 bytes, client-to-server frames only, §5.3), payload. Data frames (text 0x1, binary
// 0x2) may be fragmented into continuation frames (0x0); control frames (close 0x8,
// ping 0x9, pong 0xA) are never fragmented and may sit between the fragments (§5.4).
//
//   WsFrameHeader h;
//   if (parse_ws_frame_header(raw, h) == WsParse::complete && raw.size() >= h.frame_size())
//     ws_unmask(payload_copy, h.mask_key, 0);
//
// Pure functions; the upgrade checks take the HTTP head as a view and keep nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace sipscope::decode {

namespace ws_opcode {
inline constexpr uint8_t kContinuation = 0x0;
inline constexpr uint8_t kText = 0x1;
inline constexpr uint8_t kBinary = 0x2;
inline constexpr uint8_t kClose = 0x8;
inline constexpr uint8_t kPing = 0x9;
inline constexpr uint8_t kPong = 0xA;
}  // namespace ws_opcode

enum class WsParse : uint8_t {
  complete,      // the header is complete and valid
  need_more,     // fewer bytes than the header needs
  bad_opcode,    // reserved opcode (0x3-0x7, 0xB-0xF)
  bad_reserved,  // RSV bits set: an extension (permessage-deflate) sipscope cannot undo
  bad_control,   // control frame fragmented or longer than 125 bytes (§5.5)
  bad_length,    // 64-bit length with the top bit set (§5.2)
};

[[nodiscard]] std::string_view ws_parse_name(WsParse p);

struct WsFrameHeader {
  bool fin = false;
  uint8_t opcode = 0;
  bool masked = false;
  uint8_t mask_key[4] = {0, 0, 0, 0};
  uint64_t payload_length = 0;
  size_t header_length = 0;  // 2 .. 14

  [[nodiscard]] bool is_control() const { return (opcode & 0x8) != 0; }
};

[[nodiscard]] WsParse parse_ws_frame_header(std::span<const uint8_t> data, WsFrameHeader& out);

// XORs `payload` with the masking key (§5.3); `offset` is the payload position of
// payload[0] so a payload can be unmasked in pieces.
void ws_unmask(std::span<uint8_t> payload, const uint8_t (&key)[4], uint64_t offset);

// The HTTP head (start line .. empty line) of a WebSocket upgrade request: GET with
// "Upgrade: websocket" (§4.1). `sip` tells whether Sec-WebSocket-Protocol offers "sip"
// (RFC 7118 §4.1).
struct WsUpgrade {
  bool is_upgrade = false;
  bool sip = false;
};
[[nodiscard]] WsUpgrade ws_upgrade_request(std::string_view http_head);
// A "101 Switching Protocols" response with "Upgrade: websocket" (§4.2.2).
[[nodiscard]] WsUpgrade ws_upgrade_response(std::string_view http_head);

// Length of the HTTP head including its terminating empty line, or 0 when the empty line
// has not arrived yet.
[[nodiscard]] size_t http_head_length(std::string_view data);

}  // namespace sipscope::decode
