#include "decode/tcp_stream.hpp"

#include "decode/text.hpp"

#include <algorithm>
#include <charconv>
#include <iterator>

#include "decode/sip/message.hpp"
#include "decode/sip_framing.hpp"
#include "decode/websocket.hpp"

namespace sipscope::decode {
namespace {

using text::append_excerpt;
using text::append_uint;

// Bounds for directions whose protocol is not decided yet, and for the out-of-order list.
constexpr size_t kMaxProbeLine = 8192;
constexpr size_t kMaxPendingSegments = 1024;
constexpr int64_t kGapSweepUs = 1'000'000;
constexpr uint16_t kSipTlsPort = 5061;  // RFC 3261 §19.1.2 default port for sips

bool only_whitespace(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return c == '\r' || c == '\n' || c == ' ' || c == '\t' || c == '\0';
  });
}

std::string_view skip_crlf(std::string_view s) {
  while (!s.empty() && (s.front() == '\r' || s.front() == '\n')) s.remove_prefix(1);
  return s;
}

std::string_view as_chars(std::span<const uint8_t> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

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

// ---- connection table -------------------------------------------------------------------

void TcpStreams::on_segment(const TcpSegment& s) {
  const bool forward = s.src < s.dst;
  const Key key = forward ? Key{s.src, s.dst} : Key{s.dst, s.src};
  const int d = forward ? 0 : 1;
  Connection* c = find_or_create(s, key);
  if (c == nullptr) return;
  touch(*c, s.frame.ts_us);
  Direction& dir = c->dir[d];

  if ((s.flags & tcp_flag::kSyn) != 0) {
    const bool repeat = c->syn_seen[d] && c->isn[d] == s.seq;
    if (!repeat && (c->closed || c->syn_seen[d] || dir.have_seq)) {
      // A new connection on the same 5-tuple (port reuse): the old one is over.
      flush(*c, "when the 5-tuple was reused");
      reset_direction(c->dir[0]);
      reset_direction(c->dir[1]);
      c->syn_seen[0] = c->syn_seen[1] = false;
      c->sip_seen = c->ws_sip = c->tls_reported = c->closed = false;
    }
    if (!repeat && !dir.have_seq) {
      c->syn_seen[d] = true;
      c->isn[d] = s.seq;
      dir.have_seq = true;
      dir.from_start = true;
      dir.next_seq = s.seq + 1;  // SYN occupies one sequence number (RFC 9293 §3.4)
    }
  }
  if (c->closed) return;

  dir.last_frame = s.frame;
  if (!s.payload.empty() && dir.mode != Mode::ignored && !dir.closed) ingest(*c, d, s);
  check_gap(*c, 0, s.frame.ts_us);
  check_gap(*c, 1, s.frame.ts_us);

  if ((s.flags & tcp_flag::kFin) != 0 && !dir.fin) {
    const uint32_t fin_seq = s.seq + ((s.flags & tcp_flag::kSyn) != 0 ? 1u : 0u) +
                             static_cast<uint32_t>(s.payload.size());
    if (!dir.have_seq) {
      dir.have_seq = true;
      dir.next_seq = fin_seq;
    }
    const int64_t rel = static_cast<int32_t>(fin_seq - dir.next_seq);
    dir.fin = true;
    dir.fin_offset = rel <= 0 ? dir.end : dir.end + static_cast<uint64_t>(rel);
  }
  check_fin(*c, d, s.frame);
  if ((s.flags & tcp_flag::kRst) != 0) {
    flush(*c, "at RST");
    c->closed = true;
  }
  if (c->dir[0].closed && c->dir[1].closed) c->closed = true;
  if (!c->closed) enforce_limits(*c, d, s.frame);
  account(c->dir[0]);
  account(c->dir[1]);
}

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

TcpStreams::Connection* TcpStreams::find_or_create(const TcpSegment& s, const Key& key) {
  auto it = table_.find(key);
  if (it != table_.end()) return &it->second;
  if (!worth_tracking(s)) return nullptr;
  if (table_.size() >= limits_.max_connections && !lru_.empty()) {
    Connection& old = table_.at(lru_.front());
    if (old.sip_seen && !old.closed) {
      detail_.clear();
      detail_ += "connection ";
      detail_ += old.key.a.to_string();
      detail_ += " <-> ";
      detail_ += old.key.b.to_string();
      detail_ += " evicted (limit ";
      append_uint(detail_, limits_.max_connections);
      detail_ += " connections), ";
      append_uint(detail_, old.dir[0].accounted + old.dir[1].accounted);
      detail_ += " buffered bytes dropped";
      report(old, 0, s.frame, AnomalyKind::tcp_connection_table_full);
    }
    erase(old);
  }
  auto [pos, inserted] = table_.try_emplace(key);
  (void)inserted;
  Connection& c = pos->second;
  c.key = key;
  c.last_seen_us = s.frame.ts_us;
  c.lru = lru_.insert(lru_.end(), key);
  return &c;
}

void TcpStreams::touch(Connection& c, int64_t ts_us) {
  c.last_seen_us = ts_us;
  lru_.splice(lru_.end(), lru_, c.lru);
}

void TcpStreams::erase(Connection& c) {
  total_bytes_ -= c.dir[0].accounted + c.dir[1].accounted;
  lru_.erase(c.lru);
  const Key key = c.key;
  table_.erase(key);
}

// Called before bytes starting at stream offset `end` are appended to `buf`. Pieces wholly
// before the buffer are forgotten; past the bound, bytes are attributed to the previous
// piece's frame (a message of hundreds of segments loses some frame numbers, not bytes).
void TcpStreams::note_piece(Direction& d, uint64_t frame_number) {
  constexpr size_t kMaxPieces = 256;
  if (d.buf.empty()) {
    d.pieces.clear();
  } else {
    const uint64_t buf_start = d.end - d.buf.size();
    size_t dead = 0;
    while (dead + 1 < d.pieces.size() && d.pieces[dead + 1].first <= buf_start) ++dead;
    d.pieces.erase(d.pieces.begin(), d.pieces.begin() + static_cast<std::ptrdiff_t>(dead));
  }
  if (!d.pieces.empty() && d.pieces.back().second == frame_number) return;
  if (d.pieces.size() < kMaxPieces) d.pieces.emplace_back(d.end, frame_number);
}

// Frames of the pieces overlapping stream offsets [begin, end).
void TcpStreams::collect_frames(const Direction& d, uint64_t begin, uint64_t end, FrameList& out) {
  for (size_t i = 0; i < d.pieces.size(); ++i) {
    const uint64_t piece_end = i + 1 < d.pieces.size() ? d.pieces[i + 1].first : d.end;
    if (piece_end > begin && d.pieces[i].first < end) out.add(d.pieces[i].second);
  }
}

void TcpStreams::reset_direction(Direction& d) {
  const size_t accounted = d.accounted;
  d = Direction{};
  d.accounted = accounted;  // account() settles the difference
}

void TcpStreams::account(Direction& d) {
  const size_t now = d.buf.size() + d.pending_bytes + d.app.size();
  total_bytes_ = total_bytes_ - d.accounted + now;
  d.accounted = now;
  if (d.buf.empty() && d.buf.capacity() > 64 * 1024) d.buf.shrink_to_fit();
  if (d.app.empty() && d.app.capacity() > 64 * 1024) d.app.shrink_to_fit();
}

void TcpStreams::expire(int64_t now_us) {
  while (!lru_.empty()) {
    Connection& c = table_.at(lru_.front());
    if (now_us - c.last_seen_us <= limits_.idle_timeout_us) break;
    if (!c.closed) flush(c, "after the idle timeout");
    erase(c);
  }
  if (total_bytes_ == 0 || now_us - last_gap_sweep_us_ < kGapSweepUs) return;
  last_gap_sweep_us_ = now_us;
  for (auto& [key, c] : table_) {
    for (int d = 0; d < 2; ++d) {
      if (c.dir[d].pending.empty()) continue;
      check_gap(c, d, now_us);
      account(c.dir[d]);
    }
  }
}

void TcpStreams::finish() {
  for (auto& [key, c] : table_) {
    if (!c.closed) flush(c, "at the end of the capture");
  }
  table_.clear();
  lru_.clear();
  total_bytes_ = 0;
}

// ---- reassembly -----------------------------------------------------------------------

void TcpStreams::ingest(Connection& c, int d, const TcpSegment& s) {
  Direction& dir = c.dir[d];
  const uint32_t seq = s.seq + ((s.flags & tcp_flag::kSyn) != 0 ? 1u : 0u);
  if (!dir.have_seq) {
    dir.have_seq = true;
    dir.next_seq = seq;
  }
  std::span<const uint8_t> bytes = s.payload;
  int64_t rel = static_cast<int32_t>(seq - dir.next_seq);
  if (rel < 0) {
    // Retransmitted or overlapping: bytes already received win.
    const auto old = static_cast<uint64_t>(-rel);
    if (old >= bytes.size()) return;
    bytes = bytes.subspan(static_cast<size_t>(old));
    rel = 0;
  }
  if (rel == 0 && dir.pending.empty()) {
    note_piece(dir, s.frame.number);
    dir.buf.append(as_chars(bytes));
    dir.end += bytes.size();
    dir.next_seq += static_cast<uint32_t>(bytes.size());
    deliver(c, d, s.frame);
    return;
  }
  if (dir.pending.empty()) dir.pending_since_us = s.frame.ts_us;
  add_pending(dir, dir.end + static_cast<uint64_t>(rel), bytes, s.frame);
  drain(c, d, &s.frame);
}

// Keeps only the parts of [offset, offset + size) that no earlier segment delivered:
// the first-received copy of every byte wins, whatever order retransmissions come in.
void TcpStreams::add_pending(Direction& dir, uint64_t offset, std::span<const uint8_t> bytes,
                             const FrameRef& frame) {
  const uint64_t end = offset + bytes.size();
  uint64_t cursor = offset;
  size_t i = 0;
  while (cursor < end) {
    while (i < dir.pending.size() && dir.pending[i].offset + dir.pending[i].data.size() <= cursor) {
      ++i;
    }
    uint64_t piece_end = end;
    if (i < dir.pending.size()) {
      const Pending& p = dir.pending[i];
      if (p.offset <= cursor) {
        cursor = p.offset + p.data.size();  // covered already
        continue;
      }
      piece_end = std::min(end, p.offset);
    }
    Pending piece;
    piece.offset = cursor;
    piece.data.assign(as_chars(bytes.subspan(static_cast<size_t>(cursor - offset),
                                             static_cast<size_t>(piece_end - cursor))));
    piece.frame = frame;
    dir.pending_bytes += piece.data.size();
    dir.pending.insert(dir.pending.begin() + static_cast<std::ptrdiff_t>(i), std::move(piece));
    ++i;
    cursor = piece_end;
  }
}

// Moves pending bytes that became contiguous into the buffer. `trigger`: the frame whose
// arrival filled the hole (nullptr after a gap: each segment completes its own messages).
void TcpStreams::drain(Connection& c, int d, const FrameRef* trigger) {
  Direction& dir = c.dir[d];
  while (!dir.pending.empty() && dir.pending.front().offset <= dir.end) {
    Pending p = std::move(dir.pending.front());
    dir.pending.erase(dir.pending.begin());
    dir.pending_bytes -= p.data.size();
    const uint64_t old = dir.end - p.offset;
    if (old >= p.data.size()) continue;
    const std::string_view fresh = std::string_view(p.data).substr(static_cast<size_t>(old));
    if (dir.mode == Mode::ignored || dir.closed) continue;
    note_piece(dir, p.frame.number);
    dir.buf.append(fresh);
    dir.end += fresh.size();
    dir.next_seq += static_cast<uint32_t>(fresh.size());
    deliver(c, d, trigger != nullptr ? *trigger : p.frame);
  }
  if (!dir.pending.empty() && trigger == nullptr) {
    dir.pending_since_us = dir.pending.front().frame.ts_us;
  }
}

// A hole that stayed open too long (or too much data waits behind it): the segment was
// never captured. Whatever was buffered before it cannot complete; framing restarts at
// the next start line after it.
void TcpStreams::declare_gap(Connection& c, int d) {
  Direction& dir = c.dir[d];
  if (dir.pending.empty()) return;
  const Pending& first = dir.pending.front();
  const uint64_t lost = first.offset - dir.end;
  const bool framing = dir.mode == Mode::sip || dir.mode == Mode::ws;
  if (c.sip_seen && framing) {
    detail_.clear();
    append_uint(detail_, lost);
    detail_ += " bytes never captured (seq ";
    append_uint(detail_, dir.next_seq);
    detail_ += "..";
    append_uint(detail_, static_cast<uint32_t>(dir.next_seq + lost));
    detail_ += ")";
    if (!only_whitespace(dir.buf) || !dir.app.empty()) {
      detail_ += "; ";
      append_uint(detail_, dir.buf.size() + dir.app.size());
      detail_ += " bytes of an unfinished message before it dropped";
    }
    if (dir.mode == Mode::ws) detail_ += "; WebSocket framing lost, rest of the direction skipped";
    report(c, d, first.frame, AnomalyKind::tcp_gap);
  }
  dir.buf.clear();
  dir.app.clear();
  dir.needed = 0;
  dir.skip = 0;
  dir.in_message = false;
  dir.next_seq += static_cast<uint32_t>(lost);
  dir.end = first.offset;
  switch (dir.mode) {
    case Mode::sip:
      dir.resync = Resync::quiet;
      break;
    case Mode::ws:
      dir.mode = Mode::ignored;
      break;
    case Mode::probe:
    case Mode::ws_http:
      dir.mode = Mode::probe;
      dir.from_start = false;
      break;
    case Mode::ignored:
      break;
  }
  drain(c, d, nullptr);
  if (dir.mode == Mode::ignored) {
    dir.pending.clear();
    dir.pending_bytes = 0;
  }
}

void TcpStreams::check_gap(Connection& c, int d, int64_t now_us) {
  Direction& dir = c.dir[d];
  const size_t max_pending = limits_.max_connection_bytes / 2;
  while (!dir.pending.empty() &&
         (dir.pending_bytes > max_pending || dir.pending.size() > kMaxPendingSegments ||
          now_us - dir.pending_since_us > limits_.gap_timeout_us)) {
    declare_gap(c, d);
  }
}

void TcpStreams::check_fin(Connection& c, int d, const FrameRef& frame) {
  Direction& dir = c.dir[d];
  if (dir.fin && !dir.closed && dir.end >= dir.fin_offset) {
    close_direction(c, d, frame, "at FIN");
  }
}

void TcpStreams::close_direction(Connection& c, int d, const FrameRef& frame,
                                 std::string_view why) {
  Direction& dir = c.dir[d];
  if (dir.closed) return;
  const bool framing = dir.mode == Mode::sip || dir.mode == Mode::ws;
  const std::string_view left = dir.mode == Mode::ws && dir.buf.empty() ? dir.app : dir.buf;
  if (framing && c.sip_seen && (!only_whitespace(dir.buf) || !dir.app.empty()) &&
      !(dir.mode == Mode::sip && dir.resync != Resync::none)) {
    detail_.clear();
    append_uint(detail_, dir.buf.size() + dir.app.size());
    detail_ += " bytes of an unfinished message ";
    detail_ += why;
    detail_ += ": ";
    append_excerpt(detail_, skip_crlf(left));
    report(c, d, frame, AnomalyKind::sip_stream_truncated);
  }
  dir.buf.clear();
  dir.app.clear();
  dir.pending.clear();
  dir.pending_bytes = 0;
  dir.closed = true;
}

void TcpStreams::flush(Connection& c, std::string_view why) {
  for (int d = 0; d < 2; ++d) {
    Direction& dir = c.dir[d];
    while (!dir.pending.empty()) declare_gap(c, d);
    close_direction(c, d, dir.last_frame, why);
  }
  account(c.dir[0]);
  account(c.dir[1]);
}

void TcpStreams::ignore_connection(Connection& c) {
  for (Direction& dir : c.dir) {
    dir.mode = Mode::ignored;
    dir.buf.clear();
    dir.app.clear();
    dir.pending.clear();
    dir.pending_bytes = 0;
  }
}

void TcpStreams::enforce_limits(Connection& c, int d, const FrameRef& frame) {
  Direction& dir = c.dir[d];
  account(c.dir[0]);
  account(c.dir[1]);
  const size_t conn = c.dir[0].accounted + c.dir[1].accounted;
  const bool over_conn = conn > limits_.max_connection_bytes;
  const bool over_total = total_bytes_ > limits_.max_total_bytes;
  if (!over_conn && !over_total) return;
  if (dir.mode == Mode::sip && dir.resync != Resync::none) {
    dir.buf.clear();  // already dropping bytes until the next start line
    account(dir);
    return;
  }
  if (!c.sip_seen || (dir.mode != Mode::sip && dir.mode != Mode::ws)) {
    ignore_connection(c);  // not known to be SIP: not worth an anomaly
    account(c.dir[0]);
    account(c.dir[1]);
    return;
  }
  {
    detail_.clear();
    append_uint(detail_, over_conn ? conn : total_bytes_);
    detail_ +=
        over_conn ? " bytes buffered on the connection (limit " : " bytes buffered in all (limit ";
    append_uint(detail_, over_conn ? limits_.max_connection_bytes : limits_.max_total_bytes);
    detail_ += "); unfinished message dropped: ";
    append_excerpt(detail_, skip_crlf(dir.buf));
    report(c, d, frame, AnomalyKind::tcp_buffer_limit);
  }
  dir.buf.clear();
  dir.needed = 0;
  if (dir.mode == Mode::sip) {
    dir.resync = Resync::quiet;
  } else if (dir.in_message) {
    dir.app.clear();
    dir.discard_message = true;
  }
  // Out-of-order data behind a hole is what remains: give up waiting for the hole.
  while (!dir.pending.empty()) declare_gap(c, d);
  account(dir);
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

// ---- output ---------------------------------------------------------------------------

void TcpStreams::emit(Connection& c, int d, const FrameRef& frame, std::string_view bytes,
                      bool whole, Transport t) {
  StreamMessage m;
  m.frame = frame;
  m.src = d == 0 ? c.key.a : c.key.b;
  m.dst = d == 0 ? c.key.b : c.key.a;
  m.transport = t;
  m.bytes = bytes;
  m.whole = whole;
  frames_.clear();
  const Direction& dir = c.dir[d];
  if (t == Transport::tcp && bytes.data() >= dir.buf.data() &&
      bytes.data() + bytes.size() <= dir.buf.data() + dir.buf.size()) {
    const uint64_t begin =
        dir.end - dir.buf.size() + static_cast<uint64_t>(bytes.data() - dir.buf.data());
    collect_frames(dir, begin, begin + bytes.size(), frames_);
  } else if (t == Transport::ws) {
    frames_.add(dir.app_frames.view());
  }
  frames_.add(frame.number);
  frames_.normalize();
  m.frames = frames_.view();
  sink_.on_message(m);
}

void TcpStreams::report(const Connection& c, int d, const FrameRef& frame, AnomalyKind kind) {
  StreamAnomaly a;
  a.frame = frame;
  a.kind = kind;
  a.detail = detail_;
  a.src = d == 0 ? c.key.a : c.key.b;
  a.dst = d == 0 ? c.key.b : c.key.a;
  sink_.on_anomaly(a);
}

}  // namespace sipscope::decode
