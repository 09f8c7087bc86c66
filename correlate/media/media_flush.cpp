// MediaTracker, output side: stream rows (E-model score, stream diagnostics), call media
// diagnostics.
#include "correlate/media/media_tracker_impl.hpp"

#include "correlate/media/codec.hpp"
#include "correlate/media/emodel.hpp"

namespace sipscope::correlate::media {

namespace {}  // namespace

void MediaTracker::Impl::erase_stream(const StreamKey& key) {
  auto [lo, hi] = by_ssrc.equal_range(key.ssrc);
  for (auto it = lo; it != hi; ++it) {
    if (it->second == key) {
      by_ssrc.erase(it);
      break;
    }
  }
  streams.erase(key);
}

void MediaTracker::Impl::flush_stream(const StreamKey& key, const StreamState& st) {
  if (!st.call_id && st.seq.packets() < limits.min_orphan_packets) return;
  StreamRecord r;
  r.call_id = st.call_id;
  r.capture_id = st.capture_id;
  r.src_ip = key.src.ip.to_string();
  r.src_port = key.src.port;
  r.dst_ip = key.dst.ip.to_string();
  r.dst_port = key.dst.port;
  r.ssrc = key.ssrc;
  const bool main = st.main_known;
  const int pt = main ? st.main_pt : st.cur_pt;
  if (pt >= 0) r.payload_type = pt;
  std::string codec = main ? std::string(st.main.encoding()) : std::string();
  if (codec.empty() && pt >= 0) {
    if (const auto* sp = static_payload(static_cast<uint8_t>(pt)); sp != nullptr)
      codec = std::string(sp->name);
  }
  if (!codec.empty()) r.codec = codec;
  const uint32_t rate = main ? st.main.clock_rate : 0;
  if (rate != 0) r.clock_rate = rate;
  r.first_us = st.first_us;
  r.last_us = st.last_us;
  r.first_frame = st.first_frame;
  r.last_frame = st.last_frame;
  r.packets = static_cast<int64_t>(st.seq.packets());
  r.expected = st.seq.expected();
  r.lost = st.seq.lost();
  r.duplicates = static_cast<int64_t>(st.seq.duplicates());
  r.out_of_order = static_cast<int64_t>(st.seq.out_of_order());
  r.seq_wraps = static_cast<int64_t>(st.seq.wraps());
  r.seq_restarts = static_cast<int64_t>(st.seq.restarts());
  r.loss_bursts = static_cast<int64_t>(st.seq.loss_bursts());
  r.max_burst = static_cast<int64_t>(st.seq.max_burst());
  if (st.transit.has_jitter()) {
    r.jitter_mean_ms = st.transit.mean_jitter_ms();
    r.jitter_max_ms = st.transit.max_jitter_ms();
  }
  if (st.transit.has_delta()) {
    r.max_delta_ms = st.transit.max_delta_ms();
    r.mean_delta_ms = st.transit.mean_delta_ms();
  }
  r.markers = static_cast<int64_t>(st.markers);
  r.comfort_noise = static_cast<int64_t>(st.cn);
  r.telephone_event_packets = static_cast<int64_t>(st.events);
  r.late_discards = static_cast<int64_t>(st.late);
  r.association = st.assoc;
  if (st.rr.present) {
    r.rtcp_fraction_lost = st.rr.fraction_lost;
    r.rtcp_cumulative_lost = st.rr.cumulative_lost;
    if (rate != 0) r.rtcp_jitter_ms = st.rr.jitter_units * 1000.0 / rate;
    if (st.rr.rtt_ms >= 0) r.rtcp_rtt_ms = st.rr.rtt_ms;
  }
  score(st, r);
  st.series.emit(st.seq.expected(), st.late, r.samples);
  for (uint8_t i = 0; i < st.dtmf_count; ++i) {
    const Dtmf& x = st.dtmf[i];
    DtmfRecord dr;
    dr.ts_us = x.ts_us;
    dr.frame = x.frame;
    dr.digit = decode::rtp::dtmf_char(x.event);
    dr.event = x.event;
    dr.volume = x.volume;
    if (st.event_rate != 0) dr.duration_ms = x.duration * 1000.0 / st.event_rate;
    dr.ended = x.end;
    r.dtmf.push_back(dr);
  }
  if (st.call_id) stream_diagnostics(key, st, r);
  if (st.seq.duplicates() > 0) duplicate_anomaly(key, st);
  ++stats.streams;
  if (!st.call_id) ++stats.orphan_streams;
  sink.on_stream(std::move(r));
}

// RFC 3550 A.1: a packet whose sequence number already arrived is a duplicate (the same
// packet captured twice: `-i any` on a host that forwards it, overlapping capture files).
void MediaTracker::Impl::duplicate_anomaly(const StreamKey& key, const StreamState& st) {
  AnomalyRecord a;
  a.capture_id = st.capture_id;
  a.call_id = st.call_id;
  a.frame = st.first_duplicate_frame;
  a.ts_us = st.first_duplicate_us;
  a.kind = decode::AnomalyKind::duplicate_packets;
  a.flow = key.src.to_string() + " -> " + key.dst.to_string();
  a.detail = std::to_string(st.seq.duplicates()) + " RTP packet(s) of SSRC " +
             std::to_string(key.ssrc) +
             " whose sequence number had already arrived: counted in duplicates, not as loss";
  ++stats.anomalies;
  sink.on_anomaly(std::move(a));
}

// E-model per docs/media.md: needs a codec with known impairment and >= 50 expected
// packets (one second at 20 ms); otherwise NULL, never a default.
void MediaTracker::Impl::score(const StreamState& st, StreamRecord& r) const {
  if (!r.codec || !r.expected || *r.expected < 50) return;
  const CodecImpairment* c = codec_impairment(*r.codec);
  if (c == nullptr) return;
  const double expected = static_cast<double>(*r.expected);
  const double lost = static_cast<double>(std::max<int64_t>(0, *r.lost));
  const double ppl = 100.0 * (lost + static_cast<double>(st.late)) / expected;
  double burst_ratio = 1.0;
  const double p = lost / expected;
  if (st.seq.loss_bursts() > 0 && p < 1.0) {
    const double mean_burst = lost / static_cast<double>(st.seq.loss_bursts());
    burst_ratio = mean_burst * (1.0 - p);  // observed / random-loss mean burst length
  }
  const double packet_ms = r.mean_delta_ms.value_or(20.0);
  double ta = std::min(packet_ms, 200.0) + limits.jitter_buffer_ms;
  if (r.rtcp_rtt_ms) ta += *r.rtcp_rtt_ms / 2.0;
  const EModelInput in{.ie = c->ie,
                       .bpl = c->bpl,
                       .ppl_percent = ppl,
                       .burst_ratio = burst_ratio,
                       .one_way_delay_ms = ta};
  const double rf = r_factor(in);
  r.r_factor = rf;
  r.mos = mos_from_r(rf);
  r.mos_limited_by =
      mos_limit_name(mos_limited_by(impairments(in, lost, static_cast<double>(st.late))));
}

void MediaTracker::Impl::stream_diagnostics(const StreamKey& key, const StreamState& st,
                                            const StreamRecord& r) {
  const int64_t call = *st.call_id;
  const std::string flow = key.src.to_string() + " -> " + key.dst.to_string();
  if (st.assoc == Assoc::latched) {
    diag(call, st.first_us, DiagnosticKind::rtp_address_not_in_sdp,
         flow + ": ports match the SDP but an address does not (NAT / SIP ALG latching)",
         {st.first_frame});
  } else if (const auto it = calls.find(call); it != calls.end() && it->second.two_sides()) {
    // One end is announced; the other is not in any SDP of the call, though both sides'
    // SDP was seen: symmetric RTP from behind a NAT, or media sent back to it.
    if (st.assoc == Assoc::sdp && !it->second.announced(key.src)) {
      diag(call, st.first_us, DiagnosticKind::rtp_address_not_in_sdp,
           flow +
               ": the source is in no SDP of the call (symmetric RTP from behind a NAT, "
               "or an SDP rewritten by a SIP ALG)",
           {st.first_frame});
    } else if (st.assoc == Assoc::sdp_source && !it->second.announced(key.dst)) {
      diag(call, st.first_us, DiagnosticKind::rtp_address_not_in_sdp,
           flow +
               ": the destination is in no SDP of the call (media sent back to where the "
               "peer's media came from: NAT latching)",
           {st.first_frame});
    }
  }
  if (st.bad_pt >= 0) {
    diag(call, st.bad_pt_us, DiagnosticKind::payload_type_not_negotiated,
         flow + ": payload type " + std::to_string(st.bad_pt) + " not in the SDP (" +
             std::to_string(st.bad_pt_packets) + " packets)",
         {st.bad_pt_frame});
  }
  if (st.gaps_over > 0) {
    diag(call, st.gap_us, DiagnosticKind::rtp_gap,
         flow + ": " + std::to_string(st.gaps_over) + " gap(s) longer than " +
             std::to_string(limits.gap_threshold_us / 1000) + " ms, longest " +
             std::to_string(st.max_gap_us / 1000) + " ms (between the frames listed)",
         {st.gap_prev_frame, st.gap_frame});
  }
  (void)r;
}

void MediaTracker::Impl::flush_call(int64_t call_id, const CallMedia& cm) {
  link_partners(call_id, cm);
  std::vector<decode::Endpoint> announcers;
  for (const auto& e : cm.endpoints)
    if (std::find(announcers.begin(), announcers.end(), e.announcer) == announcers.end())
      announcers.push_back(e.announcer);
  // A capture without any RTP is a signalling-only capture: "no RTP" would say nothing.
  if (announcers.size() >= 2 && stats.rtp_packets > 0) {
    if (cm.rtp_packets == 0) {
      std::vector<uint64_t> frames;
      for (const auto& e : cm.endpoints) frames.push_back(e.frame);
      diag(call_id, cm.last_us, DiagnosticKind::no_rtp,
           "SDP offer and answer seen, no RTP to or from them", std::move(frames));
    } else {
      // One-way: a side whose current addresses (not on hold) received nothing while
      // the other side received media.
      for (const auto& a : announcers) {
        uint64_t in = 0;
        uint64_t frame = 0;
        std::string eps;
        bool active = false;
        for (const auto& e : cm.endpoints) {
          if (e.announcer != a || e.superseded || e.hold) continue;
          active = true;
          in += e.packets_in;
          frame = e.frame;
          if (!eps.empty()) eps += ' ';
          eps += e.ep.to_string();
        }
        // Symmetric RTP: the other side answered the NAT address a's media came from.
        for (const auto& f : cm.endpoints)
          if (f.announcer != a) in += f.packets_to_nat_peer;
        if (active && in == 0) {
          diag(call_id, cm.last_us, DiagnosticKind::one_way_audio,
               "no RTP towards " + eps + " (announced by " + a.to_string() + ")", {frame});
        }
      }
    }
  }
  if (cm.ssrc_changes > 0) {
    diag(call_id, cm.ssrc_change_us, DiagnosticKind::ssrc_change,
         std::to_string(cm.ssrc_changes) +
             " new SSRC(s) on addresses that already carried a "
             "stream of the call (RFC 3550 §8.2: source restart, transfer or media relay)",
         {cm.ssrc_change_frame});
  }
  if (cm.after_bye > 0) {
    diag(call_id, cm.after_bye_us, DiagnosticKind::rtp_after_bye,
         std::to_string(cm.after_bye) + " RTP packets after the BYE",
         {cm.bye_frame, cm.after_bye_frame});
  }
}

}  // namespace sipscope::correlate::media
