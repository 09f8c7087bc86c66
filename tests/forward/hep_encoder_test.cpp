// HEP3 encoding: bytes derived by hand from the HEP3 specification (chunk layout {u16 vendor,
// u16 type, u16 length incl. header}, network order), and read back by decode/'s decoder.
#include "forward/hep_encoder.hpp"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "decode/hep.hpp"

namespace sipscope::forward {
namespace {

std::span<const uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(HepEncoder, Ipv4UdpMatchesTheSpecificationByteForByte) {
  const uint8_t a[4] = {192, 0, 2, 1};
  const uint8_t b[4] = {198, 51, 100, 2};
  const HepMessage m{{decode::IpAddress::v4(a), 5060},
                     {decode::IpAddress::v4(b), 5070},
                     17,
                     1'700'000'000'123'456,
                     decode::kHepPayloadSip,
                     bytes_of("OPTIONS")};
  std::vector<uint8_t> out;
  ASSERT_TRUE(encode_hep3(m, {2001, "", ""}, out));
  // 6 header + family 7 + protocol 7 + 2 x IPv4 10 + 2 x port 8 + sec 10 + usec 10 +
  // type 7 + capture id 10 + payload 6 + 7 = 106 = 0x6a.
  const std::vector<uint8_t> expected = {
      'H', 'E', 'P', '3', 0x00, 0x6a,                          //
      0,   0,   0,   1,   0,    7,    2,                       // family AF_INET
      0,   0,   0,   2,   0,    7,    17,                      // IP protocol UDP
      0,   0,   0,   3,   0,    10,   192,  0,    2,    1,     // IPv4 source
      0,   0,   0,   4,   0,    10,   198,  51,   100,  2,     // IPv4 destination
      0,   0,   0,   7,   0,    8,    0x13, 0xc4,              // source port 5060
      0,   0,   0,   8,   0,    8,    0x13, 0xce,              // destination port 5070
      0,   0,   0,   9,   0,    10,   0x65, 0x53, 0xf1, 0x00,  // 1700000000 s
      0,   0,   0,   10,  0,    10,   0x00, 0x01, 0xe2, 0x40,  // 123456 µs
      0,   0,   0,   11,  0,    7,    1,                       // payload type SIP
      0,   0,   0,   12,  0,    10,   0x00, 0x00, 0x07, 0xd1,  // capture id 2001
      0,   0,   0,   15,  0,    13,   'O',  'P',  'T',  'I',  'O', 'N', 'S'};
  EXPECT_EQ(out, expected);
}

TEST(HepEncoder, Ipv6TcpWithPasswordAndNodeReadsBack) {
  uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8};
  uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8};
  a[15] = 1;
  b[15] = 2;
  const std::string_view sip = "BYE sip:bob@example.com SIP/2.0\r\n\r\n";
  const HepMessage m{{decode::IpAddress::v6(a), 5061},
                     {decode::IpAddress::v6(b), 5062},
                     hep_ip_protocol(decode::Transport::tls),
                     42'000'001,
                     decode::kHepPayloadSip,
                     bytes_of(sip)};
  std::vector<uint8_t> out;
  ASSERT_TRUE(encode_hep3(m, {7, "pw", "edge1"}, out));
  decode::HepPacket hep;
  ASSERT_EQ(decode::decode_hep(out, hep), decode::HepError::ok);
  EXPECT_EQ(hep.version, 3);
  EXPECT_EQ(hep.ip_protocol, 22);  // TLS as captagent and Kamailio write it
  EXPECT_EQ(hep.src, m.src);
  EXPECT_EQ(hep.dst, m.dst);
  EXPECT_TRUE(hep.has_time);
  EXPECT_EQ(hep.ts_us(), 42'000'001);
  EXPECT_EQ(hep.capture_id, 7U);
  EXPECT_EQ(hep.auth_key, "pw");
  EXPECT_EQ(hep.node_name, "edge1");
  EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(hep.payload.data()), hep.payload.size()),
            sip);
  EXPECT_EQ(hep.size, out.size());
}

TEST(HepEncoder, RefusesWhatHep3CannotCarry) {
  const uint8_t a[4] = {192, 0, 2, 1};
  uint8_t b[16] = {0x20, 0x01};
  std::vector<uint8_t> out{1, 2, 3};
  const std::vector<uint8_t> big(kMaxHep3Size, 'x');
  HepMessage m{{decode::IpAddress::v4(a), 1}, {decode::IpAddress::v4(a), 2}, 17, 0, 1, big};
  EXPECT_FALSE(encode_hep3(m, {}, out));  // total length would not fit the u16
  EXPECT_TRUE(out.empty());
  m.payload = bytes_of("x");
  m.dst = {decode::IpAddress::v6(b), 2};
  EXPECT_FALSE(encode_hep3(m, {}, out));  // mixed IP versions
}

}  // namespace
}  // namespace sipscope::forward
