// `sipscope anomalies` (cli/anomalies.hpp): options wired to store/anomalies and
// report/render_anomalies.
#include "cli/anomalies.hpp"

#include <iostream>

#include "cli/report_commands.hpp"
#include "decode/anomaly.hpp"
#include "report/format.hpp"
#include "report/render_anomalies.hpp"

namespace sipscope::cli {

CommandSpec anomalies_spec() {
  CommandSpec spec{"anomalies",
                   "sipscope anomalies --db FILE [--kind K] [--call CALL] [--since T] [--until T] "
                   "[--limit N] [--wide] [--local] [--format table|json|csv]",
                   "Lists the anomalies stored by 'sipscope analyze' (input that was damaged,\n"
                   "cut or dropped: kind, capture frame, flow, detail and the call when known),\n"
                   "ordered by time.",
                   po::options_description("Options"),
                   po::options_description(),
                   {}};
  spec.options.add_options()                                                                  //
      ("help,h", "show this help")                                                            //
      ("db", po::value<std::string>()->required(), "database written by 'sipscope analyze'")  //
      ("kind", po::value<std::string>(), "only this kind (e.g. sip_truncated)")               //
      ("call", po::value<std::string>(), "only anomalies of this call (id or SIP Call-ID)")   //
      ("limit", po::value<int64_t>(), "at most this many anomalies")                          //
      ("wide", "print every value whole (automatic when stdout is not a terminal)")           //
      ("format", po::value<std::string>()->default_value("table"), "table, json or csv");
  add_time_options(spec.options);
  return spec;
}

int run_anomalies(const Args& args) {
  const CommandSpec spec = anomalies_spec();
  int exit = kExitOk;
  const auto vm = parse_command(spec, args, exit);
  if (!vm) return exit;
  std::vector<std::string_view> kinds;
  for (const auto k : decode::kAllAnomalyKinds) kinds.push_back(decode::anomaly_name(k));
  store::AnomalyFilter filter;
  std::string error;
  if (!check_choice(*vm, "format", {"table", "json", "csv"}, error) ||
      !check_choice(*vm, "kind", kinds, error) ||
      !read_time_range(*vm, filter.since_us, filter.until_us, error)) {
    return usage_error("anomalies", error);
  }
  const std::string format = (*vm)["format"].as<std::string>();
  const std::string db_path = (*vm)["db"].as<std::string>();
  const auto db = store::Database::open_read_only(db_path);
  if (vm->count("call") != 0U) {
    const std::string call = (*vm)["call"].as<std::string>();
    filter.call_ids = store::resolve_call(*db, call);
    if (filter.call_ids->empty()) {
      return usage_error("anomalies", "no call '" + call + "' in " + db_path);
    }
  }
  if (vm->count("kind") != 0U) filter.kind = (*vm)["kind"].as<std::string>();
  if (vm->count("limit") != 0U) filter.limit = (*vm)["limit"].as<int64_t>();
  report::format::set_local_display(local_times(*vm));
  // Written as the rows are read; the table reads them twice (widths), in one snapshot.
  const store::ReadSnapshot snapshot(*db);
  const auto rows = [&](const report::RowVisit<store::AnomalyRow>& visit) {
    store::for_each_anomaly(*db, filter, visit);
  };
  if (format == "json") {
    report::write_anomalies_json(std::cout, rows);
  } else if (format == "csv") {
    report::write_anomalies_csv(std::cout, rows);
  } else {
    report::write_anomalies_table(std::cout, rows,
                                  vm->count("wide") != 0U || !stdout_is_terminal());
  }
  return kExitOk;
}

}  // namespace sipscope::cli
