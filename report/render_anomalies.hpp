// Renderings of `sipscope anomalies` (table, JSON, CSV) from the rows store/anomalies.hpp
// reads. Wire text (detail, flow) is made terminal-safe in the table and the CSV.
#pragma once

#include <string>
#include <vector>

#include "store/anomalies.hpp"

namespace sipscope::report {

[[nodiscard]] std::string render_anomalies_table(const std::vector<store::AnomalyRow>& rows,
                                                 bool wide);
[[nodiscard]] std::string render_anomalies_json(const std::vector<store::AnomalyRow>& rows);
[[nodiscard]] std::string render_anomalies_csv(const std::vector<store::AnomalyRow>& rows);

}  // namespace sipscope::report
