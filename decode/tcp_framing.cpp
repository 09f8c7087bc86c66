// TCP application layer: what a connection carries (SIP, WebSocket upgrade, TLS, other),
// SIP framing on the byte stream with resynchronisation, and WebSocket frames to messages.
#include <algorithm>
#include <iterator>

#include "decode/sip/message.hpp"
#include "decode/sip_framing.hpp"
#include "decode/tcp_stream.hpp"
#include "decode/text.hpp"
#include "decode/websocket.hpp"

namespace sipscope::decode {
namespace {

using text::append_excerpt;
using text::append_uint;
using text::as_chars;
using text::only_whitespace;
using text::skip_crlf;

constexpr size_t kMaxProbeLine = 8192;  // bound for a direction whose protocol is undecided
constexpr uint16_t kSipTlsPort = 5061;  // RFC 3261 §19.1.2 default port for sips

// RFC 8446 §5.1 / RFC 5246 §6.2.1 record header: content type 20..23, legacy version 3.x.
bool is_tls_record(std::string_view s) {
  if (s.size() < 3) return false;
  const auto type = static_cast<unsigned char>(s[0]);
  return type >= 0x14 && type <= 0x17 && s[1] == 0x03 && static_cast<unsigned char>(s[2]) <= 4;
}

bool could_be_tls(std::string_view s) {
  const auto type = static_cast<unsigned char>(s[0]);
  return type >= 0x14 && type <= 0x17 && (s.size() < 2 || s[1] == 0x03);
}

bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

bool contains_ci(std::string_view hay, std::string_view needle) {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
  auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(),
                        [&](char a, char b) { return lower(a) == lower(b); });
  return it != hay.end();
}

// The beginning of a request or status line (RFC 3261 §7.1, §7.2) that has not reached
// " SIP/2.0" yet. Only the common methods: this sniffs untracked traffic.
bool partial_start_line(std::string_view line) {
  static constexpr std::string_view kStarts[] = {
      "SIP/2.0 ", "INVITE ", "ACK ",    "BYE ",       "CANCEL ", "REGISTER ", "OPTIONS ", "PRACK ",
      "INFO ",    "REFER ",  "UPDATE ", "SUBSCRIBE ", "NOTIFY ", "PUBLISH ",  "MESSAGE "};
  for (std::string_view p : kStarts) {
    if (starts_with(line, p)) return true;
  }
  return false;
}

enum class WsSniff : uint8_t { no, yes, need_more };

// A WebSocket data frame (RFC 6455 §5.2) whose payload starts like SIP: SIP over WebSocket
// seen without its upgrade handshake (the capture started later).
WsSniff sniff_ws_sip(std::string_view s) {
  WsFrameHeader h;
  const auto bytes = std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  const WsParse p = parse_ws_frame_header(bytes, h);
  if (p == WsParse::need_more) return WsSniff::need_more;
  if (p != WsParse::complete) return WsSniff::no;
  if (h.opcode != ws_opcode::kText && h.opcode != ws_opcode::kBinary) return WsSniff::no;
  constexpr size_t kPeek = 64;
  const size_t want = static_cast<size_t>(std::min<uint64_t>(h.payload_length, kPeek));
  const size_t have = std::min(want, s.size() - h.header_length);
  if (have < std::min<size_t>(want, 8)) return WsSniff::need_more;
  uint8_t peek[kPeek];
  std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(h.header_length), have, peek);
  ws_unmask(std::span(peek, have), h.mask_key, 0);
  const std::string_view text(reinterpret_cast<const char*>(peek), have);
  return sip::looks_like_sip(text) || partial_start_line(text) ? WsSniff::yes : WsSniff::no;
}

}  // namespace

// Untracked traffic is sniffed once per segment: SYN (the start is known, so even a
// reordered first segment is reassembled), SIP anywhere at a line start, a WebSocket
// upgrade, or TLS on the SIP TLS port.
bool TcpStreams::worth_tracking(const TcpSegment& s) const {
  if ((s.flags & tcp_flag::kSyn) != 0 && (s.flags & tcp_flag::kRst) == 0) return true;
  const std::string_view text = skip_crlf(as_chars(s.payload));
  if (text.empty()) return false;
  if ((s.src.port == kSipTlsPort || s.dst.port == kSipTlsPort) && is_tls_record(text)) {
    return true;
  }
  if (sip::looks_like_sip(text)) return true;
  if (starts_with(text, "GET ") && contains_ci(text, "websocket")) return true;
  if (find_sip_start(text) != std::string_view::npos) return true;
  if (sniff_ws_sip(as_chars(s.payload)) == WsSniff::yes) return true;
  // A start line cut by the segment end: the next segment completes it.
  return partial_start_line(text.substr(last_line_start(text)));
}

