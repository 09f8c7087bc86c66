#include "correlate/media/media_tracker.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <unordered_map>
#include <vector>

#include "correlate/media/codec.hpp"
#include "correlate/media/emodel.hpp"
#include "correlate/media/offer_answer.hpp"
#include "correlate/media/rtp_stats.hpp"
#include "correlate/media/sdp_bindings.hpp"
#include "correlate/media/stream_series.hpp"
#include "correlate/media/stream_table.hpp"
#include "decode/rtcp.hpp"
#include "decode/rtp.hpp"
#include "decode/sdp/sdp.hpp"
#include "decode/sip/fields.hpp"

namespace sipscope::correlate::media {
namespace {

enum class Assoc : uint8_t { orphan, sdp, sdp_source, latched };

std::string_view assoc_name(Assoc a) {
  switch (a) {
    case Assoc::sdp:
      return "sdp";
    case Assoc::sdp_source:
      return "sdp_source";
    case Assoc::latched:
      return "latched";
    case Assoc::orphan:
      break;
  }
  return "orphan";
}

struct Dtmf {
  int64_t ts_us = 0;
  uint64_t frame = 0;
  uint32_t rtp_ts = 0;
  uint16_t duration = 0;
  uint8_t event = 0;
  uint8_t volume = 0;
  bool end = false;
};

struct LatestRr {
  bool present = false;
  double fraction_lost = 0;
  int64_t cumulative_lost = 0;
  uint32_t jitter_units = 0;
  double rtt_ms = -1;
};

// Everything kept per stream; fixed size so the packet path never allocates.
struct StreamState {
  std::optional<int64_t> call_id;
  Assoc assoc = Assoc::orphan;
  uint32_t capture_id = 0;
  uint64_t first_frame = 0, last_frame = 0;
  int64_t first_us = 0, last_us = 0;
  SequenceStats seq;
  TransitStats transit;
  // Payload type currently seen, and the main (first audio) one for the row.
  int cur_pt = -1;
  uint32_t cur_rate = 0;
  bool cur_event = false, cur_cn = false, cur_negotiated = true;
  int main_pt = -1;
  PayloadInfo main{};
  bool main_known = false;
  uint64_t markers = 0, cn = 0, events = 0;
  // RFC 4733 events (first 32 kept; more are counted in events only).
  std::array<Dtmf, 32> dtmf{};
  uint8_t dtmf_count = 0;
  uint32_t event_rate = 8000;
  // De-jitter buffer model (docs/media.md).
  int64_t ext_ts = 0;
  bool have_transit = false;
  double min_transit_ms = 0;
  uint64_t late = 0;
  // Evidence for the diagnostics: the longest gap (frames before and after it, time of
  // the packet after it) and the first packet of a payload type not negotiated.
  int64_t max_gap_us = 0, gap_us = 0;
  uint64_t gap_frame = 0, gap_prev_frame = 0, gaps_over = 0;
  int bad_pt = -1;
  int64_t bad_pt_us = 0;
  uint64_t bad_pt_frame = 0, bad_pt_packets = 0;
  LatestRr rr;
  StreamSeries series;  // per-interval samples for charts
};

struct EndpointUse {
  decode::Endpoint ep;
  decode::Endpoint announcer;
  uint64_t frame = 0;
  bool superseded = false;
  bool hold = false;
  uint64_t packets_in = 0;
  // Symmetric RTP behind a NAT (RFC 4961): the first source outside the call's SDP that
  // sent here, and the packets this endpoint sent back to it (the media the NATed side
  // receives on its public address).
  std::optional<decode::Endpoint> nat_peer;
  uint64_t packets_to_nat_peer = 0;
};

// Per call: what its SDP announced and what media arrived, for the call diagnostics.
struct CallMedia {
  std::vector<EndpointUse> endpoints;
  [[nodiscard]] bool two_sides() const {
    return std::any_of(endpoints.begin(), endpoints.end(), [&](const EndpointUse& e) {
      return e.announcer != endpoints.front().announcer;
    });
  }
  [[nodiscard]] bool announced(const decode::Endpoint& ep) const {
    return std::any_of(endpoints.begin(), endpoints.end(),
                       [&](const EndpointUse& e) { return e.ep == ep; });
  }
  int64_t last_us = 0;
  uint64_t rtp_packets = 0;
  std::optional<int64_t> bye_us;
  uint64_t bye_frame = 0;
  uint64_t after_bye = 0, after_bye_frame = 0;
  int64_t after_bye_us = 0;
  // Streams seen per direction, to count SSRC changes (a new SSRC on the same addresses).
  std::vector<StreamKey> keys;
  bool codec_mismatch = false;  // reported once per call (every proxy hop repeats the 488)
  // The latest SDP offer (RFC 3264) and its CSeq number: an SDP in a response, or in the
  // ACK, of that CSeq is its answer.
  AudioCodecs offer;
  uint32_t offer_cseq = 0;
  uint64_t offer_frame = 0;
  bool offer_pending = false;
  // A hold is reported when the call enters it: proxies and B2BUAs forward the hold offer
  // hop by hop (a B2BUA rewrites o=), so later hold SDPs are the same hold until a request
  // offers media again (resume).
  bool on_hold = false;
  uint64_t ssrc_changes = 0, ssrc_change_frame = 0;
  int64_t ssrc_change_us = 0;
};

struct SrSeen {
  uint32_t ntp_mid = 0;
  int64_t ts_us = 0;
  decode::Endpoint to;  // where this copy of the SR went
};

// The last 8 SRs of one SSRC as captured. A relay (B2BUA, SBC) forwards the same SR on
// every leg, and a report's round trip must use the copy that went to the report's sender,
// not the other leg's (corpus heplify_rtp_rtcp_sip.pcap, frames 1181/1183); and receivers
// may echo an SR older than the last one (voipshark_SIP-RTP-Normal_Call_two_parties.pcap
// frame 5627 echoes the SR of 46.28 s, not the one of 49.19 s).
struct SrCopies {
  std::array<SrSeen, 8> copies{};
  uint8_t next = 0, used = 0;

