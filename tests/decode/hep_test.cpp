#include "decode/hep.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tests/decode/frame_builder.hpp"
#include "tests/decode/hep_sctp_builder.hpp"

namespace sipscope::decode {
namespace {

using test::Bytes;

const std::string kSip = "OPTIONS sip:a@b SIP/2.0\r\n\r\n";

Bytes chunk(uint16_t type, const Bytes& value, uint16_t vendor = 0) {
  return test::hep_chunk(type, value, vendor);
}
using test::hep3;
Bytes u16(uint16_t v) {
  return test::be16(v);
}
Bytes u32(uint32_t v) {
  return test::be32(v);
}

// The chunk set a capture agent (sngrep -H, heplify) sends for one SIP message over UDP.
Bytes v3_ipv4_chunks(const Bytes& payload, uint16_t payload_type = 15) {
  Bytes c;
  c = test::cat(c, chunk(1, {2}));
  c = test::cat(c, chunk(2, {17}));
  c = test::cat(c, chunk(3, {192, 0, 2, 10}));
  c = test::cat(c, chunk(4, {198, 51, 100, 20}));
  c = test::cat(c, chunk(7, u16(5062)));
  c = test::cat(c, chunk(8, u16(5060)));
  c = test::cat(c, chunk(9, u32(1767261600)));
  c = test::cat(c, chunk(10, u32(200000)));
  c = test::cat(c, chunk(11, {1}));
  c = test::cat(c, chunk(12, u32(2002)));
  c = test::cat(c, chunk(payload_type, payload));
  return c;
}

TEST(Hep, V3Ipv4AllFields) {
  const Bytes p = hep3(test::cat(
      v3_ipv4_chunks(test::bytes_of(kSip)),
      test::cat(chunk(17, test::bytes_of("corr-1")), chunk(99, {1, 2, 3}, /*vendor=*/0x0025))));
  HepPacket h;
  ASSERT_EQ(decode_hep(p, h), HepError::ok);
  EXPECT_EQ(h.version, 3);
  EXPECT_EQ(h.ip_protocol, 17);
  EXPECT_EQ(h.payload_type, kHepPayloadSip);
  EXPECT_EQ(h.src.to_string(), "192.0.2.10:5062");
  EXPECT_EQ(h.dst.to_string(), "198.51.100.20:5060");
  ASSERT_TRUE(h.has_time);
  EXPECT_EQ(h.ts_us(), 1767261600'200000);
  EXPECT_EQ(h.capture_id, 2002u);
  EXPECT_FALSE(h.compressed);
  EXPECT_EQ(std::string(h.payload.begin(), h.payload.end()), kSip);
  EXPECT_EQ(h.correlation_id, "corr-1");
  EXPECT_EQ(h.size, p.size());
}

TEST(Hep, V3Ipv6AndTrailingBytesAfterTotalLength) {
  Bytes c;
  c = test::cat(c, chunk(1, {10}));
  c = test::cat(c, chunk(2, {6}));
  c = test::cat(c, chunk(5, Bytes(test::kHost6A.begin(), test::kHost6A.end())));
  c = test::cat(c, chunk(6, Bytes(test::kHost6B.begin(), test::kHost6B.end())));
  c = test::cat(c, chunk(7, u16(5060)));
  c = test::cat(c, chunk(8, u16(40000)));
  c = test::cat(c, chunk(15, test::bytes_of(kSip)));
  const Bytes one = hep3(c);
  const Bytes two = test::cat(one, one);  // HEP over TCP: packets back to back
  HepPacket h;
  ASSERT_EQ(decode_hep(two, h), HepError::ok);
  EXPECT_EQ(h.size, one.size());
  EXPECT_EQ(h.ip_protocol, 6);
  EXPECT_EQ(h.src.to_string(), "[2001:db8::1]:5060");
  EXPECT_FALSE(h.has_time);
  EXPECT_EQ(h.payload_type, 0);  // no chunk 11
}

TEST(Hep, V3CompressedPayloadIsFlagged) {
  HepPacket h;
  const Bytes packet = hep3(v3_ipv4_chunks({0x1f, 0x8b, 8, 0}, 16));
  ASSERT_EQ(decode_hep(packet, h), HepError::ok);
  EXPECT_TRUE(h.compressed);
  EXPECT_EQ(h.payload.size(), 4u);
}

TEST(Hep, V3MalformedChunks) {
  HepPacket h;
  // Chunk length 5 < the 6-byte chunk header.
  Bytes bad_len = hep3(v3_ipv4_chunks(test::bytes_of(kSip)));
  bad_len[6 + 4] = 0;
  bad_len[6 + 5] = 5;
  EXPECT_EQ(decode_hep(bad_len, h), HepError::bad_chunk);
  // A port chunk holding 3 bytes instead of 2.
  const Bytes bad_port = hep3(test::cat(chunk(7, {1, 2, 3}), v3_ipv4_chunks({})));
  EXPECT_EQ(decode_hep(bad_port, h), HepError::bad_chunk);
  // No payload chunk.
  Bytes no_payload = chunk(3, {1, 2, 3, 4});
  no_payload = test::cat(no_payload, chunk(4, {1, 2, 3, 4}));
  no_payload = test::cat(no_payload, chunk(7, u16(1)));
  no_payload = test::cat(no_payload, chunk(8, u16(2)));
  no_payload = hep3(no_payload);
  EXPECT_EQ(decode_hep(no_payload, h), HepError::missing_field);
  // Total length smaller than the HEP3 header itself.
  const Bytes short_total{'H', 'E', 'P', '3', 0, 3};
  EXPECT_EQ(decode_hep(short_total, h), HepError::bad_chunk);
  // Mixed IPv4 source and IPv6 destination.
  Bytes mixed = chunk(3, {1, 2, 3, 4});
  mixed = test::cat(mixed, chunk(6, Bytes(16, 1)));
  mixed = test::cat(mixed, chunk(7, u16(1)));
  mixed = test::cat(mixed, chunk(8, u16(2)));
  mixed = test::cat(mixed, chunk(15, {'x'}));
  mixed = hep3(mixed);
  EXPECT_EQ(decode_hep(mixed, h), HepError::bad_chunk);
}

TEST(Hep, V3EveryTruncationIsAnError) {
  const Bytes p = hep3(v3_ipv4_chunks(test::bytes_of(kSip)));
  for (size_t n = 0; n < p.size(); ++n) {
    HepPacket h;
    const Bytes cut(p.begin(), p.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_NE(decode_hep(cut, h), HepError::ok) << n;
  }
}

// v1/v2: struct hep_hdr {version, length, family, protocol, sport, dport} + addresses, then
// for v2 the 12-byte little-endian struct hep_timehdr (tv_sec, tv_usec, captid, padding).
Bytes v12(uint8_t version, bool v6, const Bytes& payload) {
  Bytes b = {version, static_cast<uint8_t>(v6 ? 40 : 16), static_cast<uint8_t>(v6 ? 10 : 2), 17};
  test::put16(b, 5060);
  test::put16(b, 5070);
  if (v6) {
    b.insert(b.end(), test::kHost6A.begin(), test::kHost6A.end());
    b.insert(b.end(), test::kHost6B.begin(), test::kHost6B.end());
  } else {
    b.insert(b.end(), test::kHostA.begin(), test::kHostA.end());
    b.insert(b.end(), test::kHostB.begin(), test::kHostB.end());
  }
  if (version == 2) {
    // tv_sec 1767261600 = 0x695645A0, tv_usec 250000 = 0x0003D090, captid 7, padding.
    const Bytes t = {0xa0, 0x45, 0x56, 0x69, 0x90, 0xd0, 0x03, 0x00, 0x07, 0x00, 0, 0};
    b.insert(b.end(), t.begin(), t.end());
  }
  return test::cat(b, payload);
}

TEST(Hep, V2Ipv4WithLittleEndianTime) {
  const Bytes p = v12(2, false, test::bytes_of(kSip));
  ASSERT_TRUE(looks_like_hep(p));
  HepPacket h;
  ASSERT_EQ(decode_hep(p, h), HepError::ok);
  EXPECT_EQ(h.version, 2);
  EXPECT_EQ(h.src.to_string(), "192.0.2.10:5060");
  EXPECT_EQ(h.dst.to_string(), "198.51.100.20:5070");
  ASSERT_TRUE(h.has_time);
  EXPECT_EQ(h.ts_sec, 1767261600u);
  EXPECT_EQ(h.ts_usec, 250000u);
  EXPECT_EQ(h.capture_id, 7u);
  EXPECT_EQ(h.payload_type, kHepPayloadSip);
  EXPECT_EQ(std::string(h.payload.begin(), h.payload.end()), kSip);
}

TEST(Hep, V1Ipv6HasNoTime) {
  const Bytes p = v12(1, true, test::bytes_of(kSip));
  ASSERT_TRUE(looks_like_hep(p));
  HepPacket h;
  ASSERT_EQ(decode_hep(p, h), HepError::ok);
  EXPECT_EQ(h.version, 1);
  EXPECT_FALSE(h.has_time);
  EXPECT_EQ(h.dst.to_string(), "[2001:db8::2]:5070");
  EXPECT_EQ(std::string(h.payload.begin(), h.payload.end()), kSip);
}

TEST(Hep, V2TruncationAndBadHeaders) {
  const Bytes p = v12(2, false, {});
  for (size_t n = 0; n < p.size(); ++n) {
    HepPacket h;
    const Bytes cut(p.begin(), p.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_NE(decode_hep(cut, h), HepError::ok) << n;
  }
  HepPacket h;
  Bytes bad_family = p;
  bad_family[2] = 7;
  EXPECT_EQ(decode_hep(bad_family, h), HepError::unsupported_version);
  Bytes bad_length = p;
  bad_length[1] = 20;
  EXPECT_EQ(decode_hep(bad_length, h), HepError::bad_chunk);
  const Bytes v4{4, 16, 2, 17, 0, 0, 0, 0};
  EXPECT_EQ(decode_hep(v4, h), HepError::unsupported_version);
}

TEST(Hep, SniffRejectsOtherUdpPayloads) {
  EXPECT_TRUE(looks_like_hep(test::bytes_of("HEP3")));
  EXPECT_FALSE(looks_like_hep(test::bytes_of(kSip)));
  EXPECT_FALSE(looks_like_hep(Bytes{0x80, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0}));  // RTP
  // STUN binding success response: type 0x0101, length 0x0044.
  EXPECT_FALSE(looks_like_hep(Bytes{0x01, 0x01, 0x00, 0x44, 0x21, 0x12, 0xa4, 0x42}));
  EXPECT_FALSE(looks_like_hep(Bytes{2, 16, 2}));  // shorter than the v1/v2 header
}

TEST(Hep, ErrorsMapToNamedAnomalies) {
  EXPECT_EQ(hep_error_anomaly(HepError::truncated), AnomalyKind::hep_truncated);
  EXPECT_EQ(hep_error_anomaly(HepError::bad_chunk), AnomalyKind::hep_bad_chunk);
  EXPECT_EQ(hep_error_anomaly(HepError::missing_field), AnomalyKind::hep_bad_chunk);
  EXPECT_EQ(hep_error_anomaly(HepError::unsupported_version), AnomalyKind::hep_unsupported_version);
}

}  // namespace
}  // namespace sipscope::decode
