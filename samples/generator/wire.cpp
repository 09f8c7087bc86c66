#include "wire.hpp"

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

namespace sipscope::gen {
namespace {

void le16(std::vector<std::uint8_t>& v, std::uint16_t x) {
  v.push_back(static_cast<std::uint8_t>(x & 0xff));
  v.push_back(static_cast<std::uint8_t>(x >> 8));
}
void le32(std::vector<std::uint8_t>& v, std::uint32_t x) {
  le16(v, static_cast<std::uint16_t>(x & 0xffff));
  le16(v, static_cast<std::uint16_t>(x >> 16));
}
void append(std::vector<std::uint8_t>& v, std::string_view s) {
  v.insert(v.end(), s.begin(), s.end());
}

// The SIP text as that transport's UAs would write it: Via sent-protocol and the
// Contact URI's transport parameter.
std::string retarget(const std::string& text, std::string_view token, std::string_view param) {
  std::string out;
  out.reserve(text.size() + 32);
  const std::size_t head_end = text.find("\r\n\r\n");
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t eol = text.find("\r\n", pos);
    if (eol == std::string::npos || pos > head_end) {
      out.append(text, pos, std::string::npos);
      break;
    }
    std::string line = text.substr(pos, eol - pos);
    if (line.rfind("Via: SIP/2.0/UDP ", 0) == 0) {
      line = "Via: SIP/2.0/" + std::string(token) + line.substr(16);
    } else if (line.rfind("Contact: <sip:", 0) == 0) {
      const std::size_t gt = line.find('>');
      if (gt != std::string::npos) line.insert(gt, ";transport=" + std::string(param));
    }
    out += line;
    out += "\r\n";
    pos = eol + 2;
  }
  return out;
}

// A stable key for the unordered pair of endpoints of a connection/association.
std::string pair_key(const Endpoint& a, const Endpoint& b) {
  std::string x = a.host_port(), y = b.host_port();
  return x < y ? x + "|" + y : y + "|" + x;
}

bool same(const Endpoint& a, const Endpoint& b) {
  return a.port == b.port && a.ip.bytes == b.ip.bytes && a.ip.v6 == b.ip.v6;
}

// Byte offset of a cut inside the header section (inside the Call-ID line) and one
// inside the body (its middle; the end of the headers when there is no body).
std::pair<std::size_t, std::size_t> cut_points(const std::string& t) {
  std::size_t c1 = t.find("Call-ID: ");
  c1 = c1 == std::string::npos ? t.size() / 3 : c1 + 12;
  std::size_t head_end = t.find("\r\n\r\n");
  head_end = head_end == std::string::npos ? t.size() : head_end + 4;
  std::size_t c2 = head_end < t.size() ? head_end + (t.size() - head_end) / 2 : head_end - 2;
  if (c2 <= c1) c2 = std::min(t.size() - 1, c1 + 1);
  return {c1, c2};
}

// ---- TCP ----------------------------------------------------------------------------

constexpr std::uint8_t kFin = 0x01, kSyn = 0x02, kPsh = 0x08, kAck = 0x10;

struct TcpConn {
  Endpoint client, server;
  std::uint32_t next[2] = {0, 0};  // next sequence number per direction (0 = client)
  std::string held[2];             // kTcpPackWithNext bytes waiting for the next message
};

class TcpWriter {
 public:
  explicit TcpWriter(std::vector<WirePacket>& out) : out_(out) {}

  void send(const SipPacket& p) {
    auto [it, fresh] = conns_.try_emplace(pair_key(p.src, p.dst));
    TcpConn& c = it->second;
    if (fresh) open(c, p);
    const int dir = same(p.src, c.client) ? 0 : 1;
    if (p.damage == Damage::kTcpPackWithNext) {
      c.held[dir] += p.text;
      return;
    }
    const std::string bytes = std::exchange(c.held[dir], std::string()) + p.text;
    const std::uint32_t s = c.next[dir];
    const std::int64_t t = p.ts_us;
    const std::size_t n = bytes.size();
    auto seg = [&](std::int64_t at, std::size_t from, std::size_t to) {
      segment(at, c, dir, kPsh | kAck, s + static_cast<std::uint32_t>(from),
              std::string_view(bytes).substr(from, to - from));
    };
    const auto [c1, c2] = cut_points(bytes);
    switch (p.damage) {
      case Damage::kTcpSplit:
        seg(t - 200, 0, c1);
        seg(t - 100, c1, c2);
        seg(t, c2, n);
        break;
      case Damage::kTcpReorder:
        seg(t - 100, c1, n);
        seg(t, 0, c1);
        break;
      case Damage::kTcpOverlap:
        seg(t - 100, 0, std::min(n, c1 + 40));
        seg(t, c1, n);
        break;
      case Damage::kTcpRetrans:
        seg(t, 0, n);
        seg(t + 1000, 0, n);
        break;
      case Damage::kTcpGap:
        seg(t - 200, 0, c1);
        seg(t, c2, n);
        break;
      case Damage::kTcpTailOnly:
        seg(t, n / 2, n);
        break;
      default:
        seg(t, 0, n);
        break;
    }
    c.next[dir] = s + static_cast<std::uint32_t>(n);
  }

