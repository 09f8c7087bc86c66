#include "decode/sctp.hpp"

#include <algorithm>
#include <functional>

#include "decode/byte_reader.hpp"

namespace sipscope::decode {
namespace {

constexpr size_t kChunkHeaderSize = 4;
constexpr size_t kDataHeaderSize = 16;   // RFC 9260 §3.3.1: chunk header + 12
constexpr size_t kIDataHeaderSize = 20;  // RFC 8260 §2.1: chunk header + 16
constexpr uint8_t kFlagEnd = 0x01;
constexpr uint8_t kFlagBegin = 0x02;
constexpr uint8_t kFlagUnordered = 0x04;

// Serial-number distance (RFC 1982 style) so that TSN wrap-around keeps the order.
int64_t seq_distance(uint32_t from, uint32_t to) {
  return static_cast<int32_t>(to - from);
}

}  // namespace

SctpError decode_sctp(std::span<const uint8_t> data, SctpPacket& out) {
  ByteReader r(data);
  uint32_t checksum = 0;
  if (!r.read_u16(out.src_port) || !r.read_u16(out.dst_port) || !r.read_u32(out.verification_tag) ||
      !r.read_u32(checksum)) {
    return SctpError::truncated;
  }
  out.chunks = r.rest();
  return SctpError::ok;
}

SctpError SctpChunkReader::next(SctpChunk& out) {
  if (rest_.empty()) return SctpError::end;
  ByteReader r(rest_);
  uint16_t length = 0;
  if (!r.read_u8(out.type) || !r.read_u8(out.flags) || !r.read_u16(length)) {
    rest_ = {};
    return SctpError::truncated;
  }
  if (length < kChunkHeaderSize) {
    rest_ = {};
    return SctpError::bad_chunk;
  }
  if (!r.subspan(length - kChunkHeaderSize, out.value)) {
    rest_ = {};
    return SctpError::truncated;
  }
  // §3.2: padding to a multiple of 4 is not counted in the length; the last chunk's
  // padding may be missing from the packet, which is harmless.
  const size_t padding = (4 - length % 4) % 4;
  if (!r.skip(padding)) {
    rest_ = {};
    return SctpError::ok;
  }
  rest_ = r.rest();
  return SctpError::ok;
}

SctpError decode_data_chunk(const SctpChunk& chunk, SctpData& out) {
  out = SctpData{};
  out.i_data = chunk.type == kSctpChunkIData;
  out.unordered = (chunk.flags & kFlagUnordered) != 0;
  out.begin = (chunk.flags & kFlagBegin) != 0;
  out.end = (chunk.flags & kFlagEnd) != 0;
  ByteReader r(chunk.value);
  const size_t header = (out.i_data ? kIDataHeaderSize : kDataHeaderSize) - kChunkHeaderSize;
  if (r.remaining() < header) return SctpError::bad_chunk;
  bool ok = r.read_u32(out.tsn) && r.read_u16(out.stream);
  if (out.i_data) {
    uint16_t reserved = 0;
    uint32_t ppid_or_fsn = 0;
    ok = ok && r.read_u16(reserved) && r.read_u32(out.mid) && r.read_u32(ppid_or_fsn);
    (out.begin ? out.ppid : out.fsn) = ppid_or_fsn;
  } else {
    ok = ok && r.read_u16(out.ssn) && r.read_u32(out.ppid);
  }
  if (!ok) return SctpError::bad_chunk;  // unreachable: the size was checked
  out.payload = r.rest();
  return SctpError::ok;
}

AnomalyKind sctp_error_anomaly(SctpError e) {
  return e == SctpError::truncated ? AnomalyKind::truncated_sctp : AnomalyKind::sctp_bad_chunk;
}

// ---- reassembly -------------------------------------------------------------------------

bool SctpReassembler::same_message(const Fragment& a, const Fragment& b) const {
  return a.flow == b.flow && a.i_data == b.i_data && a.unordered == b.unordered &&
         a.stream == b.stream && a.mid == b.mid;
}

size_t SctpReassembler::find(const Fragment& like, uint32_t seq) const {
  for (size_t i = 0; i < fragments_.size(); ++i) {
    if (fragments_[i].seq == seq && same_message(fragments_[i], like)) return i;
  }
  return kNpos;
}

template <typename Pred>
void SctpReassembler::drop_if(Pred pred, SctpDropReason reason) {
  for (;;) {
    const auto first = std::find_if(fragments_.begin(), fragments_.end(), pred);
    if (first == fragments_.end()) return;
    SctpDroppedMessage d;
    d.reason = reason;
    d.flow = first->flow;
    d.first_frame = first->frame;
    const SctpFlow flow = first->flow;
    auto match = [&](const Fragment& f) { return f.flow == flow && pred(f); };
    for (const Fragment& f : fragments_) {
      if (!match(f)) continue;
      ++d.fragments;
      d.bytes += f.bytes.size();
    }
    total_bytes_ -= d.bytes;
    fragments_.erase(std::remove_if(fragments_.begin(), fragments_.end(), match), fragments_.end());
    drops_.on_sctp_dropped(d);
  }
}

void SctpReassembler::expire(int64_t now_us) {
  if (fragments_.empty()) return;
  const int64_t expiry = limits_.expiry_us;
  drop_if([&](const Fragment& f) { return now_us - f.frame.ts_us > expiry; },
          SctpDropReason::expired);
}

void SctpReassembler::finish() {
  drop_if([](const Fragment&) { return true; }, SctpDropReason::unfinished);
}

SctpReassembler::AddResult SctpReassembler::add(const SctpFlow& flow, const SctpData& d,
                                                const FrameRef& frame,
                                                std::span<const uint8_t>& message) {
  Fragment f;
  f.flow = flow;
  f.i_data = d.i_data;
  f.unordered = d.unordered;
  f.stream = d.stream;
  f.mid = d.i_data ? d.mid : 0;
  f.seq = d.i_data ? d.fsn : d.tsn;
  f.begin = d.begin;
  f.end = d.end;
  f.frame = frame;
  if (find(f, f.seq) != kNpos) return AddResult::duplicate;  // retransmitted chunk
  if (d.payload.size() > limits_.max_message_bytes) {
    drops_.on_sctp_dropped({SctpDropReason::oversized, flow, frame, 1, d.payload.size()});
    return AddResult::pending;
  }
  // Make room: the oldest association's fragments go first.
  while (!fragments_.empty() && (fragments_.size() >= limits_.max_fragments ||
                                 total_bytes_ + d.payload.size() > limits_.max_total_bytes)) {
    const SctpFlow oldest = fragments_.front().flow;
    drop_if([&](const Fragment& g) { return g.flow == oldest; }, SctpDropReason::evicted);
  }
  f.bytes.assign(d.payload.begin(), d.payload.end());
  total_bytes_ += f.bytes.size();
  fragments_.push_back(std::move(f));
  return try_complete(fragments_.size() - 1, message) ? AddResult::complete : AddResult::pending;
}

// The message around the new fragment is complete when the run of consecutive sequence
// numbers through it starts with a B fragment and ends with an E fragment.
bool SctpReassembler::try_complete(size_t added, std::span<const uint8_t>& message) {
  const Fragment& anchor = fragments_[added];
  picked_.clear();
  for (size_t i = 0; i < fragments_.size(); ++i) {
    if (same_message(fragments_[i], anchor)) picked_.push_back(i);
  }
  const uint32_t base = anchor.seq;
  std::sort(picked_.begin(), picked_.end(), [&](size_t a, size_t b) {
    return seq_distance(base, fragments_[a].seq) < seq_distance(base, fragments_[b].seq);
  });
  const auto at = std::find(picked_.begin(), picked_.end(), added);
  size_t lo = static_cast<size_t>(at - picked_.begin());
  size_t hi = lo;
  while (!fragments_[picked_[lo]].begin) {
    if (lo == 0 || fragments_[picked_[lo - 1]].seq + 1 != fragments_[picked_[lo]].seq) {
      return false;
    }
    --lo;
  }
  while (!fragments_[picked_[hi]].end) {
    if (hi + 1 == picked_.size() ||
        fragments_[picked_[hi]].seq + 1 != fragments_[picked_[hi + 1]].seq) {
      return false;
    }
    ++hi;
  }
  // A B or E flag in the middle would mean two messages share the run: not ours to join.
  for (size_t k = lo; k <= hi; ++k) {
    const Fragment& g = fragments_[picked_[k]];
    if ((k != lo && g.begin) || (k != hi && g.end)) return false;
  }
  size_t size = 0;
  for (size_t k = lo; k <= hi; ++k) size += fragments_[picked_[k]].bytes.size();
  const bool oversized = size > limits_.max_message_bytes;
  const SctpFlow flow = anchor.flow;
  const FrameRef frame = fragments_[picked_[lo]].frame;
  if (!oversized) {
    message_.clear();
    message_.reserve(size);
    message_frames_.clear();
    for (size_t k = lo; k <= hi; ++k) {
      const auto& b = fragments_[picked_[k]].bytes;
      message_.insert(message_.end(), b.begin(), b.end());
      message_frames_.add(fragments_[picked_[k]].frame.number);
    }
    message_frames_.normalize();
  }
  // Erase the used fragments, highest index first so the others stay valid.
  std::vector<size_t>& used = picked_;
  used.erase(used.begin() + static_cast<std::ptrdiff_t>(hi) + 1, used.end());
  used.erase(used.begin(), used.begin() + static_cast<std::ptrdiff_t>(lo));
  std::sort(used.begin(), used.end(), std::greater<>());
  for (size_t i : used) {
    total_bytes_ -= fragments_[i].bytes.size();
    fragments_.erase(fragments_.begin() + static_cast<std::ptrdiff_t>(i));
  }
  if (oversized) {
    drops_.on_sctp_dropped({SctpDropReason::oversized, flow, frame, hi - lo + 1, size});
    return false;
  }
  message = message_;
  return true;
}

}  // namespace sipscope::decode
