// Renderings of `sipscope streams` (table, JSON, CSV) from the rows store/streams.hpp reads.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "report/row_source.hpp"
#include "store/streams.hpp"

namespace sipscope::report {

[[nodiscard]] std::string render_streams_table(const std::vector<store::StreamRow>& rows);
[[nodiscard]] std::string render_streams_json(const std::vector<store::StreamRow>& rows);
[[nodiscard]] std::string render_streams_csv(const std::vector<store::StreamRow>& rows);

// The same renderings written to `out` as `rows` hands them over (each runs it once).
void write_streams_table(std::ostream& out, const RowSource<store::StreamRow>& rows);
void write_streams_json(std::ostream& out, const RowSource<store::StreamRow>& rows);
void write_streams_csv(std::ostream& out, const RowSource<store::StreamRow>& rows);

}  // namespace sipscope::report
