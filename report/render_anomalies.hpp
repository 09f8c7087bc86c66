// Renderings of `sipscope anomalies` (table, JSON, CSV) from the rows store/anomalies.hpp
// reads. Wire text (detail, flow) is made terminal-safe in the table and the CSV.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "report/row_source.hpp"
#include "store/anomalies.hpp"

namespace sipscope::report {

[[nodiscard]] std::string render_anomalies_table(const std::vector<store::AnomalyRow>& rows,
                                                 bool wide);
[[nodiscard]] std::string render_anomalies_json(const std::vector<store::AnomalyRow>& rows);
[[nodiscard]] std::string render_anomalies_csv(const std::vector<store::AnomalyRow>& rows);

// The same renderings written to `out` as `rows` hands them over (the table runs `rows`
// twice: report/row_source.hpp).
void write_anomalies_table(std::ostream& out, const RowSource<store::AnomalyRow>& rows, bool wide);
void write_anomalies_json(std::ostream& out, const RowSource<store::AnomalyRow>& rows);
void write_anomalies_csv(std::ostream& out, const RowSource<store::AnomalyRow>& rows);

}  // namespace sipscope::report
