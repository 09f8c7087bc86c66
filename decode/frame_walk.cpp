// FrameWalk's layers: link, IPv4/IPv6 with fragment reassembly, tunnels (GRE, VXLAN,
// IP-in-IP), UDP, TCP (handed to stream reassembly) and SCTP; frame_walk.hpp.
#include "decode/frame_walk.hpp"

#include "decode/link.hpp"
#include "decode/sctp.hpp"

namespace sipscope::decode::detail {

bool sniff_sip(std::string_view s) {
  return sip::looks_like_sip(text::skip_crlf(s));
}

bool is_truncation(AnomalyKind k) {
  switch (k) {
    case AnomalyKind::truncated_ethernet:
    case AnomalyKind::truncated_vlan:
    case AnomalyKind::truncated_sll:
    case AnomalyKind::truncated_sll2:
    case AnomalyKind::truncated_null:
    case AnomalyKind::truncated_pppoe:
    case AnomalyKind::truncated_mpls:
    case AnomalyKind::truncated_ipv4:
    case AnomalyKind::truncated_ipv6:
    case AnomalyKind::truncated_ipv6_extension:
    case AnomalyKind::truncated_udp:
    case AnomalyKind::truncated_tcp:
    case AnomalyKind::truncated_gre:
    case AnomalyKind::truncated_erspan:
    case AnomalyKind::truncated_vxlan:
    case AnomalyKind::truncated_sctp:
    case AnomalyKind::hep_truncated:
    case AnomalyKind::frame_truncated:
      return true;
    default:
      return false;
  }
}

AnomalyKind sip_error_anomaly(sip::ParseError e) {
  switch (e) {
    case sip::ParseError::bad_start_line:
      return AnomalyKind::sip_bad_start_line;
    case sip::ParseError::bad_header_line:
      return AnomalyKind::sip_bad_header_line;
    case sip::ParseError::headers_unterminated:
      return AnomalyKind::sip_headers_unterminated;
    case sip::ParseError::too_many_headers:
      return AnomalyKind::sip_too_many_headers;
    case sip::ParseError::bad_content_length:
      return AnomalyKind::sip_bad_content_length;
    case sip::ParseError::body_truncated:
      return AnomalyKind::sip_body_truncated;
    case sip::ParseError::ok:
    case sip::ParseError::not_sip:
      break;
  }
  return AnomalyKind::sip_bad_start_line;
}

void FrameWalk::run() {
  LinkLayer link;
  const LinkError le = decode_link(frame_.link_type, frame_.data, link);
  if (le == LinkError::not_ip) return;  // ARP, LLDP ...: valid traffic, not ours
  if (le != LinkError::ok) {
    begin_detail();
    if (le == LinkError::unsupported_link_type) {
      detail_ += "link type ";
      append_uint(detail_, static_cast<uint64_t>(frame_.link_type));
    }
    report(link_error_anomaly(le));
    return;
  }

  walk_ip(link.payload, link.ethertype == kEthertypeIpv6, 0);
}

void FrameWalk::walk_ip(std::span<const uint8_t> data, bool v6, int depth) {
  has_flow_ = false;
  src_ = {};
  dst_ = {};
  const IpError ie = v6 ? decode_ipv6(data, ip_) : decode_ipv4(data, ip_);
  src_.ip = ip_.src;
  dst_.ip = ip_.dst;
  if (ie != IpError::ok) {
    begin_detail();
    if (ip_.version != 0) has_flow_ = true;  // addresses were read before the error
    report(ip_error_anomaly(ie));
    return;
  }
  ++stats_.ip_packets;
  has_flow_ = true;  // ports stay 0 until the transport header is read
  if (ip_.truncated && (!snap_cut() || ip_.fragment)) {
    // The packet claims more than it holds although the capture kept every byte (or a
    // fragment lost bytes to the snap length: it cannot be reassembled).
    begin_detail();
    detail_ += "IP length exceeds the ";
    append_uint(detail_, ip_.payload.size());
    detail_ += " payload bytes present";
    report(ip_.version == 6 ? AnomalyKind::truncated_ipv6 : AnomalyKind::truncated_ipv4);
    return;
  }
  if (ip_.fragment && !reassemble()) return;
  dispatch(depth);
}

bool FrameWalk::reassemble() {
  const IpFragment f{ip_.version,        ip_.src,         ip_.dst,
                     ip_.protocol,       ip_.fragment_id, ip_.fragment_offset,
                     ip_.more_fragments, ip_.payload};
  std::span<const uint8_t> datagram;
  switch (reassembler_.add(f, frame_.ref, datagram)) {
    case IpReassembler::AddResult::pending:
      return false;
    case IpReassembler::AddResult::oversized:
      begin_detail();
      detail_ += "id=";
      append_uint(detail_, ip_.fragment_id);
      detail_ += " offset=";
      append_uint(detail_, ip_.fragment_offset);
      detail_ += " length=";
      append_uint(detail_, ip_.payload.size());
      report(AnomalyKind::ip_fragment_oversized);
      return false;
    case IpReassembler::AddResult::complete:
      break;
  }
  frames_.add(reassembler_.completed_frames());
  frames_.normalize();
  ip_.payload = datagram;
  ip_.truncated = false;
  ip_.fragment = false;
  if (ip_.version == 6) {
    const IpError ie = skip_ipv6_extensions(ip_.protocol, ip_.payload);
    if (ie != IpError::ok) {
      begin_detail();
      detail_ += "in the reassembled datagram";
      report(ip_error_anomaly(ie));
      return false;
    }
  }
  return true;
}

void FrameWalk::dispatch(int depth) {
  switch (ip_.protocol) {
    case kIpProtoUdp:
      on_udp(depth);
      break;
    case kIpProtoTcp:
      on_tcp();
      break;
    case kIpProtoIpip:
      enter(InnerKind::ipv4, ip_.payload, depth + 1);
      break;
    case kIpProtoIpv6:
      enter(InnerKind::ipv6, ip_.payload, depth + 1);
      break;
    case kIpProtoGre:
      on_gre(depth);
      break;
    case kIpProtoSctp:
      on_sctp();
      break;
    default:
      break;
  }
}

void FrameWalk::on_gre(int depth) {
  TunnelPayload inner;
  const TunnelError te = decode_gre(ip_.payload, inner);
  if (te != TunnelError::ok) {
    begin_detail();
    if (te == TunnelError::gre_unsupported_protocol) {
      detail_ += "GRE version ";
      append_uint(detail_, inner.gre_version);
      detail_ += " protocol 0x";
      constexpr char kHex[] = "0123456789abcdef";
      for (int shift = 12; shift >= 0; shift -= 4) detail_ += kHex[(inner.protocol >> shift) & 0xf];
    }
    report(tunnel_error_anomaly(te));
    return;
  }
  enter(inner.kind, inner.payload, depth + 1);
}

void FrameWalk::enter(InnerKind kind, std::span<const uint8_t> payload, int depth) {
  if (depth > kMaxTunnelDepth) {
    begin_detail();
    detail_ += "more than ";
    append_uint(detail_, kMaxTunnelDepth);
    detail_ += " nested tunnels";
    report(AnomalyKind::tunnel_too_deep);
    return;
  }
  if (kind != InnerKind::ethernet) {
    walk_ip(payload, kind == InnerKind::ipv6, depth);
    return;
  }
  LinkLayer link;
  const LinkError le = decode_link(link_type::kEthernet, payload, link);
  if (le == LinkError::not_ip) return;
  if (le != LinkError::ok) {
    begin_detail();
    detail_ += "inside a tunnel";
    report(link_error_anomaly(le));
    return;
  }
  walk_ip(link.payload, link.ethertype == kEthertypeIpv6, depth);
}

void FrameWalk::on_udp(int depth) {
  UdpHeader udp;
  const TransportError te = decode_udp(ip_.payload, ip_.truncated, udp);
  if (te != TransportError::ok) {
    begin_detail();
    if (te == TransportError::bad_udp_length) {
      detail_ += "length field ";
      append_uint(detail_, udp.length);
      detail_ += ", IP payload ";
      append_uint(detail_, ip_.payload.size());
    }
    report(transport_error_anomaly(te));
    return;
  }
  ++stats_.udp_datagrams;
  set_ports(udp.src_port, udp.dst_port);
  const std::string_view text = as_chars(udp.payload);
  if (udp.dst_port == kVxlanPort && !sniff_sip(text)) {
    TunnelPayload inner;
    const TunnelError te = decode_vxlan(udp.payload, inner);
    if (te != TunnelError::ok) {
      begin_detail();
      report(tunnel_error_anomaly(te));
      return;
    }
    enter(inner.kind, inner.payload, depth + 1);
    return;
  }
  if (!sniff_sip(text) && looks_like_hep(udp.payload) && on_hep(udp.payload)) return;
  if (!sniff_sip(text)) {
    sink_.on_udp(UdpDatagram{frame_.ref, src_, dst_, udp.payload});
    return;
  }
  const sip::ParseResult r =
      sip::parse_message(text, message_, {.datagram = true, .lenient = true});
  if (r.error == sip::ParseError::not_sip) {
    sink_.on_udp(UdpDatagram{frame_.ref, src_, dst_, udp.payload});
    return;
  }
  deliver_datagram(r, text, Transport::udp);
}

void FrameWalk::on_tcp() {
  TcpHeader tcp;
  const TransportError te = decode_tcp(ip_.payload, tcp);
  if (te != TransportError::ok) {
    begin_detail();
    report(transport_error_anomaly(te));
    return;
  }
  set_ports(tcp.src_port, tcp.dst_port);
  if (looks_like_hep(tcp.payload) && !sniff_sip(as_chars(tcp.payload))) {
    on_hep_segment(tcp.payload);
    return;
  }
  TcpSegment segment;
  segment.frame = frame_.ref;
  segment.src = src_;
  segment.dst = dst_;
  segment.seq = tcp.seq;
  segment.flags = tcp.flags;
  segment.payload = tcp.payload;
  streams_.on_segment(segment);
}

void FrameWalk::on_sctp() {
  SctpPacket packet;
  const SctpError se = decode_sctp(ip_.payload, packet);
  if (se != SctpError::ok) {
    begin_detail();
    report(sctp_error_anomaly(se));
    return;
  }
  set_ports(packet.src_port, packet.dst_port);
  SctpChunkReader chunks(packet.chunks);
  SctpChunk chunk;
  for (;;) {
    const SctpError ce = chunks.next(chunk);
    if (ce == SctpError::end) return;
    if (ce != SctpError::ok) {
      begin_detail();
      detail_ += "in the chunk list";
      report(sctp_error_anomaly(ce));
      return;
    }
    if (!is_data_chunk(chunk.type)) continue;  // INIT, SACK, HEARTBEAT ...: no SIP
    SctpData data;
    if (decode_data_chunk(chunk, data) != SctpError::ok) {
      begin_detail();
      detail_ += "DATA chunk of ";
      append_uint(detail_, chunk.value.size() + 4);
      detail_ += " bytes";
      report(AnomalyKind::sctp_bad_chunk);
      continue;
    }
    if (data.begin && data.end) {
      deliver_sip(as_chars(data.payload), Transport::sctp);
      continue;
    }
    std::span<const uint8_t> message;
    const SctpFlow flow{src_, dst_, packet.verification_tag};
    if (sctp_.add(flow, data, frame_.ref, message) == SctpReassembler::AddResult::complete) {
      const FrameList outer = frames_;
      frames_.add(sctp_.message_frames());
      frames_.normalize();
      deliver_sip(as_chars(message), Transport::sctp);
      frames_ = outer;
    }
  }
}

}  // namespace sipscope::decode::detail
