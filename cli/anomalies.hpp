// `sipscope anomalies`: lists what in the input was damaged, cut or dropped (the
// `anomalies` table: kind, frame, detail, call), with filters and formats like the other
// listings.
#pragma once

#include "cli/commands.hpp"
#include "cli/options.hpp"

namespace sipscope::cli {

CommandSpec anomalies_spec();
int run_anomalies(const Args& args);

}  // namespace sipscope::cli
