#include "export/pcap_slice.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace sipscope::export_ {
using namespace report;
using namespace store;
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

// One frame through redact_slice.
std::vector<uint8_t> redact_one(std::vector<uint8_t> f, Redactor& r, bool sip = true) {
  std::vector<SliceFrame> frames{{0, 1, static_cast<uint32_t>(f.size()), sip, std::move(f)}};
  redact_slice(frames, r);
  EXPECT_EQ(frames.size(), 1U);
  EXPECT_EQ(frames[0].wire_length, frames[0].data.size());
  return frames[0].data;
}

TEST(RedactSlice, UdpSipLengthsChecksumsAddressesAndMacs) {
  auto f = frame(17, kSip);
  const std::vector<uint8_t> key(32, 7);
  Redactor r(key);
  r.learn_sip(kSip);
  f = redact_one(f, r);
  const std::string payload(f.begin() + 42, f.end());
  Redactor again(key);  // the same key gives the same pseudonyms
  again.learn_sip(kSip);
  EXPECT_EQ(payload, again.sip(kSip));
  EXPECT_EQ(payload.find("carol"), std::string::npos);
  EXPECT_EQ(payload.find("192.0.2.1"), std::string::npos);
  EXPECT_EQ(be16(f, 14 + 2), f.size() - 14);             // IPv4 total length
  EXPECT_EQ(be16(f, 34 + 4), f.size() - 34);             // UDP length
  EXPECT_EQ(internet_checksum({f.data() + 14, 20}), 0);  // header checksum verifies
  EXPECT_EQ(transport_verify(f, 17), 0);
  const auto src = again.ipv4({192, 0, 2, 1});
  const auto dst = again.ipv4({198, 51, 100, 2});
  EXPECT_TRUE(std::equal(src.begin(), src.end(), f.begin() + 26));
  EXPECT_TRUE(std::equal(dst.begin(), dst.end(), f.begin() + 30));
  // MACs: locally administered pseudonyms (first octet 0x02), not the originals.
  EXPECT_EQ(f[0], 0x02);
  EXPECT_EQ(f[6], 0x02);
  EXPECT_NE(std::vector<uint8_t>(f.begin(), f.begin() + 6),
            std::vector<uint8_t>(f.begin() + 6, f.begin() + 12));
  EXPECT_EQ(f[1], 0);  // 02:00 then 32 bits of the HMAC: no vendor's (OUI) address
  EXPECT_EQ(f[7], 0);
}

TEST(RedactSlice, NonSipUdpKeepsPayloadFixesChecksums) {
  const std::string rtp("\x80\x00\x00\x01payload", 11);
  Redactor r;
  auto f = redact_one(frame(17, rtp), r, false);
  EXPECT_EQ(std::string(f.begin() + 42, f.end()), rtp);
  EXPECT_EQ(internet_checksum({f.data() + 14, 20}), 0);
  EXPECT_EQ(transport_verify(f, 17), 0);
}

TEST(RedactSlice, RtcpSdesItemsReplaced) {
  // RTCP SDES (RFC 3550 §6.5): V=2, SC=1, PT=202; header 4 + SSRC 4 + CNAME item
  // "alice@192.0.2.1" (2 + 15) + NAME "Alice" (2 + 5) = 32 bytes, then the end item and
  // padding to 36: 9 words, length field 8.
  std::string sdes("\x81\xca\x00\x08\x11\x22\x33\x44", 8);
  sdes += std::string("\x01\x0f") + "alice@192.0.2.1" + std::string("\x02\x05", 2) + "Alice";
  sdes += std::string(4, '\0');
  ASSERT_EQ(sdes.size(), 36U);
  Redactor r;
  auto f = redact_one(frame(17, sdes), r, false);
  const std::string out(f.begin() + 42, f.end());
  EXPECT_EQ(out.find("alice"), std::string::npos);
  EXPECT_EQ(out.find("Alice"), std::string::npos);
  EXPECT_EQ(out.find("192.0.2.1"), std::string::npos);
  ASSERT_GE(out.size(), 8U);
  EXPECT_EQ(out.substr(0, 2), "\x81\xca");
  EXPECT_EQ(out.size() % 4, 0U);
  EXPECT_EQ((size_t{static_cast<uint8_t>(out[2])} << 8 | static_cast<uint8_t>(out[3])) + 1,
            out.size() / 4);
  EXPECT_EQ(out.substr(4, 4), "\x11\x22\x33\x44");
  EXPECT_EQ(out[8], '\x01');  // CNAME item first, its pseudonym after the length byte
  const size_t cname = static_cast<uint8_t>(out[9]);
  EXPECT_EQ(out.substr(10, cname), r.sdes("alice@192.0.2.1"));
  EXPECT_EQ(transport_verify(f, 17), 0);
}

