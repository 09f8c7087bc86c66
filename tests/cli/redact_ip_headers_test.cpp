// `export --redact` and what an IP header carries beyond its two addresses: an IPv4 Record
// Route option (RFC 791 §3.1) and an IPv6 type-2 Routing header (RFC 6275 §6.4) plus a
// Destination Options header with a Home Address option (RFC 6275 §6.3), each listing an
// address of a party. The frames are built here byte by byte; after the export none of
// those addresses is in the file in any form, and tshark still reads every SIP message and
// both extension headers from it (so the chain and the lengths stayed valid).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/cli/pcap_builder.hpp"
#include "tests/cli/run_command.hpp"

namespace sipscope::cli {
namespace {

namespace fs = std::filesystem;
using sipscope::testing::PcapBuilder;
using sipscope::testing::read_text;
using sipscope::testing::run;
using sipscope::testing::shell_quote;
using sipscope::testing::sipscope_cmd;
using Bytes = std::vector<uint8_t>;

// Planted: these addresses appear only inside the options and extension headers.
constexpr std::array<uint8_t, 4> kRecordRouteA = {198, 51, 100, 77};
constexpr std::array<uint8_t, 4> kRecordRouteB = {198, 51, 100, 78};
constexpr std::array<uint8_t, 16> kRoutingV6 = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                                0,    0,    0,    0,    0, 0, 0, 0x77};
constexpr std::array<uint8_t, 16> kHomeV6 = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                             0,    0,    0,    0,    0, 0, 0, 0x78};

std::string sip(const std::string& first_line, const std::string& call_id, const std::string& via) {
  return first_line + "\r\nVia: SIP/2.0/UDP " + via + ";branch=z9hG4bK-" + call_id +
         "\r\nFrom: <sip:alice@example.com>;tag=a1\r\n" + "To: <sip:bob@example.com>" +
         (first_line.starts_with("SIP/") ? ";tag=b1" : "") + "\r\nCall-ID: " + call_id +
         "\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
}

Bytes udp(uint16_t sport, uint16_t dport, const std::string& payload) {
  const size_t n = 8 + payload.size();
  Bytes u(n, 0);
  const uint16_t words[3] = {sport, dport, static_cast<uint16_t>(n)};
  for (size_t i = 0; i < 3; ++i) {
    u[2 * i] = static_cast<uint8_t>(words[i] >> 8);
    u[2 * i + 1] = static_cast<uint8_t>(words[i]);
  }
  std::copy(payload.begin(), payload.end(), u.begin() + 8);
  return u;
}

Bytes ethernet(uint16_t ethertype) {
  return {2,
          0,
          0,
          0,
          0,
          2,
          2,
          0,
          0,
          0,
          0,
          1,
          static_cast<uint8_t>(ethertype >> 8),
          static_cast<uint8_t>(ethertype)};
}

// IPv4 with a Record Route option (type 7, length 11, pointer 12: both slots filled) and
// End of Option List: IHL 8 words.
Bytes ipv4_record_route(const std::array<uint8_t, 4>& src, const std::array<uint8_t, 4>& dst,
                        const Bytes& payload) {
  Bytes f = ethernet(0x0800);
  const size_t total = 32 + payload.size();
  Bytes ip = {
      0x48, 0, static_cast<uint8_t>(total >> 8), static_cast<uint8_t>(total), 0, 1, 0, 0, 64, 17,
      0,    0};
  ip.insert(ip.end(), src.begin(), src.end());
  ip.insert(ip.end(), dst.begin(), dst.end());
  ip.insert(ip.end(), {7, 11, 12});
  ip.insert(ip.end(), kRecordRouteA.begin(), kRecordRouteA.end());
  ip.insert(ip.end(), kRecordRouteB.begin(), kRecordRouteB.end());
  ip.push_back(0);
  PcapBuilder::set_ipv4_checksum(ip);
  f.insert(f.end(), ip.begin(), ip.end());
  f.insert(f.end(), payload.begin(), payload.end());
  return f;
}

