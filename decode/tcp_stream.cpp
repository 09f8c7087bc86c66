// TCP connection table: 5-tuple lookup, SYN/FIN/RST handling, least-recently-used eviction,
// idle expiry by capture time, byte accounting, and the callbacks to the StreamSink.
#include "decode/tcp_stream.hpp"

#include "decode/text.hpp"

namespace sipscope::decode {
namespace {

using text::append_uint;

constexpr int64_t kGapSweepUs = 1'000'000;

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
  sync_gap_queue(*c);
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
  for (const Direction& dir : c.dir) {
    if (dir.gap_queued) gap_queue_.erase(dir.gap_pos);
  }
  lru_.erase(c.lru);
  const Key key = c.key;
  table_.erase(key);
}

void TcpStreams::reset_direction(Direction& d) {
  const size_t accounted = d.accounted;
  const bool gap_queued = d.gap_queued;
  const GapQueue::iterator gap_pos = d.gap_pos;
  d = Direction{};
  d.accounted = accounted;    // account() settles the difference
  d.gap_queued = gap_queued;  // sync_gap_queue() settles it
  d.gap_pos = gap_pos;
}

// Keeps gap_queue_ in step with both directions' out-of-order lists: a direction is queued
// under the time its oldest hole opened while anything waits behind a hole.
void TcpStreams::sync_gap_queue(Connection& c) {
  for (int d = 0; d < 2; ++d) {
    Direction& dir = c.dir[d];
    const bool want = !dir.pending.empty();
    if (dir.gap_queued && (!want || dir.gap_pos->first != dir.pending_since_us)) {
      gap_queue_.erase(dir.gap_pos);
      dir.gap_queued = false;
    }
    if (want && !dir.gap_queued) {
      dir.gap_pos = gap_queue_.emplace(dir.pending_since_us, GapRef{c.key, d});
      dir.gap_queued = true;
    }
  }
}

void TcpStreams::account(Direction& d) {
  const size_t now = d.buf.size() + d.pending_bytes + d.app.size();
  total_bytes_ = total_bytes_ - d.accounted + now;
  d.accounted = now;
  if (d.buf.empty() && d.buf.capacity() > size_t{64} * 1024) d.buf.shrink_to_fit();
  if (d.app.empty() && d.app.capacity() > size_t{64} * 1024) d.app.shrink_to_fit();
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
  // Only directions whose oldest hole is past the timeout: check_gap() declares gaps until
  // the oldest remaining hole is recent (or none is left), so each visit makes progress.
  while (!gap_queue_.empty() && now_us - gap_queue_.begin()->first > limits_.gap_timeout_us) {
    const GapRef due = gap_queue_.begin()->second;
    Connection& c = table_.at(due.key);
    check_gap(c, due.d, now_us);
    account(c.dir[0]);
    account(c.dir[1]);
    sync_gap_queue(c);
  }
}

void TcpStreams::finish() {
  for (auto& [key, c] : table_) {
    if (!c.closed) flush(c, "at the end of the capture");
  }
  table_.clear();
  lru_.clear();
  gap_queue_.clear();
  total_bytes_ = 0;
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
