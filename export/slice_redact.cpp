// redact_slice (report/pcap_slice.hpp): rebuilds every frame of a slice layer by layer.
// Each layer parses its header with the decoders of decode/, rewrites its payload
// recursively into a new buffer and then writes its own header with the new length and
// checksum, so a change of size anywhere inside is carried out to the link layer.
// Two passes: the first (scan) collects IP fragments and TCP segments, which need the
// other frames of their datagram or stream; the second rewrites.
#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>
#include <optional>

#include "decode/frame.hpp"
#include "decode/hep.hpp"
#include "decode/ip.hpp"
#include "decode/link.hpp"
#include "decode/sip/message.hpp"
#include "decode/tunnel.hpp"
#include "decode/websocket.hpp"
#include "export/pcap_slice.hpp"

namespace sipscope::export_ {

namespace {

using Bytes = std::vector<uint8_t>;
using Span = std::span<const uint8_t>;

constexpr int kMaxDepth = 8;  // nested tunnels followed; deeper content is blanked

uint16_t be16(const uint8_t* p) {
  return static_cast<uint16_t>((p[0] << 8) | p[1]);
}
uint32_t be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
void set16(uint8_t* p, size_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
void set32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}
std::string_view chars(Span s) {
  return {reinterpret_cast<const char*>(s.data()), s.size()};
}
Bytes bytes_of(std::string_view s) {
  return {s.begin(), s.end()};
}
void append(Bytes& out, Span s) {
  out.insert(out.end(), s.begin(), s.end());
}
bool sniff_sip(std::string_view s) {
  while (!s.empty() && (s.front() == '\r' || s.front() == '\n')) s.remove_prefix(1);
  return decode::sip::looks_like_sip(s);
}
bool istarts(std::string_view s, std::string_view p) {
  if (s.size() < p.size()) return false;
  for (size_t i = 0; i < p.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) !=
        std::tolower(static_cast<unsigned char>(p[i])))
      return false;
  }
  return true;
}

// Content-Length of a SIP head (RFC 3261 §20.14, compact form "l"); 0 when absent.
size_t content_length(std::string_view head) {
  size_t pos = 0;
  while (pos < head.size()) {
    size_t eol = head.find("\r\n", pos);
    if (eol == std::string_view::npos) eol = head.size();
    std::string_view line = head.substr(pos, eol - pos);
    pos = eol + 2;
    if (!istarts(line, "content-length") && !istarts(line, "l")) continue;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = line.substr(0, colon);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    if (name.size() != 14 && name.size() != 1) continue;
    size_t v = 0;
    for (const char c : line.substr(colon + 1)) {
      if (c >= '0' && c <= '9') v = v * 10 + static_cast<size_t>(c - '0');
      if (v > 1'000'000) return v;
    }
    return v;
  }
  return 0;
}

struct IpCtx {
  bool v6 = false;
  Span orig_src, orig_dst;  // addresses as captured (flow keys)
  Span new_src, new_dst;    // pseudonyms (checksum pseudo-headers)
};

// Pseudo-header sum: RFC 768 / RFC 793 (IPv4), RFC 8200 §8.1 (IPv6).
uint16_t transport_checksum(const IpCtx& c, uint8_t proto, Span segment) {
  Bytes ph;
  append(ph, c.new_src);
  append(ph, c.new_dst);
  const size_t n = segment.size();
  if (c.v6) {
    ph.insert(ph.end(), {static_cast<uint8_t>(n >> 24), static_cast<uint8_t>(n >> 16),
                         static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n), 0, 0, 0, proto});
  } else {
    ph.insert(ph.end(), {0, proto, static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)});
  }
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < ph.size(); i += 2) sum += (uint32_t{ph[i]} << 8) | ph[i + 1];
  while ((sum >> 16) != 0) sum = (sum & 0xFFFF) + (sum >> 16);
  return internet_checksum(segment, sum);
}

// ---- TCP streams: old byte offsets -> redacted byte offsets ---------------------------

struct Unit {
  int64_t old_start = 0, old_end = 0, new_start = 0, new_end = 0;
};

struct Piece {  // contiguous bytes of one direction present in the slice
  int64_t old_start = 0, old_end = 0, new_start = 0;
  Bytes in, out;
  std::vector<Unit> units;
};

struct Direction {
  bool have_base = false;
  uint32_t base = 0;  // sequence number of relative offset 0
  std::vector<std::pair<int64_t, Bytes>> segments;
  std::vector<Piece> pieces;

  [[nodiscard]] int64_t rel(uint32_t seq) const { return static_cast<int32_t>(seq - base); }

