#include "report/pcap_slice.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace sipscope::report {
namespace {

uint16_t be16(const std::vector<uint8_t>& f, size_t at) {
  return static_cast<uint16_t>((f[at] << 8) | f[at + 1]);
}
uint32_t be32(const std::vector<uint8_t>& f, size_t at) {
  return (uint32_t{f[at]} << 24) | (uint32_t{f[at + 1]} << 16) | (uint32_t{f[at + 2]} << 8) |
         f[at + 3];
}

// Ethernet II + IPv4 (20 bytes, no options) + UDP or TCP (20 bytes) + payload, built by hand
// (RFC 791 §3.1, RFC 768, RFC 793 §3.1). Checksums are left 0x1234 (wrong) on purpose.
std::vector<uint8_t> frame(uint8_t proto, const std::string& payload, uint32_t seq = 0,
                           uint32_t ack = 0, bool reverse = false) {
  std::vector<uint8_t> f = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00};
  const size_t l4 = proto == 17 ? 8 : 20;
  const size_t total = 20 + l4 + payload.size();
  std::vector<uint8_t> ip = {0x45,
                             0,
                             static_cast<uint8_t>(total >> 8),
                             static_cast<uint8_t>(total),
                             0,
                             1,
                             0,
                             0,
                             64,
                             proto,
                             0x12,
                             0x34,
                             192,
                             0,
                             2,
                             1,
                             198,
                             51,
                             100,
                             2};
  if (reverse) std::swap_ranges(ip.begin() + 12, ip.begin() + 16, ip.begin() + 16);
  f.insert(f.end(), ip.begin(), ip.end());
  if (proto == 17) {
    const size_t ul = 8 + payload.size();
    f.insert(f.end(), {0x13, 0xC4, 0x13, 0xC4, static_cast<uint8_t>(ul >> 8),
                       static_cast<uint8_t>(ul), 0x12, 0x34});
  } else {
    std::vector<uint8_t> t = {0x13, 0xC4, 0x13, 0xC5, 0,    0,    0,    0,    0, 0,
                              0,    0,    0x50, 0x18, 0xFF, 0xFF, 0x12, 0x34, 0, 0};
    for (int i = 0; i < 4; ++i) {
      t[4 + i] = static_cast<uint8_t>(seq >> (24 - 8 * i));
      t[8 + i] = static_cast<uint8_t>(ack >> (24 - 8 * i));
    }
    if (reverse) std::swap(t[0], t[2]), std::swap(t[1], t[3]);
    f.insert(f.end(), t.begin(), t.end());
  }
  f.insert(f.end(), payload.begin(), payload.end());
  return f;
}

// Verifying a transport checksum: the one's complement sum over pseudo-header + segment
// (checksum field included) is 0xFFFF, i.e. internet_checksum() of it is 0.
uint16_t transport_verify(const std::vector<uint8_t>& f, uint8_t proto) {
  const size_t l4 = 14 + 20;
  const size_t len = f.size() - l4;
  uint32_t sum = 0;
  for (size_t i = 26; i < 34; i += 2) sum += (uint32_t{f[i]} << 8) | f[i + 1];
  sum += proto;
  sum += static_cast<uint32_t>(len);
  return internet_checksum({f.data() + l4, len}, sum);
}

const std::string kSip =
    "OPTIONS sip:carol@chicago.example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKhjhs8ass877\r\n"
    "Content-Length: 0\r\n\r\n";

