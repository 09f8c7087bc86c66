#include "decode/decoder.hpp"

#include "decode/text.hpp"

#include <charconv>
#include <utility>

#include "decode/hep.hpp"
#include "decode/ip.hpp"
#include "decode/link.hpp"
#include "decode/sctp.hpp"
#include "decode/tunnel.hpp"

namespace sipscope::decode {
namespace {

using text::append_excerpt;
using text::append_uint;
using text::as_chars;

// RFC 3261 §7.5: CRLFs before the start line are ignored (parse_message skips them too);
// the content sniff must look past them.
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

constexpr uint8_t kAllFlaws = 0xff;
constexpr size_t kMaxHepNodeName = 64;  // bytes of a HEP node name kept in the agent label
// Flaws noted in every parse mode (the others only come from datagram leniency).
constexpr uint8_t kLineFlaws = sip::kLenientStrayCr | sip::kLenientSipVersion;

// A message accepted despite a flaw is delivered and the flaw named: for each leniency bit
// in `mask`, fills `detail` and calls report(kind).
template <typename Report>
void report_flaws(const sip::Message& m, std::string_view text, std::string& detail, uint8_t mask,
                  Report&& report) {
  const uint8_t bits = m.leniency() & mask;
  if ((bits & sip::kLenientUnterminatedHeaders) != 0) {
    detail.clear();
    detail += "no empty line after the headers; accepted with an empty body: ";
    append_excerpt(detail, text);
    report(AnomalyKind::sip_headers_unterminated);
  }
  if ((bits & sip::kLenientBadContentLength) != 0) {
    detail.clear();
    detail += "Content-Length unusable; body taken as the rest of the datagram (";
    append_uint(detail, m.body().size());
    detail += " bytes): ";
    append_excerpt(detail, text);
    report(AnomalyKind::sip_bad_content_length);
  }
  if ((bits & sip::kLenientStrayCr) != 0) {
    // Name the first offending line.
    const size_t cr = text.find("\r\r");
    const size_t line = cr == std::string_view::npos ? 0 : text.rfind('\n', cr) + 1;
    detail.clear();
    detail += "line ends in CR CR LF; stray CR dropped: ";
    append_excerpt(detail, text.substr(line));
    report(AnomalyKind::sip_bad_line_end);
  }
  if ((bits & sip::kLenientSipVersion) != 0) {
    detail.clear();
    detail += "SIP-Version is not SIP/2.0 (RFC 3261 §7.1): ";
    append_excerpt(detail, text);
    report(AnomalyKind::sip_bad_version);
  }
}

// One frame's walk down the stack. Holds references to the Decoder's state so the
// public class stays free of private helper declarations.
class FrameWalk {
 public:
  FrameWalk(const Frame& frame, PacketSink& sink, sip::Message& message, DecoderStats& stats,
            std::string& detail, IpReassembler& reassembler, SctpReassembler& sctp,
            TcpStreams& streams)
      : frame_(frame),
        sink_(sink),
        message_(message),
        stats_(stats),
        detail_(detail),
        reassembler_(reassembler),
        sctp_(sctp),
        streams_(streams),
        ref_(frame.ref) {
    frames_.add(frame.ref.number);
  }

