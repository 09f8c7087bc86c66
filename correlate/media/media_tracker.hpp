// Media streams tied to calls (issue 5): RTP packets are grouped into streams (one SSRC,
// one direction), counted (correlate/media/rtp_stats.hpp), tied to calls through SDP
// offer/answer (correlate/media/sdp_bindings.hpp), scored (correlate/media/emodel.hpp) and
// flushed to the RecordSink as StreamRecord rows with their time series (per-interval
// samples, correlate/media/stream_series.hpp); RTCP reports become RtcpRecord rows and
// the latest receiver report about a stream is stored beside its measured values; call
// level findings become DiagnosticRecord rows. Definitions: docs/media.md.
//
// Association order for an RTP packet: the destination is an SDP-announced address
// ("sdp"); else the source is one (symmetric RTP, "sdp_source"); else both ports are
// announced in one call's SDP but an address differs (NAT / SIP ALG: "latched", with a
// diagnostic); else the stream is an orphan (call_id NULL), still measured and stored.
// A stream whose address is re-announced by a later call is closed and a new stream row is
// started for the new call (port reuse resolved by time).
//
// Streaming and bounded: streams idle for MediaLimits::stream_idle_us of capture time are
// flushed, a call's media entry 2 * stream_idle_us after its last message or packet (its
// SDP addresses are then forgotten too), SDP addresses binding_idle_us after their SDP;
// each table has a count bound where the oldest goes with an anomaly row. Expiry costs
// what expires (time-ordered queues), never a walk of a table. finish() flushes the rest.
// The per-packet path does not allocate once a stream exists (tests/media_alloc).
//
//   media::MediaTracker m(sink, {});
//   on SIP: tracker.on_sip(ev); m.on_sip(ev, tracker.last_call_id());
//   on other UDP: m.on_udp(datagram);   per frame: m.advance(ts);   at the end: m.finish();
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "correlate/records.hpp"
#include "decode/decoder.hpp"

namespace sipscope::correlate::media {

struct MediaLimits {
  size_t max_streams = 200'000;          // open streams (anomaly stream_table_full)
  size_t max_sdp_bindings = 400'000;     // SDP-announced addresses (sdp_binding_table_full)
  size_t max_call_media = 200'000;       // per-call media entries (call_media_table_full)
  int64_t stream_idle_us = 300'000'000;  // flush a stream silent for 5 minutes
  // Live capture: a stream of a call that ended (a BYE, or a final failure to its INVITE
  // before any answer) is flushed once silent this long, so a finished call's streams are
  // stored within a second; 0 (files): stream_idle_us for every stream.
  int64_t ended_stream_idle_us = 0;
  int64_t binding_idle_us = 4LL * 3600 * 1'000'000;  // forget SDP addresses after 4 h
  int64_t gap_threshold_us = 1'000'000;  // rtp_gap above this gap (analyze --rtp-gap-ms)
  int64_t after_bye_grace_us = 500'000;  // rtp_after_bye: later than BYE + this
  double jitter_buffer_ms = 60.0;        // fixed de-jitter buffer of the MOS model
  uint64_t min_orphan_packets = 1;       // orphans with fewer packets are not stored
};

struct MediaStats {
  uint64_t rtp_packets = 0;
  uint64_t rtcp_packets = 0;
  uint64_t streams = 0;
  uint64_t orphan_streams = 0;
  uint64_t sdp_bodies = 0;
  uint64_t diagnostics = 0;
  uint64_t anomalies = 0;  // table bounds reached (MediaLimits)
};

// What is open right now, per table (the MediaLimits bounds).
struct MediaOpen {
  size_t streams = 0;
  size_t call_media = 0;
  size_t sdp_bindings = 0;
};

class MediaTracker {
 public:
  MediaTracker(RecordSink& sink, MediaLimits limits);
  ~MediaTracker();
  MediaTracker(const MediaTracker&) = delete;
  MediaTracker& operator=(const MediaTracker&) = delete;

  // A SIP message; call_id is the calls.id it belongs to (CallTracker::last_call_id()).
  void on_sip(const decode::SipEvent& event, std::optional<int64_t> call_id);
  // A UDP datagram that is not SIP: RTP, RTCP or something else (ignored).
  void on_udp(const decode::UdpDatagram& datagram);
  void advance(int64_t now_us);
  void finish();
  // Whether streams of the call are still open (not yet flushed).
  [[nodiscard]] bool has_open_streams(int64_t call_id) const;

  [[nodiscard]] const MediaStats& stats() const;
  [[nodiscard]] MediaOpen open() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sipscope::correlate::media
