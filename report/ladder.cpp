#include "report/ladder.hpp"

#include <algorithm>
#include <set>

#include "report/nodes.hpp"
#include "report/sql.hpp"

namespace sipscope::report {

namespace {

// RFC 3986 §3.2.2: an IPv6 literal is bracketed when a port follows it.
std::string endpoint(const std::string& ip, int port) {
  const bool v6 = ip.find(':') != std::string::npos;
  std::string out;
  out.reserve(ip.size() + 8);
  if (v6) out += '[';
  out += ip;
  if (v6) out += ']';
  out += ':';
  out += std::to_string(port);
  return out;
}

std::string label_of(const LadderEvent& e, const std::optional<std::string>& reason) {
  if (e.method) return *e.method;
  if (e.status_code) {
    std::string label = std::to_string(*e.status_code);
    if (reason && !reason->empty()) label += ' ' + *reason;
    return label;
  }
  return e.cseq_method ? *e.cseq_method : std::string("?");
}

// Streams, diagnostics and anomalies of the ladder's calls (tables filled by media/
// correlate analysis; empty tables simply give empty lists).
void load_media(const Database& db, Ladder& ladder) {
  sql::Statement streams(db.handle(), db.path(),
                         "SELECT id, call_id, src_ip, src_port, dst_ip, dst_port, ssrc, "
                         "payload_type, codec, first_us, last_us, packets, expected, lost, "
                         "duplicates, out_of_order, jitter_mean_ms, jitter_max_ms, max_delta_ms, "
                         "mos, rtcp_fraction_lost, rtcp_cumulative_lost, rtcp_jitter_ms, "
                         "rtcp_rtt_ms FROM streams WHERE call_id = ?1 ORDER BY first_us, id");
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
                      "SELECT ts_us, source_ssrc, fraction_lost, jitter_ms, capture_id, frame "
                      "FROM rtcp_reports WHERE call_id = ?1 ORDER BY ts_us, id");
  sql::Statement samples(db.handle(), db.path(),
                         "SELECT start_us, interval_ms, packets, expected, lost, jitter_ms FROM "
                         "stream_samples WHERE stream_id = ?1 ORDER BY start_us, id");
  for (const auto& c : ladder.calls) {
    rtcp.bind(1, c.id);
    while (rtcp.step()) {
      if (rtcp.column_is_null(1)) continue;  // a sender report without report blocks
      RtcpPoint p;
      p.ts_us = rtcp.column_int64(0);
      p.source_ssrc = static_cast<uint32_t>(rtcp.column_opt_int64(1).value_or(0));
      p.fraction_lost = rtcp.column_opt_double(2);
      p.jitter_ms = rtcp.column_opt_double(3);
      p.capture_id = static_cast<uint32_t>(rtcp.column_int64(4));
      p.frame = static_cast<uint64_t>(rtcp.column_int64(5));
      ladder.rtcp.push_back(p);
    }
    rtcp.reset();
    streams.bind(1, c.id);
    while (streams.step()) {
      StreamRow r;
      r.id = streams.column_int64(0);
      r.call_id = streams.column_opt_int64(1);
      r.src_ip = streams.column_text(2);
      r.src_port = static_cast<int>(streams.column_int64(3));
      r.dst_ip = streams.column_text(4);
      r.dst_port = static_cast<int>(streams.column_int64(5));
      r.ssrc = static_cast<uint32_t>(streams.column_int64(6));
      r.payload_type = streams.column_opt_int(7);
      r.codec = streams.column_opt_text(8);
      r.first_us = streams.column_opt_int64(9);
      r.last_us = streams.column_opt_int64(10);
      r.packets = streams.column_int64(11);
      r.expected = streams.column_opt_int64(12);
      r.lost = streams.column_opt_int64(13);
      r.duplicates = streams.column_opt_int64(14);
      r.out_of_order = streams.column_opt_int64(15);
      r.jitter_mean_ms = streams.column_opt_double(16);
      r.jitter_max_ms = streams.column_opt_double(17);
      r.max_delta_ms = streams.column_opt_double(18);
      r.mos = streams.column_opt_double(19);
      r.rtcp_fraction_lost = streams.column_opt_double(20);
      r.rtcp_cumulative_lost = streams.column_opt_int64(21);
      r.rtcp_jitter_ms = streams.column_opt_double(22);
      r.rtcp_rtt_ms = streams.column_opt_double(23);
      samples.bind(1, r.id);
      while (samples.step()) {
        r.samples.push_back({samples.column_int64(0), samples.column_int64(1),
                             samples.column_int64(2), samples.column_int64(3),
                             samples.column_int64(4), samples.column_opt_double(5)});
      }
      samples.reset();
      ladder.streams.push_back(std::move(r));
    }
    streams.reset();
    findings(diags, c.id, ladder.diagnostics);
    findings(anomalies, c.id, ladder.anomalies);
  }
  std::stable_sort(ladder.rtcp.begin(), ladder.rtcp.end(),
                   [](const RtcpPoint& a, const RtcpPoint& b) { return a.ts_us < b.ts_us; });
}

}  // namespace