  void run() {
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

  [[nodiscard]] int64_t clock_us() const { return clock_us_; }

 private:
  // `depth`: tunnels entered so far.
  void walk_ip(std::span<const uint8_t> data, bool v6, int depth) {
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

  // True when the fragment completed a datagram: ip_.payload is then the whole datagram.
  bool reassemble() {
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

  void dispatch(int depth) {
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

  void on_gre(int depth) {
    TunnelPayload inner;
    const TunnelError te = decode_gre(ip_.payload, inner);
    if (te != TunnelError::ok) {
      begin_detail();
      if (te == TunnelError::gre_unsupported_protocol) {
        detail_ += "GRE version ";
        append_uint(detail_, inner.gre_version);
        detail_ += " protocol 0x";
        constexpr char kHex[] = "0123456789abcdef";
        for (int shift = 12; shift >= 0; shift -= 4)
          detail_ += kHex[(inner.protocol >> shift) & 0xf];
      }
      report(tunnel_error_anomaly(te));
      return;
    }
    enter(inner.kind, inner.payload, depth + 1);
  }

  void enter(InnerKind kind, std::span<const uint8_t> payload, int depth) {
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

  void on_udp(int depth) {
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
    if (r.error != sip::ParseError::ok) {
      report_sip_error(r.error, text);
      return;
    }
    emit_sip(Transport::udp);
    report_leniency(text);
    const size_t consumed = r.consumed <= text.size() ? r.consumed : text.size();
    if (!text::only_whitespace(text.substr(consumed))) {
      begin_detail();
      append_uint(detail_, text.size() - consumed);
      detail_ += " bytes after the message";
      report(AnomalyKind::sip_trailing_bytes);
    }
  }

  // Segments go to per-connection stream reassembly (decode/tcp_stream.hpp), which frames
  // SIP (and SIP over WebSocket) and calls back Decoder::StreamReporter.
  void on_tcp() {
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

  // ---- SIP over SCTP (RFC 4168) -------------------------------------------------------

  void on_sctp() {
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

  // ---- HEP (decode/hep.hpp) -----------------------------------------------------------

  // False when a v1/v2 look-alike is not HEP after all (the datagram is then other UDP);
  // "HEP3" is unambiguous, so its errors are reported.
  bool on_hep(std::span<const uint8_t> data) {
    HepPacket hep;
    const HepError he = decode_hep(data, hep);
    if (hep.version != 3 && (he != HepError::ok || !sniff_sip(as_chars(hep.payload)))) {
      return false;
    }
    if (he != HepError::ok) {
      report_hep_error(he, data.size());
      return true;
    }
    deliver_hep(hep);
    return true;
  }

  // HEP over TCP: packets back to back in the stream. Only packets wholly inside this
  // segment are decoded (no stream reassembly for HEP yet); the rest is reported.
  void on_hep_segment(std::span<const uint8_t> data) {
    while (!data.empty()) {
      HepPacket hep;
      const HepError he = decode_hep(data, hep);
      if (he != HepError::ok) {
        report_hep_error(he, data.size());
        return;
      }
      deliver_hep(hep);
      if (hep.size == 0 || hep.size > data.size()) return;
      data = data.subspan(hep.size);
    }
  }

  void report_hep_error(HepError e, size_t bytes) {
    begin_detail();
    detail_ += "HEP packet of ";
    append_uint(detail_, bytes);
    detail_ += " bytes: ";
    detail_ += hep_error_name(e);
    report(hep_error_anomaly(e));
  }

  // The inner SIP is analysed as the capture agent saw it: original addresses, ports,
  // transport and capture time; the frame number stays the outer frame's.
  void deliver_hep(const HepPacket& hep) {
    if (hep.payload_type != 0 && hep.payload_type != kHepPayloadSip) return;  // RTCP, logs
    src_ = hep.src;
    dst_ = hep.dst;
    has_flow_ = true;
    if (hep.has_time) ref_.ts_us = clock_us_ = hep.ts_us();
    hep_agent_.clear();
    append_uint(hep_agent_, hep.capture_id);
    if (!hep.node_name.empty()) {
      hep_agent_ += '/';
      hep_agent_.append(hep.node_name.substr(0, kMaxHepNodeName));
    }
    if (hep.compressed) {
      begin_detail();
      append_uint(detail_, hep.payload.size());
      detail_ += " bytes of gzip payload (chunk 16) not decompressed";
      report(AnomalyKind::hep_compressed_payload);
    } else {
      deliver_sip(as_chars(hep.payload), hep_transport(hep.ip_protocol));
    }
    ref_ = frame_.ref;
    hep_agent_.clear();
  }

  static Transport hep_transport(uint8_t ip_protocol) {
    switch (ip_protocol) {
      case kIpProtoTcp:
        return Transport::tcp;
      case kIpProtoSctp:
        return Transport::sctp;
      case 22:  // IPPROTO_IDP: what captagent and Kamailio write for SIP over TLS
        return Transport::tls;
      default:
        return Transport::udp;
    }
  }

  // One SCTP user message or one HEP payload: a whole SIP message (RFC 4168 §5), or for
  // HEP of TCP traffic possibly several back to back. Non-SIP payloads (SIGTRAN, Diameter)
  // are valid traffic that is not ours and are skipped.
  void deliver_sip(std::string_view text, Transport t) {
    if (!sniff_sip(text)) return;
    const bool stream = t == Transport::tcp || t == Transport::tls;
    bool emitted = false;
    while (stream) {
      const sip::ParseResult r = sip::parse_message(text, message_, {.datagram = false});
      if (r.error != sip::ParseError::ok || r.consumed == 0 || r.consumed > text.size()) break;
      emit_sip(t);
      report_flaws(message_, text, detail_, kLineFlaws, [this](AnomalyKind k) { report(k); });
      emitted = true;
      text.remove_prefix(r.consumed);
      while (!text.empty() && (text.front() == '\r' || text.front() == '\n')) {
        text.remove_prefix(1);
      }
      if (text.empty()) return;
    }
    if (emitted && !sniff_sip(text)) {
      begin_detail();
      append_uint(detail_, text.size());
      detail_ += " bytes after the last message";
      report(AnomalyKind::sip_trailing_bytes);
      return;
    }
    const sip::ParseResult r =
        sip::parse_message(text, message_, {.datagram = true, .lenient = true});
    if (r.error == sip::ParseError::not_sip) return;
    if (r.error != sip::ParseError::ok) {
      report_sip_error(r.error, text);
      return;
    }
    emit_sip(t);
    report_leniency(text);
    const size_t consumed = r.consumed <= text.size() ? r.consumed : text.size();
    if (!text::only_whitespace(text.substr(consumed))) {
      begin_detail();
      append_uint(detail_, text.size() - consumed);
      detail_ += " bytes after the message";
      report(AnomalyKind::sip_trailing_bytes);
    }
  }

  // A datagram message accepted by the lenient rules is delivered and also flagged.
  void report_leniency(std::string_view text) {
    report_flaws(message_, text, detail_, kAllFlaws, [this](AnomalyKind k) { report(k); });
  }

  void report_sip_error(sip::ParseError e, std::string_view text) {
    begin_detail();
    detail_ += sip::parse_error_name(e);
    detail_ += ": ";
    append_excerpt(detail_, text);
    report(sip_error_anomaly(e));
  }

  void emit_sip(Transport t) {
    ++stats_.sip_messages;
    sink_.on_sip(SipEvent{ref_, src_, dst_, t, &message_, frames_.view(), hep_agent_});
  }

  void set_ports(uint16_t src, uint16_t dst) {
    src_.port = src;
    dst_.port = dst;
  }

  [[nodiscard]] bool snap_cut() const { return frame_.data.size() < frame_.wire_length; }

  void begin_detail() { detail_.clear(); }

  // A header cut short because the capture's snap length cut the frame is not malformed
  // traffic: it is reported as frame_truncated, naming the layer.
  void report(AnomalyKind kind) {
    if (is_truncation(kind) && snap_cut() && kind != AnomalyKind::frame_truncated) {
      const std::string_view layer = anomaly_name(kind);
      std::string text = "header cut by snap length in ";
      text += layer.substr(layer.find('_') + 1);
      text += " (";
      append_uint(text, frame_.data.size());
      text += " of ";
      append_uint(text, frame_.wire_length);
      text += " bytes captured)";
      if (!detail_.empty()) text.append(": ").append(detail_);
      detail_ = std::move(text);
      kind = AnomalyKind::frame_truncated;
    }
    ++stats_.anomalies;
    AnomalyEvent ev{ref_, kind, detail_, false, {}, {}};
    if (has_flow_) {
      ev.has_flow = true;
      ev.src = src_;
      ev.dst = dst_;
    }
    sink_.on_anomaly(ev);
  }

  const Frame& frame_;
  PacketSink& sink_;
  sip::Message& message_;
  DecoderStats& stats_;
  std::string& detail_;
  IpReassembler& reassembler_;
  SctpReassembler& sctp_;
  TcpStreams& streams_;
  FrameRef ref_;      // frame_.ref, with the capture time of a HEP packet while decoding its SIP
  FrameList frames_;  // frames of the datagram being walked: this one and its IP fragments'
  int64_t clock_us_ = frame_.ref.ts_us;  // see Decoder::clock_us()
  IpPacket ip_;
  Endpoint src_;
  Endpoint dst_;
  bool has_flow_ = false;
  std::string hep_agent_;  // agent of the HEP packet being delivered ("" outside HEP)
};

}  // namespace

void Decoder::on_frame(const Frame& frame) {
  ++stats_.frames;
  reassembler_.begin_frame();
  reassembler_.expire(frame.ref.ts_us);
  sctp_.expire(frame.ref.ts_us);
  streams_.expire(frame.ref.ts_us);
  FrameWalk walk(frame, sink_, message_, stats_, detail_, reassembler_, sctp_, streams_);
  walk.run();
  clock_us_ = walk.clock_us();
}

void Decoder::finish() {
  reassembler_.finish();
  sctp_.finish();
  streams_.finish();
}

// Stream messages are parsed with stream rules (RFC 3261 §18.3: Content-Length frames the
// body); a WebSocket message is bounded by the transport (RFC 7118 §5), as a datagram is.
void Decoder::StreamReporter::on_message(const StreamMessage& m) {
  Decoder& d = decoder;
  const sip::ParseResult r =
      sip::parse_message(m.bytes, d.message_, {.datagram = m.whole, .lenient = m.whole});
  if (r.error == sip::ParseError::ok) {
    ++d.stats_.sip_messages;
    d.sink_.on_sip(SipEvent{m.frame, m.src, m.dst, m.transport, &d.message_, m.frames});
    report_flaws(d.message_, m.bytes, d.detail_, kLineFlaws, [&](AnomalyKind k) {
      ++d.stats_.anomalies;
      d.sink_.on_anomaly(AnomalyEvent{m.frame, k, d.detail_, true, m.src, m.dst});
    });
    return;
  }
  d.detail_.clear();
  d.detail_ += sip::parse_error_name(r.error);
  d.detail_ += ": ";
  append_excerpt(d.detail_, m.bytes);
  ++d.stats_.anomalies;
  d.sink_.on_anomaly(
      AnomalyEvent{m.frame, sip_error_anomaly(r.error), d.detail_, true, m.src, m.dst});
}

void Decoder::StreamReporter::on_anomaly(const StreamAnomaly& a) {
  ++decoder.stats_.anomalies;
  decoder.sink_.on_anomaly(AnomalyEvent{a.frame, a.kind, a.detail, true, a.src, a.dst});
}

void Decoder::DropReporter::on_dropped(const DroppedFragments& d) {
  std::string& detail = decoder.detail_;
  detail.clear();
  detail += "id=";
  append_uint(detail, d.id);
  detail += " protocol=";
  append_uint(detail, d.protocol);
  detail += " bytes_received=";
  append_uint(detail, d.bytes_received);
  detail += " fragments=";
  append_uint(detail, d.fragments);
  switch (d.reason) {
    case DropReason::expired:
      detail += " (expired)";
      break;
    case DropReason::evicted:
      detail += " (evicted: reassembly table full)";
      break;
    case DropReason::unfinished:
      detail += " (open at end of input)";
      break;
  }
  const AnomalyKind kind = d.reason == DropReason::evicted ? AnomalyKind::ip_fragment_table_full
                                                           : AnomalyKind::ip_fragments_incomplete;
  ++decoder.stats_.anomalies;
  decoder.sink_.on_anomaly(
      AnomalyEvent{d.first_frame, kind, detail, true, Endpoint{d.src, 0}, Endpoint{d.dst, 0}});
}

void Decoder::DropReporter::on_sctp_dropped(const SctpDroppedMessage& d) {
  std::string& detail = decoder.detail_;
  detail.clear();
  detail += "SCTP user message: ";
  append_uint(detail, d.fragments);
  detail += " fragment(s), ";
  append_uint(detail, d.bytes);
  detail += " bytes";
  AnomalyKind kind = AnomalyKind::sctp_fragments_incomplete;
  switch (d.reason) {
    case SctpDropReason::expired:
      detail += " (expired)";
      break;
    case SctpDropReason::unfinished:
      detail += " (open at end of input)";
      break;
    case SctpDropReason::evicted:
      detail += " (evicted: reassembly table full)";
      kind = AnomalyKind::sctp_fragment_table_full;
      break;
    case SctpDropReason::oversized:
      detail += " (over the message size limit)";
      kind = AnomalyKind::sctp_message_oversized;
      break;
  }
  ++decoder.stats_.anomalies;
  decoder.sink_.on_anomaly(AnomalyEvent{d.first_frame, kind, detail, true, d.flow.src, d.flow.dst});
}

}  // namespace sipscope::decode
