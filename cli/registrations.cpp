#include "cli/registrations.hpp"

#include <iostream>

#include "report/format.hpp"
#include "report/render_registrations.hpp"

namespace sipscope::cli {

CommandSpec registrations_spec() {
  CommandSpec spec{"registrations",
                   "sipscope registrations --db FILE [filters] [--format table|json|csv]",
                   "Lists the registrations (REGISTER attempts, challenges included) stored by\n"
                   "'sipscope analyze', ordered by start time.",
                   po::options_description("Options"),
                   po::options_description(),
                   {}};
  spec.options.add_options()                                                                  //
      ("help,h", "show this help")                                                            //
      ("db", po::value<std::string>()->required(), "database written by 'sipscope analyze'")  //
      ("result", po::value<std::string>(),
       "only this result (registered, unregistered, failed, challenged, no_response)")  //
      ("user", po::value<std::string>(), "user part contains this text")                //
      ("call-id", po::value<std::string>(), "exact SIP Call-ID")                        //
      ("limit", po::value<int64_t>(), "at most this many registrations")                //
      ("format", po::value<std::string>()->default_value("table"), "table, json or csv");
  add_time_options(spec.options);
  return spec;
}

int run_registrations(const Args& args) {
  const CommandSpec spec = registrations_spec();
  int exit = kExitOk;
  const auto vm = parse_command(spec, args, exit);
  if (!vm) return exit;
  store::RegistrationFilter filter;
  std::string error;
  if (!check_choice(*vm, "format", {"table", "json", "csv"}, error) ||
      !check_choice(*vm, "result",
                    {"registered", "unregistered", "failed", "challenged", "no_response"}, error) ||
      !read_time_range(*vm, filter.since_us, filter.until_us, error)) {
    return usage_error("registrations", error);
  }
  report::format::set_local_display(local_times(*vm));
  const std::string format = (*vm)["format"].as<std::string>();
  if (vm->count("result") != 0U) filter.result = (*vm)["result"].as<std::string>();
  if (vm->count("user") != 0U) filter.user = (*vm)["user"].as<std::string>();
  if (vm->count("call-id") != 0U) filter.call_id = (*vm)["call-id"].as<std::string>();
  if (vm->count("limit") != 0U) filter.limit = (*vm)["limit"].as<int64_t>();
  const auto db = store::Database::open_read_only((*vm)["db"].as<std::string>());
  const auto rows = store::list_registrations(*db, filter);
  if (format == "json") {
    std::cout << report::render_registrations_json(rows);
  } else if (format == "csv") {
    std::cout << report::render_registrations_csv(rows);
  } else {
    std::cout << report::render_registrations_table(rows);
  }
  return kExitOk;
}

}  // namespace sipscope::cli
