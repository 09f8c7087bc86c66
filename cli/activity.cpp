#include "cli/activity.hpp"

#include <iostream>

#include "report/format.hpp"
#include "report/render_activity.hpp"
#include "report/render_peers.hpp"

namespace sipscope::cli {

namespace {

// --format, --since/--until (with --local) and the listing's own choices; false after a
// usage error line.
template <typename Filter>
bool read_common(const po::variables_map& vm, const std::string& command, Filter& f,
                 const char* choice_option, const std::vector<std::string_view>& choices,
                 int& exit) {
  std::string error;
  if (!check_choice(vm, "format", {"table", "json", "csv"}, error) ||
      !check_choice(vm, choice_option, choices, error) ||
      !read_time_range(vm, f.since_us, f.until_us, error)) {
    exit = usage_error(command, error);
    return false;
  }
  report::format::set_local_display(local_times(vm));
  return true;
}

template <typename T>
void copy_opt(const po::variables_map& vm, const char* name, std::optional<T>& to) {
  if (vm.count(name) != 0U) to = vm[name].as<T>();
}

void add_common(po::options_description& o) {
  o.add_options()                                                                             //
      ("help,h", "show this help")                                                            //
      ("db", po::value<std::string>()->required(), "database written by 'sipscope analyze'")  //
      ("limit", po::value<int64_t>(), "at most this many rows")                               //
      ("format", po::value<std::string>()->default_value("table"), "table, json or csv");
  add_time_options(o);
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
  store::PeerFilter filter;
  if (!read_common(*vm, "peers", filter, "state", {"up", "down", "unknown"}, exit)) return exit;
  const std::string format = (*vm)["format"].as<std::string>();
  copy_opt(*vm, "state", filter.state);
  copy_opt(*vm, "peer", filter.peer);
  copy_opt(*vm, "pinger", filter.pinger);
  copy_opt(*vm, "limit", filter.limit);
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
  store::ActivityFilter filter;
  if (!read_common(*vm, "activity", filter, "kind", {"subscribe", "message", "publish"}, exit)) {
    return exit;
  }
  // docs/states.md: subscription states and MESSAGE/PUBLISH transaction results.
  if (std::string error; !check_choice(*vm, "result",
                                       {"no_response", "sent", "accepted", "pending", "active",
                                        "terminated", "rejected", "expired", "success", "failed"},
                                       error)) {
    return usage_error("activity", error);
  }
  const std::string format = (*vm)["format"].as<std::string>();
  copy_opt(*vm, "kind", filter.kind);
  copy_opt(*vm, "user", filter.user);
  copy_opt(*vm, "call-id", filter.call_id);
  copy_opt(*vm, "result", filter.result);
  copy_opt(*vm, "limit", filter.limit);
  const auto db = store::Database::open_read_only((*vm)["db"].as<std::string>());
  const auto rows = store::list_activity(*db, filter);
  std::cout << (format == "json"  ? report::render_activity_json(rows)
                : format == "csv" ? report::render_activity_csv(rows)
                                  : report::render_activity_table(rows));
  return kExitOk;
}

}  // namespace sipscope::cli
