// A flat open-addressing hash table (linear probing, backward-shift deletion) from a
// stream key (source, destination, SSRC: one RTP stream of docs/media.md) to per-stream state.
// Slots live in one vector: looking up or updating a stream never allocates; only growing
// the table (a new stream beyond the load factor) does.
//
//   StreamTable<State> t;
//   State* s = t.find(key);
//   if (s == nullptr) s = &t.insert(key);   // may rehash: pointers from find() are stale
//   t.erase(key);
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "decode/net.hpp"

namespace sipscope::correlate::media {

struct StreamKey {
  decode::Endpoint src;
  decode::Endpoint dst;
  uint32_t ssrc = 0;
  bool operator==(const StreamKey&) const = default;
};

[[nodiscard]] inline uint64_t hash_stream_key(const StreamKey& k) {
  // FNV-1a over the bytes that make the key, then a final avalanche (splitmix64), so
  // sequential ports and SSRCs spread over the table.
  uint64_t h = 1469598103934665603ULL;
  auto mix = [&h](const uint8_t* p, size_t n) {
    for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ULL;
  };
  for (const auto* e : {&k.src, &k.dst}) {
    mix(&e->ip.version, 1);
    mix(e->ip.bytes.data(), e->ip.version == 4 ? 4 : 16);
    const uint8_t port[2] = {static_cast<uint8_t>(e->port >> 8), static_cast<uint8_t>(e->port)};
    mix(port, 2);
  }
  const uint8_t s[4] = {static_cast<uint8_t>(k.ssrc >> 24), static_cast<uint8_t>(k.ssrc >> 16),
                        static_cast<uint8_t>(k.ssrc >> 8), static_cast<uint8_t>(k.ssrc)};
  mix(s, 4);
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return h;
}

template <class Value>
class StreamTable {
 public:
  explicit StreamTable(size_t initial_capacity = 256) { slots_.resize(round_up(initial_capacity)); }

  [[nodiscard]] Value* find(const StreamKey& key) {
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash_stream_key(key) & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (!s.used) return nullptr;
      if (s.key == key) return &s.value;
    }
  }

  // Inserts a default Value for a key that is not present.
  Value& insert(const StreamKey& key) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    Slot& s = place(key);
    ++size_;
    return s.value;
  }

  bool erase(const StreamKey& key) {
    const size_t mask = slots_.size() - 1;
    size_t i = hash_stream_key(key) & mask;
    for (;; i = (i + 1) & mask) {
      if (!slots_[i].used) return false;
      if (slots_[i].key == key) break;
    }
    // Backward-shift deletion keeps every probe chain unbroken without tombstones.
    size_t j = i;
    for (;;) {
      j = (j + 1) & mask;
      if (!slots_[j].used) break;
      const size_t home = hash_stream_key(slots_[j].key) & mask;
      // Move j into the hole at i when its home is not cyclically in (i, j].
      const bool in_range = (i <= j) ? (i < home && home <= j) : (i < home || home <= j);
      if (!in_range) {
        slots_[i] = std::move(slots_[j]);
        i = j;
      }
    }
    slots_[i] = Slot{};
    --size_;
    return true;
  }

  [[nodiscard]] size_t size() const { return size_; }

  // Visits every (key, value); the callback must not insert or erase.
  template <class F>
  void for_each(F&& f) {
    for (auto& s : slots_)
      if (s.used) f(s.key, s.value);
  }

 private:
  struct Slot {
    bool used = false;
    StreamKey key;
    Value value{};
  };
  std::vector<Slot> slots_;
  size_t size_ = 0;

  static size_t round_up(size_t n) {
    size_t c = 16;
    while (c < n) c <<= 1;
    return c;
  }

  Slot& place(const StreamKey& key) {
    const size_t mask = slots_.size() - 1;
    size_t i = hash_stream_key(key) & mask;
    while (slots_[i].used) i = (i + 1) & mask;
    Slot& s = slots_[i];
    s.used = true;
    s.key = key;
    s.value = Value{};
    return s;
  }

  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    for (auto& s : old) {
      if (!s.used) continue;
      const size_t mask = slots_.size() - 1;
      size_t i = hash_stream_key(s.key) & mask;
      while (slots_[i].used) i = (i + 1) & mask;
      slots_[i] = std::move(s);
    }
  }
};

}  // namespace sipscope::correlate::media
