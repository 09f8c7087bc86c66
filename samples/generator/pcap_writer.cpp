#include "pcap_writer.hpp"

#include <cstring>
#include <stdexcept>

namespace sipscope::gen {
namespace {

constexpr std::uint32_t kSnapLen = 262144;

void be16(std::vector<std::uint8_t>& v, std::uint16_t x) {
  v.push_back(static_cast<std::uint8_t>(x >> 8));
  v.push_back(static_cast<std::uint8_t>(x & 0xff));
}
void be32(std::vector<std::uint8_t>& v, std::uint32_t x) {
  be16(v, static_cast<std::uint16_t>(x >> 16));
  be16(v, static_cast<std::uint16_t>(x & 0xffff));
}
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
                                      LinkKind::kNull};
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
  }
  return "?";
}

std::uint16_t link_type_number(LinkKind k) {
  switch (k) {
    case LinkKind::kEthernet:
    case LinkKind::kVlan:
    case LinkKind::kQinq:
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

void PcapWriter::append_link_header(bool v6, const Endpoint& src, const Endpoint& dst) {
  const std::uint16_t ethertype = v6 ? 0x86DD : 0x0800;
  switch (link_) {
    case LinkKind::kEthernet:
    case LinkKind::kVlan:
    case LinkKind::kQinq:
      append_mac(frame_, dst.ip);
      append_mac(frame_, src.ip);
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
    case LinkKind::kSll:
      be16(frame_, 0);  // packet type: to us
      be16(frame_, 1);  // ARPHRD_ETHER
      be16(frame_, 6);
      append_mac(frame_, src.ip);
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
      append_mac(frame_, src.ip);
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
                           std::span<const std::uint8_t> payload) {
  const bool v6 = src.ip.v6;
  frame_.clear();
  append_link_header(v6, src, dst);
  const std::size_t ip_at = frame_.size();
  const auto udp_len = static_cast<std::uint16_t>(8 + payload.size());
  std::uint32_t pseudo = 0;
  if (!v6) {
    frame_.push_back(0x45);
    frame_.push_back(0);
    be16(frame_, static_cast<std::uint16_t>(20 + udp_len));
    be16(frame_, ip_id_++);
    be16(frame_, 0x4000);  // DF
    frame_.push_back(64);
    frame_.push_back(17);
    be16(frame_, 0);
    frame_.insert(frame_.end(), src.ip.bytes.begin(), src.ip.bytes.begin() + 4);
    frame_.insert(frame_.end(), dst.ip.bytes.begin(), dst.ip.bytes.begin() + 4);
    set_be16(frame_, ip_at + 10, fold(sum16(frame_.data() + ip_at, 20, 0)));
    pseudo = sum16(frame_.data() + ip_at + 12, 8, 0) + 17 + udp_len;
  } else {
    be32(frame_, 0x60000000);
    be16(frame_, udp_len);
    frame_.push_back(17);
    frame_.push_back(64);
    frame_.insert(frame_.end(), src.ip.bytes.begin(), src.ip.bytes.end());
    frame_.insert(frame_.end(), dst.ip.bytes.begin(), dst.ip.bytes.end());
    pseudo = sum16(frame_.data() + ip_at + 8, 32, 0) + 17 + udp_len;
  }
  const std::size_t udp_at = frame_.size();
  be16(frame_, src.port);
  be16(frame_, dst.port);
  be16(frame_, udp_len);
  be16(frame_, 0);
  frame_.insert(frame_.end(), payload.begin(), payload.end());
  std::uint16_t ck = fold(sum16(frame_.data() + udp_at, udp_len, pseudo));
  if (ck == 0) ck = 0xffff;  // RFC 768: zero means "no checksum"
  set_be16(frame_, udp_at + 6, ck);

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