// ---- application layer ----------------------------------------------------------------

void TcpStreams::deliver(Connection& c, int d, const FrameRef& frame) {
  Direction& dir = c.dir[d];
  for (int step = 0; step < 4; ++step) {
    const Mode before = dir.mode;
    switch (dir.mode) {
      case Mode::probe:
        probe(c, d);
        break;
      case Mode::ws_http:
        run_ws_http(c, d);
        break;
      case Mode::sip:
        run_sip(c, d, frame);
        return;
      case Mode::ws:
        run_ws(c, d, frame);
        return;
      case Mode::ignored:
        return;
    }
    if (dir.mode == before) return;  // waiting for more bytes
  }
}

// Decides what a direction carries from its first bytes.
void TcpStreams::probe(Connection& c, int d) {
  Direction& dir = c.dir[d];
  // Keep-alive CRLFs before the first message (RFC 5626 §3.5.1) are not data.
  dir.buf.erase(0, dir.buf.size() - skip_crlf(dir.buf).size());
  const std::string_view s = dir.buf;
  if (s.empty()) return;
  if (could_be_tls(s)) {
    if (s.size() < 3) return;
    if (is_tls_record(s)) {
      if ((c.key.a.port == kSipTlsPort || c.key.b.port == kSipTlsPort) && !c.tls_reported) {
        c.tls_reported = true;
        detail_.clear();
        detail_ += "TLS on port 5061 (SIP over TLS, RFC 3261 §26.2): encrypted, not decoded";
        report(c, d, dir.last_frame, AnomalyKind::tls_not_decoded);
      }
      ignore_connection(c);
      return;
    }
  }
  if (!dir.from_start && (c.ws_sip || !c.sip_seen)) {
    switch (sniff_ws_sip(s)) {
      case WsSniff::yes:
        dir.mode = Mode::ws;
        c.sip_seen = true;
        c.ws_sip = true;
        return;
      case WsSniff::need_more:
        return;
      case WsSniff::no:
        if (c.ws_sip) {
          dir.buf.clear();  // not at a frame start: try the next segment
          return;
        }
        break;
    }
  }
  const size_t lf = s.find('\n');
  bool not_sip = false;
  if (lf == std::string_view::npos && partial_start_line(s)) {
    dir.mode = Mode::sip;  // a start line still arriving
    c.sip_seen = true;
    return;
  }
  if (lf == std::string_view::npos) {
    // parse_message's rule: a start line begins with a token character.
    const char f = s.front();
    const bool token = (f >= 'A' && f <= 'Z') || (f >= 'a' && f <= 'z') || (f >= '0' && f <= '9');
    if (s.size() <= kMaxProbeLine && token) return;  // wait for the line end
    not_sip = true;
  }
  if (!not_sip) {
    if (sip::looks_like_sip(s)) {
      dir.mode = Mode::sip;
      c.sip_seen = true;
      return;
    }
    if (starts_with(s, "GET ") || starts_with(s, "HTTP/")) {
      dir.mode = Mode::ws_http;
      return;
    }
  }
  if (dir.from_start && !c.sip_seen) {
    ignore_connection(c);  // a protocol that is not SIP from its first byte
    return;
  }
  // The capture started in the middle of this direction: hunt for a start line.
  dir.mode = Mode::sip;
  dir.resync = Resync::midstream;
}

