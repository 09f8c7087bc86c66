// `sipscope peers` (OPTIONS keep-alive monitoring: which peer went down, when, for how
// long) and `sipscope activity` (subscriptions, MESSAGE, PUBLISH): the non-call activity
// stored by `sipscope analyze`, with filters and formats like `sipscope calls`.
#pragma once

#include "cli/commands.hpp"
#include "cli/options.hpp"

namespace sipscope::cli {

CommandSpec peers_spec();
int run_peers(const Args& args);
CommandSpec activity_spec();
int run_activity(const Args& args);

}  // namespace sipscope::cli
