// MediaTracker, RTCP side: report rows, SR copies for round trips, the latest RR per stream.
#include "correlate/media/media_tracker_impl.hpp"

#include "decode/rtcp.hpp"

namespace sipscope::correlate::media {

StreamState* MediaTracker::Impl::stream_by_ssrc(uint32_t ssrc, const decode::IpAddress& receiver) {
  StreamState* any = nullptr;
  auto [lo, hi] = by_ssrc.equal_range(ssrc);
  for (auto it = lo; it != hi; ++it) {
    StreamState* s = streams.find(it->second);
    if (s == nullptr) continue;
    if (it->second.dst.ip == receiver) return s;
    if (any == nullptr) any = s;
  }
  return any;
}

void MediaTracker::Impl::on_rtcp(const decode::UdpDatagram& d) {
  const Binding* b = bindings.find(d.dst);
  if (b == nullptr) b = bindings.find(d.src);
  std::optional<int64_t> call_id;
  if (b != nullptr) call_id = b->call_id;
  // RFC 3550 A.2: when the lengths do not add up (SRTCP, RFC 3711 §3.4, or damage) the
  // content is not read; the first header (type and sender SSRC, clear even in SRTCP) is
  // kept alone.
  const bool valid = decode::rtcp::is_valid_compound(d.payload);
  decode::rtcp::CompoundReader reader(d.payload);
  decode::rtcp::Packet p;
  while (reader.next(p) == decode::rtcp::RtcpError::ok) {
    ++stats.rtcp_packets;
    RtcpRecord base;
    base.call_id = call_id;
    base.capture_id = d.frame.capture_id;
    base.frame = d.frame.number;
    base.ts_us = d.frame.ts_us;
    base.src_ip = d.src.ip.to_string();
    base.src_port = d.src.port;
    base.dst_ip = d.dst.ip.to_string();
    base.dst_port = d.dst.port;
    base.sender_ssrc = p.ssrc;
    base.packet_type = p.packet_type;
    if (!valid) {
      base.detail = "not a valid compound (RFC 3550 A.2): SRTCP or damaged, not read";
      sink.on_rtcp(std::move(base));
      break;
    }
    switch (p.packet_type) {
      case decode::rtcp::type::kSr:
        // Bounded like the stream table: past it, old senders' SRs are forgotten (their
        // reports then carry no round trip).
        if (last_sr.size() >= limits.max_streams && last_sr.count(p.ssrc) == 0) last_sr.clear();
        last_sr[p.ssrc].put(
            {(p.sender.ntp_msw << 16) | (p.sender.ntp_lsw >> 16), d.frame.ts_us, d.dst});
        break;
      case decode::rtcp::type::kRr:
        break;
      case decode::rtcp::type::kSdes:
        if (!p.cname.empty()) base.detail = std::string(p.cname);
        break;
      case decode::rtcp::type::kBye:
        if (!p.bye_reason.empty()) base.detail = std::string(p.bye_reason);
        break;
      case decode::rtcp::type::kApp:
        base.detail = std::string(p.app_name);
        break;
      case decode::rtcp::type::kXr:
        if (p.has_voip_metrics) {
          const auto& v = p.voip;
          base.source_ssrc = v.ssrc;
          base.fraction_lost = v.loss_rate / 256.0;
          if (v.r_factor != 127) base.xr_r_factor = v.r_factor;
          if (v.mos_lq != 127) base.xr_mos_lq = v.mos_lq / 10.0;
          if (v.mos_cq != 127) base.xr_mos_cq = v.mos_cq / 10.0;
          if (v.round_trip_delay != 0) base.rtt_ms = v.round_trip_delay;
        }
        break;
      default:
        break;
    }
    if (p.block_count == 0) {
      sink.on_rtcp(std::move(base));
      continue;
    }
    for (uint8_t i = 0; i < p.block_count; ++i) {
      const auto& blk = p.blocks[i];
      RtcpRecord r = base;
      r.source_ssrc = blk.ssrc;
      r.fraction_lost = blk.fraction_lost / 256.0;
      r.cumulative_lost = blk.cumulative_lost;
      r.highest_seq = blk.highest_seq;
      r.jitter_units = blk.jitter;
      // The report comes from the receiver of stream blk.ssrc.
      StreamState* s = stream_by_ssrc(blk.ssrc, d.src.ip);
      const uint32_t rate = s != nullptr && s->main_known ? s->main.clock_rate : 0;
      if (rate != 0) r.jitter_ms = blk.jitter * 1000.0 / rate;
      // RTT as seen from the capture point: RR arrival - SR arrival - DLSR, for the SR
      // whose NTP middle bits the report echoes (RFC 3550 §6.4.1, Figure 2).
      // A block about the sender's own SSRC (seen from relays) echoes its own SR: no RTT.
      auto it = last_sr.find(blk.ssrc);
      const SrSeen* sr = blk.lsr != 0 && blk.ssrc != p.ssrc && it != last_sr.end()
                             ? it->second.find(blk.lsr, d.src)
                             : nullptr;
      if (sr != nullptr) {
        const double rtt =
            static_cast<double>(d.frame.ts_us - sr->ts_us) / 1000.0 - blk.dlsr * 1000.0 / 65536.0;
        if (rtt >= 0) r.rtt_ms = rtt;
      }
      if (s != nullptr) {
        s->rr.present = true;
        s->rr.fraction_lost = blk.fraction_lost / 256.0;
        s->rr.cumulative_lost = blk.cumulative_lost;
        s->rr.jitter_units = blk.jitter;
        if (r.rtt_ms) s->rr.rtt_ms = *r.rtt_ms;
      }
      sink.on_rtcp(std::move(r));
    }
  }
}

}  // namespace sipscope::correlate::media