  // Monotone: unit boundaries map exactly, offsets inside a unit proportionally, offsets
  // outside the slice's bytes shift by the size change of everything before them.
  [[nodiscard]] int64_t map(int64_t x) const {
    int64_t delta = 0;
    for (const auto& p : pieces) {
      if (x < p.old_start) break;
      if (x <= p.old_end) {
        for (const auto& u : p.units) {
          if (x < u.old_start || x > u.old_end) continue;
          if (u.old_end == u.old_start) return u.new_start;
          return u.new_start +
                 (x - u.old_start) * (u.new_end - u.new_start) / (u.old_end - u.old_start);
        }
        return x + delta;
      }
      delta = p.new_start + static_cast<int64_t>(p.out.size()) - p.old_end;
    }
    return x + delta;
  }
  [[nodiscard]] const Piece* piece_of(int64_t s, int64_t e) const {
    for (const auto& p : pieces) {
      if (s >= p.old_start && e <= p.old_end) return &p;
    }
    return nullptr;
  }
};

struct Fragment {
  size_t frame = 0;
  size_t at = 0;  // offset of its IP header in the frame
  size_t header_length = 0;
  uint32_t offset = 0;
  bool more = false;
  bool v6 = false;
  uint8_t protocol = 0;
  Bytes header;  // IP header (IPv6: through the Fragment header), as captured
  Bytes payload;
};

class Rewriter {
 public:
  explicit Rewriter(Redactor& r) : r_(r) {}

  void scan(std::vector<SliceFrame>& frames) {
    scanning_ = true;
    for (size_t i = 0; i < frames.size(); ++i) {
      frame_index_ = i;
      (void)frame(frames[i]);
    }
    scanning_ = false;
    for (auto& [key, d] : flows_) build_pieces(d);
  }

  Bytes frame(const SliceFrame& f, size_t override_at = SIZE_MAX, const Bytes* override = nullptr) {
    base_ = f.data.data();
    override_at_ = override_at;
    override_ = override;
    frame_sip_ = f.sip;
    const Span data(f.data);
    decode::LinkLayer link;
    Bytes out;
    if (decode::decode_link(f.link_type, data, link) != decode::LinkError::ok) {
      out.assign(data.size(), 0);  // not IP: nothing of it is kept
      return out;
    }
    const size_t head = static_cast<size_t>(link.payload.data() - data.data());
    out.assign(data.begin(), data.begin() + static_cast<ptrdiff_t>(head));
    rewrite_link_addresses(f.link_type, out);
    const Bytes packet = ip(link.payload, 0);  // link padding / FCS after it dropped
    fix_pppoe_length(out, packet.size());
    append(out, packet);
    return out;
  }

  std::map<std::string, std::vector<Fragment>>& fragments() { return fragments_; }

  // A complete datagram's fragments: reassembled, redacted, cut again. Returns one
  // (template fragment index, IP packet) per output fragment.
  std::vector<std::pair<size_t, Bytes>> refragment(const std::vector<Fragment>& fs) {
    std::vector<std::pair<size_t, Bytes>> out;
    Bytes datagram;
    bool complete = !fs.empty() && fs.front().offset == 0;
    for (const auto& f : fs) {
      if (f.offset > datagram.size()) complete = false;
      if (f.offset + f.payload.size() > datagram.size() && f.offset <= datagram.size()) {
        datagram.insert(datagram.end(),
                        f.payload.begin() + static_cast<ptrdiff_t>(datagram.size() - f.offset),
                        f.payload.end());
      }
    }
    complete = complete && !fs.back().more;
    if (!complete) {
      // Pieces missing from the slice: the parts present cannot be rewritten as text.
      for (size_t i = 0; i < fs.size(); ++i) {
        out.emplace_back(
            i, fragment_packet(fs[i], fs[i].offset, fs[i].more, Bytes(fs[i].payload.size(), 0)));
      }
      return out;
    }
    // One unfragmented packet: the first fragment's header (IPv6: the fixed 40 bytes with
    // the upper protocol), redacted through the ordinary path.
    const Fragment& first = fs.front();
    Bytes whole;
    size_t head = 0;
    if (first.v6) {
      whole.assign(first.header.begin(), first.header.begin() + 40);
      whole[6] = first.protocol;
      set16(whole.data() + 4, datagram.size());
      head = 40;
    } else {
      whole.assign(first.header.begin(), first.header.end());
      set16(whole.data() + 6, be16(whole.data() + 6) & 0x4000);  // DF kept
      set16(whole.data() + 2, whole.size() + datagram.size());
      head = whole.size();
    }
    append(whole, datagram);
    override_ = nullptr;  // `whole` is not in a frame
    const Bytes redacted = ip(whole, 0);
    const Span payload = redacted.size() >= head ? Span(redacted).subspan(head) : Span();
    // Pieces of the original sizes (multiples of 8, RFC 791 / RFC 8200 §4.5); more when
    // the datagram grew, fewer when it shrank.
    size_t largest = 8;
    for (const auto& f : fs) largest = std::max(largest, f.payload.size() & ~size_t{7});
    size_t offset = 0;
    for (size_t i = 0; offset < payload.size() || i == 0; ++i) {
      const size_t cap = i < fs.size() ? std::max<size_t>(fs[i].payload.size(), 8) : largest;
      const size_t rest = payload.size() - offset;
      const size_t take = rest <= cap ? rest : (cap & ~size_t{7});
      const size_t t = std::min(i, fs.size() - 1);
      out.emplace_back(
          t, fragment_packet(fs[t], offset, offset + take < payload.size(),
                             Bytes(payload.begin() + static_cast<ptrdiff_t>(offset),
                                   payload.begin() + static_cast<ptrdiff_t>(offset + take))));
      offset += take;
      if (take == 0) break;
    }
    return out;
  }

