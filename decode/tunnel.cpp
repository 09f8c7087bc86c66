#include "decode/tunnel.hpp"

#include "decode/byte_reader.hpp"
#include "decode/link.hpp"

namespace sipscope::decode {
namespace {

// RFC 2784 §2 / RFC 2890 §2 first octet: C R K S s Recur(3); second: A(1) flags(4) Ver(3).
constexpr uint8_t kGreChecksum = 0x80;
constexpr uint8_t kGreRouting = 0x40;
constexpr uint8_t kGreKey = 0x20;
constexpr uint8_t kGreSequence = 0x10;

// ERSPAN III (draft-foschiano-erspan §4.3): the O bit, last bit of the third word, says an
// 8-octet platform-specific subheader follows; FT (frame type) 0 is Ethernet.
constexpr size_t kErspan2Header = 8;
constexpr uint16_t kGreProtoPpp = 0x880b;
constexpr uint16_t kPppIpv4 = 0x0021;
constexpr uint16_t kPppIpv6 = 0x0057;
constexpr size_t kErspan3Header = 12;
constexpr size_t kErspan3Platform = 8;

TunnelError erspan3(ByteReader& r, TunnelPayload& out) {
  std::span<const uint8_t> h;
  if (!r.subspan(kErspan3Header, h)) return TunnelError::truncated_erspan;
  const bool platform = (h[11] & 0x01) != 0;
  const uint8_t frame_type = static_cast<uint8_t>((h[10] >> 2) & 0x1f);
  if (platform && !r.skip(kErspan3Platform)) return TunnelError::truncated_erspan;
  if (frame_type != 0) return TunnelError::gre_unsupported_protocol;
  out.kind = InnerKind::ethernet;
  out.payload = r.rest();
  return TunnelError::ok;
}

// RFC 2637 §4.1 enhanced GRE (PPTP): key field (payload length, call id) always present,
// sequence number if S, acknowledgment number if A (second octet, top bit); the payload is
// a PPP frame (RFC 1661 §2) whose address/control octets (0xff 0x03) may be omitted
// (ACFC) and whose protocol may be one octet (PFC, RFC 1661 §6.5).
TunnelError pptp_gre(ByteReader& r, uint8_t flags, uint8_t version, TunnelPayload& out) {
  if (out.protocol != kGreProtoPpp) return TunnelError::gre_unsupported_protocol;
  if (!r.skip(4)) return TunnelError::truncated_gre;
  if ((flags & kGreSequence) != 0 && !r.skip(4)) return TunnelError::truncated_gre;
  if ((version & 0x80) != 0 && !r.skip(4)) return TunnelError::truncated_gre;
  std::span<const uint8_t> ppp = r.rest();
  if (ppp.size() >= 2 && ppp[0] == 0xff && ppp[1] == 0x03) ppp = ppp.subspan(2);
  if (ppp.empty()) return TunnelError::truncated_gre;
  uint16_t proto = ppp[0];
  size_t len = 1;
  if ((ppp[0] & 0x01) == 0) {  // two-octet protocol field: the first octet is even
    if (ppp.size() < 2) return TunnelError::truncated_gre;
    proto = static_cast<uint16_t>((ppp[0] << 8) | ppp[1]);
    len = 2;
  }
  if (proto == kPppIpv4) {
    out.kind = InnerKind::ipv4;
  } else if (proto == kPppIpv6) {
    out.kind = InnerKind::ipv6;
  } else {
    return TunnelError::gre_unsupported_protocol;  // LCP, CCP, compressed data ...
  }
  out.payload = ppp.subspan(len);
  return TunnelError::ok;
}

}  // namespace

TunnelError decode_gre(std::span<const uint8_t> data, TunnelPayload& out) {
  out = TunnelPayload{};
  ByteReader r(data);
  uint8_t flags = 0, version = 0;
  if (!r.read_u8(flags) || !r.read_u8(version) || !r.read_u16(out.protocol))
    return TunnelError::truncated_gre;
  out.gre_version = version & 0x07;
  if (out.gre_version == 1) return pptp_gre(r, flags, version, out);
  if (out.gre_version != 0) return TunnelError::gre_unsupported_protocol;
  // Checksum and offset fields are present if either C or R is set (RFC 1701 §2.1).
  if ((flags & (kGreChecksum | kGreRouting)) != 0 && !r.skip(4)) return TunnelError::truncated_gre;
  if ((flags & kGreKey) != 0 && !r.skip(4)) return TunnelError::truncated_gre;
  const bool sequenced = (flags & kGreSequence) != 0;
  if (sequenced && !r.skip(4)) return TunnelError::truncated_gre;
  if ((flags & kGreRouting) != 0) {
    // RFC 1701 §2.1.1: Source Route Entries until the NULL one (family 0, length 0).
    for (;;) {
      uint16_t family = 0;
      uint8_t offset = 0, length = 0;
      if (!r.read_u16(family) || !r.read_u8(offset) || !r.read_u8(length) || !r.skip(length))
        return TunnelError::truncated_gre;
      if (family == 0 && length == 0) break;
    }
  }
  switch (out.protocol) {
    case kEthertypeIpv4:
      out.kind = InnerKind::ipv4;
      break;
    case kEthertypeIpv6:
      out.kind = InnerKind::ipv6;
      break;
    case kGreProtoTransparentEther:
      out.kind = InnerKind::ethernet;
      break;
    case kGreProtoErspan2:
      // Type II carries a sequence number and an 8-octet header; type I has neither and
      // the mirrored frame follows the GRE header directly.
      out.kind = InnerKind::ethernet;
      if (sequenced && !r.skip(kErspan2Header)) return TunnelError::truncated_erspan;
      break;
    case kGreProtoErspan3:
      return erspan3(r, out);
    default:
      return TunnelError::gre_unsupported_protocol;
  }
  out.payload = r.rest();
  return TunnelError::ok;
}

TunnelError decode_vxlan(std::span<const uint8_t> data, TunnelPayload& out) {
  out = TunnelPayload{};
  ByteReader r(data);
  // flags(1) reserved(3) VNI(3) reserved(1)
  if (!r.skip(8)) return TunnelError::truncated_vxlan;
  out.kind = InnerKind::ethernet;
  out.payload = r.rest();
  return TunnelError::ok;
}

AnomalyKind tunnel_error_anomaly(TunnelError e) {
  switch (e) {
    case TunnelError::truncated_erspan:
      return AnomalyKind::truncated_erspan;
    case TunnelError::truncated_vxlan:
      return AnomalyKind::truncated_vxlan;
    case TunnelError::gre_unsupported_protocol:
      return AnomalyKind::gre_unsupported_protocol;
    case TunnelError::truncated_gre:
    case TunnelError::ok:
      break;
  }
  return AnomalyKind::truncated_gre;
}

}  // namespace sipscope::decode
