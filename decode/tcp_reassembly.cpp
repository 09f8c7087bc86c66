// TCP per-direction reassembly: sequence numbers to stream offsets, the out-of-order list
// (first-received copy wins), and which frame carried which buffered bytes.
#include <algorithm>
#include <iterator>

#include "decode/tcp_stream.hpp"
#include "decode/text.hpp"

namespace sipscope::decode {

using text::as_chars;

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

}  // namespace sipscope::decode