 private:
  // ---- link layer ----------------------------------------------------------------------

  void mac_at(Bytes& b, size_t at) {
    if (at + 6 > b.size()) return;
    std::array<uint8_t, 6> m{};
    std::memcpy(m.data(), b.data() + at, 6);
    m = r_.mac(m);
    std::memcpy(b.data() + at, m.data(), 6);
  }

  void rewrite_link_addresses(int link_type, Bytes& head) {
    switch (link_type) {
      case decode::link_type::kEthernet:
        mac_at(head, 0);
        mac_at(head, 6);
        break;
      case decode::link_type::kLinuxSll:  // address (8 bytes, halen used) at 6
        if (head.size() >= 14) blank_or_mac(head, 6, be16(head.data() + 4));
        break;
      case decode::link_type::kLinuxSll2:  // halen at 11, address at 12
        if (head.size() >= 20) blank_or_mac(head, 12, head[11]);
        break;
      default:
        break;
    }
  }
  // PPPoE session (RFC 2516 §4): ethertype 0x8864, then {ver/type 0x11, code 0, session
  // id, length of the PPP frame}, then the 2-byte PPP protocol right before the IP packet.
  static void fix_pppoe_length(Bytes& head, size_t packet_size) {
    if (head.size() < 10) return;
    uint8_t* p = head.data() + head.size() - 10;
    if (be16(p) == 0x8864 && p[2] == 0x11 && p[3] == 0) set16(p + 6, packet_size + 2);
  }

  void blank_or_mac(Bytes& b, size_t at, size_t len) {
    if (len == 6) {
      mac_at(b, at);
    } else {
      std::fill(b.begin() + static_cast<ptrdiff_t>(at), b.begin() + static_cast<ptrdiff_t>(at + 8),
                0);
    }
  }

  Bytes ethernet(Span data, int depth) {
    decode::LinkLayer link;
    if (decode::decode_link(decode::link_type::kEthernet, data, link) != decode::LinkError::ok) {
      Bytes zeros(data.size(), 0);
      return zeros;
    }
    const size_t head = static_cast<size_t>(link.payload.data() - data.data());
    Bytes out(data.begin(), data.begin() + static_cast<ptrdiff_t>(head));
    mac_at(out, 0);
    mac_at(out, 6);
    append(out, ip(link.payload, depth));
    return out;
  }

  // ---- IP ----------------------------------------------------------------------------

  Bytes ip(Span in, int depth) {
    if (override_ != nullptr && static_cast<size_t>(in.data() - base_) == override_at_) {
      return *override_;
    }
    decode::IpPacket p;
    if (depth > kMaxDepth || decode::decode_ip(in, p) != decode::IpError::ok) {
      return Bytes(in.size(), 0);
    }
    const size_t hlen = static_cast<size_t>(p.payload.data() - in.data());
    Bytes head(in.begin(), in.begin() + static_cast<ptrdiff_t>(hlen));
    const bool v6 = p.version == 6;
    const size_t alen = v6 ? 16 : 4;
    const size_t at = v6 ? 8 : 12;
    rewrite_ip_addresses(head.data() + at, v6);
    const IpCtx ctx{v6, in.subspan(at, alen), in.subspan(at + alen, alen),
                    Span(head).subspan(at, alen), Span(head).subspan(at + alen, alen)};
    Bytes payload;
    if (p.fragment) {
      if (scanning_) {
        std::string key(1, static_cast<char>(depth));
        key.append(chars(in.subspan(at, 2 * alen)));
        key += std::to_string(p.fragment_id) + "/" + std::to_string(p.protocol);
        fragments_[key].push_back({frame_index_, static_cast<size_t>(in.data() - base_), hlen,
                                   p.fragment_offset, p.more_fragments, v6, p.protocol,
                                   Bytes(in.begin(), in.begin() + static_cast<ptrdiff_t>(hlen)),
                                   Bytes(p.payload.begin(), p.payload.end())});
      }
      payload.assign(p.payload.size(), 0);  // replaced by refragment()
    } else {
      payload = transport(p.protocol, p.payload, ctx, depth);
    }
    finish_ip(head, v6, payload.size());
    append(head, payload);
    return head;
  }