TEST(RedactSlice, TcpSequenceNumbersFollowLengthChanges) {
  Redactor r;
  r.learn_sip(kSip);
  const uint32_t second_seq = 1000 + static_cast<uint32_t>(kSip.size());
  const uint32_t acked = 1000 + 2 * static_cast<uint32_t>(kSip.size());
  std::vector<SliceFrame> frames;
  for (auto f : {frame(6, kSip, 1000, 5000), frame(6, kSip, second_seq, 5000),
                 frame(6, "", 5000, acked, true)}) {
    frames.push_back({0, 1, static_cast<uint32_t>(f.size()), true, f});
  }
  redact_slice(frames, r);
  ASSERT_EQ(frames.size(), 3U);
  const auto& first = frames[0].data;
  const auto& second = frames[1].data;
  const auto& reply = frames[2].data;
  const int64_t delta =
      static_cast<int64_t>(first.size()) - static_cast<int64_t>(frame(6, kSip).size());
  ASSERT_NE(delta, 0);                    // "192.0.2.1" -> a pseudonym of another length
  EXPECT_EQ(be32(first, 34 + 4), 1000U);  // nothing before it moved
  EXPECT_EQ(transport_verify(first, 6), 0);
  // The next segment in the same direction starts delta bytes later.
  EXPECT_EQ(be32(second, 34 + 4),
            static_cast<uint32_t>(1000 + static_cast<int64_t>(kSip.size()) + delta));
  // The reply acknowledges the shifted bytes.
  EXPECT_EQ(be32(reply, 34 + 8), static_cast<uint32_t>(acked + 2 * delta));
  EXPECT_EQ(transport_verify(reply, 6), 0);
}

TEST(RedactSlice, TcpMessageSplitOverSegmentsIsRedactedWhole) {
  // "carol" straddles the segment boundary: only the stream view can find it.
  const size_t cut = kSip.find("carol") + 2;
  Redactor r;
  r.learn_sip(kSip);
  std::vector<SliceFrame> frames;
  for (auto f : {frame(6, kSip.substr(0, cut), 1000, 5000),
                 frame(6, kSip.substr(cut), 1000 + static_cast<uint32_t>(cut), 5000)}) {
    frames.push_back({0, 1, static_cast<uint32_t>(f.size()), true, f});
  }
  redact_slice(frames, r);
  ASSERT_EQ(frames.size(), 2U);
  const std::string a(frames[0].data.begin() + 54, frames[0].data.end());
  const std::string b(frames[1].data.begin() + 54, frames[1].data.end());
  EXPECT_EQ(a + b, r.sip(kSip));
  EXPECT_EQ(be32(frames[1].data, 34 + 4), 1000U + a.size());
}

TEST(RedactSlice, FragmentedSipIsRefragmentedAndStillWhole) {
  // One UDP datagram (8 + payload bytes) cut into two IPv4 fragments at 64 bytes.
  const std::string sip = kSip + std::string(40, ' ');
  auto whole = frame(17, sip);
  std::vector<uint8_t> udp(whole.begin() + 34, whole.end());
  auto fragment = [&](size_t off, size_t len, bool more) {
    std::vector<uint8_t> f(whole.begin(), whole.begin() + 34);
    // Byte by byte: GCC 12 sees a false -Warray-bounds in the inlined range insert.
    for (size_t i = off; i < off + len; ++i) f.push_back(udp[i]);
    f[14 + 2] = static_cast<uint8_t>((20 + len) >> 8);
    f[14 + 3] = static_cast<uint8_t>(20 + len);
    const size_t fo = (more ? 0x2000 : 0) | off / 8;
    f[14 + 6] = static_cast<uint8_t>(fo >> 8);
    f[14 + 7] = static_cast<uint8_t>(fo);
    return f;
  };
  std::vector<SliceFrame> frames;
  for (auto f : {fragment(0, 64, true), fragment(64, udp.size() - 64, false)}) {
    frames.push_back({0, 1, static_cast<uint32_t>(f.size()), true, f});
  }
  Redactor r;
  r.learn_sip(sip);
  redact_slice(frames, r);
  ASSERT_GE(frames.size(), 2U);
  std::string joined;
  size_t expect_offset = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    const auto& f = frames[i].data;
    EXPECT_EQ(internet_checksum({f.data() + 14, 20}), 0);
    EXPECT_EQ(be16(f, 14 + 2), f.size() - 14);
    EXPECT_EQ((be16(f, 14 + 6) & 0x1FFF) * 8U, expect_offset);
    EXPECT_EQ((be16(f, 14 + 6) & 0x2000) != 0, i + 1 < frames.size());
    joined.append(f.begin() + 34, f.end());
    expect_offset += f.size() - 34;
  }
  const std::string expected = r.sip(sip);
  ASSERT_EQ(joined.size(), 8 + expected.size());
  EXPECT_EQ(joined.substr(8), expected);
  EXPECT_EQ(joined.find("carol"), std::string::npos);
}

TEST(RedactSlice, NotIpIsBlanked) {
  std::vector<uint8_t> arp = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x06, 0, 1};
  Redactor r;
  std::vector<SliceFrame> frames{{0, 1, 16, false, arp}};
  redact_slice(frames, r);
  ASSERT_EQ(frames.size(), 1U);
  EXPECT_EQ(frames[0].data, std::vector<uint8_t>(16, 0));
}

TEST(Crc32c, KnownVector) {
  // RFC 3720 App. B.4: 32 bytes of zeros -> 0x8A9136AA.
  const std::vector<uint8_t> zeros(32, 0);
  EXPECT_EQ(crc32c(zeros), 0x8A9136AAU);
}

}  // namespace
}  // namespace sipscope::export_