  void put(const SrSeen& s) {
    copies[next] = s;
    next = static_cast<uint8_t>((next + 1) % copies.size());
    if (used < copies.size()) ++used;
  }

  // The copy echoed by `lsr` that went to `reporter`; else one that went to its host; else
  // the latest with that LSR (the reporter sends from another address, e.g. behind NAT).
  [[nodiscard]] const SrSeen* find(uint32_t lsr, const decode::Endpoint& reporter) const {
    const SrSeen* exact = nullptr;
    const SrSeen* host = nullptr;
    const SrSeen* any = nullptr;
    for (size_t i = 0; i < used; ++i) {
      const SrSeen& s = copies[i];
      if (s.ntp_mid != lsr) continue;
      if (s.to == reporter && (exact == nullptr || s.ts_us > exact->ts_us)) exact = &s;
      if (s.to.ip == reporter.ip && (host == nullptr || s.ts_us > host->ts_us)) host = &s;
      if (any == nullptr || s.ts_us > any->ts_us) any = &s;
    }
    if (exact != nullptr) return exact;
    return host != nullptr ? host : any;
  }
};

std::string frames_list(std::initializer_list<uint64_t> frames) {
  std::string out;
  for (uint64_t f : frames) {
    if (f == 0) continue;
    if (!out.empty()) out += ',';
    out += std::to_string(f);
  }
  return out;
}

std::string_view trim_sdp(std::string_view body) {
  const size_t v = body.find("v=0");
  if (v == std::string_view::npos) return {};
  body.remove_prefix(v);
  // multipart/mixed (RFC 5621): the SDP part ends at the next boundary line.
  const size_t b = body.find("\n--");
  if (b != std::string_view::npos) body = body.substr(0, b + 1);
  return body;
}

}  // namespace

struct MediaTracker::Impl {
  RecordSink& sink;
  MediaLimits limits;
  MediaStats stats;
  SdpBindings bindings;
  StreamTable<StreamState> streams{1024};
  std::unordered_multimap<uint32_t, StreamKey> by_ssrc;
  std::unordered_map<int64_t, CallMedia> calls;
  std::unordered_map<uint32_t, SrCopies> last_sr;
  decode::sdp::Session sdp;
  int64_t now_us = 0;
  int64_t last_sweep_us = 0;
  std::vector<StreamKey> due;  // reused by sweep()

