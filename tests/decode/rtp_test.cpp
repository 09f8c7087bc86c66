// RTP header parser (decode/rtp.hpp) from byte literals laid out per RFC 3550 §5.1.
#include "decode/rtp.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace sipscope::decode::rtp {
namespace {

// V=2 P=0 X=0 CC=0 | M=1 PT=0 | seq 0x1234 | ts 0x000000a0 | ssrc 0xdeadbeef | 4 payload bytes
const std::vector<uint8_t> kBasic = {0x80, 0x80, 0x12, 0x34, 0x00, 0x00, 0x00, 0xa0,
                                     0xde, 0xad, 0xbe, 0xef, 0xd5, 0xd5, 0xd5, 0xd5};

TEST(Rtp, ParsesFixedHeader) {
  RtpHeader h;
  ASSERT_EQ(parse_rtp(kBasic, h), RtpError::ok);
  EXPECT_EQ(h.version, 2);
  EXPECT_TRUE(h.marker);
  EXPECT_EQ(h.payload_type, 0);
  EXPECT_EQ(h.sequence, 0x1234);
  EXPECT_EQ(h.timestamp, 0xa0U);
  EXPECT_EQ(h.ssrc, 0xdeadbeefU);
  EXPECT_EQ(h.payload.size(), 4U);
  EXPECT_FALSE(h.padding);
  EXPECT_EQ(h.csrc_count, 0);
}

TEST(Rtp, CsrcListExtensionAndPadding) {
  // V=2 P=1 X=1 CC=2, PT 8; two CSRCs; extension profile 0xbede with 1 word; payload 2
  // bytes + 2 padding bytes (last octet = 2, RFC 3550 §5.1).
  const std::vector<uint8_t> pkt = {0xb2, 0x08, 0x00, 0x01, 0, 0, 0, 1, 0, 0, 0, 9,  // header
                                    0,    0,    0,    1,    0, 0, 0, 2,              // CSRCs
                                    0xbe, 0xde, 0x00, 0x01, 1, 2, 3, 4,              // ext
                                    0xaa, 0xbb, 0x00, 0x02};                         // pad
  RtpHeader h;
  ASSERT_EQ(parse_rtp(pkt, h), RtpError::ok);
  EXPECT_EQ(h.csrc_count, 2);
  EXPECT_EQ(h.csrcs.size(), 8U);
  EXPECT_TRUE(h.extension);
  EXPECT_EQ(h.extension_profile, 0xbede);
  EXPECT_EQ(h.extension_data.size(), 4U);
  EXPECT_EQ(h.padding_length, 2);
  ASSERT_EQ(h.payload.size(), 2U);
  EXPECT_EQ(h.payload[0], 0xaa);
  EXPECT_EQ(h.payload_type, 8);
}

TEST(Rtp, RejectsWrongVersionAndRtcp) {
  RtpHeader h;
  std::vector<uint8_t> v1 = kBasic;
  v1[0] = 0x40;
  EXPECT_EQ(parse_rtp(v1, h), RtpError::bad_version);
  std::vector<uint8_t> rr = kBasic;
  rr[1] = 201;  // RTCP RR: RFC 5761 §4
  EXPECT_EQ(parse_rtp(rr, h), RtpError::looks_like_rtcp);
  EXPECT_TRUE(is_rtcp_packet_type(rr));
  EXPECT_FALSE(is_rtcp_packet_type(kBasic));
}

TEST(Rtp, BadPadding) {
  std::vector<uint8_t> p = kBasic;
  p[0] |= 0x20;
  p.back() = 0;  // a padding count of zero is invalid
  RtpHeader h;
  EXPECT_EQ(parse_rtp(p, h), RtpError::bad_padding);
  p.back() = 200;  // more than the payload
  EXPECT_EQ(parse_rtp(p, h), RtpError::bad_padding);
}

TEST(Rtp, TruncationAtEveryOffsetNeverReadsPastTheEnd) {
  const std::vector<uint8_t> pkt = {0x91, 0x00, 0, 1, 0,    0,    0,    1,    0, 0, 0, 9,
                                    0,    0,    0, 7, 0x10, 0x00, 0x00, 0x01, 1, 2, 3, 4};
  RtpHeader h;
  ASSERT_EQ(parse_rtp(pkt, h), RtpError::ok);
  for (size_t n = 0; n < pkt.size(); ++n) {
    const RtpError e = parse_rtp(std::span(pkt.data(), n), h);
    EXPECT_NE(e, RtpError::ok) << n;
  }
  EXPECT_EQ(parse_rtp(std::span(pkt.data(), 11), h), RtpError::truncated_header);
  EXPECT_EQ(parse_rtp(std::span(pkt.data(), 14), h), RtpError::truncated_csrc);
  EXPECT_EQ(parse_rtp(std::span(pkt.data(), 18), h), RtpError::truncated_extension);
}

TEST(Rtp, TelephoneEvent) {
  // RFC 4733 §2.3: event 11 ('#'), E=1, volume 10, duration 800.
  const std::vector<uint8_t> ev = {11, 0x8a, 0x03, 0x20};
  TelephoneEvent t;
  ASSERT_EQ(parse_telephone_event(ev, t), EventError::ok);
  EXPECT_EQ(t.event, 11);
  EXPECT_TRUE(t.end);
  EXPECT_EQ(t.volume, 10);
  EXPECT_EQ(t.duration, 800);
  EXPECT_EQ(dtmf_char(t.event), '#');
  EXPECT_EQ(dtmf_char(10), '*');
  EXPECT_EQ(dtmf_char(5), '5');
  EXPECT_EQ(dtmf_char(12), 'A');
  EXPECT_EQ(parse_telephone_event(std::span(ev.data(), 3), t), EventError::truncated);
}

}  // namespace
}  // namespace sipscope::decode::rtp
