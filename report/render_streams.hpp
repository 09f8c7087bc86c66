// Renderings of `sipscope streams` (table, JSON, CSV) from the rows store/streams.hpp reads.
#pragma once

#include <string>
#include <vector>

#include "store/streams.hpp"

namespace sipscope::report {

[[nodiscard]] std::string render_streams_table(const std::vector<store::StreamRow>& rows);
[[nodiscard]] std::string render_streams_json(const std::vector<store::StreamRow>& rows);
[[nodiscard]] std::string render_streams_csv(const std::vector<store::StreamRow>& rows);

}  // namespace sipscope::report