  void rewrite_ip_addresses(uint8_t* a, bool v6) {
    if (v6) {
      for (int k = 0; k < 2; ++k) {
        std::array<uint8_t, 16> x{};
        std::memcpy(x.data(), a + 16 * k, 16);
        x = r_.ipv6(x);
        std::memcpy(a + 16 * k, x.data(), 16);
      }
    } else {
      for (int k = 0; k < 2; ++k) {
        std::array<uint8_t, 4> x{};
        std::memcpy(x.data(), a + 4 * k, 4);
        x = r_.ipv4(x);
        std::memcpy(a + 4 * k, x.data(), 4);
      }
    }
  }

  static void finish_ip(Bytes& head, bool v6, size_t payload_size) {
    if (v6) {
      set16(head.data() + 4, head.size() - 40 + payload_size);
      return;
    }
    set16(head.data() + 2, head.size() + payload_size);
    set16(head.data() + 10, 0);
    set16(head.data() + 10, internet_checksum(head));
  }

  Bytes fragment_packet(const Fragment& f, size_t offset, bool more, const Bytes& payload) {
    Bytes head = f.header;
    rewrite_ip_addresses(head.data() + (f.v6 ? 8 : 12), f.v6);
    if (f.v6) {
      // The Fragment header closes the captured header (decode/ip.cpp stops there).
      uint8_t* fh = head.data() + head.size() - 8;
      set16(fh + 2, (offset & ~size_t{7}) | (more ? 1 : 0));
    } else {
      set16(head.data() + 6, (be16(head.data() + 6) & 0x4000) | (more ? 0x2000 : 0) | (offset / 8));
    }
    finish_ip(head, f.v6, payload.size());
    append(head, payload);
    return head;
  }

  // ---- transport -----------------------------------------------------------------------

  Bytes transport(uint8_t proto, Span p, const IpCtx& c, int depth) {
    switch (proto) {
      case 17:
        return udp(p, c, depth);
      case 6:
        return tcp(p, c);
      case decode::kIpProtoIpip:
      case decode::kIpProtoIpv6:
        return ip(p, depth + 1);
      case decode::kIpProtoGre:
        return gre(p, depth);
      case decode::kIpProtoSctp:
        return sctp(p);
      default:
        return Bytes(p.size(), 0);  // ICMP errors quote headers; other protocols unknown
    }
  }

  Bytes udp(Span p, const IpCtx& c, int depth) {
    decode::UdpHeader u;
    if (decode::decode_udp(p, false, u) != decode::TransportError::ok) return Bytes(p.size(), 0);
    Bytes out(p.begin(), p.begin() + 8);
    append(out, udp_payload(u, depth));
    set16(out.data() + 4, out.size());
    const bool zero = be16(p.data() + 6) == 0;
    set16(out.data() + 6, 0);
    if (!zero || c.v6) {
      uint16_t sum = transport_checksum(c, 17, out);
      if (sum == 0) sum = 0xFFFF;  // RFC 768: a computed 0 is sent as all ones
      set16(out.data() + 6, sum);
    }
    return out;
  }

  Bytes udp_payload(const decode::UdpHeader& u, int depth) {
    const std::string_view text = chars(u.payload);
    if (sniff_sip(text)) return sip(text);
    if (u.dst_port == decode::kVxlanPort) {
      decode::TunnelPayload inner;
      if (decode::decode_vxlan(u.payload, inner) == decode::TunnelError::ok) {
        Bytes out(u.payload.begin(), u.payload.begin() + (inner.payload.data() - u.payload.data()));
        append(out, ethernet(inner.payload, depth + 1));
        return out;
      }
    }
    if (decode::looks_like_hep(u.payload)) {
      size_t used = 0;
      return hep(u.payload, used);
    }
    if (frame_sip_) return text_of(text);
    if (looks_like_rtcp(u.payload)) return rtcp(u.payload);
    return {u.payload.begin(), u.payload.end()};  // RTP and others: the media stays
  }

  Bytes sip(std::string_view text) {
    r_.learn_sip(text);
    return bytes_of(r_.sip(text));
  }
  Bytes text_of(std::string_view text) {
    r_.learn_sip(text);
    return bytes_of(r_.text(text));
  }

