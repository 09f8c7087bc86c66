// TCP stream holes and limits: lost segments (tcp_gap), FIN/RST/idle closes with a partial
// message (sip_stream_truncated), and the per-connection and total buffer bounds
// (tcp_buffer_limit).
#include "decode/tcp_stream.hpp"
#include "decode/text.hpp"

namespace sipscope::decode {
namespace {

using text::append_excerpt;
using text::append_uint;
using text::only_whitespace;
using text::skip_crlf;

constexpr size_t kMaxPendingSegments = 1024;  // out-of-order segments waiting per direction

}  // namespace

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

}  // namespace sipscope::decode