Ladder build_ladder(const Database& db, const std::vector<int64_t>& call_ids) {
  Ladder ladder;
  std::set<int64_t> seen_ids;
  struct Row {
    LadderEvent event;
    std::string src, dst;
  };
  std::vector<Row> rows;
  sql::Statement st(db.handle(), db.path(),
                    "SELECT id, call_id, ts_us, src_ip, src_port, dst_ip, dst_port, transport, "
                    "method, status_code, reason, cseq, cseq_method, retransmission, capture_id, "
                    "frame, raw FROM messages WHERE call_id = ?1 ORDER BY ts_us, id");
  for (int64_t id : call_ids) {
    if (!seen_ids.insert(id).second) continue;
    auto call = get_call(db, id);
    if (!call) continue;
    ladder.calls.push_back(std::move(*call));
    st.bind(1, id);
    while (st.step()) {
      Row r;
      LadderEvent& e = r.event;
      e.message_id = st.column_int64(0);
      e.call_id = st.column_int64(1);
      e.ts_us = st.column_int64(2);
      r.src = endpoint(st.column_text(3), static_cast<int>(st.column_int64(4)));
      r.dst = endpoint(st.column_text(5), static_cast<int>(st.column_int64(6)));
      e.transport = st.column_text(7);
      e.method = st.column_opt_text(8);
      e.status_code = st.column_opt_int(9);
      const auto reason = st.column_opt_text(10);
      e.cseq = st.column_opt_int64(11);
      e.cseq_method = st.column_opt_text(12);
      e.retransmission = st.column_int64(13) != 0;
      e.capture_id = static_cast<uint32_t>(st.column_int64(14));
      e.frame = static_cast<uint64_t>(st.column_int64(15));
      e.raw = st.column_text(16);
      e.label = label_of(e, reason);
      rows.push_back(std::move(r));
    }
    st.reset();
  }
  // Legs of one call are loaded call by call; the ladder interleaves them in time.
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    if (a.event.ts_us != b.event.ts_us) return a.event.ts_us < b.event.ts_us;
    return a.event.message_id < b.event.message_id;
  });

  load_media(db, ladder);

  // One lane per logical node (report/nodes.hpp), lanes in order of first appearance.
  std::vector<NodeMessage> node_input;
  node_input.reserve(rows.size());
  for (const auto& r : rows) node_input.push_back({r.src, r.dst, r.event.raw});
  NodeMap nodes = merge_nodes(node_input);
  for (size_t i = 0; i < nodes.nodes.size(); ++i) {
    Participant p;
    p.index = static_cast<int>(i);
    p.address = nodes.nodes[i].front();
    p.addresses = std::move(nodes.nodes[i]);
    ladder.participants.push_back(std::move(p));
  }
  ladder.events.reserve(rows.size());
  for (auto& r : rows) {
    LadderEvent& e = r.event;
    e.from = nodes.node_of.at(r.src);
    e.to = nodes.node_of.at(r.dst);
    if (!ladder.events.empty()) {
      e.delta_prev_us = e.ts_us - ladder.events.back().ts_us;
      e.offset_us = e.ts_us - ladder.events.front().ts_us;
    }
    ladder.events.push_back(std::move(e));
  }
  return ladder;
}

}  // namespace sipscope::report
