// Renderings of `sipscope activity` (table, JSON, CSV) from the rows store/activity.hpp reads.
#pragma once

#include <string>
#include <vector>

#include "store/activity.hpp"

namespace sipscope::report {

using store::ActivityItem;

[[nodiscard]] std::string render_activity_table(const std::vector<ActivityItem>& rows);
[[nodiscard]] std::string render_activity_json(const std::vector<ActivityItem>& rows);
[[nodiscard]] std::string render_activity_csv(const std::vector<ActivityItem>& rows);

}  // namespace sipscope::report
