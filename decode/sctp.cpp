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

size_t SctpReassembler::FlowHash::operator()(const SctpFlow& f) const noexcept {
  const EndpointHash h;
  return (h(f.src) * 1000003u ^ h(f.dst)) * 31u + f.verification_tag;
}

size_t SctpReassembler::KeyHash::operator()(const Key& k) const noexcept {
  size_t h = FlowHash{}(k.flow);
  h = h * 31u + k.stream;
  h = h * 31u + k.mid;
  h = h * 31u + k.seq;
  return h * 4u + (k.i_data ? 2u : 0u) + (k.unordered ? 1u : 0u);
}

void SctpReassembler::remove(Table::iterator it) {
  Fragment& f = it->second;
  total_bytes_ -= f.bytes.size();
  by_age_.erase(f.age);
  const auto flow = flows_.find(it->first.flow);
  flow->second.erase(f.in_flow);
  if (flow->second.empty()) flows_.erase(flow);
  table_.erase(it);
}

void SctpReassembler::drop_flow(SctpFlow flow, SctpDropReason reason) {
  const auto fit = flows_.find(flow);
  if (fit == flows_.end()) return;
  SctpDroppedMessage d;
  d.reason = reason;
  d.flow = flow;
  d.first_frame = table_.find(fit->second.front())->second.frame;
  // remove() erases the flow's entry with its last fragment.
  for (size_t n = fit->second.size(); n > 0; --n) {
    const auto it = table_.find(flows_.find(flow)->second.front());
    ++d.fragments;
    d.bytes += it->second.bytes.size();
    remove(it);
  }
  drops_.on_sctp_dropped(d);
}

void SctpReassembler::expire(int64_t now_us) {
  // Expired fragments are reported per association, in the order each association's first
  // expired fragment arrived; few associations expire at once.
  std::vector<SctpDroppedMessage> reports;
  while (!by_age_.empty() && now_us - by_age_.begin()->first.first > limits_.expiry_us) {
    const auto it = table_.find(by_age_.begin()->second);
    const SctpFlow& flow = it->first.flow;
    auto r = std::find_if(reports.begin(), reports.end(),
                          [&](const SctpDroppedMessage& d) { return d.flow == flow; });
    if (r == reports.end()) {
      r = reports.insert(reports.end(), SctpDroppedMessage{});
      r->reason = SctpDropReason::expired;
      r->flow = flow;
      r->first_frame = it->second.frame;
    }
    ++r->fragments;
    r->bytes += it->second.bytes.size();
    remove(it);
  }
  for (const SctpDroppedMessage& d : reports) drops_.on_sctp_dropped(d);
}

void SctpReassembler::finish() {
  while (!by_age_.empty()) drop_flow(by_age_.begin()->second.flow, SctpDropReason::unfinished);
}

SctpReassembler::AddResult SctpReassembler::add(const SctpFlow& flow, const SctpData& d,
                                                const FrameRef& frame,
                                                std::span<const uint8_t>& message) {
  Key key;
  key.flow = flow;
  key.i_data = d.i_data;
  key.unordered = d.unordered;
  key.stream = d.stream;
  key.mid = d.i_data ? d.mid : 0;
  key.seq = d.i_data ? d.fsn : d.tsn;
  if (table_.contains(key)) return AddResult::duplicate;  // retransmitted chunk
  if (d.payload.size() > limits_.max_message_bytes) {
    drops_.on_sctp_dropped({SctpDropReason::oversized, flow, frame, 1, d.payload.size()});
    return AddResult::pending;
  }
  // Make room: the association of the oldest fragment goes first.
  while (!by_age_.empty() && (table_.size() >= limits_.max_fragments ||
                              total_bytes_ + d.payload.size() > limits_.max_total_bytes)) {
    drop_flow(by_age_.begin()->second.flow, SctpDropReason::evicted);
  }
  const auto [it, inserted] = table_.try_emplace(key);
  (void)inserted;  // not a duplicate: checked above
  Fragment& f = it->second;
  f.begin = d.begin;
  f.end = d.end;
  f.frame = frame;
  f.bytes.assign(d.payload.begin(), d.payload.end());
  total_bytes_ += f.bytes.size();
  f.age = by_age_.emplace(Age{frame.ts_us, arrivals_++}, key).first;
  std::list<Key>& in_flow = flows_[flow];
  f.in_flow = in_flow.insert(in_flow.end(), key);
  return try_complete(it, message) ? AddResult::complete : AddResult::pending;
}

// The message around the new fragment is complete when the run of consecutive sequence
// numbers through it starts with a B fragment and ends with an E fragment.
bool SctpReassembler::try_complete(Table::iterator anchor, std::span<const uint8_t>& message) {
  run_.clear();
  Key k = anchor->first;
  for (auto it = anchor; !it->second.begin;) {
    --k.seq;  // serial arithmetic: wraps like the TSN (RFC 9260 §1.6)
    it = table_.find(k);
    if (it == table_.end()) return false;
    run_.push_back(it);
  }
  std::reverse(run_.begin(), run_.end());
  run_.push_back(anchor);
  k = anchor->first;
  for (auto it = anchor; !it->second.end;) {
    ++k.seq;
    it = table_.find(k);
    if (it == table_.end()) return false;
    run_.push_back(it);
  }
  // A B or E flag in the middle would mean two messages share the run: not ours to join.
  const size_t last = run_.size() - 1;
  for (size_t i = 0; i <= last; ++i) {
    const Fragment& g = run_[i]->second;
    if ((i != 0 && g.begin) || (i != last && g.end)) return false;
  }
  size_t size = 0;
  for (const auto& it : run_) size += it->second.bytes.size();
  const bool oversized = size > limits_.max_message_bytes;
  const SctpFlow flow = anchor->first.flow;
  const FrameRef frame = run_.front()->second.frame;
  if (!oversized) {
    message_.clear();
    message_.reserve(size);
    message_frames_.clear();
    for (const auto& it : run_) {
      message_.insert(message_.end(), it->second.bytes.begin(), it->second.bytes.end());
      message_frames_.add(it->second.frame.number);
    }
    message_frames_.normalize();
  }
  for (const auto& it : run_) remove(it);  // erasing one leaves the others valid
  if (oversized) {
    drops_.on_sctp_dropped({SctpDropReason::oversized, flow, frame, run_.size(), size});
    return false;
  }
  message = message_;
  return true;
}

}  // namespace sipscope::decode
