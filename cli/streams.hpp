// `sipscope streams`: lists the stored RTP streams (all, or the orphans no call claimed), with
// filters and formats like `sipscope registrations`.
#pragma once

#include "cli/commands.hpp"
#include "cli/options.hpp"

namespace sipscope::cli {

CommandSpec streams_spec();
int run_streams(const Args& args);

}  // namespace sipscope::cli
