// Tunnel headers that wrap SIP traffic in captures taken on mirror ports and overlay
// networks: GRE (RFC 2784, key and sequence number RFC 2890, RFC 1701 routing), the
// ERSPAN mirror headers carried in GRE (type I/II: draft-foschiano-erspan §4.1-4.2,
// protocol 0x88be; type III: §4.3, protocol 0x22eb), and VXLAN (RFC 7348 §5, UDP 4789).
// IP-in-IP (IPv4 protocol 4, IPv6 protocol 41) needs no header of its own: the Decoder
// simply decodes the payload as IP again.
//
//   TunnelPayload inner;
//   if (decode_gre(ip.payload, inner) == TunnelError::ok)
//     inner.kind == InnerKind::ethernet ? decode_link(link_type::kEthernet, inner.payload, ..)
//                                       : decode_ip(inner.payload, ...);
//
// inner.payload is a view into the input bytes, valid as long as they are.
#pragma once

#include <cstdint>
#include <span>

#include "decode/anomaly.hpp"

#include "decode/view_guard.hpp"

namespace sipscope::decode {

inline constexpr uint8_t kIpProtoIpip = 4;   // IPv4 in IP (RFC 2003)
inline constexpr uint8_t kIpProtoIpv6 = 41;  // IPv6 in IP (RFC 4213 §3.5)
inline constexpr uint8_t kIpProtoGre = 47;
inline constexpr uint8_t kIpProtoSctp = 132;
inline constexpr uint16_t kVxlanPort = 4789;                   // RFC 7348 §5
inline constexpr uint16_t kGreProtoTransparentEther = 0x6558;  // RFC 1701 TEB
inline constexpr uint16_t kGreProtoErspan2 = 0x88be;           // ERSPAN type I and II
inline constexpr uint16_t kGreProtoErspan3 = 0x22eb;           // ERSPAN type III

enum class TunnelError : uint8_t {
  ok,
  truncated_gre,
  truncated_erspan,
  truncated_vxlan,
  gre_unsupported_protocol,  // GRE version > 1, or a payload other than IP/Ethernet
};

enum class InnerKind : uint8_t { ipv4, ipv6, ethernet };

struct TunnelPayload {
  InnerKind kind = InnerKind::ipv4;
  uint16_t protocol = 0;  // GRE protocol type as written (0 for VXLAN)
  uint8_t gre_version = 0;
  std::span<const uint8_t> payload;
};

// `data`: the IP payload of a protocol-47 packet.
[[nodiscard]] TunnelError decode_gre(std::span<const uint8_t> data, TunnelPayload& out);
template <TemporaryBuffer T>
TunnelError decode_gre(T&&, TunnelPayload&) = delete;  // views into a temporary
// `data`: the UDP payload of a datagram to port 4789. The I flag is not required (some
// implementations leave it clear); the inner frame is always Ethernet.
[[nodiscard]] TunnelError decode_vxlan(std::span<const uint8_t> data, TunnelPayload& out);
template <TemporaryBuffer T>
TunnelError decode_vxlan(T&&, TunnelPayload&) = delete;         // views into a temporary
[[nodiscard]] AnomalyKind tunnel_error_anomaly(TunnelError e);  // for e != ok

}  // namespace sipscope::decode