  Impl(RecordSink& s, MediaLimits l) : sink(s), limits(l) {}

  void diag(int64_t call_id, int64_t ts, std::string kind, std::string detail, std::string frames) {
    DiagnosticRecord d;
    d.call_id = call_id;
    d.ts_us = ts;
    d.kind = std::move(kind);
    d.detail = std::move(detail);
    d.frames = std::move(frames);
    ++stats.diagnostics;
    sink.on_diagnostic(std::move(d));
  }

  // --- SIP / SDP -----------------------------------------------------------------------

  // RFC 3264: an SDP in a request (INVITE, UPDATE) or in a response of another CSeq (late
  // offer in a 200) is an offer; one in a response or ACK of the offer's CSeq answers it.
  // Proxies forward both hop by hop: a copy of the offer replaces it with the same codecs.
  void check_offer_answer(int64_t call_id, CallMedia& cm, const decode::SipEvent& ev,
                          const decode::sdp::Session& body) {
    const auto& m = *ev.message;
    decode::sip::CSeq cseq;
    if (!decode::sip::parse_cseq(m.header_value(decode::sip::HeaderId::cseq), cseq)) return;
    const bool is_ack = m.is_request() && m.method() == "ACK";
    if (cm.offer_pending && cseq.number == cm.offer_cseq && (is_ack || !m.is_request())) {
      const AudioCodecs answer = audio_codecs(body);
      if (!cm.codec_mismatch && no_common_codec(cm.offer, answer)) {
        cm.codec_mismatch = true;
        diag(call_id, ev.frame.ts_us, "codec_mismatch",
             "the SDP answer shares no audio codec with the offer (offer: " + codec_list(cm.offer) +
                 "; answer: " + codec_list(answer) + ")",
             frames_list({cm.offer_frame, ev.frame.number}));
      }
      return;
    }
    if (is_ack || (m.is_request() && m.method() == "PRACK")) return;  // no offer to answer
    cm.offer = audio_codecs(body);
    cm.offer_cseq = cseq.number;
    cm.offer_frame = ev.frame.number;
    cm.offer_pending = true;
  }

  void on_sip(const decode::SipEvent& ev, std::optional<int64_t> call_id) {
    if (ev.message == nullptr || !call_id) return;
    const auto& m = *ev.message;
    const int64_t ts = ev.frame.ts_us;
    CallMedia& cm = calls[*call_id];
    cm.last_us = std::max(cm.last_us, ts);
    if (m.is_request() && m.method() == "BYE" && !cm.bye_us) {
      cm.bye_us = ts;
      cm.bye_frame = ev.frame.number;
    }
    if (!m.is_request() && (m.status_code() == 488 || m.status_code() == 606) &&
        !cm.codec_mismatch) {
      cm.codec_mismatch = true;
      diag(*call_id, ts, "codec_mismatch",
           std::to_string(m.status_code()) + " " + std::string(m.reason_phrase()) +
               ": no common media/codec",
           frames_list({ev.frame.number}));
    }
    const std::string_view body = trim_sdp(m.body());
    if (body.empty()) return;
    if (decode::sdp::parse_sdp(body, sdp) != decode::sdp::SdpError::ok) return;
    ++stats.sdp_bodies;
    check_offer_answer(*call_id, cm, ev, sdp);
    for (auto& e : cm.endpoints)
      if (e.announcer == ev.src) e.superseded = true;
    const AnnounceResult r = bindings.announce(*call_id, ev.frame, ev.src, sdp);
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
    if (r.hold && !cm.on_hold) {
      cm.on_hold = true;
      std::string what =
          m.is_request() ? std::string(m.method()) : std::to_string(m.status_code()) + " response";
      diag(*call_id, ts, "hold",
           what + (r.null_address ? " announces c=0.0.0.0" : " announces sendonly/inactive"),
           frames_list({ev.frame.number}));
    }
  }

  // --- RTP -----------------------------------------------------------------------------

