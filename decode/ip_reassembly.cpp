#include "decode/ip_reassembly.hpp"

#include <algorithm>
#include <cstring>

namespace sipscope::decode {

void IpReassembler::begin_frame() {
  while (!completed_.empty()) {
    recycle(std::move(completed_.back()));
    completed_.pop_back();
  }
}

void IpReassembler::recycle(std::vector<uint8_t>&& buffer) {
  buffer.clear();  // keeps capacity
  // A bounded pool: beyond it, buffers are freed (the table never needs more at once).
  if (pool_.size() < 64) pool_.push_back(std::move(buffer));
}

void IpReassembler::recycle_intervals(std::vector<std::pair<size_t, size_t>>&& intervals) {
  intervals.clear();
  if (interval_pool_.size() < 64) interval_pool_.push_back(std::move(intervals));
}

void IpReassembler::expire(int64_t now_us) {
  // Only scan when the oldest first fragment can have expired. sets_ is in arrival order,
  // but merged captures may step back in time, so the whole table is scanned then.
  if (sets_.empty() || now_us - oldest_ts_us_ <= limits_.expiry_us) return;
  int64_t oldest = now_us;
  for (size_t i = 0; i < sets_.size();) {
    if (now_us - sets_[i].first_frame.ts_us > limits_.expiry_us) {
      drop(i, DropReason::expired);
    } else {
      oldest = std::min(oldest, sets_[i].first_frame.ts_us);
      ++i;
    }
  }
  oldest_ts_us_ = oldest;
}

void IpReassembler::finish() {
  while (!sets_.empty()) drop(0, DropReason::unfinished);
  begin_frame();
}

void IpReassembler::drop(size_t index, DropReason reason) {
  Set& s = sets_[index];
  DroppedFragments d;
  d.reason = reason;
  d.first_frame = s.first_frame;
  d.version = s.version;
  d.src = s.src;
  d.dst = s.dst;
  d.protocol = s.protocol;
  d.id = s.id;
  d.bytes_received = s.received;
  d.fragments = s.fragments;
  total_bytes_ -= s.data.size();
  recycle(std::move(s.data));
  recycle_intervals(std::move(s.intervals));
  sets_.erase(sets_.begin() + static_cast<std::ptrdiff_t>(index));
  drops_.on_dropped(d);
}

size_t IpReassembler::find(const IpFragment& f) const {
  for (size_t i = 0; i < sets_.size(); ++i) {
    const Set& s = sets_[i];
    if (s.id == f.id && s.version == f.version && s.protocol == f.protocol && s.src == f.src &&
        s.dst == f.dst) {
      return i;
    }
  }
  return kNone;
}

size_t IpReassembler::open(const IpFragment& f, const FrameRef& frame) {
  if (sets_.size() >= limits_.max_open_sets && !sets_.empty()) drop(0, DropReason::evicted);
  Set s;
  s.version = f.version;
  s.src = f.src;
  s.dst = f.dst;
  s.protocol = f.protocol;
  s.id = f.id;
  s.first_frame = frame;
  if (!pool_.empty()) {
    s.data = std::move(pool_.back());
    pool_.pop_back();
  }
  if (!interval_pool_.empty()) {
    s.intervals = std::move(interval_pool_.back());
    interval_pool_.pop_back();
  }
  if (sets_.empty() || frame.ts_us < oldest_ts_us_) oldest_ts_us_ = frame.ts_us;
  sets_.push_back(std::move(s));
  return sets_.size() - 1;
}

// First policy: only the gaps between held intervals are written.
void IpReassembler::fill(Set& s, size_t begin, std::span<const uint8_t> bytes) {
  const size_t end = begin + bytes.size();
  size_t cursor = begin;
  auto copy = [&](size_t from, size_t to) {
    if (from >= to) return;
    std::memcpy(s.data.data() + from, bytes.data() + (from - begin), to - from);
    s.received += to - from;
  };
  for (const auto& [b, e] : s.intervals) {
    if (e <= cursor) continue;
    if (b >= end) break;
    copy(cursor, std::min(b, end));
    cursor = std::max(cursor, e);
    if (cursor >= end) break;
  }
  if (cursor < end) copy(cursor, end);

  // Merge [begin, end) into the sorted interval list.
  auto& iv = s.intervals;
  auto it = std::lower_bound(iv.begin(), iv.end(), std::pair<size_t, size_t>{begin, 0});
  it = iv.insert(it, {begin, end});
  if (it != iv.begin() && std::prev(it)->second >= it->first) --it;
  auto next = std::next(it);
  while (next != iv.end() && next->first <= it->second) {
    it->second = std::max(it->second, next->second);
    next = iv.erase(next);
    it = std::prev(next);
  }
}

IpReassembler::AddResult IpReassembler::add(const IpFragment& f, const FrameRef& frame,
                                            std::span<const uint8_t>& datagram) {
  size_t end = size_t{f.offset} + f.payload.size();
  if (end > kMaxDatagram) return AddResult::oversized;
  size_t index = find(f);
  if (index == kNone) index = open(f, frame);
  Set* s = &sets_[index];
  ++s->fragments;
  s->frames.add(frame.number);
  if (!f.more && !s->have_last) {
    // The first last fragment fixes the length; a later, different one is ignored.
    s->have_last = true;
    s->total = end;
  }
  if (s->have_last) end = std::min(end, s->total);
  if (end > s->data.size()) {
    const size_t grow = end - s->data.size();
    // Over the byte budget: evict the oldest other sets.
    while (total_bytes_ + grow > limits_.max_total_bytes && sets_.size() > 1) {
      const size_t victim = index == 0 ? 1 : 0;
      drop(victim, DropReason::evicted);
      if (victim < index) --index;
    }
    s = &sets_[index];
    s->data.resize(end);
    total_bytes_ += grow;
  }
  if (f.offset < end) fill(*s, f.offset, f.payload.first(end - f.offset));

  // Sorted and merged: complete when the first interval covers [0, total).
  if (!s->have_last || s->intervals.empty() || s->intervals.front().first != 0 ||
      s->intervals.front().second < s->total) {
    return AddResult::pending;
  }
  // Bytes held past the total (fragments that overran it before the last one came) are
  // cut off.
  total_bytes_ -= s->data.size();
  s->data.resize(s->total);
  completed_frames_ = s->frames;
  completed_.push_back(std::move(s->data));
  recycle_intervals(std::move(s->intervals));
  datagram = std::span<const uint8_t>(completed_.back().data(), completed_.back().size());
  sets_.erase(sets_.begin() + static_cast<std::ptrdiff_t>(index));
  return AddResult::complete;
}

}  // namespace sipscope::decode
