// Decoder: the per-frame entry point (expiry, then one FrameWalk) and the sinks of the
// reassemblers: SIP messages framed by TCP/WebSocket, stream anomalies, dropped IP and
// SCTP fragments.
#include "decode/decoder.hpp"

#include "decode/frame_walk.hpp"
#include "decode/text.hpp"

namespace sipscope::decode {

using detail::FrameWalk;
using detail::kLineFlaws;
using detail::report_flaws;
using detail::sip_error_anomaly;
using text::append_excerpt;
using text::append_uint;

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