  // Orderly close of every connection after the last message (FIN, FIN, ACK).
  void close_all(std::int64_t t) {
    for (auto& [key, c] : conns_) {
      segment(t, c, 0, kFin | kAck, c.next[0], {});
      ++c.next[0];
      segment(t + 100, c, 1, kFin | kAck, c.next[1], {});
      ++c.next[1];
      segment(t + 200, c, 0, kAck, c.next[0], {});
      t += 1000;
    }
  }

 private:
  void open(TcpConn& c, const SipPacket& first) {
    c.client = first.src;
    c.server = first.dst;
    // Deterministic initial sequence numbers, different per connection.
    const std::uint32_t isn_c =
        0x10000000u + 0x01000000u * static_cast<std::uint32_t>(conns_.size());
    const std::uint32_t isn_s =
        0x80000000u + 0x01000000u * static_cast<std::uint32_t>(conns_.size());
    c.next[0] = isn_c + 1;
    c.next[1] = isn_s + 1;
    // A capture that starts mid-stream has no handshake.
    if (first.damage == Damage::kTcpTailOnly) return;
    const std::int64_t t = first.ts_us;
    c.next[1] = 0;  // nothing to acknowledge yet in the SYN
    segment(t - 3000, c, 0, kSyn, isn_c, {});
    c.next[1] = isn_s + 1;
    segment(t - 2000, c, 1, kSyn | kAck, isn_s, {});
    segment(t - 1000, c, 0, kAck, isn_c + 1, {});
  }

  void segment(std::int64_t ts, const TcpConn& c, int dir, std::uint8_t flags, std::uint32_t seq,
               std::string_view payload) {
    const Endpoint& src = dir == 0 ? c.client : c.server;
    const Endpoint& dst = dir == 0 ? c.server : c.client;
    WirePacket w;
    w.ts_us = ts;
    w.src = src.ip;
    w.dst = dst.ip;
    w.proto = 6;
    auto& v = w.l4;
    be16(v, src.port);
    be16(v, dst.port);
    be32(v, seq);
    be32(v, (flags & kAck) ? c.next[1 - dir] : 0);
    v.push_back(5 << 4);  // data offset: 20 bytes, no options
    v.push_back(flags);
    be16(v, 65535);  // window
    be16(v, 0);      // checksum: filled by PcapWriter::write_ip
    be16(v, 0);      // urgent pointer
    append(v, payload);
    out_.push_back(std::move(w));
  }

