// Reads one call's messages, streams, RTCP blocks, diagnostics and anomalies (docs/schema.md).
#include "store/call_detail.hpp"

#include <string>

#include "store/sql.hpp"
#include "store/streams.hpp"

namespace sipscope::store {

namespace {

std::vector<MessageRow> call_messages(const Database& db, int64_t call_id) {
  sql::Statement st(db.handle(), db.path(),
                    "SELECT id, call_id, ts_us, src_ip, src_port, dst_ip, dst_port, transport, "
                    "method, status_code, reason, cseq, cseq_method, retransmission, capture_id, "
                    "frame, raw FROM messages WHERE call_id = ?1 ORDER BY ts_us, id");
  st.bind(1, call_id);
  std::vector<MessageRow> out;
  while (st.step()) {
    MessageRow m;
    m.id = st.column_int64(0);
    m.call_id = st.column_int64(1);
    m.ts_us = st.column_int64(2);
    m.src_ip = st.column_text(3);
    m.src_port = static_cast<int>(st.column_int64(4));
    m.dst_ip = st.column_text(5);
    m.dst_port = static_cast<int>(st.column_int64(6));
    m.transport = st.column_text(7);
    m.method = st.column_opt_text(8);
    m.status_code = st.column_opt_int(9);
    m.reason = st.column_opt_text(10);
    m.cseq = st.column_opt_int64(11);
    m.cseq_method = st.column_opt_text(12);
    m.retransmission = st.column_int64(13) != 0;
    m.capture_id = static_cast<uint32_t>(st.column_int64(14));
    m.frame = static_cast<uint64_t>(st.column_int64(15));
    m.raw = st.column_text(16);
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<DtmfRow> call_dtmf(const Database& db, int64_t call_id) {
  sql::Statement st(db.handle(), db.path(),
                    "SELECT stream_id, call_id, ts_us, frame, digit, duration_ms FROM dtmf_events "
                    "WHERE call_id = ?1 ORDER BY ts_us, id");
  st.bind(1, call_id);
  std::vector<DtmfRow> out;
  while (st.step()) {
    out.push_back({st.column_int64(0), st.column_int64(1), st.column_int64(2),
                   static_cast<uint64_t>(st.column_opt_int64(3).value_or(0)), st.column_text(4),
                   st.column_opt_double(5)});
  }
  return out;
}

std::vector<LinkRow> call_links(const Database& db, int64_t call_id) {
  sql::Statement st(db.handle(), db.path(),
                    "SELECT call_id, linked_call_id, reason FROM call_links WHERE call_id = ?1 "
                    "OR linked_call_id = ?1 ORDER BY call_id + linked_call_id - ?1, reason");
  st.bind(1, call_id);
  std::vector<LinkRow> out;
  while (st.step()) out.push_back({st.column_int64(0), st.column_int64(1), st.column_text(2)});
  return out;
}

}  // namespace

CallDetail load_call_detail(const Database& db, int64_t call_id) {
  CallDetail detail;
  detail.messages = call_messages(db, call_id);
  detail.dtmf = call_dtmf(db, call_id);
  detail.links = call_links(db, call_id);
  const std::string stream_sql =
      "SELECT " + stream_columns(db) + " FROM streams WHERE call_id = ?1 ORDER BY first_us, id";
  sql::Statement streams(db.handle(), db.path(), stream_sql.c_str());
  sql::Statement diags(db.handle(), db.path(),
                       "SELECT call_id, ts_us, kind, detail FROM diagnostics WHERE call_id = ?1 "
                       "ORDER BY ts_us, id");
  sql::Statement anomalies(db.handle(), db.path(),
                           "SELECT call_id, ts_us, kind, detail FROM anomalies WHERE call_id = "
                           "?1 ORDER BY ts_us, id");
  auto findings = [](sql::Statement& st, int64_t id, std::vector<FindingRow>& out) {
    st.bind(1, id);
    while (st.step()) {
      out.push_back(
          {st.column_int64(0), st.column_opt_int64(1), st.column_text(2), st.column_text(3)});
    }
    st.reset();
  };
  sql::Statement rtcp(db.handle(), db.path(),
                      "SELECT ts_us, source_ssrc, fraction_lost, jitter_ms, capture_id, frame, "
                      "packet_type, sender_ssrc, cumulative_lost, rtt_ms FROM rtcp_reports WHERE "
                      "call_id = ?1 ORDER BY ts_us, id");
  sql::Statement samples(db.handle(), db.path(),
                         "SELECT start_us, interval_ms, packets, expected, lost, jitter_ms FROM "
                         "stream_samples WHERE stream_id = ?1 ORDER BY start_us, id");
  {
    rtcp.bind(1, call_id);
    while (rtcp.step()) {
      if (rtcp.column_is_null(1)) continue;  // a sender report without report blocks
      RtcpPoint p;
      p.ts_us = rtcp.column_int64(0);
      p.source_ssrc = static_cast<uint32_t>(rtcp.column_opt_int64(1).value_or(0));
      p.fraction_lost = rtcp.column_opt_double(2);
      p.jitter_ms = rtcp.column_opt_double(3);
      p.capture_id = static_cast<uint32_t>(rtcp.column_int64(4));
      p.frame = static_cast<uint64_t>(rtcp.column_int64(5));
      p.packet_type = rtcp.column_text(6);
      p.sender_ssrc = static_cast<uint32_t>(rtcp.column_int64(7));
      p.cumulative_lost = rtcp.column_opt_int64(8);
      p.rtt_ms = rtcp.column_opt_double(9);
      detail.rtcp.push_back(p);
    }
    rtcp.reset();
    streams.bind(1, call_id);
    while (streams.step()) {
      StreamRow r = stream_row(streams);
      samples.bind(1, r.id);
      while (samples.step()) {
        r.samples.push_back({samples.column_int64(0), samples.column_int64(1),
                             samples.column_int64(2), samples.column_int64(3),
                             samples.column_int64(4), samples.column_opt_double(5)});
      }
      samples.reset();
      detail.streams.push_back(std::move(r));
    }
    streams.reset();
    findings(diags, call_id, detail.diagnostics);
    findings(anomalies, call_id, detail.anomalies);
  }
  return detail;
}

}  // namespace sipscope::store
