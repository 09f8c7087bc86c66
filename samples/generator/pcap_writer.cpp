#include "pcap_writer.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace sipscope::gen {
namespace {

constexpr std::uint32_t kSnapLen = 262144;

void le32(std::vector<std::uint8_t>& v, std::uint32_t x) {
  for (int i = 0; i < 4; ++i) v.push_back(static_cast<std::uint8_t>(x >> (8 * i)));
}
void set_be16(std::vector<std::uint8_t>& v, std::size_t at, std::uint16_t x) {
  v[at] = static_cast<std::uint8_t>(x >> 8);
  v[at + 1] = static_cast<std::uint8_t>(x & 0xff);
}

// One's-complement sum over 16-bit big-endian words (RFC 1071).
std::uint32_t sum16(const std::uint8_t* p, std::size_t n, std::uint32_t acc) {
  for (; n >= 2; p += 2, n -= 2) acc += (static_cast<std::uint32_t>(p[0]) << 8) | p[1];
  if (n) acc += static_cast<std::uint32_t>(p[0]) << 8;
  return acc;
}
std::uint16_t fold(std::uint32_t acc) {
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return static_cast<std::uint16_t>(~acc & 0xffff);
}

// Locally administered MAC derived from the address, so each host keeps one MAC.
void append_mac(std::vector<std::uint8_t>& v, const Address& a) {
  const std::size_t off = a.v6 ? 12 : 0;
  v.push_back(0x02);
  v.push_back(0x00);
  for (std::size_t i = 0; i < 4; ++i) v.push_back(a.bytes[off + i]);
}

void append_ipv4_header(std::vector<std::uint8_t>& v, const Address& src, const Address& dst,
                        std::uint8_t proto, std::size_t payload_len, std::uint16_t id,
                        std::uint16_t flags_frag) {
  const std::size_t at = v.size();
  v.push_back(0x45);
  v.push_back(0);
  be16(v, static_cast<std::uint16_t>(20 + payload_len));
  be16(v, id);
  be16(v, flags_frag);
  v.push_back(64);
  v.push_back(proto);
  be16(v, 0);
  v.insert(v.end(), src.bytes.begin(), src.bytes.begin() + 4);
  v.insert(v.end(), dst.bytes.begin(), dst.bytes.begin() + 4);
  set_be16(v, at + 10, fold(sum16(v.data() + at, 20, 0)));
}

void append_ipv6_header(std::vector<std::uint8_t>& v, const Address& src, const Address& dst,
                        std::uint8_t next, std::size_t payload_len) {
  be32(v, 0x60000000);
  be16(v, static_cast<std::uint16_t>(payload_len));
  v.push_back(next);
  v.push_back(64);
  v.insert(v.end(), src.bytes.begin(), src.bytes.end());
  v.insert(v.end(), dst.bytes.begin(), dst.bytes.end());
}

void append_ethernet(std::vector<std::uint8_t>& v, const Address& src, const Address& dst,
                     std::uint16_t ethertype) {
  append_mac(v, dst);
  append_mac(v, src);
  be16(v, ethertype);
}

// Tunnel endpoints: a mirror/encapsulating router and the sensor behind it (RFC 5737).
const Address& tunnel_src() {
  static const Address a = make_address(198, 18, 0, 1, false);
  return a;
}
const Address& tunnel_dst() {
  static const Address a = make_address(198, 18, 0, 2, false);
  return a;
}

struct Le {
  std::uint8_t b[32];
  std::size_t n = 0;
  void u16(std::uint16_t x) {
    b[n++] = static_cast<std::uint8_t>(x);
    b[n++] = static_cast<std::uint8_t>(x >> 8);
  }
  void u32(std::uint32_t x) {
    u16(static_cast<std::uint16_t>(x));
    u16(static_cast<std::uint16_t>(x >> 16));
  }
};

}  // namespace

bool parse_format(std::string_view s, FileFormat& out) {
  if (s == "pcap")
    out = FileFormat::kPcap;
  else if (s == "pcap-ns")
    out = FileFormat::kPcapNs;
  else if (s == "pcapng")
    out = FileFormat::kPcapng;
  else
    return false;
  return true;
}

