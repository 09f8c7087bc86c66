#include "decode/decoder.hpp"

#include <charconv>
#include <utility>

#include "decode/ip.hpp"
#include "decode/link.hpp"

namespace sipscope::decode {
namespace {

void append_uint(std::string& s, uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;  // 24 chars always hold a uint64_t
  s.append(buf, end);
}

// Printable excerpt of untrusted bytes for an anomaly detail: first line, at most 80 chars.
void append_excerpt(std::string& s, std::string_view bytes) {
  constexpr size_t kMax = 80;
  size_t n = 0;
  for (char c : bytes) {
    if (c == '\r' || c == '\n' || n == kMax) break;
    const auto u = static_cast<unsigned char>(c);
    s.push_back(u >= 0x20 && u < 0x7f ? c : '.');
    ++n;
  }
}

// Keep-alive padding that may follow a datagram's message: whitespace and NULs.
bool only_padding(std::string_view s) {
  for (char c : s) {
    if (c != '\r' && c != '\n' && c != ' ' && c != '\t' && c != '\0') return false;
  }
  return true;
}

std::string_view as_chars(std::span<const uint8_t> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// RFC 3261 §7.5: CRLFs before the start line are ignored (parse_message skips them too);
// the content sniff must look past them.
bool sniff_sip(std::string_view s) {
  while (!s.empty() && (s.front() == '\r' || s.front() == '\n')) s.remove_prefix(1);
  return sip::looks_like_sip(s);
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

// One frame's walk down the stack. Holds references to the Decoder's state so the
// public class stays free of private helper declarations.
class FrameWalk {
 public:
  FrameWalk(const Frame& frame, PacketSink& sink, sip::Message& message, DecoderStats& stats,
            std::string& detail)
      : frame_(frame), sink_(sink), message_(message), stats_(stats), detail_(detail) {}

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

    const IpError ie = link.ethertype == kEthertypeIpv6 ? decode_ipv6(link.payload, ip_)
                                                        : decode_ipv4(link.payload, ip_);
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
    if (ip_.truncated && !snap_cut()) {
      // The packet claims more than it holds although the capture kept every byte.
      begin_detail();
      detail_ += "IP length exceeds the ";
      append_uint(detail_, ip_.payload.size());
      detail_ += " payload bytes present";
      report(ip_.version == 6 ? AnomalyKind::truncated_ipv6 : AnomalyKind::truncated_ipv4);
      return;
    }
    if (ip_.fragment) {
      begin_detail();
      detail_ += "id=";
      append_uint(detail_, ip_.fragment_id);
      detail_ += " offset=";
      append_uint(detail_, ip_.fragment_offset);
      detail_ += ip_.more_fragments ? " more=1" : " more=0";
      report(AnomalyKind::ip_fragment_not_reassembled);
      return;
    }
    if (ip_.protocol == kIpProtoUdp) {
      on_udp();
    } else if (ip_.protocol == kIpProtoTcp) {
      on_tcp();
    }
  }

 private:
  void on_udp() {
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
    if (!sniff_sip(text)) {
      sink_.on_udp(UdpDatagram{frame_.ref, src_, dst_, udp.payload});
      return;
    }
    const sip::ParseResult r = sip::parse_message(text, message_, {.datagram = true});
    if (r.error == sip::ParseError::not_sip) {
      sink_.on_udp(UdpDatagram{frame_.ref, src_, dst_, udp.payload});
      return;
    }
    if (r.error != sip::ParseError::ok) {
      report_sip_error(r.error, text);
      return;
    }
    emit_sip(Transport::udp);
    const size_t consumed = r.consumed <= text.size() ? r.consumed : text.size();
    if (!only_padding(text.substr(consumed))) {
      begin_detail();
      append_uint(detail_, text.size() - consumed);
      detail_ += " bytes after the message";
      report(AnomalyKind::sip_trailing_bytes);
    }
  }

  // Without TCP reassembly (a later stage) only messages wholly inside one segment are
  // decoded; continuation segments are not recognisable as SIP and are skipped silently.
  void on_tcp() {
    TcpHeader tcp;
    const TransportError te = decode_tcp(ip_.payload, tcp);
    if (te != TransportError::ok) {
      begin_detail();
      report(transport_error_anomaly(te));
      return;
    }
    set_ports(tcp.src_port, tcp.dst_port);
    std::string_view rest = as_chars(tcp.payload);
    if (!sniff_sip(rest)) return;
    while (!rest.empty()) {
      const sip::ParseResult r = sip::parse_message(rest, message_, {.datagram = false});
      if (r.error == sip::ParseError::ok && r.consumed > 0 && r.consumed <= rest.size()) {
        emit_sip(Transport::tcp);
        rest.remove_prefix(r.consumed);
        // RFC 5626 §3.5.1 CRLF keep-alives may sit between messages.
        while (!rest.empty() && (rest.front() == '\r' || rest.front() == '\n')) {
          rest.remove_prefix(1);
        }
        if (rest.empty()) return;
        if (sip::looks_like_sip(rest)) continue;
        not_reassembled(rest.size(), "bytes after the last complete message");
        return;
      }
      if (r.error == sip::ParseError::headers_unterminated ||
          r.error == sip::ParseError::body_truncated) {
        not_reassembled(rest.size(), "bytes of an incomplete message");
        return;
      }
      if (r.error != sip::ParseError::ok && r.error != sip::ParseError::not_sip) {
        report_sip_error(r.error, rest);
      }
      return;
    }
  }

  void not_reassembled(size_t bytes, std::string_view what) {
    begin_detail();
    append_uint(detail_, bytes);
    detail_ += ' ';
    detail_ += what;
    report(AnomalyKind::sip_over_tcp_not_reassembled);
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
    sink_.on_sip(SipEvent{frame_.ref, src_, dst_, t, &message_});
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
    AnomalyEvent ev{frame_.ref, kind, detail_, false, {}, {}};
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
  IpPacket ip_;
  Endpoint src_;
  Endpoint dst_;
  bool has_flow_ = false;
};

}  // namespace

void Decoder::on_frame(const Frame& frame) {
  ++stats_.frames;
  FrameWalk(frame, sink_, message_, stats_, detail_).run();
}

}  // namespace sipscope::decode
