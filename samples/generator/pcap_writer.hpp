// Writes UDP datagrams as capture records: pcap (micro- or nanosecond magic), or pcapng
// (SHB + one IDB + EPBs), with the chosen link-layer framing and IPv4/IPv6 + UDP headers
// carrying correct lengths and checksums (RFC 791, RFC 8200, RFC 768; UDP checksum over
// the pseudo-header of RFC 768 / RFC 8200 §8.1).
//
// Beyond plain UDP, write_ip() takes any transport payload (TCP segments and SCTP packets
// built by wire.hpp) and can fragment the IP datagram at an MTU (RFC 791 §2.3 / RFC 8200
// §4.5, with a deliberate FragDamage for the pathology scenarios), carry it inside a
// tunnel (GRE RFC 2784/2890, transparent Ethernet bridging, ERSPAN II/III, IP-in-IP RFC
// 2003, 6in4 RFC 4213, VXLAN RFC 7348) and frame it with an MPLS label stack (RFC 3032).
//
// Records are appended through one large stdio buffer (fwrite) so million-packet
// captures stream to disk without holding packets in memory. The writer owns the FILE;
// close() (or the destructor) flushes it. Open/write failures throw std::runtime_error:
// the generator is a tool, its errors are I/O errors caught in main().
//
//   PcapWriter w("out.pcap", FileFormat::kPcap, LinkKind::kEthernet);
//   w.write_udp(ts_us, src, dst, payload_bytes);
//   w.close();
#pragma once

#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "net.hpp"

namespace sipscope::gen {

enum class FileFormat { kPcap, kPcapNs, kPcapng };
enum class LinkKind { kEthernet, kVlan, kQinq, kSll, kSll2, kRaw, kNull, kMpls };
enum class Tunnel { kNone, kGre, kGreTeb, kErspan2, kErspan3, kIpip, k6in4, kVxlan };
// What happens to the fragments of one datagram (frag_* scenarios).
enum class FragDamage { kNone, kReorder, kDuplicate, kDropOne };

[[nodiscard]] bool parse_format(std::string_view s, FileFormat& out);
[[nodiscard]] bool parse_link(std::string_view s, LinkKind& out);
[[nodiscard]] std::string_view link_name(LinkKind k);
[[nodiscard]] bool parse_tunnel(std::string_view s, Tunnel& out);
[[nodiscard]] std::string_view tunnel_name(Tunnel t);

// LINKTYPE_* value written in the file header / IDB (www.tcpdump.org/linktypes.html).
[[nodiscard]] std::uint16_t link_type_number(LinkKind k);

class PcapWriter {
 public:
  PcapWriter(const std::string& path, FileFormat format, LinkKind link);
  ~PcapWriter();
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

  void write_udp(std::int64_t ts_us, const Endpoint& src, const Endpoint& dst,
                 std::span<const std::uint8_t> payload, FragDamage damage = FragDamage::kNone);
  // `l4` is a complete transport header + payload; for UDP (17) and TCP (6) its checksum
  // field is filled here (it covers the IP pseudo-header). SCTP carries its own CRC32c.
  // `l4` is modified (checksum).
  void write_ip(std::int64_t ts_us, const Address& src, const Address& dst, std::uint8_t proto,
                std::vector<std::uint8_t>& l4, FragDamage damage = FragDamage::kNone);
  // Datagrams whose IP packet exceeds `mtu` bytes are fragmented (0: never).
  void set_fragment_mtu(std::uint16_t mtu) { mtu_ = mtu; }
  void set_tunnel(Tunnel t) { tunnel_ = t; }
  void close();

  [[nodiscard]] std::uint64_t packets() const { return packets_; }
  [[nodiscard]] std::uint64_t bytes() const { return bytes_; }
  [[nodiscard]] std::uint16_t link_type() const { return link_type_number(link_); }

 private:
  void put(const void* data, std::size_t n);
  void write_file_header();
  void append_link_header(bool v6, const Address& src, const Address& dst);
  // Inner IP packets of one datagram (one, or its fragments after `damage`).
  void ip_packets(const Address& src, const Address& dst, std::uint8_t proto,
                  const std::vector<std::uint8_t>& l4, FragDamage damage,
                  std::vector<std::vector<std::uint8_t>>& out);
  // Wraps `inner` (an IP packet) in the tunnel and link framing into frame_.
  void frame_packet(const std::vector<std::uint8_t>& inner, const Address& src, const Address& dst);
  void write_record(std::int64_t ts_us);

  std::FILE* f_ = nullptr;
  std::vector<char> iobuf_;
  std::vector<std::uint8_t> frame_;  // reused per record
  std::vector<std::uint8_t> l4_;     // reused by write_udp
  FileFormat format_;
  LinkKind link_;
  std::string path_;
  std::uint16_t ip_id_ = 1;
  std::uint16_t outer_id_ = 1;
  std::uint32_t gre_seq_ = 0;
  std::uint16_t mtu_ = 0;
  Tunnel tunnel_ = Tunnel::kNone;
  std::uint64_t packets_ = 0;
  std::uint64_t bytes_ = 0;
};

}  // namespace sipscope::gen
