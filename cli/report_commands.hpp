// `sipscope report`, `sipscope export`, `sipscope stats`, and the pieces `calls` and
// `show` share with them: the extended call filters and the terminal width of text ladders
// (--redact: cli/redaction.hpp).
#pragma once

#include <string>

#include "cli/options.hpp"
#include "report/ladder.hpp"
#include "store/query.hpp"

namespace sipscope::cli {

CommandSpec report_spec();
CommandSpec export_spec();
CommandSpec stats_spec();

int run_report(const Args& args);
int run_export(const Args& args);
int run_stats(const Args& args);

// --from-regex, --to-regex, --min-loss, --max-mos, --has-diagnostic, --min-duration,
// --max-duration, --sort, --desc.
void add_call_filter_options(po::options_description& options);
// false with a one-line message on a bad value.
bool read_call_filter_options(const po::variables_map& vm, store::CallFilter& filter,
                              std::string& error);

// Columns for a text ladder: $COLUMNS when a positive number, else the terminal's width
// (TIOCGWINSZ on stdout), else 100.
int terminal_width();
// Standard output is a terminal (tables cut long values only then: `calls --wide`).
bool stdout_is_terminal();

}  // namespace sipscope::cli
