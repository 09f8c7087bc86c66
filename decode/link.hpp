// Link layer: from a captured frame to its network-layer payload.
//
// Supported link types (decode/frame.hpp, tcpdump.org/linktypes.html): Ethernet II with
// IEEE 802.1Q / 802.1ad / 0x9100 VLAN tags stacked to any depth up to kMaxVlanTags; Linux
// cooked capture SLL (v1) and SLL2; raw IP (DLT 12, 14, 101, 228, 229); BSD NULL (host
// byte order family) and OpenBSD LOOP (network order). VLAN tags are also followed after
// SLL/SLL2, where Linux occasionally leaves them in place. Inside those: PPPoE session
// frames carrying PPP IPv4/IPv6 (RFC 2516, RFC 1332, RFC 5072), and MPLS label stacks
// (RFC 3032) with IP found from the first nibble after the bottom label.
//
//   LinkLayer link;
//   switch (decode_link(frame.link_type, frame.data, link)) {
//     case LinkError::ok: decode_ip(link.payload, ...); break;  // IPv4 or IPv6
//     case LinkError::not_ip: break;                            // ARP, LLDP ...: silently skip
//     default: report(link_error_anomaly(err));
//   }
//
// link.payload is a view into the frame bytes, valid as long as the frame is.
#pragma once

#include <cstdint>
#include <span>

#include "decode/anomaly.hpp"

#include "decode/view_guard.hpp"

namespace sipscope::decode {

inline constexpr uint16_t kEthertypeIpv4 = 0x0800;
inline constexpr uint16_t kEthertypeIpv6 = 0x86dd;
inline constexpr uint16_t kEthertypeVlan = 0x8100;          // IEEE 802.1Q C-tag
inline constexpr uint16_t kEthertypeQinQ = 0x88a8;          // IEEE 802.1ad S-tag
inline constexpr uint16_t kEthertypeQinQOld = 0x9100;       // pre-standard QinQ
inline constexpr uint16_t kEthertypePppoeSession = 0x8864;  // RFC 2516 §4
inline constexpr uint16_t kEthertypeMpls = 0x8847;          // RFC 3032 unicast
inline constexpr uint16_t kEthertypeMplsMulticast = 0x8848;
inline constexpr int kMaxVlanTags = 16;
inline constexpr int kMaxMplsLabels = 16;

enum class LinkError : uint8_t {
  ok,      // payload is IPv4 or IPv6 (see ethertype)
  not_ip,  // a valid frame carrying something else: not an anomaly
  unsupported_link_type,
  truncated_ethernet,
  truncated_vlan,
  truncated_sll,
  truncated_sll2,
  truncated_null,
  vlan_stack_too_deep,
  bad_ip_version,  // raw-IP link whose first nibble is neither 4 nor 6
  empty_frame,     // raw-IP link with zero captured bytes
  truncated_pppoe,
  truncated_mpls,
  mpls_stack_too_deep,
};

struct LinkLayer {
  // kEthertypeIpv4 / kEthertypeIpv6 when ok; the ethertype found otherwise (0 for link
  // types without one).
  uint16_t ethertype = 0;
  uint8_t vlan_tags = 0;             // VLAN tags skipped
  uint8_t mpls_labels = 0;           // MPLS label entries skipped
  uint16_t outer_vlan_id = 0;        // 12-bit VID of the first tag, 0 without tags
  std::span<const uint8_t> payload;  // network-layer bytes (rest of the frame)
};

// Never reads outside `frame`. `out` is fully overwritten.
[[nodiscard]] LinkError decode_link(int link_type, std::span<const uint8_t> frame, LinkLayer& out);
template <TemporaryBuffer T>
LinkError decode_link(int, T&&, LinkLayer&) = delete;  // views into a temporary

// The anomaly to report for an error (not for ok / not_ip).
[[nodiscard]] AnomalyKind link_error_anomaly(LinkError e);

}  // namespace sipscope::decode