  Bytes gre(Span p, int depth) {
    decode::TunnelPayload inner;
    if (decode::decode_gre(p, inner) != decode::TunnelError::ok) return Bytes(p.size(), 0);
    Bytes out(p.begin(), p.begin() + (inner.payload.data() - p.data()));
    append(out, inner.kind == decode::InnerKind::ethernet ? ethernet(inner.payload, depth + 1)
                                                          : ip(inner.payload, depth + 1));
    const size_t head = static_cast<size_t>(inner.payload.data() - p.data());
    if (inner.gre_version == 1 && (p[0] & 0x20) != 0 && head >= 8) {
      set16(out.data() + 4, out.size() - head);  // PPTP: payload length (RFC 2637 §4.1)
    }
    if ((p[0] & 0x80) != 0 && head >= 8) {  // C bit: checksum of header and payload
      set16(out.data() + 4, 0);
      set16(out.data() + 4, internet_checksum(out));
    }
    return out;
  }

  // ---- TCP -----------------------------------------------------------------------------

  static std::string flow_key(const IpCtx& c, Span tcp_header) {
    std::string k(chars(c.orig_src));
    k += chars(c.orig_dst);
    k += chars(tcp_header.first(4));
    return k;
  }
  static std::string reverse_key(const IpCtx& c, Span tcp_header) {
    std::string k(chars(c.orig_dst));
    k += chars(c.orig_src);
    k += chars(tcp_header.subspan(2, 2));
    k += chars(tcp_header.first(2));
    return k;
  }

  Bytes tcp(Span p, const IpCtx& c) {
    decode::TcpHeader t;
    if (decode::decode_tcp(p, t) != decode::TransportError::ok) return Bytes(p.size(), 0);
    const size_t head = static_cast<size_t>(t.payload.data() - p.data());
    const std::string key = flow_key(c, p);
    Bytes out(p.begin(), p.begin() + static_cast<ptrdiff_t>(head));
    if (scanning_) {
      if (!t.payload.empty()) {
        auto& d = flows_[key];
        if (!d.have_base) {
          d.have_base = true;
          d.base = t.seq;
        }
        d.segments.emplace_back(d.rel(t.seq), Bytes(t.payload.begin(), t.payload.end()));
      }
      out.resize(p.size(), 0);
      return out;
    }
    const auto fwd = flows_.find(key);
    if (fwd != flows_.end()) {
      const Direction& d = fwd->second;
      const int64_t s = d.rel(t.seq);
      const int64_t e = s + static_cast<int64_t>(t.payload.size());
      const int64_t ns = d.map(s);
      set32(out.data() + 4, static_cast<uint32_t>(d.base + static_cast<uint32_t>(ns)));
      if (const Piece* piece = t.payload.empty() ? nullptr : d.piece_of(s, e)) {
        const int64_t ne = d.map(e);
        const auto from = static_cast<size_t>(ns - piece->new_start);
        const auto to = static_cast<size_t>(ne - piece->new_start);
        if (from <= to && to <= piece->out.size()) {
          append(out, Span(piece->out).subspan(from, to - from));
        }
      }
    } else if (!t.payload.empty()) {
      append(out, units_alone(t.payload));
    }
    if ((t.flags & 0x10) != 0) {
      const auto rev = flows_.find(reverse_key(c, p));
      if (rev != flows_.end()) {
        const Direction& d = rev->second;
        set32(out.data() + 8,
              static_cast<uint32_t>(d.base + static_cast<uint32_t>(d.map(d.rel(t.ack)))));
      }
    }
    set16(out.data() + 16, 0);
    set16(out.data() + 16, transport_checksum(c, 6, out));
    return out;
  }

  Bytes units_alone(Span payload) {
    Bytes out;
    bool ws = false;
    size_t pos = 0;
    while (pos < payload.size()) {
      size_t used = 0;
      append(out, unit(payload.subspan(pos), ws, used));
      pos += std::max<size_t>(used, 1);
    }
    return out;
  }

  void build_pieces(Direction& d) {
    std::stable_sort(d.segments.begin(), d.segments.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [s, bytes] : d.segments) {
      const int64_t e = s + static_cast<int64_t>(bytes.size());
      if (!d.pieces.empty() && s <= d.pieces.back().old_end) {
        Piece& p = d.pieces.back();
        if (e > p.old_end) {
          p.in.insert(p.in.end(), bytes.begin() + (p.old_end - s), bytes.end());
          p.old_end = e;
        }
        continue;
      }
      Piece p;
      p.old_start = s;
      p.old_end = e;
      p.in = bytes;
      d.pieces.push_back(std::move(p));
    }
    int64_t delta = 0;
    bool ws = false;  // past an HTTP upgrade: WebSocket frames (RFC 6455)
    for (auto& p : d.pieces) {
      p.new_start = p.old_start + delta;
      size_t pos = 0;
      while (pos < p.in.size()) {
        size_t used = 0;
        Bytes u = unit(Span(p.in).subspan(pos), ws, used);
        used = std::clamp<size_t>(used, 1, p.in.size() - pos);
        const int64_t ns = p.new_start + static_cast<int64_t>(p.out.size());
        p.units.push_back({p.old_start + static_cast<int64_t>(pos),
                           p.old_start + static_cast<int64_t>(pos + used), ns,
                           ns + static_cast<int64_t>(u.size())});
        append(p.out, u);
        pos += used;
      }
      delta = p.new_start + static_cast<int64_t>(p.out.size()) - p.old_end;
      p.in.clear();
    }
  }

