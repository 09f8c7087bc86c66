// Reads `peers` and `peer_events` back for `sipscope peers` (docs/schema.md).
#include "store/peers.hpp"

#include "correlate/keepalive.hpp"
#include "store/sql.hpp"

namespace sipscope::store {

namespace {

int64_t limit_of(const std::optional<int64_t>& limit) {
  return limit && *limit >= 0 ? *limit : int64_t{-1};
}
// The peer columns shared by both peer queries, ?1..?6 bound by bind_peer_filter().
constexpr const char* kPeerWhere =
    " WHERE (?1 IS NULL OR state = ?1)"
    " AND (?2 IS NULL OR instr(peer_ip || ':' || peer_port, ?2) > 0%s)"
    " AND (?3 IS NULL OR instr(pinger_ip, ?3) > 0)";

void bind_peer_filter(sql::Statement& st, const PeerFilter& f) {
  st.bind_all(f.state, f.peer, f.pinger, f.since_us, f.until_us, limit_of(f.limit));
}

std::string peer_where(bool with_uri) {
  std::string s = kPeerWhere;
  const auto at = s.find("%s");
  s.replace(at, 2, with_uri ? " OR instr(coalesce(peer_uri, ''), ?2) > 0" : "");
  return s;
}

}  // namespace

std::vector<correlate::PeerRecord> list_peers(const Database& db, const PeerFilter& f) {
  const std::string sql =
      "SELECT pinger_ip, peer_ip, peer_port, transport, peer_uri, first_us, last_us, pings, "
      "answered, timeouts, failures, state, state_since_us, last_code, last_rtt_ms, avg_rtt_ms, "
      "max_rtt_ms, down_count, down_ms FROM peers" +
      peer_where(true) +
      " AND (?4 IS NULL OR last_us >= ?4) AND (?5 IS NULL OR first_us < ?5)"
      " ORDER BY first_us, id LIMIT ?6";
  sql::Statement st(db.handle(), db.path(), sql.c_str());
  bind_peer_filter(st, f);
  std::vector<correlate::PeerRecord> out;
  while (st.step()) {
    correlate::PeerRecord r;
    r.pinger_ip = st.column_text(0);
    r.peer_ip = st.column_text(1);
    r.peer_port = static_cast<uint16_t>(st.column_int64(2));
    r.transport = st.column_enum(3, decode::parse_transport);
    r.peer_uri = st.column_opt_text(4);
    r.first_us = st.column_int64(5);
    r.last_us = st.column_int64(6);
    r.pings = st.column_int64(7);
    r.answered = st.column_int64(8);
    r.timeouts = st.column_int64(9);
    r.failures = st.column_int64(10);
    r.state = st.column_enum(11, correlate::parse_peer_state);
    r.state_since_us = st.column_opt_int64(12);
    r.last_code = st.column_opt_int(13);
    r.last_rtt_ms = st.column_opt_double(14);
    r.avg_rtt_ms = st.column_opt_double(15);
    r.max_rtt_ms = st.column_opt_double(16);
    r.down_count = st.column_int64(17);
    r.down_ms = st.column_double(18);
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<correlate::PeerEventRecord> list_peer_events(const Database& db, const PeerFilter& f) {
  const std::string sql =
      "SELECT pinger_ip, peer_ip, peer_port, ts_us, state, previous, reason, code, capture_id, "
      "frame, previous_ms FROM peer_events" +
      peer_where(false) +
      " AND (?4 IS NULL OR ts_us >= ?4) AND (?5 IS NULL OR ts_us < ?5)"
      " ORDER BY ts_us, id LIMIT ?6";
  sql::Statement st(db.handle(), db.path(), sql.c_str());
  bind_peer_filter(st, f);
  std::vector<correlate::PeerEventRecord> out;
  while (st.step()) {
    correlate::PeerEventRecord r;
    r.pinger_ip = st.column_text(0);
    r.peer_ip = st.column_text(1);
    r.peer_port = static_cast<uint16_t>(st.column_int64(2));
    r.ts_us = st.column_int64(3);
    r.state = st.column_enum(4, correlate::parse_peer_state);
    r.previous = st.column_enum(5, correlate::parse_peer_state);
    r.reason = st.column_text(6);
    r.code = st.column_opt_int(7);
    r.capture_id = static_cast<uint32_t>(st.column_int64(8));
    r.frame = static_cast<uint64_t>(st.column_opt_int64(9).value_or(0));
    r.previous_ms = st.column_opt_double(10);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace sipscope::store
