#include "report/pcap_slice.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "decode/ip.hpp"
#include "decode/link.hpp"

namespace sipscope::report {

namespace {

void put32le(std::ostream& out, uint32_t v) {
  const char b[4] = {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16),
                     static_cast<char>(v >> 24)};
  out.write(b, 4);
}

void put16le(std::ostream& out, uint16_t v) {
  const char b[2] = {static_cast<char>(v), static_cast<char>(v >> 8)};
  out.write(b, 2);
}

uint16_t be16(const uint8_t* p) {
  return static_cast<uint16_t>((p[0] << 8) | p[1]);
}
uint32_t be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
void set16(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
void set32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

uint32_t partial_sum(std::span<const uint8_t> data, uint32_t sum) {
  size_t i = 0;
  for (; i + 1 < data.size(); i += 2) sum += (uint32_t{data[i]} << 8) | data[i + 1];
  if (i < data.size()) sum += uint32_t{data[i]} << 8;
  while ((sum >> 16) != 0) sum = (sum & 0xFFFF) + (sum >> 16);
  return sum;
}

}  // namespace

uint16_t internet_checksum(std::span<const uint8_t> data, uint32_t sum) {
  return static_cast<uint16_t>(~partial_sum(data, sum) & 0xFFFF);
}

PcapWriter::PcapWriter(std::ostream& out, int link_type, uint32_t snaplen) : out_(out) {
  put32le(out_, 0xA1B2C3D4);  // microsecond timestamps
  put16le(out_, 2);
  put16le(out_, 4);
  put32le(out_, 0);  // thiszone
  put32le(out_, 0);  // sigfigs
  put32le(out_, snaplen);
  put32le(out_, static_cast<uint32_t>(link_type));
}

void PcapWriter::write(int64_t ts_us, std::span<const uint8_t> data, uint32_t wire_length) {
  const int64_t sec = ts_us >= 0 ? ts_us / 1'000'000 : (ts_us - 999'999) / 1'000'000;
  put32le(out_, static_cast<uint32_t>(sec));
  put32le(out_, static_cast<uint32_t>(ts_us - sec * 1'000'000));
  put32le(out_, static_cast<uint32_t>(data.size()));
  put32le(out_, std::max<uint32_t>(wire_length, static_cast<uint32_t>(data.size())));
  out_.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

bool redact_frame(int link_type, std::vector<uint8_t>& frame, uint32_t& wire_length,
                  bool sip_payload, Redactor& r, TcpShifts& shifts) {
  decode::LinkLayer link;
  if (decode::decode_link(link_type, frame, link) != decode::LinkError::ok) return false;
  decode::IpPacket ip;
  if (decode::decode_ip(link.payload, ip) != decode::IpError::ok) return false;
  const size_t ip_off = static_cast<size_t>(link.payload.data() - frame.data());
  const size_t l4_off = static_cast<size_t>(ip.payload.data() - frame.data());
  const size_t ip_end = l4_off + ip.payload.size();  // bytes after it: link padding
  uint8_t* iph = frame.data() + ip_off;
  const bool v4 = ip.version == 4;
  std::string flow_key;
  flow_key.append(reinterpret_cast<const char*>(ip.src.bytes.data()), 16);
  flow_key.append(reinterpret_cast<const char*>(ip.dst.bytes.data()), 16);
  std::string reverse_key = flow_key.substr(16) + flow_key.substr(0, 16);

  // Addresses first: the transport checksum's pseudo-header uses the new ones.
  if (v4) {
    std::array<uint8_t, 4> a{};
    std::memcpy(a.data(), iph + 12, 4);
    a = r.ipv4(a);
    std::memcpy(iph + 12, a.data(), 4);
    std::memcpy(a.data(), iph + 16, 4);
    a = r.ipv4(a);
    std::memcpy(iph + 16, a.data(), 4);
  } else {
    std::array<uint8_t, 16> a{};
    std::memcpy(a.data(), iph + 8, 16);
    a = r.ipv6(a);
    std::memcpy(iph + 8, a.data(), 16);
    std::memcpy(a.data(), iph + 24, 16);
    a = r.ipv6(a);
    std::memcpy(iph + 24, a.data(), 16);
  }

  const bool udp = ip.protocol == 17 && ip.payload.size() >= 8;
  const bool tcp = ip.protocol == 6 && ip.payload.size() >= 20;
  size_t l4_hdr = 0;
  if (udp) l4_hdr = 8;
  if (tcp) l4_hdr = size_t{static_cast<uint8_t>(frame[l4_off + 12] >> 4)} * 4;
  const bool whole =
      !ip.truncated && !ip.fragment && (udp || tcp) && l4_hdr >= 8 && l4_hdr <= ip.payload.size();
  if (whole) {
    uint16_t sport = be16(frame.data() + l4_off);
    uint16_t dport = be16(frame.data() + l4_off + 2);
    flow_key += std::to_string(sport) + ">" + std::to_string(dport);
    reverse_key += std::to_string(dport) + ">" + std::to_string(sport);
    const size_t pay_off = l4_off + l4_hdr;
    int64_t delta = 0;
    size_t new_end = ip_end;
    if (sip_payload && pay_off < ip_end) {
      const std::string_view old_payload(reinterpret_cast<const char*>(frame.data() + pay_off),
                                         ip_end - pay_off);
      const std::string redacted = r.sip(old_payload);
      delta = static_cast<int64_t>(redacted.size()) - static_cast<int64_t>(old_payload.size());
      std::vector<uint8_t> rebuilt(frame.begin(), frame.begin() + static_cast<ptrdiff_t>(pay_off));
      rebuilt.insert(rebuilt.end(), redacted.begin(), redacted.end());
      const int64_t padding = static_cast<int64_t>(frame.size() - ip_end);
      frame = std::move(rebuilt);
      wire_length = static_cast<uint32_t>(std::max<int64_t>(
          static_cast<int64_t>(frame.size()), static_cast<int64_t>(wire_length) + delta - padding));
      iph = frame.data() + ip_off;
      new_end = frame.size();
    }
    const size_t l4_len = new_end - l4_off;
    if (v4) {
      set16(iph + 2, static_cast<uint32_t>(new_end - ip_off));
    } else {
      set16(iph + 4, static_cast<uint32_t>(new_end - ip_off - 40));
    }
    uint8_t* l4 = frame.data() + l4_off;
    if (tcp) {
      // The bytes before this segment in each direction moved by the earlier deltas.
      const int64_t fwd = shifts[flow_key];
      const int64_t rev = shifts.count(reverse_key) != 0U ? shifts[reverse_key] : 0;
      set32(l4 + 4, static_cast<uint32_t>(be32(l4 + 4) + static_cast<uint32_t>(fwd)));
      if ((l4[13] & 0x10) != 0) {
        set32(l4 + 8, static_cast<uint32_t>(be32(l4 + 8) + static_cast<uint32_t>(rev)));
      }
      shifts[flow_key] = fwd + delta;
    }
    const size_t csum_at = udp ? 6 : 16;
    const bool udp_v4_no_checksum = udp && v4 && be16(l4 + 6) == 0;
    if (udp) set16(l4 + 4, static_cast<uint32_t>(l4_len));
    if (!udp_v4_no_checksum) {
      set16(l4 + csum_at, 0);
      // Pseudo-header: RFC 768 / RFC 793 (IPv4), RFC 8200 §8.1 (IPv6).
      uint32_t sum = 0;
      const size_t alen = v4 ? 4 : 16;
      sum = partial_sum({iph + (v4 ? 12 : 8), alen * 2}, sum);
      sum += ip.protocol;
      sum += static_cast<uint32_t>(l4_len & 0xFFFF) + static_cast<uint32_t>(l4_len >> 16);
      uint16_t c = internet_checksum({l4, l4_len}, sum);
      if (udp && c == 0) c = 0xFFFF;  // RFC 768: a computed 0 is sent as all ones
      set16(l4 + csum_at, c);
    }
  }
  if (sip_payload && ip.fragment && !ip.truncated) {
    // One IP fragment of a SIP datagram: its text cannot be rewritten without the others
    // (lengths would change under fixed offsets), so it is blanked instead of leaked. The
    // first fragment keeps its UDP ports; its checksum no longer matches and is cleared
    // (IPv4: RFC 768 "no checksum").
    size_t from = l4_off;
    if (ip.fragment_offset == 0 && ip.protocol == 17 && ip.payload.size() >= 8) {
      from += 8;
      if (v4) set16(frame.data() + l4_off + 6, 0);
    }
    for (size_t i = from; i < ip_end; ++i) frame[i] = 'x';
  }
  if (v4) {
    const size_t ihl = size_t{static_cast<uint8_t>(iph[0] & 0x0F)} * 4;
    set16(iph + 10, 0);
    set16(iph + 10, internet_checksum({iph, ihl}));
  }
  return true;
}

}  // namespace sipscope::report