void TcpStreams::run_sip(Connection& c, int d, const FrameRef& frame) {
  Direction& dir = c.dir[d];
  const std::string_view all = dir.buf;
  size_t head = 0;
  for (;;) {
    const std::string_view rest = all.substr(head);
    if (rest.empty()) break;
    if (dir.resync != Resync::none) {
      const size_t start = find_sip_start(rest);
      if (start == std::string_view::npos) {
        // Keep the last line: it may be a start line still arriving.
        size_t keep = last_line_start(rest);
        if (rest.size() - keep > kMaxProbeLine) keep = rest.size();
        dir.skipped += keep;
        dir.skipped_text = dir.skipped_text || !only_whitespace(rest.substr(0, keep));
        head += keep;
        break;
      }
      dir.skipped += start;
      dir.skipped_text = dir.skipped_text || !only_whitespace(rest.substr(0, start));
      head += start;
      if (dir.resync == Resync::midstream && dir.skipped_text) {
        detail_.clear();
        append_uint(detail_, dir.skipped);
        detail_ += " bytes before the first SIP start line skipped (capture started mid-stream)";
        report(c, d, frame, AnomalyKind::sip_stream_resync);
      }
      c.sip_seen = true;
      dir.resync = Resync::none;
      dir.skipped = 0;
      dir.skipped_text = false;
      continue;
    }
    if (dir.skip > 0) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(dir.skip, rest.size()));
      dir.skip -= n;
      head += n;
      continue;
    }
    if (dir.needed > rest.size()) break;
    dir.needed = 0;
    const FrameResult r = frame_sip(rest);
    const size_t consumed = std::min(r.consumed, rest.size());
    if (r.status == FrameStatus::complete) {
      const size_t begin = std::min(r.message_offset, consumed);
      c.sip_seen = true;
      emit(c, d, frame, rest.substr(begin, consumed - begin), false, Transport::tcp);
      head += consumed;
      continue;
    }
    head += consumed;
    if (r.status == FrameStatus::need_more) {
      dir.needed = r.needed > consumed ? r.needed - consumed : 0;
      if (dir.needed > limits_.max_connection_bytes) {
        // Too big to buffer, but its end is known: drop it and keep the framing.
        if (c.sip_seen) {
          detail_.clear();
          append_uint(detail_, dir.needed);
          detail_ += " bytes in one message (limit ";
          append_uint(detail_, limits_.max_connection_bytes);
          detail_ += "); message skipped: ";
          append_excerpt(detail_, all.substr(head));
          report(c, d, frame, AnomalyKind::tcp_buffer_limit);
        }
        dir.skip = dir.needed;
        dir.needed = 0;
        continue;
      }
      break;
    }
    const std::string_view bad = all.substr(head);
    if (c.sip_seen) {
      detail_.clear();
      detail_ += frame_error_name(r.error);
      detail_ += "; skipping to the next SIP start line: ";
      append_excerpt(detail_, bad);
      report(c, d, frame, AnomalyKind::sip_stream_resync);
    }
    // Step past the offending line so the hunt cannot find the same start line again.
    const size_t lf = bad.find('\n');
    head += lf == std::string_view::npos ? bad.size() : lf + 1;
    dir.resync = Resync::quiet;
  }
  dir.buf.erase(0, head);
}

// The HTTP/1.1 upgrade handshake before WebSocket frames (RFC 6455 §4, RFC 7118 §4.1).
void TcpStreams::run_ws_http(Connection& c, int d) {
  Direction& dir = c.dir[d];
  const size_t n = http_head_length(dir.buf);
  if (n == 0) {
    if (dir.buf.size() > kMaxFramedHeaders) ignore_connection(c);
    return;
  }
  const std::string_view head = std::string_view(dir.buf).substr(0, n);
  if (starts_with(head, "GET ")) {
    const WsUpgrade u = ws_upgrade_request(head);
    if (!u.is_upgrade) {
      ignore_connection(c);
      return;
    }
    c.ws_sip = c.ws_sip || u.sip;
    if (u.sip) c.sip_seen = true;
  } else {
    const WsUpgrade u = ws_upgrade_response(head);
    if (!u.is_upgrade || !(u.sip || c.ws_sip)) {
      ignore_connection(c);
      return;
    }
    c.sip_seen = true;
  }
  dir.mode = Mode::ws;
  dir.buf.erase(0, n);
}

