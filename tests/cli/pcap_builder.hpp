// Captures built from bytes for the CLI tests: a little-endian classic pcap (tcpdump.org
// pcap-savefile), Ethernet II, IPv4 (RFC 791, header checksum computed), UDP with checksum
// 0 (RFC 768: none). A datagram longer than `piece` bytes is cut into IPv4 fragments
// (offsets in units of 8, RFC 791 §2.3), each 1 ms after the previous.
//
//   PcapBuilder pcap(dir / "x.pcap");
//   pcap.udp(ts_us, "192.0.2.10", 5060, "203.0.113.20", 5060, invite);
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace sipscope::testing {

class PcapBuilder {
 public:
  explicit PcapBuilder(const std::filesystem::path& path) : out_(path, std::ios::binary) {
    const uint8_t header[24] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0,
                                0,    0,    0,    0,    0, 0, 4, 0, 1, 0, 0, 0};
    out_.write(reinterpret_cast<const char*>(header), 24);
  }
  void udp(int64_t ts_us, const char* src, int sport, const char* dst, int dport,
           const std::string& payload, size_t piece = 65535, uint16_t id = 1) {
    const size_t ul = 8 + payload.size();
    std::vector<uint8_t> datagram = {static_cast<uint8_t>(sport >> 8),
                                     static_cast<uint8_t>(sport),
                                     static_cast<uint8_t>(dport >> 8),
                                     static_cast<uint8_t>(dport),
                                     static_cast<uint8_t>(ul >> 8),
                                     static_cast<uint8_t>(ul),
                                     0,
                                     0};
    datagram.insert(datagram.end(), payload.begin(), payload.end());
    for (size_t off = 0; off < datagram.size(); off += piece) {
      const size_t len = std::min(piece, datagram.size() - off);
      const bool more = off + len < datagram.size();
      std::vector<uint8_t> f = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00};
      const size_t total = 20 + len;
      const size_t fo = (more ? 0x2000 : 0) | off / 8;
      std::vector<uint8_t> ip = {0x45,
                                 0,
                                 static_cast<uint8_t>(total >> 8),
                                 static_cast<uint8_t>(total),
                                 static_cast<uint8_t>(id >> 8),
                                 static_cast<uint8_t>(id),
                                 static_cast<uint8_t>(fo >> 8),
                                 static_cast<uint8_t>(fo),
                                 64,
                                 17,
                                 0,
                                 0};
      address(ip, src);
      address(ip, dst);
      set_ipv4_checksum(ip);
      f.insert(f.end(), ip.begin(), ip.end());
      f.insert(f.end(), datagram.begin() + static_cast<ptrdiff_t>(off),
               datagram.begin() + static_cast<ptrdiff_t>(off + len));
      frame(ts_us + static_cast<int64_t>(off / piece) * 1000, f);
    }
  }
  // One Ethernet frame as given.
  void frame(int64_t ts_us, const std::vector<uint8_t>& f) {
    const uint32_t rec[4] = {static_cast<uint32_t>(ts_us / 1'000'000),
                             static_cast<uint32_t>(ts_us % 1'000'000),
                             static_cast<uint32_t>(f.size()), static_cast<uint32_t>(f.size())};
    out_.write(reinterpret_cast<const char*>(rec), 16);  // the test host is little-endian
    out_.write(reinterpret_cast<const char*>(f.data()), static_cast<std::streamsize>(f.size()));
    out_.flush();
    ++frames_;
  }
  // RFC 791 header checksum over the IHL words of the IPv4 header `ip` starts with.
  static void set_ipv4_checksum(std::vector<uint8_t>& ip) {
    const size_t n = size_t{ip[0] & 0x0fU} * 4;
    ip[10] = ip[11] = 0;
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < n; i += 2) sum += (ip[i] << 8) | ip[i + 1];
    while ((sum >> 16) != 0) sum = (sum & 0xFFFF) + (sum >> 16);
    ip[10] = static_cast<uint8_t>(~sum >> 8);
    ip[11] = static_cast<uint8_t>(~sum);
  }
  [[nodiscard]] int frames() const { return frames_; }

 private:
  static void address(std::vector<uint8_t>& ip, const char* text) {
    unsigned a = 0, b = 0, c = 0, d = 0;
    std::sscanf(text, "%u.%u.%u.%u", &a, &b, &c, &d);
    for (unsigned v : {a, b, c, d}) ip.push_back(static_cast<uint8_t>(v));
  }

  std::ofstream out_;
  int frames_ = 0;
};

}  // namespace sipscope::testing
