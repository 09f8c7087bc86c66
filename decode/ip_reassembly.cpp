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

size_t IpReassembler::KeyHash::operator()(const Key& k) const noexcept {
  const IpAddressHash h;
  return (h(k.src) * 1000003u ^ h(k.dst)) * 31u + (size_t{k.id} << 9 | size_t{k.protocol} << 1) +
         k.version;
}

void IpReassembler::expire(int64_t now_us) {
  while (!by_age_.empty() && now_us - by_age_.begin()->first.first > limits_.expiry_us) {
    drop(sets_.find(by_age_.begin()->second), DropReason::expired);
  }
}

void IpReassembler::finish() {
  while (!by_age_.empty()) drop(sets_.find(by_age_.begin()->second), DropReason::unfinished);
  begin_frame();
}

void IpReassembler::drop(Table::iterator it, DropReason reason) {
  const Key& k = it->first;
  Set& s = it->second;
  DroppedFragments d;
  d.reason = reason;
  d.first_frame = s.first_frame;
  d.version = k.version;
  d.src = k.src;
  d.dst = k.dst;
  d.protocol = k.protocol;
  d.id = k.id;
  d.bytes_received = s.received;
  d.fragments = s.fragments;
  total_bytes_ -= s.data.size();
  recycle(std::move(s.data));
  recycle_intervals(std::move(s.intervals));
  by_age_.erase(s.age);
  sets_.erase(it);
  drops_.on_dropped(d);
}

IpReassembler::Table::iterator IpReassembler::open(const Key& key, const FrameRef& frame) {
  if (sets_.size() >= limits_.max_open_sets && !by_age_.empty()) {
    drop(sets_.find(by_age_.begin()->second), DropReason::evicted);
  }
  const auto [it, inserted] = sets_.try_emplace(key);
  (void)inserted;  // open() is only called for a key not in the table
  Set& s = it->second;
  s.first_frame = frame;
  if (!pool_.empty()) {
    s.data = std::move(pool_.back());
    pool_.pop_back();
  }
  if (!interval_pool_.empty()) {
    s.intervals = std::move(interval_pool_.back());
    interval_pool_.pop_back();
  }
  s.age = by_age_.emplace(Age{frame.ts_us, arrivals_++}, key).first;
  return it;
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
  const Key key{f.version, f.src, f.dst, f.protocol, f.id};
  auto it = sets_.find(key);
  if (it == sets_.end()) it = open(key, frame);
  Set* s = &it->second;
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
    // Over the byte budget: evict the oldest other sets (erasing others keeps `it` valid).
    while (total_bytes_ + grow > limits_.max_total_bytes && sets_.size() > 1) {
      auto victim = by_age_.begin();
      if (victim == s->age) ++victim;
      drop(sets_.find(victim->second), DropReason::evicted);
    }
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
  by_age_.erase(s->age);
  sets_.erase(it);
  return AddResult::complete;
}

}  // namespace sipscope::decode
