// Internal to MediaTracker: the per-stream, per-call and per-SSRC state it keeps, and the
// Impl whose methods live in media_sip.cpp, media_rtp.cpp, media_rtcp.cpp, media_flush.cpp.
#pragma once

#include <algorithm>
#include <array>
#include <deque>
#include <initializer_list>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "correlate/deadline_queue.hpp"
#include "correlate/media/jitter_buffer.hpp"
#include "correlate/media/media_tracker.hpp"
#include "correlate/media/offer_answer.hpp"
#include "correlate/media/rtp_stats.hpp"
#include "correlate/media/sdp_bindings.hpp"
#include "correlate/media/stream_series.hpp"
#include "correlate/media/stream_table.hpp"
#include "decode/rtp.hpp"
#include "decode/sdp/sdp.hpp"
#include "decode/sip/message.hpp"

namespace sipscope::correlate::media {

using Assoc = StreamAssociation;  // its short name inside media/

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
  JitterBufferModel buffer;
  uint64_t late = 0;
  // Evidence for the diagnostics: the longest gap (frames before and after it, time of
  // the packet after it) and the first packet of a payload type not negotiated.
  int64_t max_gap_us = 0, gap_us = 0;
  uint64_t gap_frame = 0, gap_prev_frame = 0, gaps_over = 0;
  uint64_t first_duplicate_frame = 0;  // evidence of the duplicate_packets anomaly
  int64_t first_duplicate_us = 0;
  int bad_pt = -1;
  int64_t bad_pt_us = 0;
  uint64_t bad_pt_frame = 0, bad_pt_packets = 0;
  LatestRr rr;
  StreamSeries series;  // per-interval samples for charts
  uint64_t stamp = 0;   // matches its entry in the expiry queue
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
// The first packet of an RTP stream on probation (RFC 3550 A.1): what counting it needs.
struct HeldPacket {
  decode::FrameRef frame;
  decode::rtp::RtpHeader header;      // payload re-pointed at `payload` when replayed
  std::array<uint8_t, 16> payload{};  // enough for an RFC 4733 event (4 bytes)
  uint8_t payload_size = 0;
  uint64_t stamp = 0;  // matches its entry in probation_order
};

inline constexpr size_t kMaxBoundPerCall = 32;
inline constexpr size_t kMaxPartners = 8;
// A B2BUA relays an offer or answer to its other leg within this (corpus heplify_erspan:
// 9.4 ms and 8 ms); calls set up one after the other on fixed ports (SIPp) are further apart.
inline constexpr int64_t kShareWindowUs = 100'000;

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
  uint32_t prack_sdp_cseq = 0;  // the latest PRACK that carried SDP (a 488 to it refuses it)
  // RFC 3264 §8: an offer in a request changes the session only when answered; rejected
  // (a final >= 300) it leaves the session as it was. What the pending offer replaced:
  // the bindings of this call it re-announced (RTP to them still counts while it is
  // pending, e.g. audio to an address offered for T.38) and the endpoints and hold state.
  struct PendingOffer {
    bool pending = false;
    uint32_t cseq = 0;
    std::vector<std::pair<decode::Endpoint, Binding>> replaced;
    std::vector<EndpointUse> endpoints;
    bool on_hold = false;
  } before_offer;
  // A hold is reported when the call enters it: proxies and B2BUAs forward the hold offer
  // hop by hop (a B2BUA rewrites o=), so later hold SDPs are the same hold until a request
  // offers media again (resume).
  bool on_hold = false;
  uint64_t ssrc_changes = 0, ssrc_change_frame = 0;
  int64_t ssrc_change_us = 0;
  uint64_t stamp = 0;  // matches its entry in the expiry queue
  // Addresses its SDP bound (RTP and RTCP, the first kMaxBoundPerCall): forgotten with it.
  std::vector<decode::Endpoint> bound;
  // Open calls announcing an address this one announced too (media_shared.cpp).
  std::vector<int64_t> partners;
  bool answered = false;           // a 2xx to an INVITE
  bool failed_unanswered = false;  // a final >= 300 to an INVITE before any 2xx: call over
  // Over for its streams (MediaLimits::ended_stream_idle_us): a BYE, or a final failure to
  // the INVITE before any answer other than a challenge (401/407: the retry follows).
  bool ended = false;
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

// A To-tag: the request is inside a dialog (RFC 3261 §12.2). media_offer.cpp.
[[nodiscard]] bool has_to_tag(const decode::sip::Message& m);

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
  std::vector<StreamKey> due;  // reused by finish()
  // Expiry in time order (correlate/deadline_queue.hpp): streams by last packet + idle,
  // call entries by last message or packet + 2 * idle.
  DeadlineQueue<StreamKey> stream_due;
  DeadlineQueue<int64_t> call_due;
  uint64_t next_stamp = 1;
  // Streams on probation (media_probation.cpp), oldest first in probation_order.
  StreamTable<HeldPacket> probation{64};
  std::deque<std::pair<StreamKey, uint64_t>> probation_order;
  std::vector<decode::Endpoint> bound_scratch;                         // reused by on_sip()
  std::vector<std::pair<decode::Endpoint, Binding>> replaced_scratch;  // likewise

  Impl(RecordSink& s, MediaLimits l) : sink(s), limits(l), bindings(l.max_sdp_bindings) {}