bool parse_link(std::string_view s, LinkKind& out) {
  static constexpr LinkKind kAll[] = {LinkKind::kEthernet, LinkKind::kVlan, LinkKind::kQinq,
                                      LinkKind::kSll,      LinkKind::kSll2, LinkKind::kRaw,
                                      LinkKind::kNull,     LinkKind::kMpls};
  for (LinkKind k : kAll) {
    if (link_name(k) == s) {
      out = k;
      return true;
    }
  }
  return false;
}

std::string_view link_name(LinkKind k) {
  switch (k) {
    case LinkKind::kEthernet:
      return "ethernet";
    case LinkKind::kVlan:
      return "vlan";
    case LinkKind::kQinq:
      return "qinq";
    case LinkKind::kSll:
      return "sll";
    case LinkKind::kSll2:
      return "sll2";
    case LinkKind::kRaw:
      return "raw";
    case LinkKind::kNull:
      return "null";
    case LinkKind::kMpls:
      return "mpls";
  }
  return "?";
}

namespace {
constexpr std::pair<std::string_view, Tunnel> kTunnels[] = {
    {"none", Tunnel::kNone},       {"gre", Tunnel::kGre},         {"gre-teb", Tunnel::kGreTeb},
    {"erspan2", Tunnel::kErspan2}, {"erspan3", Tunnel::kErspan3}, {"ipip", Tunnel::kIpip},
    {"6in4", Tunnel::k6in4},       {"vxlan", Tunnel::kVxlan}};
}  // namespace

std::string_view tunnel_name(Tunnel t) {
  for (const auto& [name, k] : kTunnels) {
    if (k == t) return name;
  }
  return "?";
}

bool parse_tunnel(std::string_view s, Tunnel& out) {
  for (const auto& [name, t] : kTunnels) {
    if (name == s) {
      out = t;
      return true;
    }
  }
  return false;
}

std::uint16_t link_type_number(LinkKind k) {
  switch (k) {
    case LinkKind::kEthernet:
    case LinkKind::kVlan:
    case LinkKind::kQinq:
    case LinkKind::kMpls:
      return 1;  // LINKTYPE_ETHERNET
    case LinkKind::kSll:
      return 113;  // LINKTYPE_LINUX_SLL
    case LinkKind::kSll2:
      return 276;  // LINKTYPE_LINUX_SLL2
    case LinkKind::kRaw:
      return 101;  // LINKTYPE_RAW
    case LinkKind::kNull:
      return 0;  // LINKTYPE_NULL
  }
  return 1;
}

PcapWriter::PcapWriter(const std::string& path, FileFormat format, LinkKind link)
    : format_(format), link_(link), path_(path) {
  f_ = std::fopen(path.c_str(), "wb");
  if (!f_) throw std::runtime_error("cannot open " + path + " for writing");
  iobuf_.resize(1 << 20);
  std::setvbuf(f_, iobuf_.data(), _IOFBF, iobuf_.size());
  frame_.reserve(2048);
  write_file_header();
}

PcapWriter::~PcapWriter() {
  if (f_) std::fclose(f_);
}

void PcapWriter::close() {
  if (!f_) return;
  const bool bad = std::ferror(f_) != 0;
  const int rc = std::fclose(f_);
  f_ = nullptr;
  if (bad || rc != 0) throw std::runtime_error("write error on " + path_);
}

void PcapWriter::put(const void* data, std::size_t n) {
  if (std::fwrite(data, 1, n, f_) != n) throw std::runtime_error("write error on " + path_);
  bytes_ += n;
}

void PcapWriter::write_file_header() {
  if (format_ == FileFormat::kPcapng) {
    // Section Header Block (pcapng §4.1): no options, section length unknown (-1).
    Le shb;
    shb.u32(0x0A0D0D0A);
    shb.u32(28);
    shb.u32(0x1A2B3C4D);
    shb.u16(1);
    shb.u16(0);
    shb.u32(0xffffffff);
    shb.u32(0xffffffff);
    shb.u32(28);
    put(shb.b, shb.n);
    // Interface Description Block (§4.2): no options, so if_tsresol is the default 10^-6.
    Le idb;
    idb.u32(1);
    idb.u32(20);
    idb.u16(link_type());
    idb.u16(0);
    idb.u32(kSnapLen);
    idb.u32(20);
    put(idb.b, idb.n);
    return;
  }
  Le h;
  h.u32(format_ == FileFormat::kPcapNs ? 0xa1b23c4d : 0xa1b2c3d4);
  h.u16(2);
  h.u16(4);
  h.u32(0);
  h.u32(0);
  h.u32(kSnapLen);
  h.u32(link_type());
  put(h.b, h.n);
}

