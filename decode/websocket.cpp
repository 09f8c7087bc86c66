#include "decode/websocket.hpp"

#include "decode/byte_reader.hpp"

namespace sipscope::decode {
namespace {

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool contains_ci(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return false;
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    if (iequals(hay.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

std::string_view trim(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r')) {
    v.remove_suffix(1);
  }
  return v;
}

// Sec-WebSocket-Protocol is a comma-separated token list (§11.3.4).
bool has_token(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    const size_t comma = list.find(',');
    if (iequals(trim(list.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

// Scans the header lines after the start line for Upgrade and Sec-WebSocket-Protocol.
WsUpgrade scan_headers(std::string_view head) {
  WsUpgrade u;
  size_t pos = head.find('\n');
  while (pos != std::string_view::npos && pos + 1 < head.size()) {
    const size_t begin = pos + 1;
    pos = head.find('\n', begin);
    const std::string_view line =
        head.substr(begin, pos == std::string_view::npos ? head.size() - begin : pos - begin);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view name = trim(line.substr(0, colon));
    const std::string_view value = trim(line.substr(colon + 1));
    if (iequals(name, "upgrade") && contains_ci(value, "websocket")) u.is_upgrade = true;
    if (iequals(name, "sec-websocket-protocol") && has_token(value, "sip")) u.sip = true;
  }
  return u;
}

}  // namespace

std::string_view ws_parse_name(WsParse p) {
  switch (p) {
    case WsParse::complete:
      return "complete";
    case WsParse::need_more:
      return "need_more";
    case WsParse::bad_opcode:
      return "bad_opcode";
    case WsParse::bad_reserved:
      return "bad_reserved";
    case WsParse::bad_control:
      return "bad_control";
    case WsParse::bad_length:
      return "bad_length";
  }
  return "unknown";
}

WsParse parse_ws_frame_header(std::span<const uint8_t> data, WsFrameHeader& out) {
  ByteReader r(data);
  uint8_t b0 = 0;
  uint8_t b1 = 0;
  if (!r.read_u8(b0) || !r.read_u8(b1)) return WsParse::need_more;
  out.fin = (b0 & 0x80) != 0;
  out.opcode = b0 & 0x0f;
  out.masked = (b1 & 0x80) != 0;
  if ((b0 & 0x70) != 0) return WsParse::bad_reserved;
  switch (out.opcode) {
    case ws_opcode::kContinuation:
    case ws_opcode::kText:
    case ws_opcode::kBinary:
    case ws_opcode::kClose:
    case ws_opcode::kPing:
    case ws_opcode::kPong:
      break;
    default:
      return WsParse::bad_opcode;
  }
  uint64_t len = b1 & 0x7f;
  if (len == 126) {
    uint16_t l16 = 0;
    if (!r.read_u16(l16)) return WsParse::need_more;
    len = l16;
  } else if (len == 127) {
    uint32_t hi = 0;
    uint32_t lo = 0;
    if (!r.read_u32(hi) || !r.read_u32(lo)) return WsParse::need_more;
    if ((hi & 0x80000000u) != 0) return WsParse::bad_length;
    len = (uint64_t{hi} << 32) | lo;
  }
  if (out.is_control() && (!out.fin || len > 125)) return WsParse::bad_control;
  if (out.masked) {
    for (uint8_t& k : out.mask_key) {
      if (!r.read_u8(k)) return WsParse::need_more;
    }
  } else {
    for (uint8_t& k : out.mask_key) k = 0;
  }
  out.payload_length = len;
  out.header_length = r.offset();
  return WsParse::complete;
}

void ws_unmask(std::span<uint8_t> payload, const uint8_t (&key)[4], uint64_t offset) {
  for (size_t i = 0; i < payload.size(); ++i) {
    payload[i] = static_cast<uint8_t>(payload[i] ^ key[(offset + i) & 3]);
  }
}

WsUpgrade ws_upgrade_request(std::string_view head) {
  if (head.substr(0, 4) != "GET ") return {};
  return scan_headers(head);
}

WsUpgrade ws_upgrade_response(std::string_view head) {
  // Status-Line = HTTP-Version SP Status-Code SP Reason-Phrase (RFC 9112 §4).
  if (head.size() < 12 || head.substr(0, 5) != "HTTP/" || head.substr(8, 4) != " 101") {
    return {};
  }
  return scan_headers(head);
}

size_t http_head_length(std::string_view data) {
  size_t pos = 0;
  while (pos < data.size()) {
    const size_t lf = data.find('\n', pos);
    if (lf == std::string_view::npos) return 0;
    const size_t len = lf - pos;
    if (len == 0 || (len == 1 && data[pos] == '\r')) return pos == 0 ? 0 : lf + 1;
    pos = lf + 1;
  }
  return 0;
}

}  // namespace sipscope::decode
