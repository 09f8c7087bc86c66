#include "decode/link.hpp"

#include "decode/byte_reader.hpp"
#include "decode/frame.hpp"

namespace sipscope::decode {
namespace {

bool is_vlan_tpid(uint16_t t) {
  return t == kEthertypeVlan || t == kEthertypeQinQ || t == kEthertypeQinQOld;
}

// Follows VLAN tags starting at an ethertype field that was just read. Shared by Ethernet
// and SLL/SLL2 (Linux keeps the tag in the payload when VLAN offload is off).
LinkError finish_ethertype(ByteReader& r, uint16_t ethertype, LinkLayer& out) {
  while (is_vlan_tpid(ethertype)) {
    if (out.vlan_tags == kMaxVlanTags) return LinkError::vlan_stack_too_deep;
    uint16_t tci = 0;
    if (!r.read_u16(tci) || !r.read_u16(ethertype)) return LinkError::truncated_vlan;
    if (out.vlan_tags == 0) out.outer_vlan_id = tci & 0x0fff;
    ++out.vlan_tags;
  }
  if (ethertype == kEthertypePppoeSession) {
    // ver/type(1) code(1) session id(2) length(2), then the PPP protocol field (2).
    uint16_t ppp = 0;
    if (!r.skip(6) || !r.read_u16(ppp)) return LinkError::truncated_pppoe;
    out.payload = r.rest();
    if (ppp == 0x0021)
      out.ethertype = kEthertypeIpv4;  // RFC 1332
    else if (ppp == 0x0057)
      out.ethertype = kEthertypeIpv6;  // RFC 5072
    else
      return LinkError::not_ip;
    return LinkError::ok;
  }
  if (ethertype == kEthertypeMpls || ethertype == kEthertypeMplsMulticast) {
    // Label(20) TC(3) S(1) TTL(8) until S = 1. RFC 3032 has no payload type: like
    // Wireshark, IPv4/IPv6 are recognised from the version nibble (pseudowires are not).
    for (;;) {
      if (out.mpls_labels == kMaxMplsLabels) return LinkError::mpls_stack_too_deep;
      uint32_t entry = 0;
      if (!r.read_u32(entry)) return LinkError::truncated_mpls;
      ++out.mpls_labels;
      if ((entry & 0x100) != 0) break;
    }
    out.payload = r.rest();
    uint8_t first = 0;
    if (!r.peek_u8(first)) return LinkError::truncated_mpls;
    out.ethertype = (first >> 4) == 4 ? kEthertypeIpv4 : (first >> 4) == 6 ? kEthertypeIpv6 : 0;
    return out.ethertype != 0 ? LinkError::ok : LinkError::not_ip;
  }
  out.ethertype = ethertype;
  out.payload = r.rest();
  return ethertype == kEthertypeIpv4 || ethertype == kEthertypeIpv6 ? LinkError::ok
                                                                    : LinkError::not_ip;
}

LinkError decode_ethernet(ByteReader& r, LinkLayer& out) {
  uint16_t type = 0;
  if (!r.skip(12) || !r.read_u16(type)) return LinkError::truncated_ethernet;
  // Values below 0x0600 are IEEE 802.3 lengths (LLC/SNAP frames): never IP for us.
  if (type < 0x0600) {
    out.ethertype = type;
    out.payload = r.rest();
    return LinkError::not_ip;
  }
  return finish_ethertype(r, type, out);
}

LinkError decode_raw(std::span<const uint8_t> frame, LinkLayer& out) {
  out.payload = frame;
  if (frame.empty()) return LinkError::empty_frame;
  switch (frame[0] >> 4) {
    case 4:
      out.ethertype = kEthertypeIpv4;
      return LinkError::ok;
    case 6:
      out.ethertype = kEthertypeIpv6;
      return LinkError::ok;
    default:
      return LinkError::bad_ip_version;
  }
}

// BSD address families as written by the capturing host (tcpdump.org/linktypes.html,
// LINKTYPE_NULL): AF_INET is 2 everywhere, AF_INET6 is 24 (NetBSD/OpenBSD), 28 (FreeBSD)
// or 30 (macOS).
LinkError family_to_ethertype(uint32_t family, ByteReader& r, LinkLayer& out) {
  out.payload = r.rest();
  if (family == 2) {
    out.ethertype = kEthertypeIpv4;
    return LinkError::ok;
  }
  if (family == 24 || family == 28 || family == 30) {
    out.ethertype = kEthertypeIpv6;
    return LinkError::ok;
  }
  return LinkError::not_ip;
}

uint32_t byte_swap32(uint32_t v) {
  return (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
}

}  // namespace

LinkError decode_link(int link_type, std::span<const uint8_t> frame, LinkLayer& out) {
  out = LinkLayer{};
  ByteReader r(frame);
  switch (link_type) {
    case link_type::kEthernet:
      return decode_ethernet(r, out);
    case link_type::kLinuxSll: {
      // packet type(2) ARPHRD(2) addr len(2) addr(8) protocol(2)
      uint16_t proto = 0;
      if (!r.skip(14) || !r.read_u16(proto)) return LinkError::truncated_sll;
      return finish_ethertype(r, proto, out);
    }
    case link_type::kLinuxSll2: {
      // protocol(2) reserved(2) ifindex(4) ARPHRD(2) packet type(1) addr len(1) addr(8)
      uint16_t proto = 0;
      if (!r.read_u16(proto) || !r.skip(18)) return LinkError::truncated_sll2;
      return finish_ethertype(r, proto, out);
    }
    case link_type::kRawDlt:
    case link_type::kRawDltBsd:
    case link_type::kRaw:
    case link_type::kIpv4:
    case link_type::kIpv6:
      return decode_raw(frame, out);
    case link_type::kNull: {
      uint32_t family = 0;
      if (!r.read_u32(family)) return LinkError::truncated_null;
      // Host byte order of the writer: the family is a small number, so a value with the
      // high half set was written little-endian (the same heuristic as Wireshark).
      if ((family & 0xffff0000u) != 0) family = byte_swap32(family);
      return family_to_ethertype(family, r, out);
    }
    case link_type::kLoop: {
      uint32_t family = 0;
      if (!r.read_u32(family)) return LinkError::truncated_null;
      return family_to_ethertype(family, r, out);
    }
    default:
      return LinkError::unsupported_link_type;
  }
}

AnomalyKind link_error_anomaly(LinkError e) {
  switch (e) {
    case LinkError::truncated_ethernet:
      return AnomalyKind::truncated_ethernet;
    case LinkError::truncated_vlan:
      return AnomalyKind::truncated_vlan;
    case LinkError::truncated_sll:
      return AnomalyKind::truncated_sll;
    case LinkError::truncated_sll2:
      return AnomalyKind::truncated_sll2;
    case LinkError::truncated_null:
      return AnomalyKind::truncated_null;
    case LinkError::vlan_stack_too_deep:
      return AnomalyKind::vlan_stack_too_deep;
    case LinkError::bad_ip_version:
      return AnomalyKind::bad_ip_version;
    case LinkError::empty_frame:
      return AnomalyKind::frame_truncated;
    case LinkError::truncated_pppoe:
      return AnomalyKind::truncated_pppoe;
    case LinkError::truncated_mpls:
      return AnomalyKind::truncated_mpls;
    case LinkError::mpls_stack_too_deep:
      return AnomalyKind::mpls_stack_too_deep;
    case LinkError::ok:
    case LinkError::not_ip:
    case LinkError::unsupported_link_type:
      break;
  }
  return AnomalyKind::unsupported_link_type;
}

}  // namespace sipscope::decode
