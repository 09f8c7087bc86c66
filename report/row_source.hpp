// Rows handed to a renderer one at a time, so a listing of any length is written as it is
// read: a store reader's for_each_* bound to its database and filter, or a vector's rows.
//
//   report::RowSource<store::StreamRow> rows = [&](const auto& visit) {
//     store::for_each_stream(*db, filter, visit);
//   };
//   report::write_streams_json(std::cout, rows);
#pragma once

#include <functional>
#include <vector>

namespace sipscope::report {

template <typename Row>
using RowVisit = std::function<void(const Row&)>;
// Calls its argument once per row, in order. A table renderer may run it twice (once to
// measure the columns, once to write them): a store source must then read one snapshot
// (store::ReadSnapshot) so both runs see the same rows.
template <typename Row>
using RowSource = std::function<void(const RowVisit<Row>&)>;

template <typename Row>
RowSource<Row> rows_of(const std::vector<Row>& rows) {
  return [&rows](const RowVisit<Row>& visit) {
    for (const auto& r : rows) visit(r);
  };
}

}  // namespace sipscope::report
