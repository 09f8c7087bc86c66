// sipscope entry point: dispatches the subcommand. Setup and I/O errors surface as
// exceptions from the modules and are turned into one stderr line + exit status here.
#include <exception>
#include <iostream>
#include <string>

#include "cli/activity.hpp"
#include "cli/anomalies.hpp"
#include "cli/capture.hpp"
#include "cli/commands.hpp"
#include "cli/registrations.hpp"
#include "cli/report_commands.hpp"
#include "cli/safe_output.hpp"
#include "cli/serve.hpp"
#include "cli/streams.hpp"

namespace {

using namespace sipscope::cli;

int run_command(const std::string& command, const Args& args) {
  if (command == "analyze") return run_analyze(args);
  if (command == "capture") return run_capture(args);
  if (command == "calls") return run_calls(args);
  if (command == "show") return run_show(args);
  if (command == "report") return run_report(args);
  if (command == "export") return run_export(args);
  if (command == "stats") return run_stats(args);
  if (command == "registrations") return run_registrations(args);
  if (command == "peers") return run_peers(args);
  if (command == "activity") return run_activity(args);
  if (command == "streams") return run_streams(args);
  if (command == "anomalies") return run_anomalies(args);
  if (command == "serve") return run_serve(args);
  if (command == "help" || command == "--help" || command == "-h") return run_help(args);
  if (command == "--version" || command == "version") {
    std::cout << "sipscope " << SIPSCOPE_VERSION << "\n";
    return kExitOk;
  }
  std::cerr << "sipscope: unknown command '" << command << "' (see 'sipscope help')\n";
  return kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << command_help("");
    return kExitUsage;
  }
  const std::string command = argv[1];
  const Args args(argv + 2, argv + argc);
  try {
    const int status = run_command(command, args);
    // Every byte meant for standard output must have reached it: `calls > /dev/full` is
    // exit 2 with a line saying so, never 0 with nothing written.
    check_stdout();
    return status;
  } catch (const std::exception& e) {
    std::cerr << "sipscope " << command << ": error: " << e.what() << "\n";
    return kExitInput;
  }
}
