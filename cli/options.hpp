// Shared command-line plumbing: Boost.Program_options parsing with one-line usage errors,
// per-command option descriptions (used by both `CMD --help` and `help CMD`), and value
// parsers for times.
#pragma once

#include <boost/program_options.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "cli/commands.hpp"

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

// "2026-01-01T10:00:00Z", "2026-01-01T10:00:00.250", "2026-01-01 10:00:00" (UTC) or a
// plain integer of microseconds since the epoch.
std::optional<int64_t> parse_time_us(const std::string& text);

// UTC "YYYY-MM-DD HH:MM:SS.mmm" for people.
std::string format_time_us(int64_t ts_us);

}  // namespace sipscope::cli
