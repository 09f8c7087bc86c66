#include "decode/ip.hpp"

#include <gtest/gtest.h>

#include "tests/decode/frame_builder.hpp"

namespace sipscope::decode {
namespace {

using test::Bytes;

size_t offset_in(std::span<const uint8_t> part, const Bytes& whole) {
  return static_cast<size_t>(part.data() - whole.data());
}

// IPv4, IHL 6 (24-byte header: 4 bytes of options NOP NOP NOP EOL, RFC 791 §3.1),
// total length 0x0024 = 36 = 24 + 8 (UDP header) + 4 (data), UDP 5060 -> 5080,
// UDP length 12 = 8 + 4.
const Bytes kIpv4WithOptions = {0x46, 0x00, 0x00, 0x24, 0xab, 0xcd, 0x40, 0x00,
                                0x40, 0x11, 0x00, 0x00,                          //
                                192,  0,    2,    10,                            // src
                                198,  51,   100,  20,                            // dst
                                0x01, 0x01, 0x01, 0x00,                          // options
                                0x13, 0xc4, 0x13, 0xd8, 0x00, 0x0c, 0x00, 0x00,  // UDP
                                'a',  'b',  'c',  'd'};

TEST(Ipv4, HeaderWithOptions) {
  IpPacket ip;
  ASSERT_EQ(decode_ipv4(kIpv4WithOptions, ip), IpError::ok);
  EXPECT_EQ(ip.version, 4);
  EXPECT_EQ(ip.src.to_string(), "192.0.2.10");
  EXPECT_EQ(ip.dst.to_string(), "198.51.100.20");
  EXPECT_EQ(ip.protocol, kIpProtoUdp);
  EXPECT_EQ(ip.hop_limit, 64);
  EXPECT_EQ(offset_in(ip.payload, kIpv4WithOptions), 24u);
  EXPECT_EQ(ip.payload.size(), 12u);
  EXPECT_FALSE(ip.truncated);
  EXPECT_FALSE(ip.fragment);  // DF only

  UdpHeader udp;
  ASSERT_EQ(decode_udp(ip.payload, ip.truncated, udp), TransportError::ok);
  EXPECT_EQ(udp.src_port, 5060);
  EXPECT_EQ(udp.dst_port, 5080);
  EXPECT_EQ(udp.length, 12);
  ASSERT_EQ(udp.payload.size(), 4u);
  EXPECT_EQ(udp.payload[0], 'a');
}

TEST(Ipv4, EthernetPaddingExcluded) {
  Bytes padded = kIpv4WithOptions;
  padded.insert(padded.end(), 10, 0);  // short frames are padded to 60 bytes
  IpPacket ip;
  ASSERT_EQ(decode_ipv4(padded, ip), IpError::ok);
  EXPECT_EQ(ip.payload.size(), 12u);  // total length 36 - 24
}

TEST(Ipv4, MalformedHeaders) {
  IpPacket ip;
  Bytes b = kIpv4WithOptions;
  b[0] = 0x44;  // IHL 4 = 16 bytes < 20
  EXPECT_EQ(decode_ipv4(b, ip), IpError::bad_ipv4_header_length);
  b = kIpv4WithOptions;
  b[3] = 20;  // total length 20 < header length 24
  EXPECT_EQ(decode_ipv4(b, ip), IpError::bad_ipv4_total_length);
  b = kIpv4WithOptions;
  b[0] = 0x4f;  // IHL 15 = 60 bytes, only 36 present
  EXPECT_EQ(decode_ipv4(b, ip), IpError::truncated_ipv4);
  EXPECT_EQ(decode_ipv4(std::span(kIpv4WithOptions).first(19), ip), IpError::truncated_ipv4);
  EXPECT_EQ(decode_ipv4(std::span(kIpv4WithOptions).first(23), ip), IpError::truncated_ipv4);
  EXPECT_EQ(decode_ipv4({}, ip), IpError::truncated_ipv4);
  b = kIpv4WithOptions;
  b[0] = 0x66;
  EXPECT_EQ(decode_ipv4(b, ip), IpError::bad_ip_version);
  EXPECT_EQ(ip_error_anomaly(IpError::bad_ipv4_header_length), AnomalyKind::bad_ipv4_header_length);
  EXPECT_EQ(ip_error_anomaly(IpError::bad_ipv4_total_length), AnomalyKind::bad_ipv4_total_length);
  EXPECT_EQ(ip_error_anomaly(IpError::truncated_ipv4), AnomalyKind::truncated_ipv4);
  EXPECT_EQ(ip_error_anomaly(IpError::bad_ip_version), AnomalyKind::bad_ip_version);
}

TEST(Ipv4, TotalLengthBeyondCapturedBytes) {
  IpPacket ip;
  // Captured 30 of the 36 bytes announced.
  ASSERT_EQ(decode_ipv4(std::span(kIpv4WithOptions).first(30), ip), IpError::ok);
  EXPECT_TRUE(ip.truncated);
  EXPECT_EQ(ip.payload.size(), 6u);
}

TEST(Ipv4, Fragments) {
  IpPacket ip;
  // First fragment: MF set, offset 0.
  Bytes first = test::ipv4(test::kHostA, test::kHostB, Bytes(16, 0),
                           {.id = 0x4242, .flags_offset = 0x2000, .options = {}});
  ASSERT_EQ(decode_ipv4(first, ip), IpError::ok);
  EXPECT_TRUE(ip.fragment);
  EXPECT_TRUE(ip.more_fragments);
  EXPECT_EQ(ip.fragment_id, 0x4242u);
  EXPECT_EQ(ip.fragment_offset, 0u);
  // Last fragment: MF clear, offset field 185 -> 185 * 8 = 1480 bytes.
  Bytes last =
      test::ipv4(test::kHostA, test::kHostB, Bytes(16, 0), {.flags_offset = 185, .options = {}});
  ASSERT_EQ(decode_ipv4(last, ip), IpError::ok);
  EXPECT_TRUE(ip.fragment);
  EXPECT_FALSE(ip.more_fragments);
  EXPECT_EQ(ip.fragment_offset, 1480u);
  // DF alone: not a fragment.
  Bytes whole =
      test::ipv4(test::kHostA, test::kHostB, Bytes(16, 0), {.flags_offset = 0x4000, .options = {}});
  ASSERT_EQ(decode_ipv4(whole, ip), IpError::ok);
  EXPECT_FALSE(ip.fragment);
}

TEST(Ip, DispatchOnVersion) {
  IpPacket ip;
  ASSERT_EQ(decode_ip(kIpv4WithOptions, ip), IpError::ok);
  EXPECT_EQ(ip.version, 4);
  const Bytes v6 = test::ipv6(test::kHost6A, test::kHost6B, 17, test::udp(1, 2, {}));
  ASSERT_EQ(decode_ip(v6, ip), IpError::ok);
  EXPECT_EQ(ip.version, 6);
  const Bytes v5 = {0x50, 0, 0, 0};
  EXPECT_EQ(decode_ip(v5, ip), IpError::bad_ip_version);
  EXPECT_EQ(decode_ip({}, ip), IpError::truncated_ipv4);
}

// Hop-by-hop (8 bytes: next 60, len 0, PadN covering 6 bytes), then destination options
// (16 bytes: next 17, len 1 -> (1 + 1) * 8, PadN covering 14 bytes), then UDP.
Bytes hop_dest_udp() {
  Bytes ext = {60, 0, 0x01, 4,  0, 0, 0, 0,                           // hop-by-hop
               17, 1, 0x01, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};  // dest options
  return test::cat(ext, test::udp(5060, 5062, test::bytes_of("xyz")));
}

TEST(Ipv6, ExtensionChain) {
  const Bytes pkt = test::ipv6(test::kHost6A, test::kHost6B, 0, hop_dest_udp());
  IpPacket ip;
  ASSERT_EQ(decode_ipv6(pkt, ip), IpError::ok);
  EXPECT_EQ(ip.version, 6);
  EXPECT_EQ(ip.src.to_string(), "2001:db8::1");
  EXPECT_EQ(ip.dst.to_string(), "2001:db8::2");
  EXPECT_EQ(ip.protocol, kIpProtoUdp);
  EXPECT_EQ(ip.ipv6_extensions, 2);
  EXPECT_EQ(offset_in(ip.payload, pkt), 40u + 8u + 16u);
  EXPECT_EQ(ip.payload.size(), 8u + 3u);
  UdpHeader udp;
  ASSERT_EQ(decode_udp(ip.payload, ip.truncated, udp), TransportError::ok);
  EXPECT_EQ(udp.dst_port, 5062);
  EXPECT_EQ(udp.payload.size(), 3u);
}

TEST(Ipv6, AuthenticationHeaderLengthIn4ByteUnits) {
  // AH payload len 4 -> (4 + 2) * 4 = 24 bytes (RFC 4302 §2.2).
  Bytes ah = {17, 4, 0, 0};
  ah.resize(24, 0);
  const Bytes pkt =
      test::ipv6(test::kHost6A, test::kHost6B, 51, test::cat(ah, test::udp(1, 2, {})));
  IpPacket ip;
  ASSERT_EQ(decode_ipv6(pkt, ip), IpError::ok);
  EXPECT_EQ(ip.protocol, kIpProtoUdp);
  EXPECT_EQ(offset_in(ip.payload, pkt), 64u);
}

TEST(Ipv6, FragmentHeader) {
  // next 17, reserved, offset 0 with M = 1, identification 0xdeadbeef.
  const Bytes frag = {17, 0, 0x00, 0x01, 0xde, 0xad, 0xbe, 0xef};
  const Bytes pkt =
      test::ipv6(test::kHost6A, test::kHost6B, 44, test::cat(frag, test::udp(1, 2, Bytes(8, 0))));
  IpPacket ip;
  ASSERT_EQ(decode_ipv6(pkt, ip), IpError::ok);
  EXPECT_TRUE(ip.fragment);
  EXPECT_TRUE(ip.more_fragments);
  EXPECT_EQ(ip.fragment_id, 0xdeadbeefu);
  EXPECT_EQ(ip.fragment_offset, 0u);
  // Offset field 0x00b9 << 3 = 0x05c8 (185 * 8 = 1480 bytes), M = 0.
  const Bytes later = {17, 0, 0x05, 0xc8, 0, 0, 0, 9};
  const Bytes pkt2 = test::ipv6(test::kHost6A, test::kHost6B, 44, test::cat(later, Bytes(8, 0)));
  ASSERT_EQ(decode_ipv6(pkt2, ip), IpError::ok);
  EXPECT_TRUE(ip.fragment);
  EXPECT_FALSE(ip.more_fragments);
  EXPECT_EQ(ip.fragment_offset, 1480u);
}

TEST(Ipv6, AtomicFragmentIsNotAFragment) {
  // RFC 6946: offset 0 and M = 0 is a whole packet with a fragment header.
  const Bytes frag = {17, 0, 0, 0, 0, 0, 0, 1};
  const Bytes pkt =
      test::ipv6(test::kHost6A, test::kHost6B, 44, test::cat(frag, test::udp(7, 8, {})));
  IpPacket ip;
  ASSERT_EQ(decode_ipv6(pkt, ip), IpError::ok);
  EXPECT_FALSE(ip.fragment);
  EXPECT_EQ(ip.protocol, kIpProtoUdp);
  EXPECT_EQ(ip.payload.size(), 8u);
}

TEST(Ipv6, Truncations) {
  IpPacket ip;
  const Bytes pkt = test::ipv6(test::kHost6A, test::kHost6B, 0, hop_dest_udp());
  EXPECT_EQ(decode_ipv6(std::span(pkt).first(39), ip), IpError::truncated_ipv6);
  // Cut inside the destination options header (40 + 8 + 10 bytes).
  EXPECT_EQ(decode_ipv6(std::span(pkt).first(58), ip), IpError::truncated_ipv6_extension);
  // Hop-by-hop claiming 255 * 8 + 8 bytes.
  const Bytes big = test::ipv6(test::kHost6A, test::kHost6B, 0, {17, 255, 0, 0, 0, 0, 0, 0});
  EXPECT_EQ(decode_ipv6(big, ip), IpError::truncated_ipv6_extension);
  // Payload length beyond the bytes captured: payload bounded, flagged.
  ASSERT_EQ(decode_ipv6(std::span(pkt).first(pkt.size() - 1), ip), IpError::ok);
  EXPECT_TRUE(ip.truncated);
  EXPECT_EQ(ip_error_anomaly(IpError::truncated_ipv6), AnomalyKind::truncated_ipv6);
  EXPECT_EQ(ip_error_anomaly(IpError::truncated_ipv6_extension),
            AnomalyKind::truncated_ipv6_extension);
}

TEST(Ipv6, TooManyExtensions) {
  Bytes chain;
  for (int i = 0; i < kMaxIpv6Extensions + 1; ++i) {
    const Bytes dest = {60, 0, 1, 4, 0, 0, 0, 0};  // destination options -> destination options
    chain = test::cat(chain, dest);
  }
  const Bytes pkt = test::ipv6(test::kHost6A, test::kHost6B, 60, chain);
  IpPacket ip;
  EXPECT_EQ(decode_ipv6(pkt, ip), IpError::too_many_ipv6_extensions);
  EXPECT_EQ(ip_error_anomaly(IpError::too_many_ipv6_extensions),
            AnomalyKind::too_many_ipv6_extensions);
}

TEST(Udp, LengthField) {
  UdpHeader udp;
  // length 10 (8 + 2) inside 12 bytes of IP payload: trailing 2 bytes are not data.
  const Bytes shorter = {0, 1, 0, 2, 0, 10, 0, 0, 'a', 'b', 'c', 'd'};
  ASSERT_EQ(decode_udp(shorter, false, udp), TransportError::ok);
  EXPECT_EQ(udp.payload.size(), 2u);
  // length 7 < 8.
  const Bytes tiny = {0, 1, 0, 2, 0, 7, 0, 0};
  EXPECT_EQ(decode_udp(tiny, false, udp), TransportError::bad_udp_length);
  // length 20 > 12 bytes present.
  const Bytes longer = {0, 1, 0, 2, 0, 20, 0, 0, 'a', 'b', 'c', 'd'};
  EXPECT_EQ(decode_udp(longer, false, udp), TransportError::bad_udp_length);
  // ... unless the capture cut the IP packet: then a partial payload is delivered.
  ASSERT_EQ(decode_udp(longer, true, udp), TransportError::ok);
  EXPECT_TRUE(udp.truncated);
  EXPECT_EQ(udp.payload.size(), 4u);
  EXPECT_EQ(decode_udp(std::span(shorter).first(7), false, udp), TransportError::truncated_udp);
  EXPECT_EQ(transport_error_anomaly(TransportError::bad_udp_length), AnomalyKind::bad_udp_length);
  EXPECT_EQ(transport_error_anomaly(TransportError::truncated_udp), AnomalyKind::truncated_udp);
}

TEST(Tcp, DataOffset) {
  // Data offset 8 -> 32-byte header (12 bytes of options: NOP NOP timestamp).
  Bytes seg = {0x13, 0xc4, 0x9c, 0x40, 0, 0, 0x03, 0xe8, 0, 0, 0, 1, 0x80, 0x18, 0xff, 0xff,
               0,    0,    0,    0,    1, 1, 8,    10,   0, 0, 0, 0, 0,    0,    0,    0};
  seg.push_back('S');
  TcpHeader tcp;
  ASSERT_EQ(decode_tcp(seg, tcp), TransportError::ok);
  EXPECT_EQ(tcp.src_port, 5060);
  EXPECT_EQ(tcp.dst_port, 40000);
  EXPECT_EQ(tcp.seq, 1000u);
  EXPECT_EQ(tcp.flags, 0x18);
  ASSERT_EQ(tcp.payload.size(), 1u);
  EXPECT_EQ(tcp.payload[0], 'S');
  Bytes bad = seg;
  bad[12] = 0x40;  // data offset 4
  EXPECT_EQ(decode_tcp(bad, tcp), TransportError::bad_tcp_data_offset);
  bad[12] = 0xf0;  // 60 bytes, 33 present
  EXPECT_EQ(decode_tcp(bad, tcp), TransportError::truncated_tcp);
  EXPECT_EQ(decode_tcp(std::span(seg).first(19), tcp), TransportError::truncated_tcp);
  EXPECT_EQ(transport_error_anomaly(TransportError::truncated_tcp), AnomalyKind::truncated_tcp);
  EXPECT_EQ(transport_error_anomaly(TransportError::bad_tcp_data_offset),
            AnomalyKind::bad_tcp_data_offset);
}

}  // namespace
}  // namespace sipscope::decode