  // One unit of a stream at the start of `data`: CRLF keep-alives, a SIP message, an HTTP
  // head, a WebSocket frame, a HEP3 packet; a partial one at the end is blanked / text.
  Bytes unit(Span data, bool& ws, size_t& used) {
    const std::string_view text = chars(data);
    size_t crlf = 0;
    while (crlf < text.size() && (text[crlf] == '\r' || text[crlf] == '\n')) ++crlf;
    if (crlf > 0) {
      used = crlf;
      return Bytes(data.begin(), data.begin() + static_cast<ptrdiff_t>(crlf));
    }
    if (text.substr(0, 4) == "HEP3") {
      used = 0;
      Bytes out = hep(data, used);
      if (used == 0) used = data.size();
      return out;
    }
    if (istarts(text, "GET ") || istarts(text, "HTTP/")) {
      const size_t n = decode::http_head_length(text);
      used = n == 0 ? text.size() : n;
      ws = ws || n != 0;
      return text_of(text.substr(0, used));
    }
    if (sniff_sip(text)) {
      const size_t head_end = text.find("\r\n\r\n");
      if (head_end != std::string_view::npos) {
        const size_t total = head_end + 4 + content_length(text.substr(0, head_end + 2));
        if (total <= text.size()) {
          used = total;
          return sip(text.substr(0, total));
        }
      }
      used = text.size();
      return text_of(text);
    }
    if (ws || (static_cast<uint8_t>(text[0]) & 0x70) == 0) {
      decode::WsFrameHeader h;
      if (decode::parse_ws_frame_header(data, h) == decode::WsParse::complete &&
          h.payload_length <= data.size() - h.header_length) {
        used = h.header_length + static_cast<size_t>(h.payload_length);
        if (!h.fin && !h.is_control()) return ws_message(data, h, used);
        return ws_frame(data.first(used), h);
      }
    }
    used = data.size();
    return Bytes(data.size(), 0);
  }

  // A message fragmented into continuation frames (RFC 6455 §5.4) is redacted whole and
  // written as one frame: the text of a SIP message may straddle the frames. `used` is the
  // first frame's size on entry.
  Bytes ws_message(Span data, const decode::WsFrameHeader& first, size_t& used) {
    Bytes payload(data.begin() + static_cast<ptrdiff_t>(first.header_length),
                  data.begin() + static_cast<ptrdiff_t>(used));
    if (first.masked) decode::ws_unmask(payload, first.mask_key, 0);
    size_t pos = used;
    while (pos < data.size()) {
      decode::WsFrameHeader h;
      if (decode::parse_ws_frame_header(data.subspan(pos), h) != decode::WsParse::complete ||
          h.opcode != 0 || h.payload_length > data.size() - pos - h.header_length) {
        break;  // not the continuation (or not all of it here): the first frame alone
      }
      Bytes part(data.begin() + static_cast<ptrdiff_t>(pos + h.header_length),
                 data.begin() + static_cast<ptrdiff_t>(pos + h.header_length + h.payload_length));
      if (h.masked) decode::ws_unmask(part, h.mask_key, 0);
      append(payload, part);
      pos += h.header_length + static_cast<size_t>(h.payload_length);
      if (h.fin) {
        used = pos;
        decode::WsFrameHeader whole = first;
        whole.fin = true;
        return ws_frame(payload, whole, 0x80 | (data[0] & 0x0F));
      }
    }
    return ws_frame(data.first(used), first);
  }

  // `frame`: the whole frame as captured, or (first_byte != 0) the unmasked payload alone.
  Bytes ws_frame(Span frame, const decode::WsFrameHeader& h, uint8_t first_byte = 0) {
    Bytes payload(frame.begin() + static_cast<ptrdiff_t>(first_byte != 0 ? 0 : h.header_length),
                  frame.end());
    if (h.masked && first_byte == 0) decode::ws_unmask(payload, h.mask_key, 0);
    const std::string_view text = chars(payload);
    Bytes red = sniff_sip(text) ? sip(text) : text_of(text);
    if (h.masked) decode::ws_unmask(red, h.mask_key, 0);
    Bytes out{first_byte != 0 ? first_byte : frame[0]};
    const uint8_t mask = h.masked ? 0x80 : 0;
    const size_t n = red.size();
    if (n < 126) {
      out.push_back(static_cast<uint8_t>(mask | n));
    } else if (n <= 0xFFFF) {
      out.insert(out.end(), {static_cast<uint8_t>(mask | 126), static_cast<uint8_t>(n >> 8),
                             static_cast<uint8_t>(n)});
    } else {
      out.push_back(static_cast<uint8_t>(mask | 127));
      for (int k = 7; k >= 0; --k) out.push_back(static_cast<uint8_t>(uint64_t{n} >> (8 * k)));
    }
    if (h.masked) out.insert(out.end(), std::begin(h.mask_key), std::end(h.mask_key));
    append(out, red);
    return out;
  }