TEST(PcapWriter, ClassicHeaderAndRecord) {
  std::ostringstream out;
  PcapWriter w(out, 1, 65535);
  const std::vector<uint8_t> data = {0xAA, 0xBB};
  w.write(1'700'000'000'123'456, data, 60);
  const std::string b = out.str();
  ASSERT_EQ(b.size(), 24U + 16U + 2U);
  // tcpdump.org pcap-savefile: magic a1b2c3d4 (little-endian here), v2.4, snaplen, DLT.
  EXPECT_EQ(b.substr(0, 8), std::string("\xd4\xc3\xb2\xa1\x02\x00\x04\x00", 8));
  EXPECT_EQ(b.substr(16, 8), std::string("\xff\xff\x00\x00\x01\x00\x00\x00", 8));
  // 1700000000 = 0x6553F100, 123456 = 0x0001E240, caplen 2, len 60.
  EXPECT_EQ(b.substr(24, 16),
            std::string("\x00\xf1\x53\x65\x40\xe2\x01\x00\x02\x00\x00\x00\x3c\x00\x00\x00", 16));
  EXPECT_EQ(b.substr(40), "\xaa\xbb");
}

TEST(RedactFrame, UdpSipLengthsChecksumsAndAddresses) {
  auto f = frame(17, kSip);
  uint32_t wire = static_cast<uint32_t>(f.size());
  Redactor r;
  r.learn_sip(kSip);
  TcpShifts shifts;
  ASSERT_TRUE(redact_frame(1, f, wire, true, r, shifts));
  const std::string payload(f.begin() + 42, f.end());
  Redactor again;  // same learning order gives the same pseudonyms
  again.learn_sip(kSip);
  EXPECT_EQ(payload, again.sip(kSip));
  EXPECT_EQ(payload.find("carol"), std::string::npos);
  EXPECT_EQ(payload.find("192.0.2.1"), std::string::npos);
  EXPECT_EQ(wire, f.size());
  EXPECT_EQ(be16(f, 14 + 2), f.size() - 14);             // IPv4 total length
  EXPECT_EQ(be16(f, 34 + 4), f.size() - 34);             // UDP length
  EXPECT_EQ(internet_checksum({f.data() + 14, 20}), 0);  // header checksum verifies
  EXPECT_EQ(transport_verify(f, 17), 0);
  const auto src = again.ipv4({192, 0, 2, 1});
  const auto dst = again.ipv4({198, 51, 100, 2});
  EXPECT_TRUE(std::equal(src.begin(), src.end(), f.begin() + 26));
  EXPECT_TRUE(std::equal(dst.begin(), dst.end(), f.begin() + 30));
}

TEST(RedactFrame, NonSipUdpKeepsPayloadFixesChecksums) {
  const std::string rtp("\x80\x00\x00\x01payload", 11);
  auto f = frame(17, rtp);
  uint32_t wire = static_cast<uint32_t>(f.size());
  Redactor r;
  TcpShifts shifts;
  ASSERT_TRUE(redact_frame(1, f, wire, false, r, shifts));
  EXPECT_EQ(std::string(f.begin() + 42, f.end()), rtp);
  EXPECT_EQ(internet_checksum({f.data() + 14, 20}), 0);
  EXPECT_EQ(transport_verify(f, 17), 0);
}

TEST(RedactFrame, TcpSequenceNumbersFollowEarlierLengthChanges) {
  Redactor r;
  r.learn_sip(kSip);
  TcpShifts shifts;
  auto first = frame(6, kSip, 1000, 5000);
  uint32_t wire = static_cast<uint32_t>(first.size());
  ASSERT_TRUE(redact_frame(1, first, wire, true, r, shifts));
  const int64_t delta =
      static_cast<int64_t>(first.size()) - static_cast<int64_t>(frame(6, kSip).size());
  ASSERT_NE(delta, 0);                    // "192.0.2.1" -> a pseudonym of another length
  EXPECT_EQ(be32(first, 34 + 4), 1000U);  // nothing before it moved
  EXPECT_EQ(transport_verify(first, 6), 0);
  // The next segment in the same direction starts delta bytes later.
  auto second = frame(6, kSip, 1000 + static_cast<uint32_t>(kSip.size()), 5000);
  wire = static_cast<uint32_t>(second.size());
  ASSERT_TRUE(redact_frame(1, second, wire, true, r, shifts));
  EXPECT_EQ(be32(second, 34 + 4),
            static_cast<uint32_t>(1000 + static_cast<int64_t>(kSip.size()) + delta));
  // The reply acknowledges the shifted bytes.
  const uint32_t acked = 1000 + 2 * static_cast<uint32_t>(kSip.size());
  auto reply = frame(6, "", 5000, acked, true);
  wire = static_cast<uint32_t>(reply.size());
  ASSERT_TRUE(redact_frame(1, reply, wire, false, r, shifts));
  EXPECT_EQ(be32(reply, 34 + 8), static_cast<uint32_t>(acked + 2 * delta));
  EXPECT_EQ(transport_verify(reply, 6), 0);
}

TEST(RedactFrame, NotIpIsLeftAlone) {
  std::vector<uint8_t> arp = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x06, 0, 1};
  const auto copy = arp;
  uint32_t wire = 16;
  Redactor r;
  TcpShifts shifts;
  EXPECT_FALSE(redact_frame(1, arp, wire, false, r, shifts));
  EXPECT_EQ(arp, copy);
}

}  // namespace
}  // namespace sipscope::report
