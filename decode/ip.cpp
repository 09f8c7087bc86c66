#include "decode/ip.hpp"

#include "decode/byte_reader.hpp"

namespace sipscope::decode {
namespace {

// IPv6 extension headers skipped generically: RFC 8200 §4.3 hop-by-hop (0), §4.4 routing
// (43), §4.6 destination options (60); RFC 6275 mobility (135); RFC 7401 HIP (139);
// RFC 5533 shim6 (140). All share the layout next-header(1) hdr-ext-len(1) in 8-octet
// units not counting the first 8.
bool is_generic_ipv6_extension(uint8_t nh) {
  return nh == 0 || nh == 43 || nh == 60 || nh == 135 || nh == 139 || nh == 140;
}
constexpr uint8_t kIpv6Fragment = 44;
constexpr uint8_t kIpv6Ah = 51;

// Splits the bytes after a fixed IP header at the length the header announces.
void bound_payload(std::span<const uint8_t> rest, size_t announced, IpPacket& out) {
  if (announced > rest.size()) {
    out.truncated = true;
    out.payload = rest;
  } else {
    out.payload = rest.first(announced);  // drops link-layer padding
  }
}

}  // namespace

IpError decode_ip(std::span<const uint8_t> data, IpPacket& out) {
  if (!data.empty() && (data[0] >> 4) == 6) return decode_ipv6(data, out);
  if (!data.empty() && (data[0] >> 4) != 4) {
    out = IpPacket{};
    return IpError::bad_ip_version;
  }
  return decode_ipv4(data, out);  // empty input reports truncated_ipv4
}

IpError decode_ipv4(std::span<const uint8_t> data, IpPacket& out) {
  out = IpPacket{};
  ByteReader r(data);
  uint8_t ver_ihl = 0, tos = 0, ttl = 0, proto = 0;
  uint16_t total = 0, id = 0, flags_offset = 0, checksum = 0;
  std::span<const uint8_t> src, dst;
  if (!r.read_u8(ver_ihl)) return IpError::truncated_ipv4;
  if ((ver_ihl >> 4) != 4) return IpError::bad_ip_version;
  const size_t header_len = size_t{ver_ihl & 0x0fu} * 4;
  if (header_len < 20) return IpError::bad_ipv4_header_length;
  if (!r.read_u8(tos) || !r.read_u16(total) || !r.read_u16(id) || !r.read_u16(flags_offset) ||
      !r.read_u8(ttl) || !r.read_u8(proto) || !r.read_u16(checksum) || !r.subspan(4, src) ||
      !r.subspan(4, dst) || !r.skip(header_len - 20)) {
    return IpError::truncated_ipv4;
  }
  out.version = 4;
  out.src = IpAddress::v4(src.data());
  out.dst = IpAddress::v4(dst.data());
  out.protocol = proto;
  out.hop_limit = ttl;
  if (total < header_len) return IpError::bad_ipv4_total_length;
  bound_payload(r.rest(), total - header_len, out);
  // RFC 791 §3.1: flags are reserved, DF, MF; offset in 8-octet units.
  out.more_fragments = (flags_offset & 0x2000) != 0;
  out.fragment_offset = uint32_t{flags_offset & 0x1fffu} * 8;
  out.fragment_id = id;
  out.fragment = out.more_fragments || out.fragment_offset != 0;
  return IpError::ok;
}

IpError decode_ipv6(std::span<const uint8_t> data, IpPacket& out) {
  out = IpPacket{};
  ByteReader r(data);
  uint32_t ver_class_flow = 0;
  uint16_t payload_len = 0;
  uint8_t next = 0, hops = 0;
  std::span<const uint8_t> src, dst;
  if (!data.empty() && (data[0] >> 4) != 6) return IpError::bad_ip_version;
  if (!r.read_u32(ver_class_flow) || !r.read_u16(payload_len) || !r.read_u8(next) ||
      !r.read_u8(hops) || !r.subspan(16, src) || !r.subspan(16, dst)) {
    return IpError::truncated_ipv6;
  }
  out.version = 6;
  out.src = IpAddress::v6(src.data());
  out.dst = IpAddress::v6(dst.data());
  out.hop_limit = hops;
  bound_payload(r.rest(), payload_len, out);

  ByteReader ext(out.payload);
  for (;;) {
    const bool generic = is_generic_ipv6_extension(next);
    if (!generic && next != kIpv6Ah && next != kIpv6Fragment) break;
    if (out.ipv6_extensions == kMaxIpv6Extensions) return IpError::too_many_ipv6_extensions;
    ++out.ipv6_extensions;
    uint8_t following = 0, len = 0;
    if (!ext.read_u8(following) || !ext.read_u8(len)) return IpError::truncated_ipv6_extension;
    if (next == kIpv6Fragment) {
      // RFC 8200 §4.5: next(1) reserved(1) offset(13 bits) res(2) M(1) identification(4)
      uint16_t offset_m = 0;
      uint32_t id = 0;
      if (!ext.read_u16(offset_m) || !ext.read_u32(id)) return IpError::truncated_ipv6_extension;
      out.fragment_offset = static_cast<uint32_t>(offset_m >> 3) * 8;
      out.more_fragments = (offset_m & 1) != 0;
      out.fragment_id = id;
      if (out.fragment_offset != 0 || out.more_fragments) {
        // The rest is fragment data; headers after this one are only in the reassembly.
        out.fragment = true;
        out.protocol = following;
        out.payload = ext.rest();
        return IpError::ok;
      }
    } else {
      // AH (RFC 4302 §2.2) counts 4-octet units minus 2; the others 8-octet units minus 1.
      const size_t total = next == kIpv6Ah ? (size_t{len} + 2) * 4 : (size_t{len} + 1) * 8;
      if (!ext.skip(total - 2)) return IpError::truncated_ipv6_extension;
    }
    next = following;
  }
  out.protocol = next;
  out.payload = ext.rest();
  return IpError::ok;
}

IpError skip_ipv6_extensions(uint8_t& protocol, std::span<const uint8_t>& payload) {
  ByteReader ext(payload);
  for (int n = 0; is_generic_ipv6_extension(protocol) || protocol == kIpv6Ah; ++n) {
    if (n == kMaxIpv6Extensions) return IpError::too_many_ipv6_extensions;
    uint8_t following = 0, len = 0;
    if (!ext.read_u8(following) || !ext.read_u8(len)) return IpError::truncated_ipv6_extension;
    const size_t total = protocol == kIpv6Ah ? (size_t{len} + 2) * 4 : (size_t{len} + 1) * 8;
    if (!ext.skip(total - 2)) return IpError::truncated_ipv6_extension;
    protocol = following;
  }
  payload = ext.rest();
  return IpError::ok;
}

AnomalyKind ip_error_anomaly(IpError e) {
  switch (e) {
    case IpError::truncated_ipv4:
      return AnomalyKind::truncated_ipv4;
    case IpError::bad_ipv4_header_length:
      return AnomalyKind::bad_ipv4_header_length;
    case IpError::bad_ipv4_total_length:
      return AnomalyKind::bad_ipv4_total_length;
    case IpError::truncated_ipv6:
      return AnomalyKind::truncated_ipv6;
    case IpError::truncated_ipv6_extension:
      return AnomalyKind::truncated_ipv6_extension;
    case IpError::too_many_ipv6_extensions:
      return AnomalyKind::too_many_ipv6_extensions;
    case IpError::ok:
    case IpError::bad_ip_version:
      break;
  }
  return AnomalyKind::bad_ip_version;
}

TransportError decode_udp(std::span<const uint8_t> ip_payload, bool ip_truncated, UdpHeader& out) {
  out = UdpHeader{};
  ByteReader r(ip_payload);
  uint16_t checksum = 0;
  if (!r.read_u16(out.src_port) || !r.read_u16(out.dst_port) || !r.read_u16(out.length) ||
      !r.read_u16(checksum)) {
    return TransportError::truncated_udp;
  }
  if (out.length < 8) return TransportError::bad_udp_length;
  const size_t data_len = out.length - 8u;
  if (data_len > r.remaining()) {
    if (!ip_truncated) return TransportError::bad_udp_length;
    out.truncated = true;
    out.payload = r.rest();
    return TransportError::ok;
  }
  // A UDP length shorter than the IP payload leaves trailing octets that RFC 768 does not
  // count as data: they are ignored.
  out.payload = r.rest().first(data_len);
  return TransportError::ok;
}

TransportError decode_tcp(std::span<const uint8_t> ip_payload, TcpHeader& out) {
  out = TcpHeader{};
  ByteReader r(ip_payload);
  uint8_t offset_byte = 0;
  if (!r.read_u16(out.src_port) || !r.read_u16(out.dst_port) || !r.read_u32(out.seq) ||
      !r.read_u32(out.ack) || !r.read_u8(offset_byte) || !r.read_u8(out.flags) ||
      !r.skip(6)) {  // window, checksum, urgent pointer
    return TransportError::truncated_tcp;
  }
  const size_t header_len = static_cast<size_t>(offset_byte >> 4) * 4;
  if (header_len < 20) return TransportError::bad_tcp_data_offset;
  if (!r.skip(header_len - 20)) return TransportError::truncated_tcp;  // options
  out.payload = r.rest();
  return TransportError::ok;
}

AnomalyKind transport_error_anomaly(TransportError e) {
  switch (e) {
    case TransportError::truncated_udp:
      return AnomalyKind::truncated_udp;
    case TransportError::bad_udp_length:
      return AnomalyKind::bad_udp_length;
    case TransportError::truncated_tcp:
      return AnomalyKind::truncated_tcp;
    case TransportError::bad_tcp_data_offset:
      return AnomalyKind::bad_tcp_data_offset;
    case TransportError::ok:
      break;
  }
  return AnomalyKind::truncated_udp;
}

}  // namespace sipscope::decode