  std::vector<WirePacket>& out_;
  std::map<std::string, TcpConn> conns_;
};

// ---- SCTP ---------------------------------------------------------------------------

struct SctpAssoc {
  Endpoint a;
  std::uint32_t vtag[2] = {0, 0};  // tag the receiver chose (carried by the sender)
  std::uint32_t tsn[2] = {0, 0};
  std::uint16_t ssn[2] = {0, 0};
  std::vector<std::uint8_t> held[2];  // bundled chunks waiting for the next message
};

void data_chunk(std::vector<std::uint8_t>& v, SctpAssoc& a, int dir, std::string_view text) {
  // RFC 4960 §3.3.1: type 0, flags U=0 B=1 E=1, length without padding, TSN, stream 0,
  // stream sequence number, payload protocol identifier 0 (none registered for SIP).
  v.push_back(0);
  v.push_back(0x03);
  be16(v, static_cast<std::uint16_t>(16 + text.size()));
  be32(v, a.tsn[dir]++);
  be16(v, 0);
  be16(v, a.ssn[dir]++);
  be32(v, 0);
  append(v, text);
  while (v.size() % 4 != 0) v.push_back(0);
}

void to_sctp(Emission& e) {
  std::map<std::string, SctpAssoc> assocs;
  for (const SipPacket& p : e.sip) {
    auto [it, fresh] = assocs.try_emplace(pair_key(p.src, p.dst));
    SctpAssoc& a = it->second;
    if (fresh) {
      a.a = p.src;
      const auto k = static_cast<std::uint32_t>(assocs.size());
      a.vtag[0] = 0x5C7A0000u + 2 * k;
      a.vtag[1] = 0x5C7A0001u + 2 * k;
      a.tsn[0] = 1000u * k;
      a.tsn[1] = 5000u * k;
    }
    const int dir = same(p.src, a.a) ? 0 : 1;
    std::vector<std::uint8_t> chunks = std::exchange(a.held[dir], {});
    data_chunk(chunks, a, dir, p.text);
    if (p.damage == Damage::kSctpBundleWithNext) {
      a.held[dir] = std::move(chunks);
      continue;
    }
    WirePacket w;
    w.ts_us = p.ts_us;
    w.src = p.src.ip;
    w.dst = p.dst.ip;
    w.proto = 132;
    be16(w.l4, p.src.port);
    be16(w.l4, p.dst.port);
    be32(w.l4, a.vtag[dir]);
    be32(w.l4, 0);
    w.l4.insert(w.l4.end(), chunks.begin(), chunks.end());
    // The CRC32c is stored in the byte order the reflected algorithm produces (RFC 4960
    // Appendix B): least significant byte first.
    const std::uint32_t crc = crc32c(w.l4.data(), w.l4.size());
    for (int k = 0; k < 4; ++k) w.l4[8 + k] = static_cast<std::uint8_t>(crc >> (8 * k));
    e.wire.push_back(std::move(w));
  }
  e.sip.clear();
}

// ---- HEP ----------------------------------------------------------------------------

void hep3_chunk(std::vector<std::uint8_t>& v, std::uint16_t type,
                const std::vector<std::uint8_t>& value) {
  be16(v, 0);  // vendor: generic
  be16(v, type);
  be16(v, static_cast<std::uint16_t>(6 + value.size()));
  v.insert(v.end(), value.begin(), value.end());
}

std::vector<std::uint8_t> hep3(const SipPacket& p, std::uint8_t proto) {
  // HEP3 rev 12: "HEP3", total length, then chunks (vendor 0): 1 family, 2 protocol,
  // 3/4 IPv4 src/dst or 5/6 IPv6 src/dst, 7/8 ports, 9/10 timestamp s/us, 11 protocol
  // type (1 = SIP), 12 capture agent id, 15 payload. All integers big-endian.
  const bool v6 = p.src.ip.v6;
  std::vector<std::uint8_t> v;
  append(v, "HEP3");
  be16(v, 0);
  std::vector<std::uint8_t> x;
  hep3_chunk(v, 1, {static_cast<std::uint8_t>(v6 ? 10 : 2)});
  hep3_chunk(v, 2, {proto});
  const std::size_t alen = v6 ? 16 : 4;
  hep3_chunk(v, v6 ? 5 : 3, {p.src.ip.bytes.begin(), p.src.ip.bytes.begin() + alen});
  hep3_chunk(v, v6 ? 6 : 4, {p.dst.ip.bytes.begin(), p.dst.ip.bytes.begin() + alen});
  x.clear();
  be16(x, p.src.port);
  hep3_chunk(v, 7, x);
  x.clear();
  be16(x, p.dst.port);
  hep3_chunk(v, 8, x);
  x.clear();
  be32(x, static_cast<std::uint32_t>(p.ts_us / 1000000));
  hep3_chunk(v, 9, x);
  x.clear();
  be32(x, static_cast<std::uint32_t>(p.ts_us % 1000000));
  hep3_chunk(v, 10, x);
  hep3_chunk(v, 11, {1});
  x.clear();
  be32(x, 2001);
  hep3_chunk(v, 12, x);
  hep3_chunk(v, 15, {p.text.begin(), p.text.end()});
  v[4] = static_cast<std::uint8_t>(v.size() >> 8);
  v[5] = static_cast<std::uint8_t>(v.size() & 0xff);
  return v;
}

std::vector<std::uint8_t> hep2(const SipPacket& p, std::uint8_t proto) {
  // HEP v2 as captagent/Kamailio write it: struct hep_hdr {u8 version = 2, u8 length of
  // hep_hdr + hep_iphdr (16 for IPv4, 40 for IPv6), u8 family, u8 protocol, u16 sport,
  // u16 dport (network order)}, the addresses, then struct hep_timehdr {u32 tv_sec,
  // u32 tv_usec, u16 captid} in the agent's host order (little-endian) with 2 bytes of
  // struct padding (12 bytes), then the SIP message.
  const bool v6 = p.src.ip.v6;
  const std::size_t alen = v6 ? 16 : 4;
  std::vector<std::uint8_t> v;
  v.push_back(2);
  v.push_back(static_cast<std::uint8_t>(8 + 2 * alen));
  v.push_back(static_cast<std::uint8_t>(v6 ? 10 : 2));
  v.push_back(proto);
  be16(v, p.src.port);
  be16(v, p.dst.port);
  v.insert(v.end(), p.src.ip.bytes.begin(), p.src.ip.bytes.begin() + alen);
  v.insert(v.end(), p.dst.ip.bytes.begin(), p.dst.ip.bytes.begin() + alen);
  le32(v, static_cast<std::uint32_t>(p.ts_us / 1000000));
  le32(v, static_cast<std::uint32_t>(p.ts_us % 1000000));
  le16(v, 2001);
  le16(v, 0);
  append(v, p.text);
  return v;
}

void to_hep(int version, std::uint8_t proto, Emission& e) {
  std::stable_sort(e.sip.begin(), e.sip.end(),
                   [](const SipPacket& a, const SipPacket& b) { return a.ts_us < b.ts_us; });
  const Address agent = make_address(10, 0, 0, 99, false);
  const Address collector = make_address(10, 0, 0, 100, false);
  for (const SipPacket& p : e.sip) {
    const auto payload = version == 2 ? hep2(p, proto) : hep3(p, proto);
    WirePacket w;
    w.ts_us = p.ts_us + kHepDelayUs;
    w.src = agent;
    w.dst = collector;
    w.proto = 17;
    be16(w.l4, 47000);
    be16(w.l4, kHepPort);
    be16(w.l4, static_cast<std::uint16_t>(8 + payload.size()));
    be16(w.l4, 0);
    w.l4.insert(w.l4.end(), payload.begin(), payload.end());
    e.wire.push_back(std::move(w));
  }
  e.sip.clear();
}

}  // namespace

