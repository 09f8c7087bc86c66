// Renumbering the sequence space of a slice's TCP connections (export/tcp_renumber.hpp).
#include "export/tcp_renumber.hpp"

#include <algorithm>
#include <iterator>

#include "decode/ip.hpp"
#include "decode/link.hpp"

namespace sipscope::export_ {

namespace {

using Intervals = std::map<int64_t, int64_t>;  // start -> end, disjoint, merged

// The outermost TCP segment of a frame: its direction, where its header is in the frame.
struct Segment {
  std::string key, reverse;
  size_t at = 0;  // offset of the TCP header in the frame
  decode::TcpHeader tcp;
};

bool segment_of(int link_type, std::span<const uint8_t> data, Segment& s) {
  decode::LinkLayer link;
  decode::IpPacket ip;
  if (decode::decode_link(link_type, data, link) != decode::LinkError::ok ||
      decode::decode_ip(link.payload, ip) != decode::IpError::ok || ip.protocol != 6 ||
      ip.fragment || decode::decode_tcp(ip.payload, s.tcp) != decode::TransportError::ok) {
    return false;
  }
  const std::string a = ip.src.to_string() + ":" + std::to_string(s.tcp.src_port);
  const std::string b = ip.dst.to_string() + ":" + std::to_string(s.tcp.dst_port);
  s.key = a + ">" + b;
  s.reverse = b + ">" + a;
  s.at = static_cast<size_t>(ip.payload.data() - data.data());
  return true;
}

int64_t offset(uint32_t base, uint32_t seq) {
  return static_cast<int32_t>(seq - base);
}

void add(Intervals& set, int64_t start, int64_t end) {
  if (start >= end) return;
  auto it = set.upper_bound(start);
  if (it != set.begin() && std::prev(it)->second >= start) {
    --it;
    start = it->first;
    end = std::max(end, it->second);
    it = set.erase(it);
  }
  while (it != set.end() && it->first <= end) {
    end = std::max(end, it->second);
    it = set.erase(it);
  }
  set.emplace(start, end);
}

// a minus b.
Intervals subtract(const Intervals& a, const Intervals& b) {
  Intervals out;
  for (const auto& [s, e] : a) {
    int64_t cur = s;
    auto it = b.upper_bound(s);
    if (it != b.begin()) --it;  // the one that may hold s
    for (; it != b.end() && it->first < e && cur < e; ++it) {
      if (it->second <= cur) continue;
      if (it->first > cur) out.emplace(cur, it->first);
      cur = std::max(cur, it->second);
    }
    if (cur < e) out.emplace(cur, e);
  }
  return out;
}

// Bytes of `removed` before offset x.
int64_t removed_before(const Intervals& removed, int64_t x) {
  int64_t n = 0;
  for (const auto& [s, e] : removed) {
    if (s >= x) break;
    n += std::min(e, x) - s;
  }
  return n;
}

uint32_t get32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

// Replaces the 32-bit field at p and updates the checksum at sum (RFC 1624 eqn. 3:
// HC' = ~(~HC + ~m + m') for each 16-bit word).
void replace32(uint8_t* p, uint32_t value, uint8_t* sum) {
  uint32_t acc = static_cast<uint16_t>(~((sum[0] << 8) | sum[1]));
  for (uint8_t* word = p; word < p + 4; word += 2) {
    const auto old_word = static_cast<uint16_t>((word[0] << 8) | word[1]);
    const auto new_word = static_cast<uint16_t>(word == p ? value >> 16 : value);
    acc += static_cast<uint16_t>(~old_word);
    acc += new_word;
    word[0] = static_cast<uint8_t>(new_word >> 8);
    word[1] = static_cast<uint8_t>(new_word);
  }
  while ((acc >> 16) != 0) acc = (acc & 0xFFFF) + (acc >> 16);
  const auto hc = static_cast<uint16_t>(~acc);
  sum[0] = static_cast<uint8_t>(hc >> 8);
  sum[1] = static_cast<uint8_t>(hc);
}

}  // namespace

void TcpStreams::see(int link_type, std::span<const uint8_t> data) {
  Segment s;
  if (!segment_of(link_type, data, s)) return;
  auto [it, inserted] = directions_.try_emplace(s.key);
  Direction& d = it->second;
  if (inserted) d.base = s.tcp.seq;
  const int64_t start = offset(d.base, s.tcp.seq);
  add(d.seen, start, start + static_cast<int64_t>(s.tcp.payload.size()));
}

void TcpStreams::renumber(std::vector<SliceFrame>& frames) const {
  // What the slice keeps of each direction; removed = seen but not kept.
  std::map<std::string, Intervals> kept;
  for (const auto& f : frames) {
    Segment s;
    if (!segment_of(f.link_type, f.data, s)) continue;
    const auto d = directions_.find(s.key);
    if (d == directions_.end()) continue;
    const int64_t start = offset(d->second.base, s.tcp.seq);
    add(kept[s.key], start, start + static_cast<int64_t>(s.tcp.payload.size()));
  }
  std::map<std::string, Intervals> removed;
  for (const auto& [key, k] : kept) removed[key] = subtract(directions_.at(key).seen, k);
  for (auto& f : frames) {
    Segment s;
    if (!segment_of(f.link_type, f.data, s) || f.data.size() < s.at + 20) continue;
    uint8_t* tcp = f.data.data() + s.at;
    if (const auto r = removed.find(s.key); r != removed.end() && !r->second.empty()) {
      const uint32_t base = directions_.at(s.key).base;
      const auto shift = removed_before(r->second, offset(base, s.tcp.seq));
      replace32(tcp + 4, get32(tcp + 4) - static_cast<uint32_t>(shift), tcp + 16);
    }
    constexpr uint8_t kAck = 0x10;
    if ((s.tcp.flags & kAck) == 0) continue;
    if (const auto r = removed.find(s.reverse); r != removed.end() && !r->second.empty()) {
      const uint32_t base = directions_.at(s.reverse).base;
      const auto shift = removed_before(r->second, offset(base, s.tcp.ack));
      replace32(tcp + 8, get32(tcp + 8) - static_cast<uint32_t>(shift), tcp + 16);
    }
  }
}

}  // namespace sipscope::export_
