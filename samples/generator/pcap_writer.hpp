// Writes UDP datagrams as capture records: pcap (micro- or nanosecond magic), or pcapng
// (SHB + one IDB + EPBs), with the chosen link-layer framing and IPv4/IPv6 + UDP headers
// carrying correct lengths and checksums (RFC 791, RFC 8200, RFC 768; UDP checksum over
// the pseudo-header of RFC 768 / RFC 8200 §8.1).
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
enum class LinkKind { kEthernet, kVlan, kQinq, kSll, kSll2, kRaw, kNull };

[[nodiscard]] bool parse_format(std::string_view s, FileFormat& out);
[[nodiscard]] bool parse_link(std::string_view s, LinkKind& out);
[[nodiscard]] std::string_view link_name(LinkKind k);

// LINKTYPE_* value written in the file header / IDB (www.tcpdump.org/linktypes.html).
[[nodiscard]] std::uint16_t link_type_number(LinkKind k);

class PcapWriter {
 public:
  PcapWriter(const std::string& path, FileFormat format, LinkKind link);
  ~PcapWriter();
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

  void write_udp(std::int64_t ts_us, const Endpoint& src, const Endpoint& dst,
                 std::span<const std::uint8_t> payload);
  void close();

  [[nodiscard]] std::uint64_t packets() const { return packets_; }
  [[nodiscard]] std::uint64_t bytes() const { return bytes_; }
  [[nodiscard]] std::uint16_t link_type() const { return link_type_number(link_); }

 private:
  void put(const void* data, std::size_t n);
  void write_file_header();
  void append_link_header(bool v6, const Endpoint& src, const Endpoint& dst);

  std::FILE* f_ = nullptr;
  std::vector<char> iobuf_;
  std::vector<std::uint8_t> frame_;  // reused per record
  FileFormat format_;
  LinkKind link_;
  std::string path_;
  std::uint16_t ip_id_ = 1;
  std::uint64_t packets_ = 0;
  std::uint64_t bytes_ = 0;
};

}  // namespace sipscope::gen
