// RTCP compound parser (decode/rtcp.hpp) from byte literals laid out per RFC 3550 §6.4-6.7
// and RFC 3611 §4.7.
#include "decode/rtcp.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace sipscope::decode::rtcp {
namespace {

void put32(std::vector<uint8_t>& v, uint32_t x) {
  v.push_back(static_cast<uint8_t>(x >> 24));
  v.push_back(static_cast<uint8_t>(x >> 16));
  v.push_back(static_cast<uint8_t>(x >> 8));
  v.push_back(static_cast<uint8_t>(x));
}

// SR with one report block (length = 12 words: ssrc + 5 sender info + 6 block), then SDES
// with CNAME "ab" (length 3 words: ssrc, 1,2,'a','b', 0, pad), then BYE with reason "x".
std::vector<uint8_t> compound() {
  std::vector<uint8_t> v = {0x81, 200, 0x00, 0x0c};
  put32(v, 0x11111111);  // sender SSRC
  put32(v, 0xe0000001);  // NTP msw
  put32(v, 0x80000000);  // NTP lsw
  put32(v, 160);         // RTP ts
  put32(v, 50);          // packets
  put32(v, 8000);        // octets
  put32(v, 0x22222222);  // block: source SSRC
  put32(v, 0x40fffffe);  // fraction 64/256, cumulative lost -2 (24-bit two's complement)
  put32(v, 0x00010005);  // extended highest seq
  put32(v, 80);          // jitter
  put32(v, 0x00018000);  // LSR
  put32(v, 0x00008000);  // DLSR = 0.5 s
  const std::vector<uint8_t> sdes = {0x81, 202, 0x00, 0x03, 0x11, 0x11, 0x11, 0x11,
                                     1,    2,   'a',  'b',  0,    0,    0,    0};
  v.insert(v.end(), sdes.begin(), sdes.end());
  const std::vector<uint8_t> bye = {0x81, 203, 0x00, 0x02, 0x11, 0x11, 0x11, 0x11, 1, 'x', 0, 0};
  v.insert(v.end(), bye.begin(), bye.end());
  return v;
}

TEST(Rtcp, CompoundSrSdesBye) {
  const auto data = compound();
  CompoundReader r(data);
  Packet p;
  ASSERT_EQ(r.next(p), RtcpError::ok);
  EXPECT_EQ(p.packet_type, type::kSr);
  EXPECT_EQ(p.ssrc, 0x11111111U);
  EXPECT_TRUE(p.has_sender_info);
  EXPECT_EQ(p.sender.packet_count, 50U);
  ASSERT_EQ(p.block_count, 1);
  EXPECT_EQ(p.blocks[0].ssrc, 0x22222222U);
  EXPECT_EQ(p.blocks[0].fraction_lost, 64);
  EXPECT_EQ(p.blocks[0].cumulative_lost, -2);
  EXPECT_EQ(p.blocks[0].highest_seq, 0x00010005U);
  EXPECT_EQ(p.blocks[0].jitter, 80U);
  EXPECT_EQ(p.blocks[0].dlsr, 0x8000U);
  ASSERT_EQ(r.next(p), RtcpError::ok);
  EXPECT_EQ(p.packet_type, type::kSdes);
  EXPECT_EQ(p.cname, "ab");
  ASSERT_EQ(r.next(p), RtcpError::ok);
  EXPECT_EQ(p.packet_type, type::kBye);
  EXPECT_EQ(p.bye_reason, "x");
  EXPECT_EQ(r.next(p), RtcpError::end);
}

TEST(Rtcp, XrVoipMetrics) {
  // XR header (length 10 words: ssrc + block header + 8 words VoIP metrics), RFC 3611 §4.7.
  std::vector<uint8_t> v = {0x80, 207, 0x00, 0x0a};
  put32(v, 0x33333333);
  v.insert(v.end(), {7, 0, 0x00, 0x08});
  put32(v, 0x44444444);
  v.insert(v.end(), {12, 0, 0, 0});       // loss rate 12/256, discard, burst/gap density
  v.insert(v.end(), {0, 0, 0, 0});        // burst, gap duration
  v.insert(v.end(), {0, 30, 0, 0});       // round trip delay 30 ms, end system delay
  v.insert(v.end(), {0, 0, 0, 0});        // signal, noise, RERL, Gmin
  v.insert(v.end(), {85, 127, 41, 127});  // R 85, ext R n/a, MOS-LQ 4.1, MOS-CQ n/a
  v.insert(v.end(), {0, 0, 0, 60});       // RX config, reserved, JB nominal 60
  v.insert(v.end(), {0, 120, 0, 200});    // JB max, JB abs max
  CompoundReader r(v);
  Packet p;
  ASSERT_EQ(r.next(p), RtcpError::ok);
  ASSERT_TRUE(p.has_voip_metrics);
  EXPECT_EQ(p.voip.ssrc, 0x44444444U);
  EXPECT_EQ(p.voip.loss_rate, 12);
  EXPECT_EQ(p.voip.round_trip_delay, 30);
  EXPECT_EQ(p.voip.r_factor, 85);
  EXPECT_EQ(p.voip.mos_lq, 41);
  EXPECT_EQ(p.voip.mos_cq, 127);
  EXPECT_EQ(p.voip.jb_nominal, 60);
  EXPECT_EQ(p.voip.jb_abs_max, 200);
}

TEST(Rtcp, RrAndApp) {
  std::vector<uint8_t> v = {0x80, 201, 0x00, 0x01};
  put32(v, 0x55555555);  // RR with no blocks
  v.insert(v.end(), {0x80, 204, 0x00, 0x02});
  put32(v, 0x55555555);
  v.insert(v.end(), {'T', 'E', 'S', 'T'});
  CompoundReader r(v);
  Packet p;
  ASSERT_EQ(r.next(p), RtcpError::ok);
  EXPECT_EQ(p.packet_type, type::kRr);
  EXPECT_EQ(p.block_count, 0);
  ASSERT_EQ(r.next(p), RtcpError::ok);
  EXPECT_EQ(p.packet_type, type::kApp);
  EXPECT_EQ(p.app_name, "TEST");
  EXPECT_EQ(r.next(p), RtcpError::end);
}

TEST(Rtcp, MalformedInput) {
  Packet p;
  const std::vector<uint8_t> v1 = {0x40, 200, 0, 0};
  EXPECT_EQ(CompoundReader(v1).next(p), RtcpError::bad_version);
  const std::vector<uint8_t> badtype = {0x80, 100, 0, 0};
  EXPECT_EQ(CompoundReader(badtype).next(p), RtcpError::bad_packet_type);
  // RR claiming one report block but holding only its SSRC.
  const std::vector<uint8_t> short_rr = {0x81, 201, 0, 1, 1, 2, 3, 4};
  EXPECT_EQ(CompoundReader(short_rr).next(p), RtcpError::bad_body);
}

TEST(Rtcp, TruncationAtEveryOffset) {
  const auto data = compound();
  for (size_t n = 0; n < data.size(); ++n) {
    CompoundReader r(std::span(data.data(), n));
    Packet p;
    int guard = 0;
    RtcpError e;
    while ((e = r.next(p)) == RtcpError::ok && ++guard < 10) {
    }
    EXPECT_LT(guard, 3) << n;  // never all three packets from a cut datagram
  }
}

TEST(Rtcp, RoundTrip) {
  // A = LSR + DLSR + 0.25 s  ->  250 ms (RFC 3550 §6.4.1 figure 2 arithmetic, 16.16 units).
  EXPECT_DOUBLE_EQ(rtt_ms(0x00018000 + 0x8000 + 0x4000, 0x00018000, 0x8000), 250.0);
  EXPECT_LT(rtt_ms(100, 0, 0), 0);  // no SR received yet
}

TEST(Rtcp, ValidCompoundLengthsAddUp) {
  const auto data = compound();  // 52 + 16 + 12 bytes, nothing after
  EXPECT_TRUE(is_valid_compound(data));
  // SRTCP (RFC 3711 §3.4): E flag + SRTCP index and an 80-bit tag follow the packets.
  auto srtcp = data;
  srtcp.insert(srtcp.end(), {0x80, 0, 0, 4, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  EXPECT_FALSE(is_valid_compound(srtcp));
  // Two stray zero octets after the last packet (corpus heplify_rtp_rtcp_sip.pcap frame 529)
  // are tolerated; non-zero ones, or four, are not.
  auto trailing = data;
  trailing.insert(trailing.end(), {0, 0});
  EXPECT_TRUE(is_valid_compound(trailing));
  trailing.back() = 1;
  EXPECT_FALSE(is_valid_compound(trailing));
  trailing.back() = 0;
  trailing.insert(trailing.end(), {0, 0});
  EXPECT_FALSE(is_valid_compound(trailing));
  // A length field reaching past the datagram, and an empty datagram.
  EXPECT_FALSE(is_valid_compound(std::span(data).first(data.size() - 4)));
  EXPECT_FALSE(is_valid_compound({}));
}

}  // namespace
}  // namespace sipscope::decode::rtcp
