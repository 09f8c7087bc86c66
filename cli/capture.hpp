// `sipscope capture`: live capture from network interfaces (docs/capture.md).
#pragma once

#include "cli/commands.hpp"
#include "cli/options.hpp"

namespace sipscope::cli {

CommandSpec capture_spec();
int run_capture(const Args& args);

}  // namespace sipscope::cli
