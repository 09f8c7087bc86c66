// MediaTracker, SIP side: SDP offer/answer, bindings and per-call endpoints, holds, BYE.
#include "correlate/media/media_tracker_impl.hpp"

#include "decode/sip/fields.hpp"

namespace sipscope::correlate::media {

namespace {

std::string_view trim_sdp(std::string_view body) {
  const size_t v = body.find("v=0");
  if (v == std::string_view::npos) return {};
  body.remove_prefix(v);
  // multipart/mixed (RFC 5621): the SDP part ends at the next boundary line.
  const size_t b = body.find("\n--");
  if (b != std::string_view::npos) body = body.substr(0, b + 1);
  return body;
}

// Only a request that can carry an SDP offer (RFC 3264 §5: INVITE, UPDATE RFC 3311, a
// PRACK that carried SDP RFC 3262) can be refused for its media: a 488 to a REFER or NOTIFY
// refuses the request ("Transfer impossible"), not a codec.
bool refuses_an_offer(const decode::sip::Message& m, const CallMedia* cm) {
  decode::sip::CSeq cseq;
  if (!decode::sip::parse_cseq(m.header_value(decode::sip::HeaderId::cseq), cseq)) return false;
  if (cseq.method == "PRACK") return cm != nullptr && cm->prack_sdp_cseq == cseq.number;
  return cseq.method == "INVITE" || cseq.method == "UPDATE";
}

}  // namespace

void MediaTracker::Impl::diag(int64_t call_id, int64_t ts, DiagnosticKind kind, std::string detail,
                              std::vector<uint64_t> frames) {
  DiagnosticRecord d;
  d.call_id = call_id;
  d.ts_us = ts;
  d.kind = kind;
  d.detail = std::move(detail);
  d.frames = std::move(frames);
  std::erase(d.frames, uint64_t{0});  // 0: the frame is not known
  ++stats.diagnostics;
  sink.on_diagnostic(std::move(d));
}

// RFC 3264: an SDP in a request (INVITE, UPDATE) or in a response of another CSeq (late
// offer in a 200) is an offer; one in a response or ACK of the offer's CSeq answers it.
// Proxies forward both hop by hop: a copy of the offer replaces it with the same codecs.
void MediaTracker::Impl::check_offer_answer(int64_t call_id, CallMedia& cm,
                                            const decode::SipEvent& ev,
                                            const decode::sdp::Session& body) {
  const auto& m = *ev.message;
  decode::sip::CSeq cseq;
  if (!decode::sip::parse_cseq(m.header_value(decode::sip::HeaderId::cseq), cseq)) return;
  const bool is_ack = m.is_request() && m.method() == "ACK";
  if (cm.offer_pending && cseq.number == cm.offer_cseq && (is_ack || !m.is_request())) {
    const AudioCodecs answer = audio_codecs(body);
    if (!cm.codec_mismatch && no_common_codec(cm.offer, answer)) {
      cm.codec_mismatch = true;
      diag(call_id, ev.frame.ts_us, DiagnosticKind::codec_mismatch,
           "the SDP answer shares no audio codec with the offer (offer: " + codec_list(cm.offer) +
               "; answer: " + codec_list(answer) + ")",
           {cm.offer_frame, ev.frame.number});
    }
    return;
  }
  if (m.is_request() && m.method() == "PRACK") cm.prack_sdp_cseq = cseq.number;
  if (is_ack || (m.is_request() && m.method() == "PRACK")) return;  // no offer to answer
  cm.offer = audio_codecs(body);
  cm.offer_cseq = cseq.number;
  cm.offer_frame = ev.frame.number;
  cm.offer_pending = true;
}

void MediaTracker::Impl::on_sip(const decode::SipEvent& ev, std::optional<int64_t> call_id) {
  if (ev.message == nullptr || !call_id) return;
  const auto& m = *ev.message;
  const int64_t ts = ev.frame.ts_us;
  const std::string_view body = trim_sdp(m.body());
  auto found = calls.find(*call_id);
  const bool failed_codec = !m.is_request() && (m.status_code() == 488 || m.status_code() == 606) &&
                            refuses_an_offer(m, found != calls.end() ? &found->second : nullptr);
  // A call's media entry starts with its first SDP (or codec failure): nothing before could
  // tie RTP to it, so calls without SDP cost nothing here.
  if (found == calls.end() && body.empty() && !failed_codec) return;
  CallMedia& cm = found != calls.end() ? found->second : call_media(*call_id, ev.frame);
  cm.last_us = std::max(cm.last_us, ts);
  if (m.is_request() && m.method() == "BYE" && !cm.bye_us) {
    cm.bye_us = ts;
    cm.bye_frame = ev.frame.number;
  }
  note_outcome(cm, m);
  note_end(cm, m);
  if (failed_codec && !cm.codec_mismatch) {
    cm.codec_mismatch = true;
    diag(*call_id, ts, DiagnosticKind::codec_mismatch,
         std::to_string(m.status_code()) + " " + std::string(m.reason_phrase()) +
             ": no common media/codec",
         {ev.frame.number});
  }
  offer_outcome(cm, m);
  if (body.empty()) return;
  if (decode::sdp::parse_sdp(body, sdp) != decode::sdp::SdpError::ok) return;
  ++stats.sdp_bodies;
  offer_before(cm, m);
  check_offer_answer(*call_id, cm, ev, sdp);
  for (auto& e : cm.endpoints)
    if (e.announcer == ev.src) e.superseded = true;
  bound_scratch.clear();
  const AnnounceResult r =
      bindings.announce(*call_id, ev.frame, ev.src, sdp, &bound_scratch, &replaced_scratch);
  note_shared(*call_id, cm, ev.src, ts);
  offer_after(*call_id, cm);
  for (const auto& b : bound_scratch) {
    if (cm.bound.size() < kMaxBoundPerCall &&
        std::find(cm.bound.begin(), cm.bound.end(), b) == cm.bound.end())
      cm.bound.push_back(b);
  }
  if (r.evicted > 0) {
    limit_anomaly(decode::AnomalyKind::sdp_binding_table_full, ev.frame,
                  "SDP address limit " + std::to_string(limits.max_sdp_bindings) + " reached; " +
                      std::to_string(r.evicted) + " oldest address(es) forgotten");
  }
  for (const auto& med : sdp.media) {
    const auto& c = med.effective_connection(sdp);
    decode::IpAddress ip;
    if (!c.present || med.port == 0 || !parse_connection_address(c.addr_type, c.address, ip))
      continue;
    const auto dir = med.effective_direction(sdp);
    EndpointUse u;
    u.ep = {ip, med.port};
    u.announcer = ev.src;
    u.frame = ev.frame.number;
    // sendonly / inactive: the announcer expects to receive nothing (RFC 3264 §5.1).
    u.hold = dir == decode::sdp::Direction::sendonly || dir == decode::sdp::Direction::inactive;
    auto it = std::find_if(cm.endpoints.begin(), cm.endpoints.end(),
                           [&](const EndpointUse& x) { return x.ep == u.ep; });
    if (it == cm.endpoints.end()) {
      cm.endpoints.push_back(u);
    } else {
      const EndpointUse seen = *it;
      *it = u;
      it->packets_in = seen.packets_in;
      it->nat_peer = seen.nat_peer;
      it->packets_to_nat_peer = seen.packets_to_nat_peer;
    }
  }
  if (!r.hold && m.is_request()) cm.on_hold = false;
  // An offer inside the dialog is the SIP findings' call_hold (correlate/dialog.cpp): one
  // hold is one finding. `hold` is for what they do not see: an initial INVITE that starts
  // on hold, an answer that puts the call on hold.
  const bool reported_as_call_hold = m.is_request() && has_to_tag(m);
  if (r.hold && !cm.on_hold) {
    cm.on_hold = true;
    if (reported_as_call_hold) return;
    std::string what =
        m.is_request() ? std::string(m.method()) : std::to_string(m.status_code()) + " response";
    diag(*call_id, ts, DiagnosticKind::hold,
         what + (r.null_address ? " announces c=0.0.0.0" : " announces sendonly/inactive"),
         {ev.frame.number});
  }
}

}  // namespace sipscope::correlate::media
