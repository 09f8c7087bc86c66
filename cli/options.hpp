// Shared command-line plumbing: Boost.Program_options parsing with one-line usage errors,
// per-command option descriptions (used by both `CMD --help` and `help CMD`), checks of
// option values against their documented sets (times: cli/time_args.hpp).
#pragma once

#include <boost/program_options.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.hpp"
#include "cli/time_args.hpp"

namespace sipscope::cli {

namespace po = boost::program_options;

struct CommandSpec {
  std::string name;
  std::string usage;        // "sipscope analyze CAPTURE... [options]"
  std::string description;  // a few lines
  po::options_description options;
  po::options_description hidden;  // positional arguments
  po::positional_options_description positional;
};

CommandSpec analyze_spec();
CommandSpec calls_spec();
CommandSpec show_spec();

std::string format_help(const CommandSpec& spec);

// Parses args against spec. On --help prints the help and sets exit = kExitOk; on a usage
// error prints one line "sipscope CMD: error: ..." and sets exit = kExitUsage. Returns
// the variables only when the command should run.
std::optional<po::variables_map> parse_command(const CommandSpec& spec, const Args& args,
                                               int& exit);

// One-line usage error for a command; returns kExitUsage.
int usage_error(const std::string& command, const std::string& message);

// The value of option `name` (when given) is one of `choices`; otherwise false with the
// one-line error "--NAME must be one of: a, b, c (not 'x')".
[[nodiscard]] bool check_choice(const po::variables_map& vm, const std::string& name,
                                const std::vector<std::string_view>& choices, std::string& error);
// The same check for a value in hand.
[[nodiscard]] bool check_choice_value(const std::string& name, const std::string& value,
                                      const std::vector<std::string_view>& choices,
                                      std::string& error);

// UTC "YYYY-MM-DD HH:MM:SS.mmm" for people.
std::string format_time_us(int64_t ts_us);

}  // namespace sipscope::cli
