#include "capture/capture_filter.hpp"

#include <pcap/pcap.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "capture/pcap_reader.hpp"
#include "decode/frame.hpp"

namespace sipscope::capture {
namespace {

using Bytes = std::vector<uint8_t>;

void put16(Bytes& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v & 0xff));
}

// The link-layer header in front of an IPv4 (ethertype 0x0800) or IPv6 packet.
std::optional<Bytes> link_header(int link_type, bool v6) {
  const uint16_t ethertype = v6 ? 0x86dd : 0x0800;
  Bytes b;
  switch (link_type) {
    case decode::link_type::kEthernet:
      b = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1};
      put16(b, ethertype);
      return b;
    case decode::link_type::kLinuxSll:  // packet type, ARPHRD, address length, address
      b = {0, 0, 0, 1, 0, 6, 0x02, 0, 0, 0, 0, 1, 0, 0};
      put16(b, ethertype);
      return b;
    case decode::link_type::kLinuxSll2:  // protocol, reserved, ifindex, ARPHRD, type, addr
      put16(b, ethertype);
      b.insert(b.end(), {0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 0x02, 0, 0, 0, 0, 1, 0, 0});
      return b;
    case decode::link_type::kRawDlt:
    case decode::link_type::kRaw:
      return b;
    default:
      return std::nullopt;
  }
}

constexpr std::string_view kSip = "INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP x\r\n";

// The IP payload of a SIP request over UDP, port `port` both ends; for a later fragment
// (fragment = true) only SIP bytes: the UDP header was in the first fragment.
Bytes udp_sip(uint16_t port, bool fragment) {
  Bytes payload;
  if (!fragment) {
    put16(payload, port);
    put16(payload, port);
    put16(payload, static_cast<uint16_t>(8 + kSip.size()));
    put16(payload, 0);
  }
  payload.insert(payload.end(), kSip.begin(), kSip.end());
  return payload;
}

// Between two documentation addresses; the fragment is at offset 1480, the last one.
Bytes ipv4_packet(uint16_t port, bool fragment) {
  const Bytes payload = udp_sip(port, fragment);
  Bytes ip = {0x45, 0};
  put16(ip, static_cast<uint16_t>(20 + payload.size()));
  put16(ip, 0x1234);                                     // identification
  put16(ip, fragment ? static_cast<uint16_t>(185) : 0);  // offset 185 * 8 = 1480, MF = 0
  ip.insert(ip.end(), {64, 17, 0, 0, 192, 0, 2, 10, 192, 0, 2, 20});
  ip.insert(ip.end(), payload.begin(), payload.end());
  return ip;
}

Bytes ipv6_packet(uint16_t port, bool fragment) {
  Bytes payload;
  if (fragment) payload = {17, 0, 0x05, 0xa8, 0, 0, 0x12, 0x34};  // next UDP, offset 181*8
  const Bytes udp = udp_sip(port, fragment);
  payload.insert(payload.end(), udp.begin(), udp.end());
  Bytes ip = {0x60, 0, 0, 0};
  put16(ip, static_cast<uint16_t>(payload.size()));
  ip.push_back(fragment ? 44 : 17);
  ip.push_back(64);
  const std::array<uint8_t, 16> src = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                       0,    0,    0,    0,    0, 0, 0, 0x10};
  std::array<uint8_t, 16> dst = src;
  dst[15] = 0x20;
  ip.insert(ip.end(), src.begin(), src.end());
  ip.insert(ip.end(), dst.begin(), dst.end());
  ip.insert(ip.end(), payload.begin(), payload.end());
  return ip;
}

struct Compiled {
  pcap_t* dead = nullptr;
  bpf_program prog{};
  ~Compiled() {
    pcap_freecode(&prog);
    if (dead != nullptr) pcap_close(dead);
  }
  [[nodiscard]] bool accepts(const Bytes& frame) const {
    pcap_pkthdr hdr{};
    hdr.caplen = static_cast<bpf_u_int32>(frame.size());
    hdr.len = hdr.caplen;
    return pcap_offline_filter(&prog, &hdr, frame.data()) != 0;
  }
};

std::unique_ptr<Compiled> compile(const std::string& filter, int link_type) {
  auto c = std::make_unique<Compiled>();
  c->dead = pcap_open_dead(link_type, 65535);
  if (c->dead == nullptr) return nullptr;
  if (pcap_compile(c->dead, &c->prog, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    std::string why = pcap_geterr(c->dead);
    throw CaptureError("bad capture filter '" + filter + "': " + why);
  }
  return c;
}

// The usual SIP ports, then every number in the filter that could be a port (so that
// `port 25060` or `portrange 7000-7100` is tried on its own ports).
std::vector<uint16_t> candidate_ports(const std::string& filter) {
  std::vector<uint16_t> ports = {5060, 5061, 5062, 5070, 5080, 5090, 5160, 5260, 6060};
  uint32_t n = 0;
  bool in_number = false;
  for (size_t i = 0; i <= filter.size(); ++i) {
    const char c = i < filter.size() ? filter[i] : ' ';
    if (c >= '0' && c <= '9') {
      n = std::min<uint32_t>(n * 10 + static_cast<uint32_t>(c - '0'), 100'000);
      in_number = true;
      continue;
    }
    // Skip parts of addresses and byte offsets (192.0.2.1, ip[6:2]) only by range.
    if (in_number && n >= 1 && n <= 65535) ports.push_back(static_cast<uint16_t>(n));
    n = 0;
    in_number = false;
  }
  return ports;
}

// Does the filter keep a SIP packet on one of the candidate ports but drop its later
// fragment?
bool drops_fragments(const Compiled& c, const Bytes& link, bool v6,
                     const std::vector<uint16_t>& ports) {
  for (const uint16_t port : ports) {
    Bytes whole = link;
    Bytes piece = link;
    const Bytes ip = v6 ? ipv6_packet(port, false) : ipv4_packet(port, false);
    const Bytes frag = v6 ? ipv6_packet(port, true) : ipv4_packet(port, true);
    whole.insert(whole.end(), ip.begin(), ip.end());
    piece.insert(piece.end(), frag.begin(), frag.end());
    if (c.accepts(whole)) return !c.accepts(piece);
  }
  return false;
}

}  // namespace

std::string default_filter(int link_type) {
  std::string ip =
      "udp or tcp or sctp or proto 47 or ip proto 4 or ip proto 41 or "
      "(ip[6:2] & 0x1fff != 0) or ip6[6] == 44";
  if (link_type != decode::link_type::kEthernet) return ip;
  return "(" + ip + ") or (vlan and (" + ip + "))";
}

std::optional<std::string> fragment_safe_filter(const std::string& filter, int link_type) {
  const auto link4 = link_header(link_type, false);
  const auto link6 = link_header(link_type, true);
  auto compiled = compile(filter, link_type);
  if (!link4 || !link6 || !compiled) return std::nullopt;
  const auto ports = candidate_ports(filter);
  const bool v4 = drops_fragments(*compiled, *link4, false, ports);
  const bool v6 = drops_fragments(*compiled, *link6, true, ports);
  if (!v4 && !v6) return std::nullopt;
  std::string fixed = "(" + filter + ")";
  if (v4) fixed += " or (ip[6:2] & 0x1fff != 0)";
  if (v6) fixed += " or (ip6[6] == 44)";
  return fixed;
}

}  // namespace sipscope::capture
