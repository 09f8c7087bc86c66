// MediaTracker, RTP side: association to calls, per-stream counting, DTMF, late model.
#include "correlate/media/media_tracker_impl.hpp"

#include "correlate/media/codec.hpp"

namespace sipscope::correlate::media {

void MediaTracker::Impl::resolve_pt(StreamState& st, uint8_t pt, const Binding* a,
                                    const Binding* b) {
  st.cur_pt = pt;
  const PayloadInfo* p = a != nullptr ? a->payload(pt) : nullptr;
  if (p == nullptr && b != nullptr) p = b->payload(pt);
  PayloadInfo info;
  info.payload_type = pt;
  if (p != nullptr) {
    info = *p;
  } else if (const auto* sp = static_payload(pt); sp != nullptr) {
    const size_t n = std::min(sp->name.size(), info.name.size() - 1);
    std::copy_n(sp->name.data(), n, info.name.data());
    info.clock_rate = sp->clock_rate;
  }
  st.cur_event = is_telephone_event(info.encoding());
  st.cur_cn = is_comfort_noise(pt, info.encoding());
  st.cur_rate = info.clock_rate;
  st.cur_negotiated = (a == nullptr && b == nullptr) || p != nullptr;
  if (st.cur_event && info.clock_rate != 0) st.event_rate = info.clock_rate;
  if (!st.main_known && !st.cur_event && !st.cur_cn) {
    st.main_known = true;
    st.main_pt = pt;
    st.main = info;
  }
}

// to/from: the bindings of the destination and source addresses (nullptr if none).
void MediaTracker::Impl::on_rtp(const decode::UdpDatagram& d, const decode::rtp::RtpHeader& h,
                                const Binding* to, const Binding* from) {
  const StreamKey key{d.src, d.dst, h.ssrc};
  if (to != nullptr && to->rtcp) to = nullptr;
  if (from != nullptr && from->rtcp) from = nullptr;
  const Binding* b = to != nullptr ? to : from;
  Assoc assoc = to != nullptr ? Assoc::sdp : (from != nullptr ? Assoc::sdp_source : Assoc::orphan);
  if (b == nullptr) {
    // NAT / SIP ALG: both ports announced in one call's SDP, an address differs.
    const Binding* pd = bindings.find_port(d.dst.port, nullptr);
    const Binding* ps = bindings.find_port(d.src.port, nullptr);
    if (pd != nullptr && ps != nullptr && pd->call_id == ps->call_id && pd != ps) {
      b = pd;
      to = pd;
      from = ps;
      assoc = Assoc::latched;
    }
  }

  StreamState* st = streams.find(key);
  if (st != nullptr && b != nullptr) {
    if (!st->call_id) {
      st->call_id = call_fitting(*b, d);  // the SDP came after the first packets: adopt
      st->assoc = assoc;
    } else if (*st->call_id != b->call_id && !b->shared_with(*st->call_id) &&
               b->since_us > st->first_us) {
      // The address was re-announced by another call: the old stream ends here.
      flush_stream(key, *st);
      erase_stream(key);
      st = nullptr;
    }
  }
  // RTP no SDP announced must first pass probation (RFC 3550 A.1): the packet that
  // opened it is counted first, as if the stream had existed from it on.
  const HeldPacket* first = nullptr;
  if (st == nullptr && b == nullptr) {
    first = probation_check(key, d, h);
    if (first == nullptr) return;
  }
  if (st == nullptr) {
    const decode::FrameRef& opening = first != nullptr ? first->frame : d.frame;
    st = &open_stream(key, opening,
                      b != nullptr ? std::optional(call_fitting(*b, d)) : std::nullopt, assoc);
  }
  if (first != nullptr) {
    const HeldPacket held = *first;  // the probation slot is reused below
    probation_drop(key);
    count_held(*st, key, held);
  }
  count_packet(*st, d, h, to, from);
}

StreamState& MediaTracker::Impl::open_stream(const StreamKey& key, const decode::FrameRef& frame,
                                             std::optional<int64_t> call_id, Assoc assoc) {
  if (streams.size() >= std::max<size_t>(limits.max_streams, 1)) evict_oldest_stream(frame);
  StreamState& st = streams.insert(key);
  st.stamp = next_stamp++;
  stream_due.push(frame.ts_us + limits.stream_idle_us, key, st.stamp);
  by_ssrc.emplace(key.ssrc, key);
  st.call_id = call_id;
  st.assoc = assoc;
  st.capture_id = frame.capture_id;
  st.first_frame = frame.number;
  st.first_us = frame.ts_us;
  if (st.call_id) note_new_stream(*st.call_id, key, frame);
  return st;
}

void MediaTracker::Impl::count_held(StreamState& st, const StreamKey& key, const HeldPacket& held) {
  decode::rtp::RtpHeader h = held.header;
  h.payload = {held.payload.data(), held.payload_size};
  const decode::UdpDatagram d{held.frame, key.src, key.dst, h.payload};
  count_packet(st, d, h, nullptr, nullptr);
}

void MediaTracker::Impl::count_packet(StreamState& stream, const decode::UdpDatagram& d,
                                      const decode::rtp::RtpHeader& h, const Binding* to,
                                      const Binding* from) {
  ++stats.rtp_packets;
  const int64_t ts = d.frame.ts_us;
  StreamState* st = &stream;
  if (h.payload_type != st->cur_pt) resolve_pt(*st, h.payload_type, to, from);

  int64_t gap = -1;
  if (st->seq.packets() > 0) {
    gap = ts - st->last_us;
    if (gap > limits.gap_threshold_us) ++st->gaps_over;
    if (gap > st->max_gap_us) {
      st->max_gap_us = gap;
      st->gap_us = ts;
      st->gap_frame = d.frame.number;
      st->gap_prev_frame = st->last_frame;
    }
  }
  st->series.begin_packet(ts, st->seq, st->late);
  st->last_us = ts;
  st->last_frame = d.frame.number;
  const bool duplicate = st->seq.update(h.sequence) == SequenceStats::Kind::duplicate;
  if (duplicate && st->first_duplicate_us == 0) {
    st->first_duplicate_frame = d.frame.number;
    st->first_duplicate_us = ts;
  }
  st->transit.update(ts, h.timestamp, h.payload_type, h.marker, st->cur_event ? 0 : st->cur_rate);
  if (h.marker) ++st->markers;
  if (!st->cur_negotiated) {
    if (st->bad_pt < 0) {
      st->bad_pt = h.payload_type;
      st->bad_pt_frame = d.frame.number;
      st->bad_pt_us = ts;
    }
    ++st->bad_pt_packets;
  }
  if (st->cur_cn) ++st->cn;
  if (st->cur_event) {
    ++st->events;
    on_event(*st, d, h);
  } else if (st->cur_rate != 0 && !st->cur_cn) {
    late_model(*st, ts, h.timestamp, h.marker);
  }
  st->series.end_packet(gap, st->transit.has_jitter(), st->transit.jitter_ms(), duplicate);
  if (st->call_id) {
    on_call_packet(*st->call_id, d, ts);
    credit_shared(*st, to, from, d);
  }
}

void MediaTracker::Impl::note_new_stream(int64_t call_id, const StreamKey& key,
                                         const decode::FrameRef& frame) {
  auto it = calls.find(call_id);
  if (it == calls.end()) return;
  CallMedia& cm = it->second;
  for (const auto& k : cm.keys) {
    if (k.src == key.src && k.dst == key.dst && k.ssrc != key.ssrc) {
      if (cm.ssrc_changes++ == 0) {
        cm.ssrc_change_frame = frame.number;
        cm.ssrc_change_us = frame.ts_us;
      }
      break;
    }
  }
  if (cm.keys.size() < 64) cm.keys.push_back(key);
}

void MediaTracker::Impl::late_model(StreamState& st, int64_t ts, uint32_t rtp_ts, bool marker) {
  if (!st.have_transit) {
    st.ext_ts = rtp_ts;
    st.have_transit = true;
    st.buffer = JitterBufferModel({.depth_ms = limits.jitter_buffer_ms});
  }
  st.ext_ts += static_cast<int32_t>(rtp_ts - static_cast<uint32_t>(st.ext_ts));
  const double transit =
      static_cast<double>(ts) / 1000.0 - static_cast<double>(st.ext_ts) * 1000.0 / st.cur_rate;
  if (st.buffer.update(ts, transit, marker)) ++st.late;
}

void MediaTracker::Impl::on_event(StreamState& st, const decode::UdpDatagram& d,
                                  const decode::rtp::RtpHeader& h) {
  decode::rtp::TelephoneEvent ev;
  if (decode::rtp::parse_telephone_event(h.payload, ev) != decode::rtp::EventError::ok) return;
  // RFC 4733 §2.5.1: every packet of one event carries the event's start timestamp.
  if (st.dtmf_count > 0) {
    Dtmf& last = st.dtmf[st.dtmf_count - 1];
    if (last.rtp_ts == h.timestamp && last.event == ev.event) {
      last.duration = std::max(last.duration, ev.duration);
      last.end = last.end || ev.end;
      return;
    }
  }
  if (st.dtmf_count == st.dtmf.size()) return;
  Dtmf& x = st.dtmf[st.dtmf_count++];
  x.ts_us = d.frame.ts_us;
  x.frame = d.frame.number;
  x.rtp_ts = h.timestamp;
  x.event = ev.event;
  x.volume = ev.volume;
  x.duration = ev.duration;
  x.end = ev.end;
}

void MediaTracker::Impl::on_call_packet(int64_t call_id, const decode::UdpDatagram& d, int64_t ts,
                                        bool owner) {
  auto it = calls.find(call_id);
  if (it == calls.end()) return;
  CallMedia& cm = it->second;
  ++cm.rtp_packets;
  cm.last_us = std::max(cm.last_us, ts);
  // One pass: the endpoint the packet goes to (exact address, else NAT: the announced port
  // on another address, the SDP carrying the private one) and the one it comes from.
  EndpointUse* exact = nullptr;
  EndpointUse* by_port = nullptr;
  EndpointUse* from = nullptr;
  for (auto& e : cm.endpoints) {
    if (e.ep == d.dst) exact = &e;
    if (by_port == nullptr && e.ep.port == d.dst.port && !e.superseded) by_port = &e;
    if (e.ep == d.src) from = &e;
  }
  if (EndpointUse* hit = exact != nullptr ? exact : by_port) {
    ++hit->packets_in;
    if (!hit->nat_peer && from == nullptr) hit->nat_peer = d.src;
  } else if (from != nullptr && from->nat_peer == d.dst) {
    ++from->packets_to_nat_peer;  // the way back of symmetric RTP: answering the NAT peer
  }
  if (owner && cm.bye_us && ts > *cm.bye_us + limits.after_bye_grace_us) {
    if (cm.after_bye++ == 0) {
      cm.after_bye_frame = d.frame.number;
      cm.after_bye_us = ts;
    }
  }
}

}  // namespace sipscope::correlate::media
