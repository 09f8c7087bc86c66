// FrameWalk's upper half: HEP packets (UDP and TCP), SIP delivery with its flaw and error
// anomalies, and the anomaly report that names snap-length cuts; frame_walk.hpp.
#include <utility>

#include "decode/frame_walk.hpp"

namespace sipscope::decode::detail {

bool FrameWalk::on_hep(std::span<const uint8_t> data) {
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

void FrameWalk::on_hep_segment(std::span<const uint8_t> data) {
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

void FrameWalk::report_hep_error(HepError e, size_t bytes) {
  begin_detail();
  detail_ += "HEP packet of ";
  append_uint(detail_, bytes);
  detail_ += " bytes: ";
  detail_ += hep_error_name(e);
  report(hep_error_anomaly(e));
}

void FrameWalk::deliver_hep(const HepPacket& hep) {
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

Transport FrameWalk::hep_transport(uint8_t ip_protocol) {
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

void FrameWalk::deliver_sip(std::string_view text, Transport t) {
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
  deliver_datagram(r, text, t);
}

// A datagram's (lenient) parse: the error, or the message with its flaws and any bytes
// left after it.
void FrameWalk::deliver_datagram(const sip::ParseResult& r, std::string_view text, Transport t) {
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

void FrameWalk::report_leniency(std::string_view text) {
  report_flaws(message_, text, detail_, kAllFlaws, [this](AnomalyKind k) { report(k); });
}

void FrameWalk::report_sip_error(sip::ParseError e, std::string_view text) {
  begin_detail();
  detail_ += sip::parse_error_name(e);
  detail_ += ": ";
  append_excerpt(detail_, text);
  report(sip_error_anomaly(e));
}

void FrameWalk::emit_sip(Transport t) {
  ++stats_.sip_messages;
  sink_.on_sip(SipEvent{ref_, src_, dst_, t, &message_, frames_.view(), hep_agent_});
}

void FrameWalk::report(AnomalyKind kind) {
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

}  // namespace sipscope::decode::detail
