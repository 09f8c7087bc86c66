#include "cli/streams.hpp"

#include <algorithm>
#include <iostream>
#include <set>
#include <vector>

#include "report/ladder.hpp"
#include "report/render_streams.hpp"

namespace sipscope::cli {

CommandSpec streams_spec() {
  CommandSpec spec{"streams",
                   "sipscope streams --db FILE [--orphan] [filters] [--format table|json|csv]",
                   "Lists the RTP streams stored by 'sipscope analyze' (all, or with --orphan\n"
                   "only those no call claimed), ordered by first packet time.",
                   po::options_description("Options"),
                   po::options_description(),
                   {}};
  spec.options.add_options()                                                                  //
      ("help,h", "show this help")                                                            //
      ("db", po::value<std::string>()->required(), "database written by 'sipscope analyze'")  //
      ("orphan", "only streams that belong to no call")                                       //
      ("call", po::value<std::string>(), "only streams of this call (id or SIP Call-ID)")     //
      ("codec", po::value<std::string>(), "only this codec (e.g. PCMU), any case")            //
      ("min-loss", po::value<double>(), "lost packets at least this % of those expected")     //
      ("max-mos", po::value<double>(), "MOS at most this")                                    //
      ("ip", po::value<std::string>(), "source or destination address is this")               //
      ("limit", po::value<int64_t>(), "at most this many streams")                            //
      ("format", po::value<std::string>()->default_value("table"), "table, json or csv");
  return spec;
}

int run_streams(const Args& args) {
  const CommandSpec spec = streams_spec();
  int exit = kExitOk;
  const auto vm = parse_command(spec, args, exit);
  if (!vm) return exit;
  if (std::string error; !check_choice(*vm, "format", {"table", "json", "csv"}, error)) {
    return usage_error("streams", error);
  }
  const std::string format = (*vm)["format"].as<std::string>();
  const std::string db_path = (*vm)["db"].as<std::string>();
  const auto db = store::Database::open_read_only(db_path);
  store::StreamFilter filter;
  filter.orphan = vm->count("orphan") != 0U;
  if (vm->count("call") != 0U) {
    const std::string call = (*vm)["call"].as<std::string>();
    filter.call_ids = store::resolve_call(*db, call);
    if (filter.call_ids->empty())
      return usage_error("streams", "no call '" + call + "' in " + db_path);
  }
  if (vm->count("codec") != 0U) filter.codec = (*vm)["codec"].as<std::string>();
  if (vm->count("min-loss") != 0U) filter.min_loss_pct = (*vm)["min-loss"].as<double>();
  if (vm->count("max-mos") != 0U) filter.max_mos = (*vm)["max-mos"].as<double>();
  if (vm->count("ip") != 0U) filter.ip = (*vm)["ip"].as<std::string>();
  if (vm->count("limit") != 0U) filter.limit = (*vm)["limit"].as<int64_t>();
  // --call: then the streams another leg owns that these calls negotiated too (B2BUA legs
  // sharing media, docs/media.md), under the same filters; their `call` column is the owner.
  std::set<int64_t> shared_ids;
  store::StreamFilter shared_filter = filter;
  if (filter.call_ids && !filter.orphan) {
    std::vector<int64_t> owners;
    for (int64_t id : *filter.call_ids) {
      for (const auto& s : report::shared_streams(*db, id)) {
        if (std::find(filter.call_ids->begin(), filter.call_ids->end(), *s.call_id) !=
            filter.call_ids->end())
          continue;
        shared_ids.insert(s.id);
        owners.push_back(*s.call_id);
      }
    }
    shared_filter.call_ids = owners;
  }
  // Written as the rows are read.
  const auto rows = [&](const report::RowVisit<store::StreamRow>& visit) {
    store::for_each_stream(*db, filter, visit);
    if (shared_ids.empty()) return;
    store::for_each_stream(*db, shared_filter, [&](const store::StreamRow& r) {
      if (shared_ids.count(r.id) != 0U) visit(r);
    });
  };
  if (format == "json") {
    report::write_streams_json(std::cout, rows);
  } else if (format == "csv") {
    report::write_streams_csv(std::cout, rows);
  } else {
    report::write_streams_table(std::cout, rows);
  }
  return kExitOk;
}

}  // namespace sipscope::cli
