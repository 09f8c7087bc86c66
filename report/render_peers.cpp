// Renders `sipscope peers` (peers and their up/down events) as a table, JSON or CSV.
#include "report/render_peers.hpp"

#include <nlohmann/json.hpp>

#include "correlate/keepalive.hpp"
#include "report/format.hpp"
#include "report/listing.hpp"

namespace sipscope::report {

namespace {

using nlohmann::json;

std::string seconds(double ms) {
  return format::fixed(ms / 1000.0, 3) + " s";
}

std::string plural(size_t n, const char* what) {
  return std::to_string(n) + " " + what + (n == 1 ? "" : "s") + "\n";
}

std::string peer_address(const std::string& ip, uint16_t port) {
  return format::endpoint(ip, port);
}
}  // namespace

std::string render_peers_table(const std::vector<correlate::PeerRecord>& rows) {
  std::string out =
      "PEER                   TRANSPORT PINGER           STATE    SINCE                     "
      "PINGS  ANSWERED  TIMEOUTS  DOWN  DOWNTIME      LAST  RTT ms\n";
  for (const auto& r : rows) {
    out += listing::cell(peer_address(r.peer_ip, r.peer_port), 22) + " ";
    out += listing::cell(std::string(decode::transport_name(r.transport)), 9) + " ";
    out += listing::cell(r.pinger_ip, 16) + " ";
    out += listing::cell(std::string(correlate::peer_state_name(r.state)), 8) + " ";
    out += listing::cell(r.state_since_us ? std::optional(format::shown_time(*r.state_since_us))
                                          : std::nullopt,
                         format::local_display() ? 29 : 25) +
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
                 {"transport", decode::transport_name(r.transport)},
                 {"peer_uri", listing::json_opt(r.peer_uri)},
                 {"first_us", r.first_us},
                 {"last_us", r.last_us},
                 {"pings", r.pings},
                 {"answered", r.answered},
                 {"timeouts", r.timeouts},
                 {"failures", r.failures},
                 {"state", correlate::peer_state_name(r.state)},
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
    listing::field(out, decode::transport_name(r.transport)), out += ',';
    listing::opt(out, r.peer_uri), out += ',';
    out += std::to_string(r.first_us) + ',' + std::to_string(r.last_us) + ',';
    out += std::to_string(r.pings) + ',' + std::to_string(r.answered) + ',';
    out += std::to_string(r.timeouts) + ',' + std::to_string(r.failures) + ',';
    listing::field(out, correlate::peer_state_name(r.state)), out += ',';
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
    out += format::shown_time(r.ts_us) + "  ";
    out += listing::cell(peer_address(r.peer_ip, r.peer_port), 22) + " ";
    out += listing::cell(r.pinger_ip, 16) + " ";
    out += listing::cell(std::string(correlate::peer_state_name(r.previous)) + " -> " +
                             std::string(correlate::peer_state_name(r.state)),
                         16) +
           " ";
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
                 {"state", correlate::peer_state_name(r.state)},
                 {"previous", correlate::peer_state_name(r.previous)},
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
    listing::field(out, correlate::peer_state_name(r.state)), out += ',';
    listing::field(out, correlate::peer_state_name(r.previous)), out += ',';
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
