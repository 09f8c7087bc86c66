// redact_slice: application payloads: SIP messages (through the Redactor), stream units
// (CRLF, SIP, HTTP, WebSocket frames and fragmented messages) and HEP v1-v3 packets.
#include <algorithm>

#include "decode/hep.hpp"
#include "decode/sip/message.hpp"
#include "export/slice_rewriter.hpp"

namespace sipscope::export_::slice {

// Content-Length of a SIP head (RFC 3261 §20.14, compact form "l"); 0 when absent.
size_t content_length(std::string_view head) {
  size_t pos = 0;
  while (pos < head.size()) {
    size_t eol = head.find("\r\n", pos);
    if (eol == std::string_view::npos) eol = head.size();
    std::string_view line = head.substr(pos, eol - pos);
    pos = eol + 2;
    if (!istarts(line, "content-length") && !istarts(line, "l")) continue;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = line.substr(0, colon);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    if (name.size() != 14 && name.size() != 1) continue;
    size_t v = 0;
    for (const char c : line.substr(colon + 1)) {
      if (c >= '0' && c <= '9') v = v * 10 + static_cast<size_t>(c - '0');
      if (v > 1'000'000) return v;
    }
    return v;
  }
  return 0;
}

Bytes Rewriter::sip(std::string_view text) {
  r_.learn_sip(text);
  return bytes_of(r_.sip(text));
}

Bytes Rewriter::text_of(std::string_view text) {
  r_.learn_sip(text);
  return bytes_of(r_.fragment(text));
}

// One unit of a stream at the start of `data`: CRLF keep-alives, a SIP message, an HTTP
// head, a WebSocket frame, a HEP3 packet; a partial one at the end is blanked / text.
Bytes Rewriter::unit(Span data, bool& ws, size_t& used) {
  const std::string_view text = chars(data);
  size_t crlf = 0;
  while (crlf < text.size() && (text[crlf] == '\r' || text[crlf] == '\n')) ++crlf;
  if (crlf > 0) {
    used = crlf;
    return Bytes(data.begin(), data.begin() + static_cast<ptrdiff_t>(crlf));
  }
  if (text.substr(0, 4) == "HEP3") {
    used = 0;
    Bytes out = hep(data, used);
    if (used == 0) used = data.size();
    return out;
  }
  if (istarts(text, "GET ") || istarts(text, "HTTP/")) {
    const size_t n = decode::http_head_length(text);
    used = n == 0 ? text.size() : n;
    ws = ws || n != 0;
    return text_of(text.substr(0, used));
  }
  if (sniff_sip(text)) {
    const size_t head_end = text.find("\r\n\r\n");
    if (head_end != std::string_view::npos) {
      const size_t total = head_end + 4 + content_length(text.substr(0, head_end + 2));
      if (total <= text.size()) {
        used = total;
        return sip(text.substr(0, total));
      }
    }
    used = text.size();
    return text_of(text);
  }
  if (ws || (static_cast<uint8_t>(text[0]) & 0x70) == 0) {
    decode::WsFrameHeader h;
    if (decode::parse_ws_frame_header(data, h) == decode::WsParse::complete &&
        h.payload_length <= data.size() - h.header_length) {
      used = h.header_length + static_cast<size_t>(h.payload_length);
      if (!h.fin && !h.is_control()) return ws_message(data, h, used);
      return ws_frame(data.first(used), h);
    }
  }
  used = data.size();
  return Bytes(data.size(), 0);
}

// A message fragmented into continuation frames (RFC 6455 §5.4) is redacted whole and
// written as one frame: the text of a SIP message may straddle the frames. `used` is the
// first frame's size on entry.
Bytes Rewriter::ws_message(Span data, const decode::WsFrameHeader& first, size_t& used) {
  Bytes payload(data.begin() + static_cast<ptrdiff_t>(first.header_length),
                data.begin() + static_cast<ptrdiff_t>(used));
  if (first.masked) decode::ws_unmask(payload, first.mask_key, 0);
  size_t pos = used;
  while (pos < data.size()) {
    decode::WsFrameHeader h;
    if (decode::parse_ws_frame_header(data.subspan(pos), h) != decode::WsParse::complete ||
        h.opcode != 0 || h.payload_length > data.size() - pos - h.header_length) {
      break;  // not the continuation (or not all of it here): the first frame alone
    }
    Bytes part(data.begin() + static_cast<ptrdiff_t>(pos + h.header_length),
               data.begin() + static_cast<ptrdiff_t>(pos + h.header_length + h.payload_length));
    if (h.masked) decode::ws_unmask(part, h.mask_key, 0);
    append(payload, part);
    pos += h.header_length + static_cast<size_t>(h.payload_length);
    if (h.fin) {
      used = pos;
      decode::WsFrameHeader whole = first;
      whole.fin = true;
      return ws_frame(payload, whole, 0x80 | (data[0] & 0x0F));
    }
  }
  return ws_frame(data.first(used), first);
}

// `frame`: the whole frame as captured, or (first_byte != 0) the unmasked payload alone.
Bytes Rewriter::ws_frame(Span frame, const decode::WsFrameHeader& h, uint8_t first_byte) {
  Bytes payload(frame.begin() + static_cast<ptrdiff_t>(first_byte != 0 ? 0 : h.header_length),
                frame.end());
  if (h.masked && first_byte == 0) decode::ws_unmask(payload, h.mask_key, 0);
  const std::string_view text = chars(payload);
  Bytes red = sniff_sip(text) ? sip(text) : text_of(text);
  if (h.masked) decode::ws_unmask(red, h.mask_key, 0);
  Bytes out{first_byte != 0 ? first_byte : frame[0]};
  const uint8_t mask = h.masked ? 0x80 : 0;
  const size_t n = red.size();
  if (n < 126) {
    out.push_back(static_cast<uint8_t>(mask | n));
  } else if (n <= 0xFFFF) {
    // Byte by byte: GCC 12 takes an initializer-list insert here for an out-of-bounds
    // copy (-Warray-bounds false positive).
    out.push_back(static_cast<uint8_t>(mask | 126));
    out.push_back(static_cast<uint8_t>(n >> 8));
    out.push_back(static_cast<uint8_t>(n));
  } else {
    out.push_back(static_cast<uint8_t>(mask | 127));
    for (int k = 7; k >= 0; --k) out.push_back(static_cast<uint8_t>(uint64_t{n} >> (8 * k)));
  }
  if (h.masked) out.insert(out.end(), std::begin(h.mask_key), std::end(h.mask_key));
  append(out, red);
  return out;
}

Bytes Rewriter::hep(Span p, size_t& used) {
  decode::HepPacket h;
  if (decode::decode_hep(p, h) != decode::HepError::ok) {
    used = p.size();
    return Bytes(p.size(), 0);
  }
  if (h.version != 3) {
    // v1/v2: {version, length, family, protocol, sport, dport}, addresses, [time].
    const bool v6 = p[2] == 10;
    const size_t alen = v6 ? 16 : 4;
    const size_t head = p[1] + (h.version == 2 ? decode::kHepV2TimeHeaderSize : 0);
    Bytes out(p.begin(), p.begin() + static_cast<ptrdiff_t>(std::min(head, p.size())));
    if (out.size() >= 8 + 2 * alen) rewrite_ip_addresses(out.data() + 8, v6);
    append(out, sip(chars(p.subspan(std::min(head, p.size())))));
    used = p.size();
    return out;
  }
  used = std::min(h.size, p.size());
  Bytes out(p.begin(), p.begin() + decode::kHepV3HeaderSize);
  size_t pos = decode::kHepV3HeaderSize;
  while (pos + decode::kHepChunkHeaderSize <= used) {
    const uint16_t vendor = be16(p.data() + pos);
    const uint16_t type = be16(p.data() + pos + 2);
    const size_t len = be16(p.data() + pos + 4);
    if (len < decode::kHepChunkHeaderSize || pos + len > used) break;
    const Span value = p.subspan(pos + 6, len - 6);
    pos += len;
    Bytes v(value.begin(), value.end());
    if (vendor != 0) continue;  // vendors' chunks: unknown content, dropped
    switch (type) {
      case 3:
      case 4:
        if (v.size() == 4) rewrite_one_ip(v.data(), false);
        break;
      case 5:
      case 6:
        if (v.size() == 16) rewrite_one_ip(v.data(), true);
        break;
      case 14:  // authentication key
      case 16:  // gzip payload: cannot be redacted
        continue;
      case 15:
        v = h.payload_type == decode::kHepPayloadSip ? sip(chars(value)) : text_of(chars(value));
        break;
      case 17:  // correlation id: often the Call-ID
        v = text_of(chars(value));
        break;
      default:
        if (type > 13) continue;  // unknown: dropped
        break;
    }
    Bytes chunk(p.begin() + static_cast<ptrdiff_t>(pos - len),
                p.begin() + static_cast<ptrdiff_t>(pos - len + 6));
    set16(chunk.data() + 4, 6 + v.size());
    append(out, chunk);
    append(out, v);
  }
  set16(out.data() + 4, out.size());
  return out;
}

}  // namespace sipscope::export_::slice
