// Test helper: builds link/IP/UDP/TCP frames from parts, so a test states only the fields
// it is about. Lengths are filled in from the parts (RFC 791 total length, RFC 8200
// payload length, RFC 768 length); checksums are left 0 (decode/ does not verify them).
// Tests that check the length arithmetic itself also use hand-written byte literals.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <utility>
#include <vector>

namespace sipscope::decode::test {

using Bytes = std::vector<uint8_t>;

inline Bytes bytes_of(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

inline void put16(Bytes& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}
inline void put32(Bytes& b, uint32_t v) {
  put16(b, static_cast<uint16_t>(v >> 16));
  put16(b, static_cast<uint16_t>(v));
}
inline Bytes cat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Ethernet II: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, then the VLAN tags
// (TPID, TCI) in order, then the ethertype.
inline Bytes ethernet(uint16_t ethertype, const Bytes& payload,
                      std::initializer_list<std::pair<uint16_t, uint16_t>> tags = {}) {
  Bytes b = {0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01};
  for (auto [tpid, tci] : tags) {
    put16(b, tpid);
    put16(b, tci);
  }
  put16(b, ethertype);
  return cat(b, payload);
}

struct Ipv4Options {
  uint8_t protocol = 17;
  uint16_t id = 0x1234;
  uint16_t flags_offset = 0x4000;  // DF
  Bytes options;                   // multiple of 4 bytes
};

inline Bytes ipv4(std::array<uint8_t, 4> src, std::array<uint8_t, 4> dst, const Bytes& payload,
                  const Ipv4Options& o = {}) {
  const size_t header = 20 + o.options.size();
  Bytes b = {static_cast<uint8_t>(0x40 | (header / 4)), 0};
  put16(b, static_cast<uint16_t>(header + payload.size()));
  put16(b, o.id);
  put16(b, o.flags_offset);
  b.push_back(64);  // TTL
  b.push_back(o.protocol);
  put16(b, 0);  // checksum
  b.insert(b.end(), src.begin(), src.end());
  b.insert(b.end(), dst.begin(), dst.end());
  b.insert(b.end(), o.options.begin(), o.options.end());
  return cat(b, payload);
}

// `after_fixed`: extension headers + upper layer, already chained by the caller.
inline Bytes ipv6(const std::array<uint8_t, 16>& src, const std::array<uint8_t, 16>& dst,
                  uint8_t next_header, const Bytes& after_fixed) {
  Bytes b = {0x60, 0, 0, 0};
  put16(b, static_cast<uint16_t>(after_fixed.size()));
  b.push_back(next_header);
  b.push_back(64);
  b.insert(b.end(), src.begin(), src.end());
  b.insert(b.end(), dst.begin(), dst.end());
  return cat(b, after_fixed);
}

inline Bytes udp(uint16_t sport, uint16_t dport, const Bytes& payload) {
  Bytes b;
  put16(b, sport);
  put16(b, dport);
  put16(b, static_cast<uint16_t>(8 + payload.size()));
  put16(b, 0);
  return cat(b, payload);
}

// TCP with PSH|ACK and no options (data offset 5).
inline Bytes tcp(uint16_t sport, uint16_t dport, const Bytes& payload, uint32_t seq = 1000) {
  Bytes b;
  put16(b, sport);
  put16(b, dport);
  put32(b, seq);
  put32(b, 1);
  b.push_back(0x50);
  b.push_back(0x18);
  put16(b, 65535);
  put16(b, 0);
  put16(b, 0);
  return cat(b, payload);
}

// RFC 8200 §4.5 fragment header: next header, reserved, offset (bytes, multiple of 8) | M,
// identification; followed by the fragment data.
inline Bytes ipv6_fragment(uint8_t next_header, uint16_t offset, bool more, uint32_t id,
                           const Bytes& data) {
  Bytes b = {next_header, 0};
  put16(b, static_cast<uint16_t>(offset | (more ? 1 : 0)));
  put32(b, id);
  return cat(b, data);
}

// GRE (RFC 2784/2890) with optional checksum (C), key (K) and sequence number (S).
struct GreOptions {
  bool checksum = false;
  bool key = false;
  bool sequence = false;
};
inline Bytes gre(uint16_t protocol, const Bytes& payload, const GreOptions& o = {}) {
  Bytes b = {
      static_cast<uint8_t>((o.checksum ? 0x80 : 0) | (o.key ? 0x20 : 0) | (o.sequence ? 0x10 : 0)),
      0};
  put16(b, protocol);
  if (o.checksum) put32(b, 0);
  if (o.key) put32(b, 0x0000abcd);
  if (o.sequence) put32(b, 7);
  return cat(b, payload);
}

// ERSPAN type II header (Ver = 1, VLAN 0, session 5, index 0), then the mirrored frame.
inline Bytes erspan2(const Bytes& frame) {
  return cat({0x10, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00}, frame);
}

// ERSPAN type III header (Ver = 2, session 5, timestamp, FT = 0 Ethernet), with the
// 8-octet platform subheader when `platform` (O bit).
inline Bytes erspan3(const Bytes& frame, bool platform) {
  Bytes b = {0x20, 0x00, 0x00, 0x05, 0x11, 0x22,
             0x33, 0x44, 0x00, 0x00, 0x00, static_cast<uint8_t>(platform ? 0x01 : 0x00)};
  if (platform) b.insert(b.end(), {0x08, 0, 0, 0, 0, 0, 0, 0});
  return cat(b, frame);
}

// VXLAN (RFC 7348 §5): flags I, VNI 42.
inline Bytes vxlan(const Bytes& frame) {
  return cat({0x08, 0, 0, 0, 0x00, 0x00, 0x2a, 0x00}, frame);
}

inline constexpr std::array<uint8_t, 4> kHostA = {192, 0, 2, 10};
inline constexpr std::array<uint8_t, 4> kHostB = {198, 51, 100, 20};
inline constexpr std::array<uint8_t, 16> kHost6A = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                                    0,    0,    0,    0,    0, 0, 0, 1};
inline constexpr std::array<uint8_t, 16> kHost6B = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                                    0,    0,    0,    0,    0, 0, 0, 2};

}  // namespace sipscope::decode::test
