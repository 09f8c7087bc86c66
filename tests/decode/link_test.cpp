#include "decode/link.hpp"

#include <gtest/gtest.h>

#include "decode/frame.hpp"
#include "tests/decode/frame_builder.hpp"

namespace sipscope::decode {
namespace {

using test::Bytes;

// Four bytes standing in for the network layer: an IPv4 first nibble, then markers.
const Bytes kV4 = {0x45, 0xaa, 0xbb, 0xcc};
const Bytes kV6 = {0x60, 0xaa, 0xbb, 0xcc};

size_t offset_of(const LinkLayer& l, const Bytes& frame) {
  return static_cast<size_t>(l.payload.data() - frame.data());
}

TEST(Link, EthernetIpv4) {
  // 6 dst + 6 src + ethertype 0x0800: payload at offset 14.
  const Bytes f = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00, 0x45, 0xaa, 0xbb, 0xcc};
  LinkLayer l;
  ASSERT_EQ(decode_link(link_type::kEthernet, f, l), LinkError::ok);
  EXPECT_EQ(l.ethertype, kEthertypeIpv4);
  EXPECT_EQ(offset_of(l, f), 14u);
  EXPECT_EQ(l.payload.size(), 4u);
  EXPECT_EQ(l.vlan_tags, 0);
}

TEST(Link, EthernetIpv6) {
  const Bytes f = test::ethernet(0x86dd, kV6);
  LinkLayer l;
  ASSERT_EQ(decode_link(link_type::kEthernet, f, l), LinkError::ok);
  EXPECT_EQ(l.ethertype, kEthertypeIpv6);
  EXPECT_EQ(offset_of(l, f), 14u);
}

TEST(Link, SingleVlan) {
  // 802.1Q tag: TPID 0x8100, TCI = PCP 5 (0xa000) | VID 100 -> 0xa064; payload at 14 + 4.
  const Bytes f = test::ethernet(0x0800, kV4, {{0x8100, 0xa064}});
  LinkLayer l;
  ASSERT_EQ(decode_link(link_type::kEthernet, f, l), LinkError::ok);
  EXPECT_EQ(l.vlan_tags, 1);
  EXPECT_EQ(l.outer_vlan_id, 100);
  EXPECT_EQ(offset_of(l, f), 18u);
  EXPECT_EQ(l.payload.size(), 4u);
}

TEST(Link, QinQ) {
  // 802.1ad S-tag VID 200 outside an 802.1Q C-tag VID 100: payload at 14 + 8.
  const Bytes f = test::ethernet(0x86dd, kV6, {{0x88a8, 200}, {0x8100, 100}});
  LinkLayer l;
  ASSERT_EQ(decode_link(link_type::kEthernet, f, l), LinkError::ok);
  EXPECT_EQ(l.ethertype, kEthertypeIpv6);
  EXPECT_EQ(l.vlan_tags, 2);
  EXPECT_EQ(l.outer_vlan_id, 200);
  EXPECT_EQ(offset_of(l, f), 22u);
}

TEST(Link, ThreeDeepStack) {
  const Bytes f = test::ethernet(0x0800, kV4, {{0x9100, 7}, {0x88a8, 8}, {0x8100, 9}});
  LinkLayer l;
  ASSERT_EQ(decode_link(link_type::kEthernet, f, l), LinkError::ok);
  EXPECT_EQ(l.vlan_tags, 3);
  EXPECT_EQ(l.outer_vlan_id, 7);
  EXPECT_EQ(offset_of(l, f), 26u);
}

Bytes vlan_stack(int depth) {
  // ethernet() writes tags in order; the last tag's "next type" is the final ethertype.
  Bytes b = {0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01};
  for (int i = 0; i < depth; ++i) {
    test::put16(b, 0x8100);
    test::put16(b, static_cast<uint16_t>(i + 1));
  }
  test::put16(b, 0x0800);
  return test::cat(b, kV4);
}

TEST(Link, VlanDepthCap) {
  LinkLayer l;
  const Bytes ok = vlan_stack(kMaxVlanTags);
  EXPECT_EQ(decode_link(link_type::kEthernet, ok, l), LinkError::ok);
  EXPECT_EQ(l.vlan_tags, kMaxVlanTags);
  const Bytes deep = vlan_stack(kMaxVlanTags + 1);
  EXPECT_EQ(decode_link(link_type::kEthernet, deep, l), LinkError::vlan_stack_too_deep);
  EXPECT_EQ(link_error_anomaly(LinkError::vlan_stack_too_deep), AnomalyKind::vlan_stack_too_deep);
}

TEST(Link, NonIpIsNotAnError) {
  LinkLayer l;
  const Bytes arp = test::ethernet(0x0806, {0, 1, 8, 0});
  EXPECT_EQ(decode_link(link_type::kEthernet, arp, l), LinkError::not_ip);
  EXPECT_EQ(l.ethertype, 0x0806);
  // IEEE 802.3 length field (< 0x0600) followed by LLC: not IP.
  const Bytes llc = test::ethernet(0x0026, {0x42, 0x42, 0x03});
  EXPECT_EQ(decode_link(link_type::kEthernet, llc, l), LinkError::not_ip);
  // ARP behind a VLAN tag.
  const Bytes varp = test::ethernet(0x0806, {0, 1}, {{0x8100, 5}});
  EXPECT_EQ(decode_link(link_type::kEthernet, varp, l), LinkError::not_ip);
}

TEST(Link, TruncatedEthernetAndVlan) {
  LinkLayer l;
  const Bytes f = test::ethernet(0x0800, kV4);
  EXPECT_EQ(decode_link(link_type::kEthernet, std::span(f).first(13), l),
            LinkError::truncated_ethernet);
  EXPECT_EQ(decode_link(link_type::kEthernet, {}, l), LinkError::truncated_ethernet);
  // Header complete, no payload: fine at this layer (IP reports the truncation).
  EXPECT_EQ(decode_link(link_type::kEthernet, std::span(f).first(14), l), LinkError::ok);
  EXPECT_TRUE(l.payload.empty());
  const Bytes v = test::ethernet(0x0800, kV4, {{0x8100, 1}});
  // 14 + 3 bytes: the tag's inner ethertype is cut.
  EXPECT_EQ(decode_link(link_type::kEthernet, std::span(v).first(17), l),
            LinkError::truncated_vlan);
  EXPECT_EQ(link_error_anomaly(LinkError::truncated_ethernet), AnomalyKind::truncated_ethernet);
  EXPECT_EQ(link_error_anomaly(LinkError::truncated_vlan), AnomalyKind::truncated_vlan);
}

TEST(Link, PppoeSession) {
  // RFC 2516 §4: ver/type 0x11, code 0, session 0x0001, length 6 (PPP protocol + 4 bytes),
  // then PPP protocol 0x0021 = IPv4 (RFC 1332): payload at 14 + 6 + 2.
  const Bytes v4 = test::ethernet(
      0x8864, {0x11, 0x00, 0x00, 0x01, 0x00, 0x06, 0x00, 0x21, 0x45, 0xaa, 0xbb, 0xcc});
  LinkLayer l;
  ASSERT_EQ(decode_link(link_type::kEthernet, v4, l), LinkError::ok);
  EXPECT_EQ(l.ethertype, kEthertypeIpv4);
  EXPECT_EQ(offset_of(l, v4), 22u);
  const Bytes v6 = test::ethernet(0x8864, {0x11, 0, 0, 1, 0, 6, 0x00, 0x57, 0x60, 0, 0, 0});
  ASSERT_EQ(decode_link(link_type::kEthernet, v6, l), LinkError::ok);
  EXPECT_EQ(l.ethertype, kEthertypeIpv6);
  // LCP (0xc021) is PPP control traffic: not IP.
  const Bytes lcp = test::ethernet(0x8864, {0x11, 0, 0, 1, 0, 6, 0xc0, 0x21, 1, 1, 0, 4});
  EXPECT_EQ(decode_link(link_type::kEthernet, lcp, l), LinkError::not_ip);
  EXPECT_EQ(decode_link(link_type::kEthernet, std::span(v4).first(21), l),
            LinkError::truncated_pppoe);
  EXPECT_EQ(link_error_anomaly(LinkError::truncated_pppoe), AnomalyKind::truncated_pppoe);
}

TEST(Link, MplsLabelStack) {
  // Two label entries: label 16, S = 0; label 17, S = 1 (0x100 bit), TTL 64.
  const Bytes two = test::ethernet(
      0x8847, {0x00, 0x01, 0x00, 0x40, 0x00, 0x01, 0x11, 0x40, 0x45, 0xaa, 0xbb, 0xcc});
  LinkLayer l;
  ASSERT_EQ(decode_link(link_type::kEthernet, two, l), LinkError::ok);
  EXPECT_EQ(l.ethertype, kEthertypeIpv4);
  EXPECT_EQ(l.mpls_labels, 2);
  EXPECT_EQ(offset_of(l, two), 22u);
  // Behind a VLAN tag, IPv6 payload.
  const Bytes v6 = test::ethernet(0x8847, {0x00, 0x01, 0x01, 0x40, 0x60, 0}, {{0x8100, 3}});
  ASSERT_EQ(decode_link(link_type::kEthernet, v6, l), LinkError::ok);
  EXPECT_EQ(l.ethertype, kEthertypeIpv6);
  // An Ethernet pseudowire control word (first nibble 0): not IP.
  const Bytes pw = test::ethernet(0x8847, {0x00, 0x01, 0x01, 0x40, 0x00, 0, 0, 0});
  EXPECT_EQ(decode_link(link_type::kEthernet, pw, l), LinkError::not_ip);
  // Bottom of stack never reached / nothing after it.
  EXPECT_EQ(decode_link(link_type::kEthernet, std::span(two).first(20), l),
            LinkError::truncated_mpls);
  EXPECT_EQ(decode_link(link_type::kEthernet, std::span(two).first(22), l),
            LinkError::truncated_mpls);
  Bytes deep;
  for (int i = 0; i < kMaxMplsLabels + 1; ++i) deep = test::cat(deep, {0, 1, 0, 0x40});
  deep = test::cat(deep, {0, 1, 1, 0x40, 0x45});
  deep = test::ethernet(0x8847, deep);
  EXPECT_EQ(decode_link(link_type::kEthernet, deep, l), LinkError::mpls_stack_too_deep);
  EXPECT_EQ(link_error_anomaly(LinkError::truncated_mpls), AnomalyKind::truncated_mpls);
  EXPECT_EQ(link_error_anomaly(LinkError::mpls_stack_too_deep), AnomalyKind::mpls_stack_too_deep);
}

TEST(Link, LinuxSll) {
  // packet type 0 (to us), ARPHRD_ETHER 1, addr len 6, 8 address bytes, protocol 0x0800.
  const Bytes f = {0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 1,    2,    3,    4,
                   5,    6,    0,    0,    0x08, 0x00, 0x45, 0xaa, 0xbb, 0xcc};
  LinkLayer l;
  ASSERT_EQ(decode_link(link_type::kLinuxSll, f, l), LinkError::ok);
  EXPECT_EQ(l.ethertype, kEthertypeIpv4);
  EXPECT_EQ(offset_of(l, f), 16u);
  EXPECT_EQ(decode_link(link_type::kLinuxSll, std::span(f).first(15), l), LinkError::truncated_sll);
  EXPECT_EQ(link_error_anomaly(LinkError::truncated_sll), AnomalyKind::truncated_sll);
}

TEST(Link, LinuxSllWithVlanTagKept) {
  const Bytes f = {0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 1,    2,    3,    4,    5,
                   6,    0,    0,    0x81, 0x00, 0x00, 0x0a, 0x86, 0xdd, 0x60, 0xaa};
  LinkLayer l;
  ASSERT_EQ(decode_link(link_type::kLinuxSll, f, l), LinkError::ok);
  EXPECT_EQ(l.ethertype, kEthertypeIpv6);
  EXPECT_EQ(l.outer_vlan_id, 10);
  EXPECT_EQ(offset_of(l, f), 20u);
}

TEST(Link, LinuxSll2) {
  // protocol 0x86dd, reserved, ifindex 2, ARPHRD 1, pkttype 4 (outgoing), addr len 6, addr(8).
  const Bytes f = {0x86, 0xdd, 0, 0, 0, 0, 0, 2, 0, 1, 4, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x60, 0xaa};
  LinkLayer l;
  ASSERT_EQ(decode_link(link_type::kLinuxSll2, f, l), LinkError::ok);
  EXPECT_EQ(l.ethertype, kEthertypeIpv6);
  EXPECT_EQ(offset_of(l, f), 20u);
  EXPECT_EQ(decode_link(link_type::kLinuxSll2, std::span(f).first(19), l),
            LinkError::truncated_sll2);
  EXPECT_EQ(decode_link(link_type::kLinuxSll2, std::span(f).first(1), l),
            LinkError::truncated_sll2);
  EXPECT_EQ(link_error_anomaly(LinkError::truncated_sll2), AnomalyKind::truncated_sll2);
}

TEST(Link, RawIpEveryDlt) {
  LinkLayer l;
  for (int dlt : {link_type::kRawDlt, link_type::kRawDltBsd, link_type::kRaw, link_type::kIpv4,
                  link_type::kIpv6}) {
    SCOPED_TRACE(dlt);
    ASSERT_EQ(decode_link(dlt, kV4, l), LinkError::ok);
    EXPECT_EQ(l.ethertype, kEthertypeIpv4);
    EXPECT_EQ(l.payload.data(), kV4.data());
    ASSERT_EQ(decode_link(dlt, kV6, l), LinkError::ok);
    EXPECT_EQ(l.ethertype, kEthertypeIpv6);
  }
  const Bytes v5 = {0x55, 0};
  EXPECT_EQ(decode_link(link_type::kRaw, v5, l), LinkError::bad_ip_version);
  EXPECT_EQ(link_error_anomaly(LinkError::bad_ip_version), AnomalyKind::bad_ip_version);
  EXPECT_EQ(decode_link(link_type::kRaw, {}, l), LinkError::empty_frame);
  EXPECT_EQ(link_error_anomaly(LinkError::empty_frame), AnomalyKind::frame_truncated);
}

TEST(Link, BsdNull) {
  LinkLayer l;
  // Written by a little-endian host: AF_INET = 2 as 02 00 00 00.
  const Bytes le4 = {0x02, 0, 0, 0, 0x45, 0xaa};
  ASSERT_EQ(decode_link(link_type::kNull, le4, l), LinkError::ok);
  EXPECT_EQ(l.ethertype, kEthertypeIpv4);
  EXPECT_EQ(offset_of(l, le4), 4u);
  // A big-endian writer: 00 00 00 02.
  const Bytes be4 = {0, 0, 0, 0x02, 0x45, 0xaa};
  ASSERT_EQ(decode_link(link_type::kNull, be4, l), LinkError::ok);
  EXPECT_EQ(l.ethertype, kEthertypeIpv4);
  // AF_INET6 is 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS).
  for (uint8_t fam : {24, 28, 30}) {
    const Bytes f = {fam, 0, 0, 0, 0x60, 0xaa};
    ASSERT_EQ(decode_link(link_type::kNull, f, l), LinkError::ok);
    EXPECT_EQ(l.ethertype, kEthertypeIpv6);
  }
  const Bytes other = {7, 0, 0, 0, 0x45};
  EXPECT_EQ(decode_link(link_type::kNull, other, l), LinkError::not_ip);
  const Bytes cut = {2, 0, 0};
  EXPECT_EQ(decode_link(link_type::kNull, cut, l), LinkError::truncated_null);
  EXPECT_EQ(link_error_anomaly(LinkError::truncated_null), AnomalyKind::truncated_null);
}

TEST(Link, OpenBsdLoop) {
  LinkLayer l;
  const Bytes v4 = {0, 0, 0, 2, 0x45, 0xaa};
  ASSERT_EQ(decode_link(link_type::kLoop, v4, l), LinkError::ok);
  EXPECT_EQ(l.ethertype, kEthertypeIpv4);
  EXPECT_EQ(offset_of(l, v4), 4u);
  const Bytes v6 = {0, 0, 0, 24, 0x60, 0xaa};
  ASSERT_EQ(decode_link(link_type::kLoop, v6, l), LinkError::ok);
  EXPECT_EQ(l.ethertype, kEthertypeIpv6);
  EXPECT_EQ(decode_link(link_type::kLoop, std::span(v6).first(2), l), LinkError::truncated_null);
}

TEST(Link, UnsupportedLinkType) {
  LinkLayer l;
  EXPECT_EQ(decode_link(147, kV4, l), LinkError::unsupported_link_type);  // USER0
  EXPECT_EQ(decode_link(-1, kV4, l), LinkError::unsupported_link_type);
  EXPECT_EQ(link_error_anomaly(LinkError::unsupported_link_type),
            AnomalyKind::unsupported_link_type);
}

}  // namespace
}  // namespace sipscope::decode
