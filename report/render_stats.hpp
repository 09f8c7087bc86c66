// Renderings of `sipscope stats` (table, JSON, CSV) from the rows store/stats.hpp reads.
#pragma once

#include <string>
#include <vector>

#include "store/stats.hpp"

namespace sipscope::report {

using store::CountRow;
using store::PeerRow;
using store::Stats;

[[nodiscard]] std::string render_stats_table(const Stats& stats);
[[nodiscard]] std::string render_stats_json(const Stats& stats);

}  // namespace sipscope::report
