// Network and transport headers: IPv4 (RFC 791), IPv6 with extension headers (RFC 8200
// §4, RFC 4302 AH, RFC 6275 mobility, RFC 7401 HIP, RFC 5533 shim6), UDP (RFC 768) and
// enough of TCP (RFC 9293 §3.1) to find the segment payload.
//
//   IpPacket ip;
//   if (decode_ip(link.payload, ip) != IpError::ok) ...;     // anomaly: ip_error_anomaly()
//   if (ip.fragment) ...;                                    // see ip_reassembly.hpp
//   UdpHeader udp;
//   if (ip.protocol == kIpProtoUdp && decode_udp(ip.payload, ip.truncated, udp) == ...)
//
// All spans are views into the input bytes (the frame): valid as long as the frame is.
// Lengths in headers are never trusted beyond the bytes present. Fragments are only
// described (id, offset, more flag); their payload is not an upper-layer header.
#pragma once

#include <cstdint>
#include <span>

#include "decode/anomaly.hpp"
#include "decode/net.hpp"

#include "decode/view_guard.hpp"

namespace sipscope::decode {

inline constexpr uint8_t kIpProtoTcp = 6;
inline constexpr uint8_t kIpProtoUdp = 17;
inline constexpr int kMaxIpv6Extensions = 16;

enum class IpError : uint8_t {
  ok,
  bad_ip_version,            // version nibble is not the one expected
  truncated_ipv4,            // fewer bytes than the fixed header or than IHL
  bad_ipv4_header_length,    // IHL < 5
  bad_ipv4_total_length,     // total length < header length
  truncated_ipv6,            // fewer than 40 bytes
  truncated_ipv6_extension,  // an extension header runs past the payload
  too_many_ipv6_extensions,  // more than kMaxIpv6Extensions extension headers
};

struct IpPacket {
  uint8_t version = 0;  // 4 or 6
  IpAddress src;
  IpAddress dst;
  uint8_t protocol = 0;   // upper-layer protocol (IPv6: after the extension headers)
  uint8_t hop_limit = 0;  // TTL for IPv4
  // Upper-layer bytes: bounded by the IP length field and by the bytes captured
  // (Ethernet padding after the IP packet is excluded).
  std::span<const uint8_t> payload;
  bool truncated = false;  // the IP length field claims more bytes than were captured
  uint8_t ipv6_extensions = 0;
  // Fragmentation (IPv4 MF/offset, IPv6 fragment header 44). An IPv6 atomic fragment
  // (offset 0, M = 0, RFC 6946) is not a fragment.
  bool fragment = false;
  bool more_fragments = false;
  uint32_t fragment_id = 0;
  uint32_t fragment_offset = 0;  // in bytes
};

// Dispatches on the version nibble.
[[nodiscard]] IpError decode_ip(std::span<const uint8_t> data, IpPacket& out);
[[nodiscard]] IpError decode_ipv4(std::span<const uint8_t> data, IpPacket& out);
[[nodiscard]] IpError decode_ipv6(std::span<const uint8_t> data, IpPacket& out);
template <TemporaryBuffer T>
IpError decode_ip(T&&, IpPacket&) = delete;  // views into a temporary
template <TemporaryBuffer T>
IpError decode_ipv4(T&&, IpPacket&) = delete;
template <TemporaryBuffer T>
IpError decode_ipv6(T&&, IpPacket&) = delete;
[[nodiscard]] AnomalyKind ip_error_anomaly(IpError e);  // for e != ok

// For a reassembled IPv6 datagram: extension headers that followed the fragment header
// (RFC 8200 §4.5, e.g. destination options) are skipped; `protocol` and `payload` are
// updated in place. A fragment header found there is an error (truncated_ipv6_extension).
[[nodiscard]] IpError skip_ipv6_extensions(uint8_t& protocol, std::span<const uint8_t>& payload);

enum class TransportError : uint8_t {
  ok,
  truncated_udp,        // fewer than 8 bytes
  bad_udp_length,       // length field < 8, or larger than the IP payload
  truncated_tcp,        // fewer than 20 bytes or than the data offset
  bad_tcp_data_offset,  // data offset < 5
};

struct UdpHeader {
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  uint16_t length = 0;  // as written (header + data)
  std::span<const uint8_t> payload;
  bool truncated = false;  // payload shorter than the length field (capture cut it)
};

// `ip_truncated`: the IP packet itself was cut by the capture (IpPacket::truncated); a
// UDP length beyond the bytes present is then expected and not an error.
[[nodiscard]] TransportError decode_udp(std::span<const uint8_t> ip_payload, bool ip_truncated,
                                        UdpHeader& out);
template <TemporaryBuffer T>
TransportError decode_udp(T&&, bool, UdpHeader&) = delete;  // views into a temporary

struct TcpHeader {
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  uint32_t seq = 0;
  uint32_t ack = 0;
  uint8_t flags = 0;  // FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10 ...
  std::span<const uint8_t> payload;
};

[[nodiscard]] TransportError decode_tcp(std::span<const uint8_t> ip_payload, TcpHeader& out);
template <TemporaryBuffer T>
TransportError decode_tcp(T&&, TcpHeader&) = delete;                  // views into a temporary
[[nodiscard]] AnomalyKind transport_error_anomaly(TransportError e);  // for e != ok

}  // namespace sipscope::decode
