// redact_slice: transports (UDP length + checksum, SCTP chunks + CRC32c), RTCP SDES items
// and the pseudo-header checksum they share.
#include <algorithm>

#include "decode/hep.hpp"
#include "decode/tunnel.hpp"
#include "export/slice_rewriter.hpp"

namespace sipscope::export_::slice {

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

Bytes Rewriter::udp(Span p, const IpCtx& c, int depth) {
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

Bytes Rewriter::udp_payload(const decode::UdpHeader& u, int depth) {
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
  return r_.rtp(u.payload);  // RTP and others: the media stays (DTMF events lose the digit)
}

bool Rewriter::looks_like_rtcp(Span p) {
  return p.size() >= 8 && (p[0] >> 6) == 2 && p[1] >= 200 && p[1] <= 207;
}

Bytes Rewriter::rtcp(Span p) {
  Bytes out;
  size_t off = 0;
  while (off + 4 <= p.size() && (p[off] >> 6) == 2) {
    const size_t len = (size_t{be16(p.data() + off + 2)} + 1) * 4;
    if (off + len > p.size()) break;
    if (p[off + 1] == 202) {
      sdes(p.subspan(off, len), out);
    } else if (p[off + 1] == 203) {
      redact_rtcp_bye(p.subspan(off, len), out);
    } else {
      append(out, p.subspan(off, len));
    }
    off += len;
  }
  append(out, p.subspan(off));  // SRTCP trailer or junk: not text
  return out;
}

// SDES (§6.5): chunks {SSRC, items {type, length, text}, 0, padding to 32 bits}.
void Rewriter::sdes(Span pkt, Bytes& out) {
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

Bytes Rewriter::sctp(Span p) {
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

}  // namespace sipscope::export_::slice