  // ---- HEP (decode/hep.hpp) ------------------------------------------------------------

  Bytes hep(Span p, size_t& used) {
    decode::HepPacket h;
    if (decode::decode_hep(p, h) != decode::HepError::ok) {
      used = p.size();
      return Bytes(p.size(), 0);
    }
    if (h.version != 3) {
      // v1/v2: {version, length, family, protocol, sport, dport}, addresses, [time].
      const bool v6 = p[2] == 10;
      const size_t alen = v6 ? 16 : 4;
      const size_t head = p[1] + (h.version == 2 ? decode::kHepV2TimeHeaderSize : 0);
      Bytes out(p.begin(), p.begin() + static_cast<ptrdiff_t>(std::min(head, p.size())));
      if (out.size() >= 8 + 2 * alen) rewrite_ip_addresses(out.data() + 8, v6);
      append(out, sip(chars(p.subspan(std::min(head, p.size())))));
      used = p.size();
      return out;
    }
    used = std::min(h.size, p.size());
    Bytes out(p.begin(), p.begin() + decode::kHepV3HeaderSize);
    size_t pos = decode::kHepV3HeaderSize;
    while (pos + decode::kHepChunkHeaderSize <= used) {
      const uint16_t vendor = be16(p.data() + pos);
      const uint16_t type = be16(p.data() + pos + 2);
      const size_t len = be16(p.data() + pos + 4);
      if (len < decode::kHepChunkHeaderSize || pos + len > used) break;
      const Span value = p.subspan(pos + 6, len - 6);
      pos += len;
      Bytes v(value.begin(), value.end());
      if (vendor != 0) continue;  // vendors' chunks: unknown content, dropped
      switch (type) {
        case 3:
        case 4:
          if (v.size() == 4) rewrite_one_ip(v.data(), false);
          break;
        case 5:
        case 6:
          if (v.size() == 16) rewrite_one_ip(v.data(), true);
          break;
        case 14:  // authentication key
        case 16:  // gzip payload: cannot be redacted
          continue;
        case 15:
          v = h.payload_type == decode::kHepPayloadSip ? sip(chars(value)) : text_of(chars(value));
          break;
        case 17:  // correlation id: often the Call-ID
          v = text_of(chars(value));
          break;
        default:
          if (type > 13) continue;  // unknown: dropped
          break;
      }
      Bytes chunk(p.begin() + static_cast<ptrdiff_t>(pos - len),
                  p.begin() + static_cast<ptrdiff_t>(pos - len + 6));
      set16(chunk.data() + 4, 6 + v.size());
      append(out, chunk);
      append(out, v);
    }
    set16(out.data() + 4, out.size());
    return out;
  }

  void rewrite_one_ip(uint8_t* a, bool v6) {
    if (v6) {
      std::array<uint8_t, 16> x{};
      std::memcpy(x.data(), a, 16);
      x = r_.ipv6(x);
      std::memcpy(a, x.data(), 16);
    } else {
      std::array<uint8_t, 4> x{};
      std::memcpy(x.data(), a, 4);
      x = r_.ipv4(x);
      std::memcpy(a, x.data(), 4);
    }
  }

  // ---- RTCP (RFC 3550 §6) --------------------------------------------------------------

  static bool looks_like_rtcp(Span p) {
    return p.size() >= 8 && (p[0] >> 6) == 2 && p[1] >= 200 && p[1] <= 207;
  }

  Bytes rtcp(Span p) {
    Bytes out;
    size_t off = 0;
    while (off + 4 <= p.size() && (p[off] >> 6) == 2) {
      const size_t len = (size_t{be16(p.data() + off + 2)} + 1) * 4;
      if (off + len > p.size()) break;
      if (p[off + 1] == 202) {
        sdes(p.subspan(off, len), out);
      } else {
        append(out, p.subspan(off, len));
      }
      off += len;
    }
    append(out, p.subspan(off));  // SRTCP trailer or junk: not text
    return out;
  }