void PcapWriter::append_link_header(bool v6, const Address& src, const Address& dst) {
  const std::uint16_t ethertype = v6 ? 0x86DD : 0x0800;
  switch (link_) {
    case LinkKind::kEthernet:
    case LinkKind::kVlan:
    case LinkKind::kQinq:
      append_mac(frame_, dst);
      append_mac(frame_, src);
      if (link_ == LinkKind::kQinq) {
        be16(frame_, 0x88A8);  // IEEE 802.1ad S-tag
        be16(frame_, 100);
      }
      if (link_ != LinkKind::kEthernet) {
        be16(frame_, 0x8100);  // IEEE 802.1Q C-tag
        be16(frame_, 42);
      }
      be16(frame_, ethertype);
      break;
    case LinkKind::kMpls:
      // RFC 3032 §2.1: label 20 bits, TC 3, S (bottom of stack) 1, TTL 8. No payload
      // type field: the IP version nibble tells what follows the bottom label.
      append_mac(frame_, dst);
      append_mac(frame_, src);
      be16(frame_, 0x8847);
      be32(frame_, (1000u << 12) | 64u);
      be32(frame_, (2000u << 12) | (1u << 8) | 64u);
      break;
    case LinkKind::kSll:
      be16(frame_, 0);  // packet type: to us
      be16(frame_, 1);  // ARPHRD_ETHER
      be16(frame_, 6);
      append_mac(frame_, src);
      be16(frame_, 0);  // address field is 8 bytes
      be16(frame_, ethertype);
      break;
    case LinkKind::kSll2:
      be16(frame_, ethertype);
      be16(frame_, 0);      // reserved
      be32(frame_, 1);      // interface index
      be16(frame_, 1);      // ARPHRD_ETHER
      frame_.push_back(0);  // packet type: to us
      frame_.push_back(6);
      append_mac(frame_, src);
      be16(frame_, 0);
      break;
    case LinkKind::kRaw:
      break;
    case LinkKind::kNull:
      // Host byte order of the writer (little-endian here, like the file header). AF_INET6
      // as BSD defines it (24); readers accept 24/28/30.
      le32(frame_, v6 ? 24 : 2);
      break;
  }
}

void PcapWriter::write_udp(std::int64_t ts_us, const Endpoint& src, const Endpoint& dst,
                           std::span<const std::uint8_t> payload, FragDamage damage) {
  std::vector<std::uint8_t>& l4 = l4_;
  l4.clear();
  be16(l4, src.port);
  be16(l4, dst.port);
  be16(l4, static_cast<std::uint16_t>(8 + payload.size()));
  be16(l4, 0);
  l4.insert(l4.end(), payload.begin(), payload.end());
  write_ip(ts_us, src.ip, dst.ip, 17, l4, damage);
}

void PcapWriter::write_ip(std::int64_t ts_us, const Address& src, const Address& dst,
                          std::uint8_t proto, std::vector<std::uint8_t>& l4, FragDamage damage) {
  const std::size_t ck_at = proto == 17 ? 6 : proto == 6 ? 16 : 0;
  if (ck_at != 0 && l4.size() >= ck_at + 2) {
    // RFC 768 / RFC 793 §3.1 / RFC 8200 §8.1 pseudo-header: addresses, protocol, length.
    const auto len = static_cast<std::uint32_t>(l4.size());
    std::uint32_t pseudo = src.v6 ? sum16(src.bytes.data(), 16, sum16(dst.bytes.data(), 16, 0))
                                  : sum16(src.bytes.data(), 4, sum16(dst.bytes.data(), 4, 0));
    pseudo += proto + (len >> 16) + (len & 0xffff);
    l4[ck_at] = 0;
    l4[ck_at + 1] = 0;
    std::uint16_t ck = fold(sum16(l4.data(), l4.size(), pseudo));
    if (ck == 0 && proto == 17) ck = 0xffff;  // RFC 768: zero means "no checksum"
    set_be16(l4, ck_at, ck);
  }
  const std::size_t header = src.v6 ? 40 : 20;
  if (tunnel_ == Tunnel::kNone && (mtu_ == 0 || header + l4.size() <= mtu_)) {
    // Fast path (benchmark captures): build the frame in place.
    frame_.clear();
    append_link_header(src.v6, src, dst);
    if (src.v6) {
      append_ipv6_header(frame_, src, dst, proto, l4.size());
    } else {
      append_ipv4_header(frame_, src, dst, proto, l4.size(), ip_id_, 0x4000);
    }
    ++ip_id_;
    frame_.insert(frame_.end(), l4.begin(), l4.end());
    write_record(ts_us);
    return;
  }
  std::vector<std::vector<std::uint8_t>> packets;
  ip_packets(src, dst, proto, l4, damage, packets);
  for (const auto& p : packets) {
    frame_packet(p, src, dst);
    write_record(ts_us);
  }
}

