// The calls listing (`sipscope calls`, the end of `analyze`): stored calls filtered and
// sorted by store::CallFilter (store/query.hpp), each with the columns a listing shows
// beside the `calls` row: the parties' ports, the call's media quality as its filters and
// sort keys define it (docs/stats.md), and when a call first seen mid-dialog was first seen.
//
//   auto rows = store::list_call_rows(*db, {.address = "192.0.2.10", .final_code = 486});
//   store::for_each_call_row(*db, {}, [&](const store::CallListRow& r) { print(r); });
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "correlate/records.hpp"
#include "store/query.hpp"

namespace sipscope::store {

struct CallListRow {
  correlate::CallRecord call;
  // Port of caller_ip / callee_ip in the first message of the call sent from or to it.
  std::optional<int> caller_port, callee_port;
  // The call's first message (for a call without its initial INVITE, start_us is NULL and
  // this is the only time it has).
  std::optional<int64_t> first_seen_us;
  // Lowest MOS of the call's streams; RTP loss % of the call = 100 * sum(lost) /
  // sum(expected) over its streams: what --max-mos, --min-loss and --sort mos|loss use.
  std::optional<double> worst_mos, loss_pct;
};

// Throws CallFilterError for a bad regular expression.
[[nodiscard]] std::vector<CallListRow> list_call_rows(const Database& db, const CallFilter& filter);
// Throws CallFilterError when list_call_rows() would (before anything is read).
void check_call_filter(const CallFilter& filter);
// The same rows handed to `visit` one at a time as the statement steps, so a listing of
// any length holds one row (`visit` may read the database meanwhile).
void for_each_call_row(const Database& db, const CallFilter& filter,
                       const std::function<void(const CallListRow&)>& visit);

}  // namespace sipscope::store
