#include "decode/net.hpp"

#include <gtest/gtest.h>

#include <array>
#include <unordered_set>

namespace sipscope::decode {
namespace {

IpAddress v6(std::array<uint8_t, 16> b) {
  return IpAddress::v6(b.data());
}

TEST(Net, Ipv4Text) {
  EXPECT_EQ(IpAddress::v4({192, 0, 2, 1}).to_string(), "192.0.2.1");
  EXPECT_EQ(IpAddress::v4({0, 0, 0, 0}).to_string(), "0.0.0.0");
  EXPECT_EQ(IpAddress{}.to_string(), "");  // unset
}

TEST(Net, Ipv6TextIsRfc5952Canonical) {
  // RFC 5952 §4.2.1/§4.3: longest zero run compressed, lowercase, no leading zeros.
  EXPECT_EQ(v6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}).to_string(),
            "2001:db8::1");
  // §4.2.2: a single 16-bit zero field is not compressed.
  EXPECT_EQ(v6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1}).to_string(),
            "2001:db8:0:1:1:1:1:1");
  // §4.2.3: the first of two equal-length runs is compressed.
  EXPECT_EQ(v6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1}).to_string(),
            "2001:db8::1:0:0:1");
  EXPECT_EQ(v6({}).to_string(), "::");
}

TEST(Net, EndpointText) {
  EXPECT_EQ((Endpoint{IpAddress::v4({192, 0, 2, 1}), 5060}).to_string(), "192.0.2.1:5060");
  EXPECT_EQ((Endpoint{v6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}), 5061})
                .to_string(),
            "[2001:db8::1]:5061");
}

TEST(Net, TransportNames) {
  EXPECT_EQ(transport_name(Transport::udp), "UDP");
  EXPECT_EQ(transport_name(Transport::tcp), "TCP");
  EXPECT_EQ(transport_name(Transport::tls), "TLS");
  EXPECT_EQ(transport_name(Transport::ws), "WS");
  EXPECT_EQ(transport_name(Transport::wss), "WSS");
  EXPECT_EQ(transport_name(Transport::sctp), "SCTP");
}

TEST(Net, ComparisonAndHashing) {
  const Endpoint a{IpAddress::v4({10, 0, 0, 1}), 5060};
  const Endpoint b{IpAddress::v4({10, 0, 0, 1}), 5062};
  const Endpoint a2{IpAddress::v4({10, 0, 0, 1}), 5060};
  EXPECT_EQ(a, a2);
  EXPECT_NE(a, b);
  EXPECT_LT(a, b);
  EXPECT_EQ(EndpointHash{}(a), EndpointHash{}(a2));
  std::unordered_set<Endpoint, EndpointHash> set{a, b, a2};
  EXPECT_EQ(set.size(), 2u);
  // v4 and v6 with the same leading bytes are different addresses.
  EXPECT_NE(IpAddress::v4({0, 0, 0, 0}), v6({}));
}

}  // namespace
}  // namespace sipscope::decode
