#include "decode/tunnel.hpp"

#include <gtest/gtest.h>

#include "decode/link.hpp"
#include "tests/decode/frame_builder.hpp"

namespace sipscope::decode {
namespace {

using test::Bytes;

const Bytes kInner = {0x45, 1, 2, 3};

// Keeps the input alive after the call: t.payload points into it.
Bytes g_kept;
TunnelError gre(const Bytes& b, TunnelPayload& t) {
  g_kept = b;
  return decode_gre(g_kept, t);
}
TunnelError vxlan(const Bytes& b, TunnelPayload& t) {
  g_kept = b;
  return decode_vxlan(g_kept, t);
}

TEST(Gre, PlainIpv4AndIpv6) {
  TunnelPayload t;
  ASSERT_EQ(gre(test::gre(0x0800, kInner), t), TunnelError::ok);
  EXPECT_EQ(t.kind, InnerKind::ipv4);
  EXPECT_EQ(Bytes(t.payload.begin(), t.payload.end()), kInner);
  ASSERT_EQ(gre(test::gre(0x86dd, kInner), t), TunnelError::ok);
  EXPECT_EQ(t.kind, InnerKind::ipv6);
}

TEST(Gre, OptionalFieldsAreSkipped) {
  TunnelPayload t;
  // RFC 2784 checksum+reserved (4) + RFC 2890 key (4) + sequence (4) = 12 extra octets.
  const Bytes g = test::gre(0x0800, kInner, {.checksum = true, .key = true, .sequence = true});
  ASSERT_EQ(g.size(), 4u + 12u + kInner.size());
  ASSERT_EQ(decode_gre(g, t), TunnelError::ok);
  EXPECT_EQ(Bytes(t.payload.begin(), t.payload.end()), kInner);
}

TEST(Gre, TransparentEthernetAndErspan) {
  TunnelPayload t;
  ASSERT_EQ(gre(test::gre(0x6558, kInner), t), TunnelError::ok);
  EXPECT_EQ(t.kind, InnerKind::ethernet);
  EXPECT_EQ(t.payload.size(), kInner.size());
  // Type I: no sequence bit, the frame follows the GRE header directly.
  ASSERT_EQ(gre(test::gre(0x88be, kInner), t), TunnelError::ok);
  EXPECT_EQ(t.payload.size(), kInner.size());
  // Type II: sequence bit, then the 8-octet ERSPAN header.
  ASSERT_EQ(gre(test::gre(0x88be, test::erspan2(kInner), {.sequence = true}), t), TunnelError::ok);
  EXPECT_EQ(Bytes(t.payload.begin(), t.payload.end()), kInner);
  // Type III with and without the platform subheader.
  for (bool platform : {false, true}) {
    ASSERT_EQ(gre(test::gre(0x22eb, test::erspan3(kInner, platform), {.sequence = true}), t),
              TunnelError::ok);
    EXPECT_EQ(t.kind, InnerKind::ethernet);
    EXPECT_EQ(Bytes(t.payload.begin(), t.payload.end()), kInner);
  }
}

TEST(Gre, PptpEnhancedGreCarryingPpp) {
  // RFC 2637 §4.1: flags K S (0x30), A + version 1 (0x81), protocol 0x880b, payload length,
  // call id, sequence, ack; then PPP ff 03 0021 (IPv4).
  Bytes g = {0x30, 0x81, 0x88, 0x0b, 0x00, 0x08, 0x12, 0x34, 0,    0,
             0,    1,    0,    0,    0,    2,    0xff, 0x03, 0x00, 0x21};
  g = test::cat(g, kInner);
  TunnelPayload t;
  ASSERT_EQ(decode_gre(g, t), TunnelError::ok);
  EXPECT_EQ(t.kind, InnerKind::ipv4);
  EXPECT_EQ(Bytes(t.payload.begin(), t.payload.end()), kInner);
  // PPP LCP (0xc021) is not IP.
  g[18] = 0xc0;
  EXPECT_EQ(decode_gre(g, t), TunnelError::gre_unsupported_protocol);
}

TEST(Gre, TruncatedAndUnsupported) {
  TunnelPayload t;
  EXPECT_EQ(gre(Bytes{0x00, 0x00, 0x08}, t), TunnelError::truncated_gre);
  EXPECT_EQ(gre(Bytes{0x20, 0x00, 0x08, 0x00, 0x00}, t), TunnelError::truncated_gre);
  EXPECT_EQ(gre(test::gre(0x88be, Bytes{1, 2, 3}, {.sequence = true}), t),
            TunnelError::truncated_erspan);
  EXPECT_EQ(gre(test::gre(0x22eb, Bytes(11, 0)), t), TunnelError::truncated_erspan);
  EXPECT_EQ(gre(test::gre(0x0806, kInner), t), TunnelError::gre_unsupported_protocol);
  EXPECT_EQ(tunnel_error_anomaly(TunnelError::truncated_gre), AnomalyKind::truncated_gre);
  EXPECT_EQ(tunnel_error_anomaly(TunnelError::truncated_erspan), AnomalyKind::truncated_erspan);
  EXPECT_EQ(tunnel_error_anomaly(TunnelError::gre_unsupported_protocol),
            AnomalyKind::gre_unsupported_protocol);
}

TEST(Vxlan, HeaderThenEthernet) {
  TunnelPayload t;
  ASSERT_EQ(vxlan(test::vxlan(kInner), t), TunnelError::ok);
  EXPECT_EQ(t.kind, InnerKind::ethernet);
  EXPECT_EQ(Bytes(t.payload.begin(), t.payload.end()), kInner);
  EXPECT_EQ(vxlan(Bytes(7, 0), t), TunnelError::truncated_vxlan);
  EXPECT_EQ(tunnel_error_anomaly(TunnelError::truncated_vxlan), AnomalyKind::truncated_vxlan);
}

TEST(Gre, EveryPrefixIsSafe) {
  const Bytes g = test::gre(0x22eb, test::erspan3(kInner, true),
                            {.checksum = true, .key = true, .sequence = true});
  TunnelPayload t;
  for (size_t n = 0; n <= g.size(); ++n) {
    const auto r = decode_gre(std::span<const uint8_t>(g.data(), n), t);
    if (r == TunnelError::ok) {
      EXPECT_LE(t.payload.size(), n);
    }
  }
}

}  // namespace
}  // namespace sipscope::decode