// IPv6 -> Destination Options (Home Address option, type 201, 16 bytes, padded to 24) ->
// Routing header type 2 (24 bytes: one address) -> UDP.
Bytes ipv6_mobile(const std::array<uint8_t, 16>& src, const std::array<uint8_t, 16>& dst,
                  const Bytes& payload) {
  Bytes f = ethernet(0x86dd);
  Bytes dest_opts = {43, 2, 1, 2, 0, 0, 201, 16};  // next Routing, 24 bytes; PadN(2); HAO
  dest_opts.insert(dest_opts.end(), kHomeV6.begin(), kHomeV6.end());
  Bytes routing = {17, 2, 2, 1, 0, 0, 0, 0};  // next UDP, 24 bytes, type 2, 1 segment left
  routing.insert(routing.end(), kRoutingV6.begin(), kRoutingV6.end());
  const size_t n = dest_opts.size() + routing.size() + payload.size();
  Bytes ip = {0x60, 0, 0, 0, static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n), 60, 64};
  ip.insert(ip.end(), src.begin(), src.end());
  ip.insert(ip.end(), dst.begin(), dst.end());
  for (const Bytes* part : std::array<const Bytes*, 4>{&ip, &dest_opts, &routing, &payload}) {
    f.insert(f.end(), part->begin(), part->end());
  }
  return f;
}

template <size_t N>
bool contains(const std::string& hay, const std::array<uint8_t, N>& needle) {
  return std::search(hay.begin(), hay.end(), needle.begin(), needle.end(),
                     [](char a, uint8_t b) { return static_cast<uint8_t>(a) == b; }) != hay.end();
}

TEST(RedactIpHeaders, OptionsAndExtensionHeadersKeepNoAddress) {
  const fs::path dir = sipscope::testing::temp_dir("redact-ip-headers");
  if (run("command -v tshark", dir).exit_code != 0) GTEST_SKIP() << "tshark not installed";
  const std::array<uint8_t, 4> a4 = {192, 0, 2, 10}, b4 = {203, 0, 113, 20};
  std::array<uint8_t, 16> a6{}, b6{};
  a6 = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10};
  b6 = {0x20, 0x01, 0x0d, 0xb8, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20};
  {
    PcapBuilder pcap(dir / "in.pcap");
    int64_t ts_us = 1'700'000'000'000'000;
    for (const Bytes& f :
         {ipv4_record_route(
              a4, b4,
              udp(5060, 5060,
                  sip("INVITE sip:bob@example.com SIP/2.0", "v4call", "192.0.2.10:5060"))),
          ipv4_record_route(
              b4, a4, udp(5060, 5060, sip("SIP/2.0 486 Busy Here", "v4call", "192.0.2.10:5060"))),
          ipv6_mobile(
              a6, b6,
              udp(5060, 5060,
                  sip("INVITE sip:bob@example.com SIP/2.0", "v6call", "[2001:db8:1::10]:5060"))),
          ipv6_mobile(
              b6, a6,
              udp(5060, 5060, sip("SIP/2.0 486 Busy Here", "v6call", "[2001:db8:1::10]:5060")))}) {
      pcap.frame(ts_us += 1000, f);
    }
  }
  const auto q = [&](const fs::path& p) { return shell_quote(p.string()); };
  // The planted addresses are in the input (so the search below can find them).
  const std::string original = read_text(dir / "in.pcap");
  ASSERT_TRUE(contains(original, kRecordRouteA) && contains(original, kRecordRouteB) &&
              contains(original, kRoutingV6) && contains(original, kHomeV6));

  ASSERT_EQ(run(sipscope_cmd("analyze " + q(dir / "in.pcap") + " --db " + q(dir / "a.db")), dir)
                .exit_code,
            0);
  const auto exported = run(sipscope_cmd("export --db " + q(dir / "a.db") +
                                         " 1 2 --redact --pcap " + q(dir / "out.pcap")),
                            dir);
  ASSERT_EQ(exported.exit_code, 0) << exported.err;

  const std::string redacted = read_text(dir / "out.pcap");
  EXPECT_FALSE(contains(redacted, kRecordRouteA));
  EXPECT_FALSE(contains(redacted, kRecordRouteB));
  EXPECT_FALSE(contains(redacted, kRoutingV6));
  EXPECT_FALSE(contains(redacted, kHomeV6));
  for (const char* text : {"198.51.100.77", "198.51.100.78", "2001:db8::77", "2001:db8::78"}) {
    EXPECT_EQ(redacted.find(text), std::string::npos) << text;
  }

  // tshark: four SIP messages, both extension headers still there and well formed, the
  // IPv4 options now End of Option List (type 0), and nothing malformed.
  const auto fields =
      run("tshark -r " + q(dir / "out.pcap") +
              " -T fields -E separator=, -e sip.CSeq.method -e "
              "ipv6.routing.type -e ipv6.dstopts.nxt -e ip.hdr_len -e _ws.malformed",
          dir);
  ASSERT_EQ(fields.exit_code, 0) << fields.err;
  EXPECT_EQ(fields.out,
            "INVITE,,,32,\n"
            "INVITE,,,32,\n"
            "INVITE,2,43,,\n"
            "INVITE,2,43,,\n");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace sipscope::cli