void PcapWriter::ip_packets(const Address& src, const Address& dst, std::uint8_t proto,
                            const std::vector<std::uint8_t>& l4, FragDamage damage,
                            std::vector<std::vector<std::uint8_t>>& out) {
  const std::uint16_t id = ip_id_++;
  const std::size_t header = src.v6 ? 40 : 20;
  if (mtu_ == 0 || header + l4.size() <= mtu_) {
    auto& p = out.emplace_back();
    if (src.v6) {
      append_ipv6_header(p, src, dst, proto, l4.size());
    } else {
      append_ipv4_header(p, src, dst, proto, l4.size(), id, 0x4000);  // DF
    }
    p.insert(p.end(), l4.begin(), l4.end());
    return;
  }
  // Fragment payloads are multiples of 8 bytes except the last (RFC 791, RFC 8200 §4.5,
  // where each fragment also carries the 8-byte Fragment header).
  const std::size_t per = ((mtu_ - header - (src.v6 ? 8 : 0)) / 8) * 8;
  for (std::size_t off = 0; off < l4.size(); off += per) {
    const std::size_t n = std::min(per, l4.size() - off);
    const bool more = off + n < l4.size();
    auto& p = out.emplace_back();
    if (src.v6) {
      append_ipv6_header(p, src, dst, 44, 8 + n);
      p.push_back(proto);
      p.push_back(0);
      be16(p, static_cast<std::uint16_t>(off | (more ? 1 : 0)));  // offset is already x8
      be32(p, 0x10000u + id);
    } else {
      append_ipv4_header(p, src, dst, proto, n, id,
                         static_cast<std::uint16_t>((more ? 0x2000 : 0) | (off / 8)));
    }
    p.insert(p.end(), l4.begin() + static_cast<std::ptrdiff_t>(off),
             l4.begin() + static_cast<std::ptrdiff_t>(off + n));
  }
  switch (damage) {
    case FragDamage::kNone:
      break;
    case FragDamage::kReorder:  // last fragment first, as after a multipath hop
      std::reverse(out.begin(), out.end());
      break;
    case FragDamage::kDuplicate:
      // The first fragment twice in a row, while the set is still open. (A copy arriving
      // after the datagram completed would look like a new, never-completed set.)
      out.insert(out.begin() + 1, out.front());
      break;
    case FragDamage::kDropOne:  // the second fragment never reaches the sensor
      if (out.size() > 1) out.erase(out.begin() + 1);
      break;
  }
}

