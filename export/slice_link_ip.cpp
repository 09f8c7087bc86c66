// redact_slice: link layers (MACs, SLL, PPPoE), IP headers (addresses, lengths, header
// checksum) and tunnels (IP-in-IP, GRE, Ethernet inside VXLAN/GRE), the scan pass.
#include <cstring>

#include "decode/frame.hpp"
#include "decode/link.hpp"
#include "decode/tunnel.hpp"
#include "export/slice_rewriter.hpp"

namespace sipscope::export_::slice {

void Rewriter::scan(std::vector<SliceFrame>& frames) {
  scanning_ = true;
  for (size_t i = 0; i < frames.size(); ++i) {
    frame_index_ = i;
    (void)frame(frames[i]);
  }
  scanning_ = false;
  for (auto& [key, d] : flows_) build_pieces(d);
}

Bytes Rewriter::frame(const SliceFrame& f, size_t override_at, const Bytes* override) {
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

void Rewriter::mac_at(Bytes& b, size_t at) {
  if (at + 6 > b.size()) return;
  std::array<uint8_t, 6> m{};
  std::memcpy(m.data(), b.data() + at, 6);
  m = r_.mac(m);
  std::memcpy(b.data() + at, m.data(), 6);
}

void Rewriter::rewrite_link_addresses(int link_type, Bytes& head) {
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
void Rewriter::fix_pppoe_length(Bytes& head, size_t packet_size) {
  if (head.size() < 10) return;
  uint8_t* p = head.data() + head.size() - 10;
  if (be16(p) == 0x8864 && p[2] == 0x11 && p[3] == 0) set16(p + 6, packet_size + 2);
}

void Rewriter::blank_or_mac(Bytes& b, size_t at, size_t len) {
  if (len == 6) {
    mac_at(b, at);
  } else {
    std::fill(b.begin() + static_cast<ptrdiff_t>(at), b.begin() + static_cast<ptrdiff_t>(at + 8),
              0);
  }
}

Bytes Rewriter::ethernet(Span data, int depth) {
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

Bytes Rewriter::ip(Span in, int depth) {
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
  redact_header_extras(head, v6);
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

void Rewriter::rewrite_ip_addresses(uint8_t* a, bool v6) {
  if (v6) {
    for (size_t k = 0; k < 2; ++k) {
      std::array<uint8_t, 16> x{};
      std::memcpy(x.data(), a + 16 * k, 16);
      x = r_.ipv6(x);
      std::memcpy(a + 16 * k, x.data(), 16);
    }
  } else {
    for (size_t k = 0; k < 2; ++k) {
      std::array<uint8_t, 4> x{};
      std::memcpy(x.data(), a + 4 * k, 4);
      x = r_.ipv4(x);
      std::memcpy(a + 4 * k, x.data(), 4);
    }
  }
}

void Rewriter::rewrite_one_ip(uint8_t* a, bool v6) {
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

void Rewriter::finish_ip(Bytes& head, bool v6, size_t payload_size) {
  if (v6) {
    set16(head.data() + 4, head.size() - 40 + payload_size);
    return;
  }
  set16(head.data() + 2, head.size() + payload_size);
  set16(head.data() + 10, 0);
  set16(head.data() + 10, internet_checksum(head));
}

Bytes Rewriter::transport(uint8_t proto, Span p, const IpCtx& c, int depth) {
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

Bytes Rewriter::gre(Span p, int depth) {
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

}  // namespace sipscope::export_::slice
