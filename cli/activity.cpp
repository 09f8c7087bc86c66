#include "cli/activity.hpp"

#include <iostream>

#include "report/render_activity.hpp"
#include "report/render_peers.hpp"

namespace sipscope::cli {

namespace {

bool valid_format(const std::string& format) {
  return format == "table" || format == "json" || format == "csv";
}

// --since / --until into the filter; false (after a usage error line) when unreadable.
template <typename Filter>
bool read_times(const po::variables_map& vm, const std::string& command, Filter& f, int& exit) {
  for (const char* name : {"since", "until"}) {
    if (vm.count(name) == 0U) continue;
    const auto t = parse_time_us(vm[name].as<std::string>());
    if (!t) {
      exit = usage_error(command, std::string("bad --") + name + " time");
      return false;
    }
    (name[0] == 's' ? f.since_us : f.until_us) = t;
  }
  return true;
}

template <typename T>
void copy_opt(const po::variables_map& vm, const char* name, std::optional<T>& to) {
  if (vm.count(name) != 0U) to = vm[name].as<T>();
}

void add_common(po::options_description& o) {
  o.add_options()                                                                               //
      ("help,h", "show this help")                                                              //
      ("db", po::value<std::string>()->required(), "database written by 'sipscope analyze'")    //
      ("since", po::value<std::string>(), "at or after (UTC 2026-01-01T10:00:00 or epoch us)")  //
      ("until", po::value<std::string>(), "before (same forms as --since)")                     //
      ("limit", po::value<int64_t>(), "at most this many rows")                                 //
      ("format", po::value<std::string>()->default_value("table"), "table, json or csv");
}

}  // namespace

CommandSpec peers_spec() {
  CommandSpec spec{
      "peers",
      "sipscope peers --db FILE [--events] [filters] [--format table|json|csv]",
      "Lists the peers monitored with OPTIONS keep-alives (pinger -> peer address), ordered by\n"
      "first ping: state at the end (up, down, unknown) and since when, pings, answers,\n"
      "time-outs, how often and how long the peer was down, last response and round trip.\n"
      "A peer is up when an OPTIONS gets any final response but 408/503, down when it gets\n"
      "408/503 or none within Timer F (64*T1 = 32 s). --events lists every state change\n"
      "instead, with the time, how long the previous state lasted, and the proving frame.",
      po::options_description("Options"),
      po::options_description(),
      {}};
  add_common(spec.options);
  spec.options.add_options()                                                                  //
      ("events", "list state changes (up/down) instead of peers")                             //
      ("state", po::value<std::string>(), "only peers in (or changes to) this state")         //
      ("peer", po::value<std::string>(), "peer address (ip:port) or URI contains this text")  //
      ("pinger", po::value<std::string>(), "pinger address contains this text");
  return spec;
}

int run_peers(const Args& args) {
  const CommandSpec spec = peers_spec();
  int exit = kExitOk;
  const auto vm = parse_command(spec, args, exit);
  if (!vm) return exit;
  const std::string format = (*vm)["format"].as<std::string>();
  if (!valid_format(format)) {
    return usage_error("peers", "--format must be table, json or csv, not '" + format + "'");
  }
  store::PeerFilter filter;
  copy_opt(*vm, "state", filter.state);
  copy_opt(*vm, "peer", filter.peer);
  copy_opt(*vm, "pinger", filter.pinger);
  copy_opt(*vm, "limit", filter.limit);
  if (!read_times(*vm, "peers", filter, exit)) return exit;
  const auto db = store::Database::open_read_only((*vm)["db"].as<std::string>());
  if (vm->count("events") != 0U) {
    const auto rows = store::list_peer_events(*db, filter);
    std::cout << (format == "json"  ? report::render_peer_events_json(rows)
                  : format == "csv" ? report::render_peer_events_csv(rows)
                                    : report::render_peer_events_table(rows));
    return kExitOk;
  }
  const auto rows = store::list_peers(*db, filter);
  std::cout << (format == "json"  ? report::render_peers_json(rows)
                : format == "csv" ? report::render_peers_csv(rows)
                                  : report::render_peers_table(rows));
  return kExitOk;
}

CommandSpec activity_spec() {
  CommandSpec spec{
      "activity",
      "sipscope activity --db FILE [--kind subscribe|message|publish] [filters] "
      "[--format table|json|csv]",
      "Lists the non-call activity other than registrations and keep-alives, ordered by\n"
      "start time: subscriptions (RFC 6665: event package, final code of the SUBSCRIBE,\n"
      "state pending/active/terminated with reason, or expired/rejected, refreshes,\n"
      "NOTIFY count) and MESSAGE (RFC 3428) / PUBLISH (RFC 3903) transactions (final code,\n"
      "response time, result success/failed/no_response; PUBLISH action and SIP-ETag).",
      po::options_description("Options"),
      po::options_description(),
      {}};
  add_common(spec.options);
  spec.options.add_options()                                                       //
      ("kind", po::value<std::string>(), "only subscribe, message or publish")     //
      ("user", po::value<std::string>(), "either party's URI contains this text")  //
      ("call-id", po::value<std::string>(), "exact SIP Call-ID")                   //
      ("result", po::value<std::string>(),
       "only this subscription state (active, terminated, expired, rejected, ...) or "
       "transaction result (success, failed, no_response, pending)");
  return spec;
}

int run_activity(const Args& args) {
  const CommandSpec spec = activity_spec();
  int exit = kExitOk;
  const auto vm = parse_command(spec, args, exit);
  if (!vm) return exit;
  const std::string format = (*vm)["format"].as<std::string>();
  if (!valid_format(format)) {
    return usage_error("activity", "--format must be table, json or csv, not '" + format + "'");
  }
  store::ActivityFilter filter;
  copy_opt(*vm, "kind", filter.kind);
  if (filter.kind && *filter.kind != "subscribe" && *filter.kind != "message" &&
      *filter.kind != "publish") {
    return usage_error("activity",
                       "--kind must be subscribe, message or publish, not '" + *filter.kind + "'");
  }
  copy_opt(*vm, "user", filter.user);
  copy_opt(*vm, "call-id", filter.call_id);
  copy_opt(*vm, "result", filter.result);
  copy_opt(*vm, "limit", filter.limit);
  if (!read_times(*vm, "activity", filter, exit)) return exit;
  const auto db = store::Database::open_read_only((*vm)["db"].as<std::string>());
  const auto rows = store::list_activity(*db, filter);
  std::cout << (format == "json"  ? report::render_activity_json(rows)
                : format == "csv" ? report::render_activity_csv(rows)
                                  : report::render_activity_table(rows));
  return kExitOk;
}

}  // namespace sipscope::cli