void TcpStreams::run_ws(Connection& c, int d, const FrameRef& frame) {
  Direction& dir = c.dir[d];
  size_t head = 0;
  for (;;) {
    const auto raw = std::span<const uint8_t>(
        reinterpret_cast<const uint8_t*>(dir.buf.data()) + head, dir.buf.size() - head);
    if (raw.empty()) break;
    WsFrameHeader h;
    const WsParse p = parse_ws_frame_header(raw, h);
    if (p == WsParse::need_more) break;
    if (p != WsParse::complete || h.payload_length > limits_.max_connection_bytes) {
      if (c.sip_seen) {
        detail_.clear();
        if (p != WsParse::complete) {
          detail_ += ws_parse_name(p);
        } else {
          detail_ += "frame of ";
          append_uint(detail_, h.payload_length);
          detail_ += " bytes over the buffer limit";
        }
        detail_ += "; rest of the direction skipped";
        report(c, d, frame,
               p == WsParse::complete ? AnomalyKind::tcp_buffer_limit : AnomalyKind::ws_bad_frame);
      }
      dir.mode = Mode::ignored;
      dir.buf.clear();
      dir.app.clear();
      return;
    }
    const size_t total = h.header_length + static_cast<size_t>(h.payload_length);
    if (raw.size() < total) break;
    const std::string_view payload = std::string_view(dir.buf).substr(
        head + h.header_length, static_cast<size_t>(h.payload_length));
    const uint64_t raw_start = dir.end - dir.buf.size() + head;
    head += total;
    if (h.is_control()) continue;  // ping, pong, close: no SIP inside (RFC 6455 §5.5)
    if (h.opcode != ws_opcode::kContinuation) {
      if (dir.in_message && c.sip_seen) {
        detail_.clear();
        detail_ += "new data frame before the fragmented message ended; ";
        append_uint(detail_, dir.app.size());
        detail_ += " bytes dropped";
        report(c, d, frame, AnomalyKind::ws_bad_frame);
      }
      dir.app.clear();
      dir.app_frames.clear();
      dir.in_message = true;
      dir.discard_message = false;
    } else if (!dir.in_message) {
      if (c.sip_seen) {
        detail_.clear();
        detail_ += "continuation frame outside a message; ";
        append_uint(detail_, h.payload_length);
        detail_ += " bytes dropped";
        report(c, d, frame, AnomalyKind::ws_bad_frame);
      }
      continue;
    }
    if (!dir.discard_message) {
      const size_t old = dir.app.size();
      collect_frames(dir, raw_start, raw_start + total, dir.app_frames);
      dir.app.append(payload);
      if (h.masked) {
        ws_unmask(
            std::span<uint8_t>(reinterpret_cast<uint8_t*>(dir.app.data()) + old, payload.size()),
            h.mask_key, 0);
      }
      if (dir.app.size() > limits_.max_connection_bytes) {
        if (c.sip_seen) {
          detail_.clear();
          append_uint(detail_, dir.app.size());
          detail_ += " bytes in one WebSocket message (limit ";
          append_uint(detail_, limits_.max_connection_bytes);
          detail_ += "); message dropped";
          report(c, d, frame, AnomalyKind::tcp_buffer_limit);
        }
        dir.app.clear();
        dir.discard_message = true;
      }
    }
    if (h.fin) {
      if (!dir.discard_message) emit_ws_message(c, d, frame);
      dir.app.clear();
      dir.in_message = false;
      dir.discard_message = false;
    }
  }
  dir.buf.erase(0, head);
}

// RFC 7118 §5: one SIP message per WebSocket message. Framed anyway, in case a peer
// packs several; the last (or only) one is bounded by the WebSocket message itself.
void TcpStreams::emit_ws_message(Connection& c, int d, const FrameRef& frame) {
  std::string_view rest = c.dir[d].app;
  for (;;) {
    rest = skip_crlf(rest);
    if (only_whitespace(rest)) return;
    const FrameResult r = frame_sip(rest);
    // Without Content-Length the body is the rest of the WebSocket message (as for a
    // datagram), so only a message with one can be followed by another.
    if (r.status == FrameStatus::complete && r.consumed <= rest.size() &&
        (r.has_content_length || only_whitespace(rest.substr(r.consumed)))) {
      const size_t begin = std::min(r.message_offset, r.consumed);
      emit(c, d, frame, rest.substr(begin, r.consumed - begin), false, Transport::ws);
      rest.remove_prefix(r.consumed);
      continue;
    }
    emit(c, d, frame, rest, true, Transport::ws);
    return;
  }
}

}  // namespace sipscope::decode
