// `sipscope analyze CAPTURE...`: read captures, store calls/messages/anomalies in SQLite,
// print the calls and a summary, optionally write the HTML/JSON ladders of every call.
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <stdexcept>

#include "cli/hep_send.hpp"
#include "cli/input_paths.hpp"
#include "cli/options.hpp"
#include "cli/output.hpp"
#include "cli/pipeline.hpp"
#include "cli/safe_output.hpp"
#include "report/ladder.hpp"
#include "store/query.hpp"

namespace sipscope::cli {
namespace {

volatile std::sig_atomic_t g_stop = 0;
extern "C" void on_stop_signal(int /*signal*/) {
  g_stop = 1;
}

// A --db that exists must be sipscope's (or empty) before analyze replaces it.
std::optional<std::string> foreign_db_error(const std::string& db_path) {
  std::error_code ec;
  if (!std::filesystem::exists(db_path, ec) || std::filesystem::file_size(db_path, ec) == 0) {
    return std::nullopt;
  }
  try {
    (void)store::Database::open_read_only(db_path);
  } catch (const std::exception& e) {
    return std::string(e.what()) + "; refusing to replace it (--force replaces it anyway)";
  }
  return std::nullopt;
}

// SQLite side files of an earlier database at `path`: a stale journal beside the new
// file would be "rolled back" into it.
void remove_side_files(const std::string& path) {
  std::error_code ec;
  for (const char* suffix : {"-journal", "-wal", "-shm"}) {
    std::filesystem::remove(path + suffix, ec);
  }
}

void print_progress(const PipelineCounts& c) {
  std::cerr << "\rsipscope: " << c.frames << " frames, " << c.sip_messages << " SIP messages, "
            << c.calls << " calls" << std::flush;
}

}  // namespace

CommandSpec analyze_spec() {
  CommandSpec spec{
      "analyze",
      "sipscope analyze CAPTURE... [--db FILE] [--append] [--force] [--html FILE] [--json FILE]",
      "Reads pcap/pcapng captures (several files are merged by timestamp), rebuilds\n"
      "the SIP calls and stores captures, calls, messages and anomalies in one SQLite\n"
      "file. Prints the calls and a summary. CAPTURE may be gzip-compressed (.gz), '-'\n"
      "(standard input: tcpdump -w - | sipscope analyze -), or a quoted glob such as\n"
      "'cap-*.pcap' (a tcpdump -G set, taken in name order). An empty file is an anomaly\n"
      "(capture_empty), the others are analysed. No output may name an input, and an\n"
      "existing --db must be a sipscope database (or --force); the database is built\n"
      "under a temporary name and renamed into place when done. Exit status: 0 analysis\n"
      "complete (damaged input is reported as anomalies), 1 usage error, 2 input\n"
      "unreadable or an output not written (disk full), 3 interrupted (results so far\n"
      "are kept and the capture marked interrupted), 4 a capture cut short inside a\n"
      "record (what came before it is analysed and stored).",
      po::options_description("Options"),
      po::options_description(),
      {}};
  spec.options.add_options()        //
      ("help,h", "show this help")  //
      ("db", po::value<std::string>(),
       "SQLite file to write (default: CAPTURE-STEM.db in the current directory, "
       "stdin.db for '-')")                                              //
      ("append", "add to an existing database instead of replacing it")  //
      ("force", "replace --db even when it is not a sipscope database")  //
      ("html", po::value<std::string>(),
       "also write a self-contained HTML ladder of every call")                                  //
      ("json", po::value<std::string>(), "also write the JSON ladder of every call")             //
      ("max-rows", po::value<int>()->default_value(50), "calls printed in the table (0 = all)")  //
      ("quiet,q", "print only the summary, not the calls table")                                 //
      ("max-open-calls",
       po::value<int64_t>()->default_value(
           static_cast<int64_t>(correlate::Limits{}.max_open_calls)),
       "open-call limit; beyond it the oldest call is flushed (anomaly call_table_full)")  //
      ("rtp-gap-ms", po::value<int64_t>()->default_value(1000),
       "rtp_gap diagnostic for a silence longer than this between two packets of a stream")  //
      ("t1-ms", po::value<int64_t>()->default_value(correlate::Limits{}.t1_us / 1000),
       "RFC 3261 T1; 64*T1 is Timer B/F/H for the timer diagnostics and the expiry of "
       "transactions outside calls")  //
      ("call-idle-s",
       po::value<int64_t>()->default_value(correlate::Limits{}.call_idle_us / 1'000'000),
       "an open call with no message for this long is flushed unfinished")  //
      ("link-header", po::value<std::vector<std::string>>()->composing(),
       "another header naming a B2BUA leg's Call-ID, besides X-Call-ID, X-CID and "
       "X-Orig-Call-ID (repeatable)");
  add_hep_send_options(spec.options);
  spec.hidden.add_options()("capture", po::value<std::vector<std::string>>(), "capture files");
  spec.positional.add("capture", -1);
  return spec;
}

int run_analyze(const Args& args) {
  const CommandSpec spec = analyze_spec();
  int exit = kExitOk;
  const auto vm = parse_command(spec, args, exit);
  if (!vm) return exit;
  if (vm->count("capture") == 0U) return usage_error("analyze", "no capture file given");
  const int64_t gap_ms = (*vm)["rtp-gap-ms"].as<int64_t>();
  if (gap_ms <= 0 || gap_ms > 3'600'000)
    return usage_error("analyze", "--rtp-gap-ms must be between 1 and 3600000");
  const int64_t t1_ms = (*vm)["t1-ms"].as<int64_t>();
  if (t1_ms <= 0 || t1_ms > 60'000)
    return usage_error("analyze", "--t1-ms must be between 1 and 60000");
  const int64_t max_open_calls = (*vm)["max-open-calls"].as<int64_t>();
  if (max_open_calls <= 0) return usage_error("analyze", "--max-open-calls must be at least 1");
  const int64_t idle_s = (*vm)["call-idle-s"].as<int64_t>();
  if (idle_s <= 0 || idle_s > int64_t{7} * 86'400)
    return usage_error("analyze", "--call-idle-s must be between 1 and 604800");
  std::vector<std::string> link_headers;
  if (vm->count("link-header") != 0U)
    link_headers = (*vm)["link-header"].as<std::vector<std::string>>();
  for (const auto& name : link_headers) {
    if (name.empty() || name.find_first_of(": \t\r\n") != std::string::npos)
      return usage_error(
          "analyze",
          std::string("--link-header needs a header name, got '").append(name).append("'"));
  }
  correlate::media::MediaLimits media_limits;
  std::vector<std::string> paths;
  try {
    paths = expand_capture_args((*vm)["capture"].as<std::vector<std::string>>());
  } catch (const std::invalid_argument& e) {
    return usage_error("analyze", e.what());
  }
  const bool explicit_db = vm->count("db") != 0U;
  const std::string db_path =
      explicit_db ? (*vm)["db"].as<std::string>() : default_db_path(paths.front());
  const bool append = vm->count("append") != 0U;

  // Nothing is written over an input or a file that is not ours.
  std::vector<NamedPath> inputs;
  inputs.reserve(paths.size());
  for (const auto& p : paths) inputs.emplace_back("capture", p);
  std::vector<NamedPath> outputs{{explicit_db ? "--db" : "the default --db", db_path}};
  for (const char* name : {"html", "json"}) {
    if (vm->count(name) != 0U)
      outputs.emplace_back(std::string("--") + name, (*vm)[name].as<std::string>());
  }
  if (auto e = overlap_error(inputs, outputs)) return usage_error("analyze", *e);
  if (!append && vm->count("force") == 0U) {
    if (auto e = foreign_db_error(db_path)) return usage_error("analyze", *e);
  }

  auto hep = start_hep_sender(*vm, "analyze", exit);
  if (exit != kExitOk) return exit;

  // Every input is opened before the database is touched, so a typo never costs the old
  // one; each is read once, standard input included.
  capture::MergedReader input(paths, 0);

  // Replace: built under a temporary name, renamed onto --db only when complete, so a
  // failed or killed run leaves the previous database as it was. Append: in place, with
  // SQLite's rollback journal (a killed run leaves the file readable, the capture
  // 'interrupted').
  std::optional<AtomicFile> fresh;
  if (!append) fresh.emplace(db_path, /*open_stream=*/false);
  auto store =
      store::Store::open(fresh ? fresh->temp_path() : db_path,
                         append ? store::Store::Mode::append : store::Store::Mode::replace);
  if (fresh) store->use_bulk_load();  // a temporary file: no journal, large transactions
  uint32_t first_capture_id = 0;
  for (size_t i = 0; i < paths.size(); ++i) {
    const uint32_t id = store->add_capture(paths[i]);
    if (i == 0) first_capture_id = id;
  }
  store->commit();  // the captures rows ('interrupted' until finished) survive a kill
  input.set_first_capture_id(first_capture_id);

  correlate::Limits limits;
  limits.first_call_id = store->next_call_id();
  limits.max_open_calls = static_cast<size_t>(max_open_calls);
  limits.t1_us = t1_ms * 1000;
  limits.call_idle_us = idle_s * 1'000'000;
  limits.link_headers.insert(limits.link_headers.end(), link_headers.begin(), link_headers.end());

  media_limits.gap_threshold_us = gap_ms * 1000;

  (void)std::signal(SIGINT, on_stop_signal);  // SIG_ERR only for invalid signal numbers
  (void)std::signal(SIGTERM, on_stop_signal);
  const bool tty = isatty(STDERR_FILENO) != 0;
  const auto result =
      run_pipeline(input, *store, limits, g_stop,
                   tty ? std::function<void(const PipelineCounts&)>(print_progress) : nullptr,
                   media_limits, hep.get(), vm->count("hep-rtcp") != 0U);
  store->close();
  if (fresh) {
    remove_side_files(db_path);
    fresh->commit();
  }
  if (tty) std::cerr << "\r\033[K";

  // A cut capture is damaged input (exit 4 after the results); an empty one among several
  // is only noted (its capture_empty anomaly is in the summary).
  bool damaged = false;
  for (const auto& c : result.captures) {
    if (c.error.empty()) continue;
    const bool empty = c.status == "empty";
    damaged = damaged || !empty;
    std::cerr << "sipscope analyze: " << (empty ? "warning: " : "error: ") << c.error << "\n";
  }
  const auto db = store::Database::open_read_only(db_path);
  if (vm->count("html") != 0U) {
    write_file((*vm)["html"].as<std::string>(),
               [&](std::ostream& out) { write_all_calls_html(out, *db, db_path); });
  }
  if (vm->count("json") != 0U) {
    write_file((*vm)["json"].as<std::string>(),
               [&](std::ostream& out) { write_all_calls_json(out, *db); });
  }

  if (vm->count("quiet") == 0U) {
    print_calls_table(*db, (*vm)["max-rows"].as<int>(), db_path);
  }
  print_summary(*db, std::cout);
  std::cout << "database: " << db_path << "\n";
  if (vm->count("html") != 0U) std::cout << "html:     " << (*vm)["html"].as<std::string>() << "\n";
  if (vm->count("json") != 0U) std::cout << "json:     " << (*vm)["json"].as<std::string>() << "\n";
  if (hep) finish_hep_sender(*hep, std::cout);
  if (result.interrupted) {
    std::cerr << "sipscope analyze: interrupted; results so far are in " << db_path << "\n";
    return kExitInterrupted;
  }
  return damaged ? kExitDamaged : kExitOk;
}

}  // namespace sipscope::cli
