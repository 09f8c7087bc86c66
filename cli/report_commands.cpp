// `report`, `export`, `stats` and the call filter options: arguments wired to report/,
// export/ and store/ (cli/report_commands.hpp).
#include "cli/report_commands.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <set>

#include "cli/output.hpp"
#include "cli/redaction.hpp"
#include "cli/safe_output.hpp"
#include "export/call_slice.hpp"
#include "export/evidence.hpp"
#include "export/redact.hpp"
#include "report/render_stats.hpp"

namespace sipscope::cli {

namespace {

CommandSpec calls_spec_with_targets(std::string name, std::string usage, std::string description) {
  CommandSpec spec{std::move(name),           std::move(usage),
                   std::move(description),    po::options_description("Options"),
                   po::options_description(), {}};
  spec.hidden.add_options()("call", po::value<std::vector<std::string>>(), "CALL");
  spec.positional.add("call", -1);
  return spec;
}

// CALL arguments -> call ids (docs/cli.md: digits = calls.id, else a Call-ID); with_legs adds
// the linked legs. Empty `missing` when every argument matched.
std::vector<int64_t> resolve_all(const store::Database& db, const std::vector<std::string>& args,
                                 bool with_legs, std::string& missing) {
  std::vector<int64_t> ids;
  for (const auto& a : args) {
    const auto r = store::resolve_call(db, a);
    if (r.empty() && missing.empty()) missing = a;
    for (int64_t id : r) {
      if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    }
  }
  if (with_legs) ids = store::with_linked_calls(db, ids);
  return ids;
}

// Calls sharing a group_id (legs of one call) share one ladder; others get their own.
std::vector<report::Ladder> ladders_for(const store::Database& db,
                                        const std::vector<int64_t>& ids) {
  std::vector<std::vector<int64_t>> groups;
  std::map<int64_t, size_t> group_index;
  for (int64_t id : ids) {
    const auto call = store::get_call(db, id);
    if (!call) continue;
    if (call->group_id) {
      auto [it, inserted] = group_index.try_emplace(*call->group_id, groups.size());
      if (inserted) groups.emplace_back();
      groups[it->second].push_back(id);
    } else {
      groups.push_back({id});
    }
  }
  std::vector<report::Ladder> out;
  out.reserve(groups.size());
  for (const auto& g : groups) out.push_back(report::build_ladder(db, g));
  return out;
}

std::optional<double> opt_double(const po::variables_map& vm, const char* name) {
  if (vm.count(name) == 0U) return std::nullopt;
  return vm[name].as<double>();
}

}  // namespace

void add_call_filter_options(po::options_description& options) {
  options.add_options()  //
      ("from-regex", po::value<std::string>(),
       "caller user part matches (RE2 regex, unanchored)")                                        //
      ("to-regex", po::value<std::string>(), "callee user part matches (RE2 regex, unanchored)")  //
      ("min-loss", po::value<double>(), "RTP loss of the call at least this % (docs/stats.md)")   //
      ("max-mos", po::value<double>(), "lowest stream MOS of the call at most this")              //
      ("has-diagnostic", po::value<std::string>()->implicit_value(""),
       "calls with a diagnostic (of this kind when given)")                            //
      ("min-duration", po::value<double>(), "answered duration at least this many s")  //
      ("max-duration", po::value<double>(), "answered duration at most this many s")   //
      ("sort", po::value<std::string>()->default_value("start"),
       "start, id, duration, pdd, loss, mos or messages")  //
      ("desc", "sort in descending order");
}

bool read_call_filter_options(const po::variables_map& vm, store::CallFilter& filter,
                              std::string& error) {
  if (vm.count("from-regex") != 0U) filter.from_regex = vm["from-regex"].as<std::string>();
  if (vm.count("to-regex") != 0U) filter.to_regex = vm["to-regex"].as<std::string>();
  filter.min_loss_pct = opt_double(vm, "min-loss");
  filter.max_mos = opt_double(vm, "max-mos");
  if (vm.count("has-diagnostic") != 0U) {
    filter.diagnostic = vm["has-diagnostic"].as<std::string>();
    std::vector<std::string_view> kinds;
    for (const auto k : correlate::kAllDiagnosticKinds) {
      kinds.push_back(correlate::diagnostic_kind_name(k));
    }
    if (!filter.diagnostic->empty() &&
        !check_choice_value("has-diagnostic", *filter.diagnostic, kinds, error)) {
      return false;
    }
  }
  if (auto v = opt_double(vm, "min-duration")) filter.min_duration_ms = *v * 1000.0;
  if (auto v = opt_double(vm, "max-duration")) filter.max_duration_ms = *v * 1000.0;
  if (vm.count("sort") != 0U) {
    if (!check_choice(vm, "sort", {"start", "id", "duration", "pdd", "loss", "mos", "messages"},
                      error)) {
      return false;
    }
    filter.sort = store::parse_call_sort(vm["sort"].as<std::string>()).value_or(filter.sort);
  }
  filter.descending = vm.count("desc") != 0U;
  return true;
}

int terminal_width() {
  if (const char* env = std::getenv("COLUMNS"); env != nullptr && *env != '\0') {
    char* end = nullptr;
    const long v = std::strtol(env, &end, 10);
    if (end != nullptr && *end == '\0' && v > 0 && v < 10000) return static_cast<int>(v);
  }
  winsize ws{};
  if (isatty(STDOUT_FILENO) != 0 && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
    return ws.ws_col;
  }
  return 100;
}

bool stdout_is_terminal() {
  return isatty(STDOUT_FILENO) != 0;
}

CommandSpec report_spec() {
  auto spec = calls_spec_with_targets(
      "report", "sipscope report --db FILE CALL... -o FILE.html [--redact]",
      "Writes one self-contained HTML file (no network fetch, opens offline) for a ticket:\n"
      "summary, ladder with RTP bands, raw messages on click, SDP offer/answer, streams,\n"
      "diagnostics and anomalies. CALL is a calls.id or a SIP Call-ID; legs that share a\n"
      "group go in one ladder.");
  spec.options.add_options()                                                                  //
      ("help,h", "show this help")                                                            //
      ("db", po::value<std::string>()->required(), "database written by 'sipscope analyze'")  //
      ("output,o", po::value<std::string>()->required(), "HTML file to write (- = stdout)")   //
      ("legs", "add every call linked to the given ones (call_links, group_id)")              //
      ("capture-dir", po::value<std::string>()->default_value(""),
       "folder holding the original captures, if they moved (they are verified)")  //
      ("redact", "replace numbers, names, addresses and hosts by pseudonyms");
  add_redact_options(spec.options);
  return spec;
}

CommandSpec export_spec() {
  auto spec = calls_spec_with_targets(
      "export", "sipscope export --db FILE CALL... --pcap OUT.pcap [--redact]",
      "Writes a pcap with exactly the frames of the calls: their SIP messages (by frame\n"
      "number in the original captures, every TCP segment or IP fragment of a reassembled\n"
      "message included) and their RTP/RTCP, with original timestamps.\n"
      "The original capture files are re-read (their paths are in the database).");
  spec.options.add_options()                                                                  //
      ("help,h", "show this help")                                                            //
      ("db", po::value<std::string>()->required(), "database written by 'sipscope analyze'")  //
      ("pcap", po::value<std::string>()->required(), "pcap file to write")                    //
      ("legs", "add every call linked to the given ones (call_links, group_id)")              //
      ("capture-dir", po::value<std::string>()->default_value(""),
       "folder holding the original captures, if they moved")  //
      ("redact", "pseudonymise addresses in IP headers and SIP/SDP, remove credentials");
  add_redact_options(spec.options);
  return spec;
}

CommandSpec stats_spec() {
  CommandSpec spec{"stats",
                   "sipscope stats --db FILE [--format table|json]",
                   "Method and response counts, ASR, NER, ACD, PDD percentiles, per-peer\n"
                   "breakdown, top failure causes and retransmission rate (docs/stats.md).",
                   po::options_description("Options"),
                   po::options_description(),
                   {}};
  spec.options.add_options()                                                                  //
      ("help,h", "show this help")                                                            //
      ("db", po::value<std::string>()->required(), "database written by 'sipscope analyze'")  //
      ("format", po::value<std::string>()->default_value("table"), "table or json");
  return spec;
}

int run_stats(const Args& args) {
  const CommandSpec spec = stats_spec();
  int exit = kExitOk;
  const auto vm = parse_command(spec, args, exit);
  if (!vm) return exit;
  if (std::string error; !check_choice(*vm, "format", {"table", "json"}, error)) {
    return usage_error("stats", error);
  }
  const std::string format = (*vm)["format"].as<std::string>();
  const auto db = store::Database::open_read_only((*vm)["db"].as<std::string>());
  const auto stats = store::compute_stats(*db);
  std::cout << (format == "json" ? report::render_stats_json(stats)
                                 : report::render_stats_table(stats));
  return kExitOk;
}

int run_report(const Args& args) {
  const CommandSpec spec = report_spec();
  int exit = kExitOk;
  const auto vm = parse_command(spec, args, exit);
  if (!vm) return exit;
  if (vm->count("call") == 0U) return usage_error("report", "no CALL given");
  const std::string db_path = (*vm)["db"].as<std::string>();
  const std::string out_path = (*vm)["output"].as<std::string>();
  const auto db = store::Database::open_read_only(db_path);
  if (auto e = overlap_error(database_inputs(*db, db_path), {{"--output", out_path}})) {
    return usage_error("report", *e);
  }
  std::string missing;
  const auto ids = resolve_all(*db, (*vm)["call"].as<std::vector<std::string>>(),
                               vm->count("legs") != 0U, missing);
  if (!missing.empty()) return usage_error("report", "no call '" + missing + "' in " + db_path);
  auto ladders = ladders_for(*db, ids);
  // The report vouches for the captures its frames came from: they must be the analysed ones.
  std::set<uint32_t> used;
  for (const auto& l : ladders) {
    for (const auto& e : l.events) used.insert(e.capture_id);
  }
  for (const auto& cap : store::list_captures(*db)) {
    // Standard input left no file to compare with; the messages are in the database.
    if (used.count(cap.id) == 0U || cap.path == "-") continue;
    const std::string found =
        export_::verify_capture(cap, (*vm)["capture-dir"].as<std::string>(), db_path);
    if (auto e = overlap_error({{"capture", found}}, {{"--output", out_path}})) {
      return usage_error("report", *e);
    }
  }
  const bool redact = vm->count("redact") != 0U;
  std::string title = "sipscope report";
  if (redact) {
    std::string error;
    auto r = redactor_for(*vm, *db, error);
    if (!r) return usage_error("report", error);
    for (const auto& l : ladders) r->learn_ladder(l);
    for (auto& l : ladders) export_::redact_ladder(l, *r);
    title += " (redacted)";
  } else {
    title += ": calls";
    for (int64_t id : ids) {
      title += ' ';
      title += std::to_string(id);
    }
  }
  write_file(out_path, report::render_html(ladders, title));
  return kExitOk;
}

int run_export(const Args& args) {
  const CommandSpec spec = export_spec();
  int exit = kExitOk;
  const auto vm = parse_command(spec, args, exit);
  if (!vm) return exit;
  if (vm->count("call") == 0U) return usage_error("export", "no CALL given");
  const std::string db_path = (*vm)["db"].as<std::string>();
  const std::string out_path = (*vm)["pcap"].as<std::string>();
  const auto db = store::Database::open_read_only(db_path);
  if (auto e = overlap_error(database_inputs(*db, db_path), {{"--pcap", out_path}})) {
    return usage_error("export", *e);
  }
  std::string missing;
  const auto ids = resolve_all(*db, (*vm)["call"].as<std::vector<std::string>>(),
                               vm->count("legs") != 0U, missing);
  if (!missing.empty()) return usage_error("export", "no call '" + missing + "' in " + db_path);
  const bool redact = vm->count("redact") != 0U;
  export_::SliceOptions options{(*vm)["capture-dir"].as<std::string>(), redact};
  if (redact) {
    std::string error;
    auto setup = redaction_for(*vm, *db, error);
    if (!setup) return usage_error("export", error);
    options.redact_key = setup->key;
    options.redact_options = setup->options;
  }
  const auto slice = export_::build_slice(*db, ids, options);
  for (const auto& capture : slice.captures) {
    if (auto e = overlap_error({{"capture", capture}}, {{"--pcap", out_path}})) {
      return usage_error("export", *e);
    }
  }
  AtomicFile out(out_path);
  export_::write_slice(out.stream(), slice);
  out.commit();
  std::cerr << "sipscope export: " << slice.frames.size() << " frames (" << slice.sip_frames
            << " SIP) of " << ids.size() << " call(s) written to " << out_path
            << (redact ? " (redacted)" : "") << "\n";
  return kExitOk;
}

}  // namespace sipscope::cli