  // A finding; zeros in `frames` (frame not known) are left out.
  void diag(int64_t call_id, int64_t ts, DiagnosticKind kind, std::string detail,
            std::vector<uint64_t> frames);
  // RFC 3264: an SDP in a request (INVITE, UPDATE) or in a response of another CSeq (late
  // offer in a 200) is an offer; one in a response or ACK of the offer's CSeq answers it.
  // Proxies forward both hop by hop: a copy of the offer replaces it with the same codecs.
  void check_offer_answer(int64_t call_id, CallMedia& cm, const decode::SipEvent& ev,
                          const decode::sdp::Session& body);
  void on_sip(const decode::SipEvent& ev, std::optional<int64_t> call_id);
  // RFC 3264 §8 for an offer in an INVITE/UPDATE: remember what it replaces; its final
  // response keeps (2xx) or undoes (>= 300) it. media_offer.cpp.
  void offer_before(CallMedia& cm, const decode::sip::Message& m);
  void offer_after(int64_t call_id, CallMedia& cm);
  void offer_outcome(CallMedia& cm, const decode::sip::Message& m);
  // The binding a pending offer replaced at `b`'s address when `b` is not RTP (an address
  // offered for T.38 still receives the audio until the answer); else b.
  [[nodiscard]] const Binding* rtp_until_answer(const Binding* b, const decode::Endpoint& at);
  void resolve_pt(StreamState& st, uint8_t pt, const Binding* a, const Binding* b);
  // to/from: the bindings of the destination and source addresses (nullptr if none).
  void on_rtp(const decode::UdpDatagram& d, const decode::rtp::RtpHeader& h, const Binding* to,
              const Binding* from);
  // call_id: the call the stream belongs to (nullopt: orphan).
  StreamState& open_stream(const StreamKey& key, const decode::FrameRef& frame,
                           std::optional<int64_t> call_id, Assoc assoc);
  void count_held(StreamState& st, const StreamKey& key, const HeldPacket& held);
  // Candidates still waiting when the input ends: the capture cannot tell, so they are
  // one-packet streams.
  void probation_finish();
  void count_packet(StreamState& st, const decode::UdpDatagram& d, const decode::rtp::RtpHeader& h,
                    const Binding* to, const Binding* from);
  // media_probation.cpp: the held first packet when `h` confirms the stream, else nullptr
  // (h is then held as the new first packet).
  const HeldPacket* probation_check(const StreamKey& key, const decode::UdpDatagram& d,
                                    const decode::rtp::RtpHeader& h);
  void probation_drop(const StreamKey& key);
  void probation_expire();
  void note_new_stream(int64_t call_id, const StreamKey& key, const decode::FrameRef& frame);
  void late_model(StreamState& st, int64_t ts, uint32_t rtp_ts, bool marker);
  void on_event(StreamState& st, const decode::UdpDatagram& d, const decode::rtp::RtpHeader& h);
  // owner: the stream's own call (a sharing leg is credited, not told of RTP after its BYE).
  void on_call_packet(int64_t call_id, const decode::UdpDatagram& d, int64_t ts, bool owner = true);
  // media_shared.cpp: B2BUA legs announcing the same address.
  void note_shared(int64_t call_id, CallMedia& cm, const decode::Endpoint& announcer,
                   int64_t now_us);
  // Whether the call is over for sharing: answered, or failed before any answer.
  static void note_outcome(CallMedia& cm, const decode::sip::Message& m);
  [[nodiscard]] int64_t call_fitting(const Binding& b, const decode::UdpDatagram& d) const;
  void credit_shared(const StreamState& st, const Binding* to, const Binding* from,
                     const decode::UdpDatagram& d);
  void link_partners(int64_t call_id, const CallMedia& cm);
  StreamState* stream_by_ssrc(uint32_t ssrc, const decode::IpAddress& receiver);
  void on_rtcp(const decode::UdpDatagram& d);
  void erase_stream(const StreamKey& key);
  void flush_stream(const StreamKey& key, const StreamState& st);
  // E-model per docs/media.md: needs a codec with known impairment and >= 50 expected
  // packets (one second at 20 ms); otherwise NULL, never a default.
  void score(const StreamState& st, StreamRecord& r) const;
  void duplicate_anomaly(const StreamKey& key, const StreamState& st);
  void stream_diagnostics(const StreamKey& key, const StreamState& st, const StreamRecord& r);
  void flush_call(int64_t call_id, const CallMedia& cm);
  // media_expiry.cpp: expiry, the table bounds, finish.
  // The call's entry, made on its first SDP (or 488/606); at the bound the quietest goes.
  CallMedia& call_media(int64_t call_id, const decode::FrameRef& frame);
  void drop_call(std::unordered_map<int64_t, CallMedia>::iterator it);
  void evict_oldest_stream(const decode::FrameRef& frame);
  void evict_oldest_call(const decode::FrameRef& frame);
  void limit_anomaly(decode::AnomalyKind kind, const decode::FrameRef& frame, std::string detail);
  // How long the stream may stay silent before it is flushed (MediaLimits).
  [[nodiscard]] int64_t idle_of(const StreamState& st) const;
  // Live (MediaLimits::ended_stream_idle_us): whether the message ends the call or starts
  // it again (a new INVITE after a failure, an answer); an ended call's streams are due
  // sooner. media_expiry.cpp.
  void note_end(CallMedia& cm, const decode::sip::Message& m);
  void expire_streams();
  void expire_calls();
  void advance(int64_t now);
  void finish();
};

}  // namespace sipscope::correlate::media
