// Reading one call's detail back from the store: its messages, RTP streams (with their
// time series), RTCP report blocks, diagnostics, anomalies, DTMF events and links to other
// calls (docs/schema.md), as plain
// rows for the ladder model (report/ladder.hpp) and the web API.
//
//   auto db = store::Database::open_read_only("x.db");
//   store::CallDetail d = store::load_call_detail(*db, 7);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/query.hpp"

namespace sipscope::store {

// One row of `messages` (docs/schema.md).
struct MessageRow {
  int64_t id = 0;
  int64_t call_id = 0;
  int64_t ts_us = 0;
  std::string src_ip;
  int src_port = 0;
  std::string dst_ip;
  int dst_port = 0;
  std::string transport;
  std::optional<std::string> method;
  std::optional<int> status_code;
  std::optional<std::string> reason;
  std::optional<int64_t> cseq;
  std::optional<std::string> cseq_method;
  bool retransmission = false;
  uint32_t capture_id = 0;
  uint64_t frame = 0;
  std::string raw;
};

// One `stream_samples` row: an interval of a stream's time series (docs/media.md).
struct SamplePoint {
  int64_t start_us = 0;
  int64_t interval_ms = 0;
  int64_t packets = 0, expected = 0, lost = 0;
  std::optional<double> jitter_ms;
};

// One row of `streams` (docs/schema.md); optional columns are NULL when unknown.
struct StreamRow {
  int64_t id = 0;
  std::optional<int64_t> call_id;
  std::string src_ip;
  int src_port = 0;
  std::string dst_ip;
  int dst_port = 0;
  uint32_t ssrc = 0;
  std::optional<int> payload_type;
  std::optional<std::string> codec;
  std::optional<int64_t> first_us, last_us;
  int64_t packets = 0;
  std::optional<int64_t> expected, lost, duplicates, out_of_order;
  std::optional<double> jitter_mean_ms, jitter_max_ms, max_delta_ms, mos;
  std::optional<std::string> mos_limited_by;  // docs/media.md "What limits the MOS"
  // The last RTCP report block about the stream from its receiver (streams.rtcp_*), shown
  // next to the measured loss and jitter.
  std::optional<double> rtcp_fraction_lost, rtcp_jitter_ms, rtcp_rtt_ms;
  std::optional<int64_t> rtcp_cumulative_lost;
  std::vector<SamplePoint> samples;  // by time
};

// One RTCP report block about a stream (`rtcp_reports` row with a source_ssrc): the
// receiver's view over time, drawn as the per-stream charts.
struct RtcpPoint {
  int64_t ts_us = 0;
  uint32_t source_ssrc = 0;
  std::optional<double> fraction_lost;  // 0..1
  std::optional<double> jitter_ms;
  uint32_t capture_id = 0;
  uint64_t frame = 0;
  std::string packet_type{};                 // SR, RR or XR (rtcp_reports.packet_type)
  uint32_t sender_ssrc = 0;                  // who reports
  std::optional<int64_t> cumulative_lost{};  // NULL for XR
  std::optional<double> rtt_ms{};            // rtcp_reports.rtt_ms
};

// One row of `diagnostics` or of `anomalies` (kind + detail), tied to a call.
struct FindingRow {
  int64_t call_id = 0;
  std::optional<int64_t> ts_us;
  std::string kind;
  std::string detail;
};

// One RFC 4733 event of a stream (`dtmf_events` row).
struct DtmfRow {
  int64_t stream_id = 0;
  int64_t call_id = 0;
  int64_t ts_us = 0;
  uint64_t frame = 0;
  std::string digit;  // 0-9 * # A-D, ! (flash), ? (other codes)
  std::optional<double> duration_ms;
};

// One `call_links` row touching the call: `call_id` is the later leg, `linked_call_id` the
// earlier, `reason` the evidence (x_call_id, session_id, icid, replaces, refer,
// shared_media).
struct LinkRow {
  int64_t call_id = 0;
  int64_t linked_call_id = 0;
  std::string reason;
};

// Everything stored about one call, each list in time order (then id).
struct CallDetail {
  std::vector<MessageRow> messages;
  std::vector<StreamRow> streams;  // by first_us
  std::vector<FindingRow> diagnostics;
  std::vector<FindingRow> anomalies;
  std::vector<RtcpPoint> rtcp;  // report blocks only (sender reports without blocks left out)
  std::vector<DtmfRow> dtmf;    // by time
  std::vector<LinkRow> links;   // either direction, by the other call's id
};

[[nodiscard]] CallDetail load_call_detail(const Database& db, int64_t call_id);

}  // namespace sipscope::store