void PcapWriter::frame_packet(const std::vector<std::uint8_t>& inner, const Address& src,
                              const Address& dst) {
  frame_.clear();
  const bool v6 = src.v6;
  if (tunnel_ == Tunnel::kNone) {
    append_link_header(v6, src, dst);
    frame_.insert(frame_.end(), inner.begin(), inner.end());
    return;
  }
  // Everything between the outer IPv4 header and the inner IP packet.
  std::vector<std::uint8_t> encap;
  std::uint8_t outer_proto = 47;  // GRE
  const std::uint16_t inner_type = v6 ? 0x86DD : 0x0800;
  switch (tunnel_) {
    case Tunnel::kNone:
      break;
    case Tunnel::kGre:  // RFC 2784: no checksum, no key, no sequence
      be16(encap, 0x0000);
      be16(encap, inner_type);
      break;
    case Tunnel::kGreTeb:  // Transparent Ethernet Bridging (0x6558): an Ethernet frame
      be16(encap, 0x0000);
      be16(encap, 0x6558);
      append_ethernet(encap, src, dst, inner_type);
      break;
    case Tunnel::kErspan2:
      // GRE with sequence number (RFC 2890), protocol 0x88BE; ERSPAN type II header
      // (draft-foschiano-erspan §4.1): Ver=1, VLAN 0, COS 0, En 0, T 0, session 7, index 0.
      be16(encap, 0x1000);
      be16(encap, 0x88BE);
      be32(encap, gre_seq_++);
      be16(encap, 0x1000);
      be16(encap, 7);
      be32(encap, 0);
      append_ethernet(encap, src, dst, inner_type);
      break;
    case Tunnel::kErspan3:
      // GRE protocol 0x22EB; ERSPAN type III header (§4.2): Ver=2, session 7, a 32-bit
      // timestamp, SGT 0, P 0, FT 0 (Ethernet frame), Hw ID 0, D 0, Gra 0, O 0 (no
      // platform-specific subheader).
      be16(encap, 0x1000);
      be16(encap, 0x22EB);
      be32(encap, gre_seq_++);
      be16(encap, 0x2000);
      be16(encap, 7);
      be32(encap, gre_seq_ * 1000u);
      be32(encap, 0);
      append_ethernet(encap, src, dst, inner_type);
      break;
    case Tunnel::kIpip:
    case Tunnel::k6in4:
      outer_proto = v6 ? 41 : 4;
      break;
    case Tunnel::kVxlan: {
      // RFC 7348 §5: outer UDP to 4789, source port from the inner flow, checksum 0;
      // VXLAN header: flags I=1, VNI 42; then the inner Ethernet frame.
      outer_proto = 17;
      const std::size_t vx_len = 8 + 8 + 14 + inner.size();
      be16(encap, static_cast<std::uint16_t>(49152 + (inner[v6 ? 39 : 19] & 0xff)));
      be16(encap, 4789);
      be16(encap, static_cast<std::uint16_t>(vx_len));
      be16(encap, 0);
      be32(encap, 0x08000000);
      be32(encap, 42u << 8);
      append_ethernet(encap, src, dst, inner_type);
      break;
    }
  }
  const Address& osrc = tunnel_src();
  const Address& odst = tunnel_dst();
  append_link_header(false, osrc, odst);
  append_ipv4_header(frame_, osrc, odst, outer_proto, encap.size() + inner.size(), outer_id_++,
                     0x4000);
  frame_.insert(frame_.end(), encap.begin(), encap.end());
  frame_.insert(frame_.end(), inner.begin(), inner.end());
}

void PcapWriter::write_record(std::int64_t ts_us) {
  const auto caplen = static_cast<std::uint32_t>(frame_.size());
  if (format_ == FileFormat::kPcapng) {
    const std::uint32_t padded = (caplen + 3) & ~3u;
    const std::uint32_t total = 32 + padded;
    const auto ts = static_cast<std::uint64_t>(ts_us);
    Le epb;
    epb.u32(6);
    epb.u32(total);
    epb.u32(0);
    epb.u32(static_cast<std::uint32_t>(ts >> 32));
    epb.u32(static_cast<std::uint32_t>(ts & 0xffffffff));
    epb.u32(caplen);
    epb.u32(caplen);
    put(epb.b, epb.n);
    frame_.resize(padded, 0);
    put(frame_.data(), padded);
    Le tail;
    tail.u32(total);
    put(tail.b, tail.n);
  } else {
    const auto sec = static_cast<std::uint32_t>(ts_us / 1000000);
    auto frac = static_cast<std::uint32_t>(ts_us % 1000000);
    if (format_ == FileFormat::kPcapNs) frac *= 1000;
    Le rec;
    rec.u32(sec);
    rec.u32(frac);
    rec.u32(caplen);
    rec.u32(caplen);
    put(rec.b, rec.n);
    put(frame_.data(), caplen);
  }
  ++packets_;
}

}  // namespace sipscope::gen
