// `sipscope calls`, `sipscope show` and `sipscope help`.
#include <iostream>

#include "cli/activity.hpp"
#include "cli/anomalies.hpp"
#include "cli/capture.hpp"
#include "cli/options.hpp"
#include "cli/output.hpp"
#include "cli/redaction.hpp"
#include "cli/registrations.hpp"
#include "cli/report_commands.hpp"
#include "cli/safe_output.hpp"
#include "cli/serve.hpp"
#include "cli/streams.hpp"
#include "report/format.hpp"
#include "report/ladder.hpp"
#include "report/render_calls.hpp"
#include "store/call_list.hpp"
#include "store/query.hpp"

namespace sipscope::cli {

CommandSpec calls_spec() {
  CommandSpec spec{
      "calls",
      "sipscope calls --db FILE [filters] [--wide] [--local] [--format table|json|csv]",
      "Lists the calls stored by 'sipscope analyze', ordered by start time: parties\n"
      "(user parts and addresses), outcome, PDD, duration, and the worst stream MOS\n"
      "and RTP loss of each call.",
      po::options_description("Options"),
      po::options_description(),
      {}};
  spec.options.add_options()                                                                  //
      ("help,h", "show this help")                                                            //
      ("db", po::value<std::string>()->required(), "database written by 'sipscope analyze'")  //
      ("state", po::value<std::string>(), "only calls in this state (answered, busy, ...)")   //
      ("from", po::value<std::string>(), "caller user part contains this text")               //
      ("to", po::value<std::string>(), "callee user part contains this text")                 //
      ("party", po::value<std::string>(), "caller or callee user part contains this text")    //
      ("ip", po::value<std::string>(), "caller or callee address is this")                    //
      ("code", po::value<int>(), "final response code is this (e.g. 486)")                    //
      ("call-id", po::value<std::string>(), "exact SIP Call-ID")                              //
      ("limit", po::value<int64_t>(), "at most this many calls")                              //
      ("wide", "print every value whole (automatic when stdout is not a terminal)")           //
      ("format", po::value<std::string>()->default_value("table"), "table, json or csv");
  add_time_options(spec.options);
  add_call_filter_options(spec.options);
  return spec;
}

CommandSpec show_spec() {
  CommandSpec spec{"show",
                   "sipscope show --db FILE CALL [--format text|json|mermaid|html] [-o FILE] "
                   "[--redact [--redact-key HEX] [--keep-dtmf]]",
                   "Shows the call-flow ladder of one call, then its media streams (measured\n"
                   "loss, jitter, MOS, and the RTCP-reported values beside them). CALL is a\n"
                   "calls.id (digits) or a SIP Call-ID (every call with that Call-ID is shown\n"
                   "together).",
                   po::options_description("Options"),
                   po::options_description(),
                   {}};
  spec.options.add_options()                                                                      //
      ("help,h", "show this help")                                                                //
      ("db", po::value<std::string>()->required(), "database written by 'sipscope analyze'")      //
      ("format", po::value<std::string>()->default_value("text"), "text, json, mermaid or html")  //
      ("output,o", po::value<std::string>()->default_value("-"), "output file (- = stdout)")      //
      ("redact", "replace numbers, names, addresses and hosts by pseudonyms")                     //
      ("local", "print times in local time (with their offset) instead of UTC")                   //
      ("width", po::value<int>()->default_value(0),
       "text ladder width in columns (0 = terminal width: COLUMNS, the terminal, else 100)");
  add_redact_options(spec.options);
  spec.hidden.add_options()("call", po::value<std::string>(), "CALL");
  spec.positional.add("call", 1);
  return spec;
}

namespace {

std::vector<std::string_view> call_state_names() {
  std::vector<std::string_view> names;
  for (auto s = static_cast<uint8_t>(correlate::CallState::answered);
       s <= static_cast<uint8_t>(correlate::CallState::unknown); ++s) {
    names.push_back(correlate::call_state_name(static_cast<correlate::CallState>(s)));
  }
  return names;
}

}  // namespace

int run_calls(const Args& args) {
  const CommandSpec spec = calls_spec();
  int exit = kExitOk;
  const auto vm = parse_command(spec, args, exit);
  if (!vm) return exit;
  store::CallFilter filter;
  std::string error;
  if (!check_choice(*vm, "format", {"table", "json", "csv"}, error) ||
      !check_choice(*vm, "state", call_state_names(), error) ||
      !read_time_range(*vm, filter.since_us, filter.until_us, error) ||
      !read_call_filter_options(*vm, filter, error)) {
    return usage_error("calls", error);
  }
  const std::string format = (*vm)["format"].as<std::string>();
  if (vm->count("state") != 0U) filter.state = (*vm)["state"].as<std::string>();
  if (vm->count("from") != 0U) filter.from_user = (*vm)["from"].as<std::string>();
  if (vm->count("to") != 0U) filter.to_user = (*vm)["to"].as<std::string>();
  if (vm->count("party") != 0U) filter.party = (*vm)["party"].as<std::string>();
  if (vm->count("ip") != 0U) filter.address = (*vm)["ip"].as<std::string>();
  if (vm->count("code") != 0U) filter.final_code = (*vm)["code"].as<int>();
  if (vm->count("call-id") != 0U) filter.call_id = (*vm)["call-id"].as<std::string>();
  if (vm->count("limit") != 0U) filter.limit = (*vm)["limit"].as<int64_t>();

  try {
    store::check_call_filter(filter);
  } catch (const store::CallFilterError& e) {
    return usage_error("calls", e.what());
  }
  const auto db = store::Database::open_read_only((*vm)["db"].as<std::string>());
  report::format::set_local_display(local_times(*vm));
  // Written as the rows are read; the table reads them twice (widths), in one snapshot.
  const store::ReadSnapshot snapshot(*db);
  const auto calls = [&](const report::RowVisit<store::CallListRow>& visit) {
    store::for_each_call_row(*db, filter, visit);
  };
  if (format == "json") {
    report::write_calls_json(std::cout, calls);
  } else if (format == "csv") {
    report::write_calls_csv(std::cout, calls);
  } else {
    report::write_calls_table(std::cout, calls, vm->count("wide") != 0U || !stdout_is_terminal());
  }
  return kExitOk;
}

int run_show(const Args& args) {
  const CommandSpec spec = show_spec();
  int exit = kExitOk;
  const auto vm = parse_command(spec, args, exit);
  if (!vm) return exit;
  if (vm->count("call") == 0U) return usage_error("show", "no CALL given");
  if (std::string error; !check_choice(*vm, "format", {"text", "json", "mermaid", "html"}, error)) {
    return usage_error("show", error);
  }
  const std::string format = (*vm)["format"].as<std::string>();
  report::format::set_local_display(local_times(*vm));
  const std::string db_path = (*vm)["db"].as<std::string>();
  const std::string call = (*vm)["call"].as<std::string>();
  const auto db = store::Database::open_read_only(db_path);
  if (auto e = overlap_error(database_inputs(*db, db_path),
                             {{"--output", (*vm)["output"].as<std::string>()}})) {
    return usage_error("show", *e);
  }
  const auto ids = store::resolve_call(*db, call);
  if (ids.empty()) return usage_error("show", "no call '" + call + "' in " + db_path);
  auto ladder = report::build_ladder(*db, ids);
  if (vm->count("redact") != 0U) {
    std::string error;
    auto r = redactor_for(*vm, *db, error);
    if (!r) return usage_error("show", error);
    r->learn_ladder(ladder);
    export_::redact_ladder(ladder, *r);
  }
  std::string out;
  if (format == "json") {
    out = report::render_json(ladder);
  } else if (format == "mermaid") {
    out = report::render_mermaid(ladder);
  } else if (format == "html") {
    out = report::render_html(
        {ladder}, ladder.redacted ? "sipscope: call (redacted)" : "sipscope: call " + call);
  } else {
    const int width = (*vm)["width"].as<int>();
    out = report::render_text(ladder, width > 0 ? width : terminal_width());
  }
  write_file((*vm)["output"].as<std::string>(), out);
  return kExitOk;
}

std::string command_help(const std::string& command) {
  if (command == "analyze") return format_help(analyze_spec());
  if (command == "capture") return format_help(capture_spec());
  if (command == "calls") return format_help(calls_spec());
  if (command == "show") return format_help(show_spec());
  if (command == "registrations") return format_help(registrations_spec());
  if (command == "peers") return format_help(peers_spec());
  if (command == "activity") return format_help(activity_spec());
  if (command == "streams") return format_help(streams_spec());
  if (command == "anomalies") return format_help(anomalies_spec());
  if (command == "report") return format_help(report_spec());
  if (command == "export") return format_help(export_spec());
  if (command == "stats") return format_help(stats_spec());
  if (command == "serve") return format_help(serve_spec());
  if (!command.empty()) return "";
  return "sipscope: passive SIP/RTP analyzer and call-flow tracer\n\n"
         "Usage: sipscope COMMAND [options]\n\n"
         "Commands:\n"
         "  analyze CAPTURE...   decode captures into a SQLite database, print the calls\n"
         "  capture -i IFACE --db FILE   live capture into a live database (needs CAP_NET_RAW)\n"
         "  calls --db FILE      list and filter stored calls\n"
         "  registrations --db FILE   list stored registrations with their outcome\n"
         "  peers --db FILE      OPTIONS keep-alive peers: up/down, outages (--events)\n"
         "  activity --db FILE   subscriptions, MESSAGE and PUBLISH transactions\n"
         "  streams --db FILE    RTP streams (all or --orphan): loss, jitter, MOS, call\n"
         "  anomalies --db FILE  damaged, cut or dropped input: kind, frame, detail, call\n"
         "  show --db FILE CALL  call-flow ladder of a call (text, json, mermaid, html)\n"
         "  report --db FILE CALL... -o FILE.html   self-contained HTML report for a ticket\n"
         "  export --db FILE CALL... --pcap OUT     pcap with exactly the frames of the calls\n"
         "  stats --db FILE      ASR, NER, ACD, PDD, method/response counts, peers, failures\n"
         "  serve --db FILE      browser UI and JSON API (--listen 127.0.0.1:8080)\n"
         "  help [COMMAND]       help on a command (also: sipscope COMMAND --help)\n";
}

int run_help(const Args& args) {
  const std::string command = args.empty() ? "" : args.front();
  const std::string text = command_help(command);
  if (text.empty()) {
    std::cerr << "sipscope help: unknown command '" << command << "'\n";
    return kExitUsage;
  }
  std::cout << text;
  return kExitOk;
}

}  // namespace sipscope::cli