  void resolve_pt(StreamState& st, uint8_t pt, const Binding* a, const Binding* b) {
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
  void on_rtp(const decode::UdpDatagram& d, const decode::rtp::RtpHeader& h, const Binding* to,
              const Binding* from) {
    ++stats.rtp_packets;
    const int64_t ts = d.frame.ts_us;
    const StreamKey key{d.src, d.dst, h.ssrc};
    if (to != nullptr && to->rtcp) to = nullptr;
    if (from != nullptr && from->rtcp) from = nullptr;
    const Binding* b = to != nullptr ? to : from;
    Assoc assoc =
        to != nullptr ? Assoc::sdp : (from != nullptr ? Assoc::sdp_source : Assoc::orphan);
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
        st->call_id = b->call_id;  // the SDP came after the first packets: adopt
        st->assoc = assoc;
      } else if (*st->call_id != b->call_id && b->since_us > st->first_us) {
        // The address was re-announced by another call: the old stream ends here.
        flush_stream(key, *st);
        erase_stream(key);
        st = nullptr;
      }
    }
    if (st == nullptr) {
      if (streams.size() >= limits.max_streams) evict_oldest();
      st = &streams.insert(key);
      by_ssrc.emplace(h.ssrc, key);
      if (b != nullptr) st->call_id = b->call_id;
      st->assoc = assoc;
      st->capture_id = d.frame.capture_id;
      st->first_frame = d.frame.number;
      st->first_us = ts;
      if (st->call_id) note_new_stream(*st->call_id, key, d.frame);
    }
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
    st->seq.update(h.sequence);
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
      late_model(*st, ts, h.timestamp);
    }
    st->series.end_packet(gap, st->transit.has_jitter(), st->transit.jitter_ms());
    if (st->call_id) on_call_packet(*st->call_id, d, ts);
  }

  void note_new_stream(int64_t call_id, const StreamKey& key, const decode::FrameRef& frame) {
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

  void late_model(StreamState& st, int64_t ts, uint32_t rtp_ts) {
    if (!st.have_transit) st.ext_ts = rtp_ts;
    st.ext_ts += static_cast<int32_t>(rtp_ts - static_cast<uint32_t>(st.ext_ts));
    const double transit =
        static_cast<double>(ts) / 1000.0 - static_cast<double>(st.ext_ts) * 1000.0 / st.cur_rate;
    if (!st.have_transit || transit < st.min_transit_ms) {
      st.min_transit_ms = transit;
      st.have_transit = true;
    } else if (transit - st.min_transit_ms > limits.jitter_buffer_ms) {
      ++st.late;
    }
  }

  void on_event(StreamState& st, const decode::UdpDatagram& d, const decode::rtp::RtpHeader& h) {
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

  void on_call_packet(int64_t call_id, const decode::UdpDatagram& d, int64_t ts) {
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
    if (cm.bye_us && ts > *cm.bye_us + limits.after_bye_grace_us) {
      if (cm.after_bye++ == 0) {
        cm.after_bye_frame = d.frame.number;
        cm.after_bye_us = ts;
      }
    }
  }

  // --- RTCP ----------------------------------------------------------------------------

  StreamState* stream_by_ssrc(uint32_t ssrc, const decode::IpAddress& receiver) {
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

  void on_rtcp(const decode::UdpDatagram& d) {
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
      const std::string_view name = decode::rtcp::packet_type_name(p.packet_type);
      base.packet_type = name.empty() ? std::to_string(p.packet_type) : std::string(name);
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

  // --- flushing ------------------------------------------------------------------------

  void erase_stream(const StreamKey& key) {
    auto [lo, hi] = by_ssrc.equal_range(key.ssrc);
    for (auto it = lo; it != hi; ++it) {
      if (it->second == key) {
        by_ssrc.erase(it);
        break;
      }
    }
    streams.erase(key);
  }

  void flush_stream(const StreamKey& key, const StreamState& st) {
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
    r.association = std::string(assoc_name(st.assoc));
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
    ++stats.streams;
    if (!st.call_id) ++stats.orphan_streams;
    sink.on_stream(std::move(r));
  }

  // E-model per docs/media.md: needs a codec with known impairment and >= 50 expected
  // packets (one second at 20 ms); otherwise NULL, never a default.
  void score(const StreamState& st, StreamRecord& r) const {
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
    const double rf = r_factor({.ie = c->ie,
                                .bpl = c->bpl,
                                .ppl_percent = ppl,
                                .burst_ratio = burst_ratio,
                                .one_way_delay_ms = ta});
    r.r_factor = rf;
    r.mos = mos_from_r(rf);
  }

  void stream_diagnostics(const StreamKey& key, const StreamState& st, const StreamRecord& r) {
    const int64_t call = *st.call_id;
    const std::string flow = key.src.to_string() + " -> " + key.dst.to_string();
    if (st.assoc == Assoc::latched) {
      diag(call, st.first_us, "rtp_address_not_in_sdp",
           flow + ": ports match the SDP but an address does not (NAT / SIP ALG latching)",
           frames_list({st.first_frame}));
    } else if (const auto it = calls.find(call); it != calls.end() && it->second.two_sides()) {
      // One end is announced; the other is not in any SDP of the call, though both sides'
      // SDP was seen: symmetric RTP from behind a NAT, or media sent back to it.
      if (st.assoc == Assoc::sdp && !it->second.announced(key.src)) {
        diag(call, st.first_us, "rtp_address_not_in_sdp",
             flow +
                 ": the source is in no SDP of the call (symmetric RTP from behind a NAT, "
                 "or an SDP rewritten by a SIP ALG)",
             frames_list({st.first_frame}));
      } else if (st.assoc == Assoc::sdp_source && !it->second.announced(key.dst)) {
        diag(call, st.first_us, "rtp_address_not_in_sdp",
             flow +
                 ": the destination is in no SDP of the call (media sent back to where the "
                 "peer's media came from: NAT latching)",
             frames_list({st.first_frame}));
      }
    }
    if (st.bad_pt >= 0) {
      diag(call, st.bad_pt_us, "payload_type_not_negotiated",
           flow + ": payload type " + std::to_string(st.bad_pt) + " not in the SDP (" +
               std::to_string(st.bad_pt_packets) + " packets)",
           frames_list({st.bad_pt_frame}));
    }
    if (st.gaps_over > 0) {
      diag(call, st.gap_us, "rtp_gap",
           flow + ": " + std::to_string(st.gaps_over) + " gap(s) longer than " +
               std::to_string(limits.gap_threshold_us / 1000) + " ms, longest " +
               std::to_string(st.max_gap_us / 1000) + " ms (between the frames listed)",
           frames_list({st.gap_prev_frame, st.gap_frame}));
    }
    (void)r;
  }

  void flush_call(int64_t call_id, const CallMedia& cm) {
    std::vector<decode::Endpoint> announcers;
    for (const auto& e : cm.endpoints)
      if (std::find(announcers.begin(), announcers.end(), e.announcer) == announcers.end())
        announcers.push_back(e.announcer);
    // A capture without any RTP is a signalling-only capture: "no RTP" would say nothing.
    if (announcers.size() >= 2 && stats.rtp_packets > 0) {
      if (cm.rtp_packets == 0) {
        std::string frames;
        for (const auto& e : cm.endpoints) {
          if (!frames.empty()) frames += ',';
          frames += std::to_string(e.frame);
        }
        diag(call_id, cm.last_us, "no_rtp", "SDP offer and answer seen, no RTP to or from them",
             frames);
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
            eps += (eps.empty() ? "" : " ") + e.ep.to_string();
          }
          // Symmetric RTP: the other side answered the NAT address a's media came from.
          for (const auto& f : cm.endpoints)
            if (f.announcer != a) in += f.packets_to_nat_peer;
          if (active && in == 0) {
            diag(call_id, cm.last_us, "one_way_audio",
                 "no RTP towards " + eps + " (announced by " + a.to_string() + ")",
                 frames_list({frame}));
          }
        }
      }
    }
    if (cm.ssrc_changes > 0) {
      diag(call_id, cm.ssrc_change_us, "ssrc_change",
           std::to_string(cm.ssrc_changes) +
               " new SSRC(s) on addresses that already carried a "
               "stream of the call (RFC 3550 §8.2: source restart, transfer or media relay)",
           frames_list({cm.ssrc_change_frame}));
    }
    if (cm.after_bye > 0) {
      diag(call_id, cm.after_bye_us, "rtp_after_bye",
           std::to_string(cm.after_bye) + " RTP packets after the BYE",
           frames_list({cm.bye_frame, cm.after_bye_frame}));
    }
  }

  void evict_oldest() {
    const StreamKey* victim = nullptr;
    int64_t oldest = 0;
    streams.for_each([&](const StreamKey& k, StreamState& s) {
      if (victim == nullptr || s.last_us < oldest) {
        victim = &k;
        oldest = s.last_us;
      }
    });
    if (victim == nullptr) return;
    const StreamKey key = *victim;
    flush_stream(key, *streams.find(key));
    erase_stream(key);
  }

  void advance(int64_t now) {
    now_us = std::max(now_us, now);
    // Sweep at most once per second of capture time: the scan is O(streams).
    if (now_us - last_sweep_us < 1'000'000) return;
    last_sweep_us = now_us;
    due.clear();
    streams.for_each([&](const StreamKey& k, StreamState& s) {
      if (now_us - s.last_us > limits.stream_idle_us) due.push_back(k);
    });
    for (const auto& k : due) {
      flush_stream(k, *streams.find(k));
      erase_stream(k);
    }
    for (auto it = calls.begin(); it != calls.end();) {
      if (now_us - it->second.last_us > 2 * limits.stream_idle_us) {
        flush_call(it->first, it->second);
        it = calls.erase(it);
      } else {
        ++it;
      }
    }
    bindings.expire(now_us - limits.binding_idle_us);
  }

  void finish() {
    due.clear();
    streams.for_each([&](const StreamKey& k, StreamState&) { due.push_back(k); });
    // Deterministic order: by first packet.
    std::sort(due.begin(), due.end(), [this](const StreamKey& a, const StreamKey& b) {
      const StreamState* x = streams.find(a);
      const StreamState* y = streams.find(b);
      if (x->first_frame != y->first_frame) return x->first_frame < y->first_frame;
      return x->first_us < y->first_us;
    });
    for (const auto& k : due) {
      flush_stream(k, *streams.find(k));
      erase_stream(k);
    }
    std::vector<int64_t> ids;
    ids.reserve(calls.size());
    for (const auto& [id, cm] : calls) ids.push_back(id);
    std::sort(ids.begin(), ids.end());
    for (int64_t id : ids) flush_call(id, calls[id]);
    calls.clear();
  }
};

MediaTracker::MediaTracker(RecordSink& sink, MediaLimits limits)
    : impl_(std::make_unique<Impl>(sink, limits)) {}
MediaTracker::~MediaTracker() = default;

void MediaTracker::on_sip(const decode::SipEvent& event, std::optional<int64_t> call_id) {
  impl_->on_sip(event, call_id);
}

namespace {

// Ports of protocols that are never RTP but whose bytes often parse as an RTP header (DNS,
// NetBIOS, LLMNR, mDNS, SSDP, STUN/TURN, NTP ...). Only consulted for addresses that no SDP
// announced: RTP that SDP placed on such a port is still RTP.
bool is_non_rtp_port(uint16_t port) {
  if (port < 1024) return true;  // RFC 3551 §8: RTP uses dynamic ports (>= 1024)
  switch (port) {
    case 1900:  // SSDP
    case 3478:  // STUN / TURN
    case 5349:
    case 5353:  // mDNS
    case 5355:  // LLMNR
    case 5060:  // SIP that the SIP parser rejected
    case 5061:
      return true;
    default:
      return false;
  }
}

}  // namespace

void MediaTracker::on_udp(const decode::UdpDatagram& d) {
  const Binding* to = impl_->bindings.find(d.dst);
  const Binding* from = impl_->bindings.find(d.src);
  if (to != nullptr ? to->non_rtp : (from != nullptr && from->non_rtp)) return;  // T.38 ...
  if (to == nullptr && from == nullptr &&
      (is_non_rtp_port(d.src.port) || is_non_rtp_port(d.dst.port)))
    return;
  if (decode::rtp::is_rtcp_packet_type(d.payload)) {
    impl_->on_rtcp(d);
    return;
  }
  decode::rtp::RtpHeader h;
  if (decode::rtp::parse_rtp(d.payload, h) != decode::rtp::RtpError::ok) return;
  impl_->on_rtp(d, h, to, from);
}

void MediaTracker::advance(int64_t now_us) {
  impl_->advance(now_us);
}

void MediaTracker::finish() {
  impl_->finish();
}

const MediaStats& MediaTracker::stats() const {
  return impl_->stats;
}

}  // namespace sipscope::correlate::media