bool parse_transport(std::string_view s, Transport& out) {
  if (s == "udp")
    out = Transport::kUdp;
  else if (s == "tcp")
    out = Transport::kTcp;
  else if (s == "sctp")
    out = Transport::kSctp;
  else
    return false;
  return true;
}

std::string_view transport_name(Transport t) {
  switch (t) {
    case Transport::kUdp:
      return "UDP";
    case Transport::kTcp:
      return "TCP";
    case Transport::kSctp:
      return "SCTP";
  }
  return "UDP";
}

std::uint32_t crc32c(const std::uint8_t* p, std::size_t n) {
  std::uint32_t crc = 0xffffffffu;
  for (std::size_t i = 0; i < n; ++i) {
    crc ^= p[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
  }
  return ~crc;
}

void apply_transport(const WireConfig& cfg, Emission& e, Truth& truth) {
  if (cfg.transport != Transport::kUdp) {
    const std::string token(transport_name(cfg.transport));
    const std::string param = cfg.transport == Transport::kTcp ? "tcp" : "sctp";
    for (auto& p : e.sip) p.text = retarget(p.text, token, param);
    for (auto& c : truth.calls) c.transport = token;
  }
  if (cfg.hep != 0) {
    // The agent mirrors what it saw; sipscope analyses the inner messages, so the truth
    // keeps the original transport. RTP is not mirrored.
    const std::uint8_t proto = cfg.transport == Transport::kTcp    ? 6
                               : cfg.transport == Transport::kSctp ? 132
                                                                   : 17;
    to_hep(cfg.hep, proto, e);
    e.rtp.clear();
    truth.streams.clear();
    return;
  }
  if (cfg.transport == Transport::kTcp) {
    std::stable_sort(e.sip.begin(), e.sip.end(),
                     [](const SipPacket& a, const SipPacket& b) { return a.ts_us < b.ts_us; });
    TcpWriter w(e.wire);
    std::int64_t last = 0;
    for (const auto& p : e.sip) {
      w.send(p);
      last = std::max(last, p.ts_us);
    }
    w.close_all(last + 500000);
    e.sip.clear();
  } else if (cfg.transport == Transport::kSctp) {
    std::stable_sort(e.sip.begin(), e.sip.end(),
                     [](const SipPacket& a, const SipPacket& b) { return a.ts_us < b.ts_us; });
    to_sctp(e);
  }
}

}  // namespace sipscope::gen
