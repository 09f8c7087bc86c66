#include "report/peers.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "report/format.hpp"
#include "report/listing.hpp"
#include "report/sql.hpp"

namespace sipscope::report {

namespace {

using nlohmann::json;

int64_t limit_of(const std::optional<int64_t>& limit) {
  return limit && *limit >= 0 ? *limit : int64_t{-1};
}

std::string seconds(double ms) {
  return format::fixed(ms / 1000.0, 3) + " s";
}

std::string plural(size_t n, const char* what) {
  return std::to_string(n) + " " + what + (n == 1 ? "" : "s") + "\n";
}

std::string peer_address(const std::string& ip, uint16_t port) {
  if (ip.find(':') != std::string::npos) return "[" + ip + "]:" + std::to_string(port);
  return ip + ":" + std::to_string(port);
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
    r.transport = st.column_text(3);
    r.peer_uri = st.column_opt_text(4);
    r.first_us = st.column_int64(5);
    r.last_us = st.column_int64(6);
    r.pings = st.column_int64(7);
    r.answered = st.column_int64(8);
    r.timeouts = st.column_int64(9);
    r.failures = st.column_int64(10);
    r.state = st.column_text(11);
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
    r.state = st.column_text(4);
    r.previous = st.column_text(5);
    r.reason = st.column_text(6);
    r.code = st.column_opt_int(7);
    r.capture_id = static_cast<uint32_t>(st.column_int64(8));
    r.frame = static_cast<uint64_t>(st.column_opt_int64(9).value_or(0));
    r.previous_ms = st.column_opt_double(10);
    out.push_back(std::move(r));
  }
  return out;
}

std::string render_peers_table(const std::vector<correlate::PeerRecord>& rows) {
  std::string out =
      "PEER                   TRANSPORT PINGER           STATE    SINCE                     "
      "PINGS  ANSWERED  TIMEOUTS  DOWN  DOWNTIME      LAST  RTT ms\n";
  for (const auto& r : rows) {
    out += listing::cell(peer_address(r.peer_ip, r.peer_port), 22) + " ";
    out += listing::cell(r.transport, 9) + " ";
    out += listing::cell(r.pinger_ip, 16) + " ";
    out += listing::cell(r.state, 8) + " ";
    out += listing::cell(r.state_since_us ? std::optional(format::iso_utc_ms(*r.state_since_us))
                                          : std::nullopt,
                         25) +
           " ";
    out += listing::cell(std::to_string(r.pings), 6) + " ";
    out += listing::cell(std::to_string(r.answered), 9) + " ";
    out += listing::cell(std::to_string(r.timeouts), 9) + " ";
    out += listing::cell(std::to_string(r.down_count), 5) + " ";
    out += listing::cell(seconds(r.down_ms), 13) + " ";
    out += listing::cell(listing::text(r.last_code), 5) + " ";
    out += listing::text(r.last_rtt_ms).value_or("-") + "\n";
  }
  return out + plural(rows.size(), "peer");
}

std::string render_peers_json(const std::vector<correlate::PeerRecord>& rows) {
  json a = json::array();
  for (const auto& r : rows) {
    a.push_back({{"pinger_ip", r.pinger_ip},
                 {"peer_ip", r.peer_ip},
                 {"peer_port", r.peer_port},
                 {"transport", r.transport},
                 {"peer_uri", listing::json_opt(r.peer_uri)},
                 {"first_us", r.first_us},
                 {"last_us", r.last_us},
                 {"pings", r.pings},
                 {"answered", r.answered},
                 {"timeouts", r.timeouts},
                 {"failures", r.failures},
                 {"state", r.state},
                 {"state_since_us", listing::json_opt(r.state_since_us)},
                 {"last_code", listing::json_opt(r.last_code)},
                 {"last_rtt_ms", listing::json_opt(r.last_rtt_ms)},
                 {"avg_rtt_ms", listing::json_opt(r.avg_rtt_ms)},
                 {"max_rtt_ms", listing::json_opt(r.max_rtt_ms)},
                 {"down_count", r.down_count},
                 {"down_ms", r.down_ms}});
  }
  return listing::json_dump(a);
}

std::string render_peers_csv(const std::vector<correlate::PeerRecord>& rows) {
  std::string out =
      "pinger_ip,peer_ip,peer_port,transport,peer_uri,first_us,last_us,pings,answered,timeouts,"
      "failures,state,state_since_us,last_code,last_rtt_ms,avg_rtt_ms,max_rtt_ms,down_count,"
      "down_ms\r\n";
  for (const auto& r : rows) {
    listing::field(out, r.pinger_ip), out += ',';
    listing::field(out, r.peer_ip), out += ',';
    out += std::to_string(r.peer_port) + ',';
    listing::field(out, r.transport), out += ',';
    listing::opt(out, r.peer_uri), out += ',';
    out += std::to_string(r.first_us) + ',' + std::to_string(r.last_us) + ',';
    out += std::to_string(r.pings) + ',' + std::to_string(r.answered) + ',';
    out += std::to_string(r.timeouts) + ',' + std::to_string(r.failures) + ',';
    listing::field(out, r.state), out += ',';
    listing::opt(out, r.state_since_us), out += ',';
    listing::opt(out, r.last_code), out += ',';
    listing::opt(out, r.last_rtt_ms), out += ',';
    listing::opt(out, r.avg_rtt_ms), out += ',';
    listing::opt(out, r.max_rtt_ms), out += ',';
    out += std::to_string(r.down_count) + ',' + format::fixed(r.down_ms, 3) + "\r\n";
  }
  return out;
}

std::string render_peer_events_table(const std::vector<correlate::PeerEventRecord>& rows) {
  std::string out =
      "TIME                      PEER                   PINGER           CHANGE           "
      "AFTER         FRAME    REASON\n";
  for (const auto& r : rows) {
    out += format::iso_utc_ms(r.ts_us) + "  ";
    out += listing::cell(peer_address(r.peer_ip, r.peer_port), 22) + " ";
    out += listing::cell(r.pinger_ip, 16) + " ";
    out += listing::cell(r.previous + " -> " + r.state, 16) + " ";
    out +=
        listing::cell(r.previous_ms ? std::optional(seconds(*r.previous_ms)) : std::nullopt, 13) +
        " ";
    out += listing::cell(r.frame != 0 ? std::optional(std::to_string(r.frame)) : std::nullopt, 8) +
           " ";
    out += format::terminal_safe(r.reason) + "\n";
  }
  return out + plural(rows.size(), "state change");
}

std::string render_peer_events_json(const std::vector<correlate::PeerEventRecord>& rows) {
  json a = json::array();
  for (const auto& r : rows) {
    a.push_back({{"pinger_ip", r.pinger_ip},
                 {"peer_ip", r.peer_ip},
                 {"peer_port", r.peer_port},
                 {"ts_us", r.ts_us},
                 {"state", r.state},
                 {"previous", r.previous},
                 {"reason", r.reason},
                 {"code", listing::json_opt(r.code)},
                 {"capture_id", r.capture_id},
                 {"frame", r.frame != 0 ? json(r.frame) : json(nullptr)},
                 {"previous_ms", listing::json_opt(r.previous_ms)}});
  }
  return listing::json_dump(a);
}

std::string render_peer_events_csv(const std::vector<correlate::PeerEventRecord>& rows) {
  std::string out =
      "pinger_ip,peer_ip,peer_port,ts_us,state,previous,reason,code,capture_id,frame,"
      "previous_ms\r\n";
  for (const auto& r : rows) {
    listing::field(out, r.pinger_ip), out += ',';
    listing::field(out, r.peer_ip), out += ',';
    out += std::to_string(r.peer_port) + ',' + std::to_string(r.ts_us) + ',';
    listing::field(out, r.state), out += ',';
    listing::field(out, r.previous), out += ',';
    listing::field(out, r.reason), out += ',';
    listing::opt(out, r.code), out += ',';
    out += std::to_string(r.capture_id) + ',';
    if (r.frame != 0) out += std::to_string(r.frame);
    out += ',';
    listing::opt(out, r.previous_ms);
    out += "\r\n";
  }
  return out;
}

}  // namespace sipscope::report
