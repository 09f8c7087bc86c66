// The sipscope subcommands (docs/cli.md). Each takes the arguments
// after its name and returns the process exit status.
#pragma once

#include <string>
#include <vector>

namespace sipscope::cli {

// docs/cli.md "Exit statuses"
enum ExitStatus : int {
  kExitOk = 0,
  kExitUsage = 1,
  kExitInput = 2,
  kExitInterrupted = 3,
  kExitDamaged = 4,  // analyze: a capture ends inside a record; what came before is stored
};

using Args = std::vector<std::string>;

int run_analyze(const Args& args);
int run_calls(const Args& args);
int run_show(const Args& args);

// `sipscope help [CMD]`, `sipscope --help`
int run_help(const Args& args);
// Help text of one command ("" when unknown).
std::string command_help(const std::string& command);

}  // namespace sipscope::cli
