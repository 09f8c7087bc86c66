// `sipscope registrations`: lists the stored registrations (RFC 3261 §10 REGISTER
// attempts with their outcome), with filters and formats like `sipscope calls`.
#pragma once

#include <string>

#include "cli/commands.hpp"
#include "cli/options.hpp"

namespace sipscope::cli {

CommandSpec registrations_spec();
int run_registrations(const Args& args);

}  // namespace sipscope::cli
