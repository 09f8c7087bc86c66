// Renderings of the calls listing (`sipscope calls`, the end of `analyze`): a table for the
// terminal, JSON and CSV, from store::list_call_rows() (docs/ladder-json.md "Calls").
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "correlate/records.hpp"
#include "report/row_source.hpp"
#include "store/call_list.hpp"

namespace sipscope::report {

// Columns are cut to a maximum width (marked '~') unless `wide`, which prints every value
// whole. A call first seen mid-dialog shows that time in the start column marked '*',
// explained under the table.
[[nodiscard]] std::string render_calls_table(const std::vector<store::CallListRow>& rows,
                                             bool wide = false);
[[nodiscard]] std::string render_calls_json(const std::vector<store::CallListRow>& rows);
[[nodiscard]] std::string render_calls_csv(const std::vector<store::CallListRow>& rows);

// The same renderings written to `out` as `rows` hands them over (the table runs `rows`
// twice: report/row_source.hpp), for listings of any length.
void write_calls_table(std::ostream& out, const RowSource<store::CallListRow>& rows,
                       bool wide = false);
void write_calls_json(std::ostream& out, const RowSource<store::CallListRow>& rows);
void write_calls_csv(std::ostream& out, const RowSource<store::CallListRow>& rows);

// Rows of bare `calls` records (no ports, quality or first-seen time).
[[nodiscard]] std::vector<store::CallListRow> call_rows(
    const std::vector<correlate::CallRecord>& calls);

}  // namespace sipscope::report
