// The fragment check of capture filters (capture/capture_filter.hpp), run through libpcap's
// own compiler and pcap_offline_filter. Expected outcomes follow from pcap-filter(7): `port`
// and `portrange` only match IPv4 packets whose fragment offset is 0 (the later fragments
// carry no UDP header); `udp` is `ip proto 17` for IPv4 and, for IPv6, next header 17 or a
// Fragment header (44) whose next header is 17 (`tcpdump -d 'ip6 and udp'`), so it keeps
// every fragment.
#include "capture/capture_filter.hpp"

#include <gtest/gtest.h>

#include "capture/pcap_reader.hpp"
#include "decode/frame.hpp"

namespace sipscope::capture {
namespace {

constexpr int kEthernet = decode::link_type::kEthernet;

TEST(CaptureFilter, DefaultKeepsFragmentsOnEveryLinkType) {
  for (const int link : {decode::link_type::kEthernet, decode::link_type::kLinuxSll,
                         decode::link_type::kLinuxSll2, decode::link_type::kRawDlt}) {
    EXPECT_EQ(fragment_safe_filter(default_filter(link), link), std::nullopt) << link;
  }
}

TEST(CaptureFilter, PortFilterDropsLaterFragments) {
  EXPECT_EQ(fragment_safe_filter("port 5060", kEthernet),
            "(port 5060) or (ip[6:2] & 0x1fff != 0) or (ip6[6] == 44)");
  EXPECT_EQ(fragment_safe_filter("udp port 5080", decode::link_type::kLinuxSll2),
            "(udp port 5080) or (ip[6:2] & 0x1fff != 0) or (ip6[6] == 44)");
}

TEST(CaptureFilter, PortsNamedInTheFilterAreTried) {
  EXPECT_EQ(fragment_safe_filter("udp and portrange 25060-25299", kEthernet),
            "(udp and portrange 25060-25299) or (ip[6:2] & 0x1fff != 0) or (ip6[6] == 44)");
}

TEST(CaptureFilter, CorrectedFilterIsItselfSafe) {
  const auto fixed = fragment_safe_filter("portrange 5060-5070", kEthernet);
  ASSERT_TRUE(fixed.has_value());
  EXPECT_EQ(fragment_safe_filter(*fixed, kEthernet), std::nullopt);
}

TEST(CaptureFilter, ProtocolFilterKeepsFragments) {
  EXPECT_EQ(fragment_safe_filter("udp", kEthernet), std::nullopt);
}

TEST(CaptureFilter, HostFilterKeepsFragments) {
  // The fragments carry the addresses: nothing to warn about.
  EXPECT_EQ(fragment_safe_filter("host 192.0.2.10 or host 2001:db8::10", kEthernet), std::nullopt);
}

TEST(CaptureFilter, FilterThatMatchesNoSipIsNotJudged) {
  EXPECT_EQ(fragment_safe_filter("icmp", kEthernet), std::nullopt);
}

TEST(CaptureFilter, BadFilterIsOneLineError) {
  try {
    (void)fragment_safe_filter("port five", kEthernet);
    FAIL() << "no error";
  } catch (const CaptureError& e) {
    EXPECT_NE(std::string(e.what()).find("bad capture filter 'port five'"), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
  }
}

}  // namespace
}  // namespace sipscope::capture