  // SDES (§6.5): chunks {SSRC, items {type, length, text}, 0, padding to 32 bits}.
  void sdes(Span pkt, Bytes& out) {
    const size_t start = out.size();
    out.insert(out.end(), {static_cast<uint8_t>(pkt[0] & 0xDF), pkt[1], 0, 0});  // P cleared
    const size_t count = pkt[0] & 0x1F;
    size_t pos = 4;
    for (size_t c = 0; c < count && pos + 4 <= pkt.size(); ++c) {
      append(out, pkt.subspan(pos, 4));
      pos += 4;
      while (pos < pkt.size() && pkt[pos] != 0) {
        if (pos + 2 > pkt.size()) break;
        const uint8_t type = pkt[pos];
        const size_t len = pkt[pos + 1];
        if (pos + 2 + len > pkt.size()) break;
        std::string v = type == 8 ? std::string() : r_.sdes(chars(pkt.subspan(pos + 2, len)));
        if (v.size() > 255) v.resize(255);
        out.push_back(type);
        out.push_back(static_cast<uint8_t>(v.size()));
        out.insert(out.end(), v.begin(), v.end());
        pos += 2 + len;
      }
      out.push_back(0);
      while ((out.size() - start) % 4 != 0) out.push_back(0);
      pos = (pos + 1 + 3) & ~size_t{3};
    }
    set16(out.data() + start + 2, (out.size() - start) / 4 - 1);
  }

  // ---- SCTP (RFC 4960 §3, SIP per RFC 4168) -------------------------------------------

  Bytes sctp(Span p) {
    if (p.size() < 12) return Bytes(p.size(), 0);
    Bytes out(p.begin(), p.begin() + 12);
    size_t pos = 12;
    while (pos + 4 <= p.size()) {
      const size_t len = be16(p.data() + pos + 2);
      if (len < 4 || pos + len > p.size()) break;
      const Span chunk = p.subspan(pos, len);
      pos += (len + 3) & ~size_t{3};
      if (chunk[0] != 0 || len < 16) {
        append(out, chunk);
      } else {
        // DATA: a whole message (B and E flags) is redacted as SIP, a fragment as text.
        const std::string_view data = chars(chunk.subspan(16));
        const Bytes red = (chunk[1] & 3) == 3 && sniff_sip(data) ? sip(data) : text_of(data);
        const size_t head = out.size();
        append(out, chunk.first(16));
        set16(out.data() + head + 2, 16 + red.size());
        append(out, red);
      }
      while (out.size() % 4 != 0) out.push_back(0);
    }
    if (be32(p.data() + 8) != 0) {
      set32(out.data() + 8, 0);
      const uint32_t crc = crc32c(out);
      // RFC 4960 App. B: the reflected CRC goes on the wire least significant byte first.
      out[8] = static_cast<uint8_t>(crc);
      out[9] = static_cast<uint8_t>(crc >> 8);
      out[10] = static_cast<uint8_t>(crc >> 16);
      out[11] = static_cast<uint8_t>(crc >> 24);
    }
    return out;
  }

  Redactor& r_;
  bool scanning_ = false;
  bool frame_sip_ = false;
  size_t frame_index_ = 0;
  const uint8_t* base_ = nullptr;
  size_t override_at_ = SIZE_MAX;
  const Bytes* override_ = nullptr;
  std::map<std::string, Direction> flows_;
  std::map<std::string, std::vector<Fragment>> fragments_;
};

}  // namespace

void redact_slice(std::vector<SliceFrame>& frames, Redactor& redactor) {
  Rewriter rw(redactor);
  rw.scan(frames);
  // Fragmented datagrams: each original fragment frame is replaced by the refragmented
  // pieces built on it (none, one, or the last one several times).
  std::map<size_t, std::vector<Bytes>> replaced;
  std::vector<bool> is_fragment(frames.size(), false);
  for (auto& [key, fs] : rw.fragments()) {
    std::stable_sort(fs.begin(), fs.end(),
                     [](const Fragment& a, const Fragment& b) { return a.offset < b.offset; });
    for (const auto& f : fs) is_fragment[f.frame] = true;
    for (auto& [t, packet] : rw.refragment(fs)) {
      const Fragment& tpl = fs[t];
      replaced[tpl.frame].push_back(rw.frame(frames[tpl.frame], tpl.at, &packet));
    }
  }
  std::vector<SliceFrame> out;
  out.reserve(frames.size());
  for (size_t i = 0; i < frames.size(); ++i) {
    const SliceFrame& f = frames[i];
    const uint32_t cut =
        f.wire_length > f.data.size() ? f.wire_length - static_cast<uint32_t>(f.data.size()) : 0;
    auto emit = [&](Bytes data) {
      SliceFrame g{f.ts_us, f.link_type, static_cast<uint32_t>(data.size()) + cut, f.sip, {}};
      g.data = std::move(data);
      out.push_back(std::move(g));
    };
    if (!is_fragment[i]) {
      emit(rw.frame(f));
      continue;
    }
    if (auto it = replaced.find(i); it != replaced.end()) {
      for (auto& d : it->second) emit(std::move(d));
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const SliceFrame& a, const SliceFrame& b) { return a.ts_us < b.ts_us; });
  frames = std::move(out);
}

}  // namespace sipscope::export_
