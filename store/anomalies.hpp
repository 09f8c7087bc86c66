// Reading the `anomalies` table back (docs/schema.md) for `sipscope anomalies`: what in the
// input was damaged, cut or dropped, with filters by kind, call and time.
//
//   auto rows = store::list_anomalies(*db, {.kind = "sip_truncated", .limit = 20});
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/query.hpp"

namespace sipscope::store {

// One `anomalies` row; optional columns are NULL in the table.
struct AnomalyRow {
  int64_t id = 0;
  uint32_t capture_id = 0;
  std::optional<int64_t> call_id;
  std::optional<int64_t> ts_us;
  std::string kind;
  std::string detail;
  std::optional<int64_t> frame;
  std::optional<std::string> flow;  // "src -> dst"
};

struct AnomalyFilter {
  std::optional<std::string> kind = {};                 // exact kind name
  std::optional<std::vector<int64_t>> call_ids = {};    // only anomalies of these calls.id
  std::optional<int64_t> since_us = {}, until_us = {};  // ts_us in [since_us, until_us)
  std::optional<int64_t> limit = {};
};

// Ordered by time, then id (rows without a time last).
[[nodiscard]] std::vector<AnomalyRow> list_anomalies(const Database& db,
                                                     const AnomalyFilter& filter);
// The same rows handed to `visit` one at a time as the statement steps.
void for_each_anomaly(const Database& db, const AnomalyFilter& filter,
                      const std::function<void(const AnomalyRow&)>& visit);

}  // namespace sipscope::store
