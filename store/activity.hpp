// Reading the `subscriptions` and `activity` tables back (docs/schema.md) for
// `sipscope activity`: subscriptions (RFC 6665) and MESSAGE/PUBLISH transactions in one
// time-ordered list, filters like `sipscope calls`, rendered as table, JSON or CSV.
//
//   auto db = store::Database::open_read_only("x.db");
//   auto items = store::list_activity(*db, {.kind = "subscribe"});
//   std::cout << store::render_activity_table(items);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "correlate/records.hpp"
#include "store/query.hpp"

namespace sipscope::store {

struct ActivityFilter {
  std::optional<std::string> kind = {};     // subscribe / message / publish; all when unset
  std::optional<std::string> user = {};     // substring of either party's URI, case-insensitive
  std::optional<std::string> call_id = {};  // exact SIP Call-ID
  std::optional<std::string> result = {};   // subscription state or transaction result
  std::optional<int64_t> since_us = {}, until_us = {};  // start_us in [since, until)
  std::optional<int64_t> limit = {};
};

// One row of `sipscope activity`: a subscription or a MESSAGE/PUBLISH transaction.
struct ActivityItem {
  std::optional<correlate::SubscriptionRecord> subscription;
  std::optional<correlate::ActivityRecord> transaction;
  [[nodiscard]] int64_t start_us() const {
    return subscription ? subscription->start_us : transaction->start_us;
  }
};

// Ordered by start time (subscriptions first on ties).
[[nodiscard]] std::vector<ActivityItem> list_activity(const Database& db,
                                                      const ActivityFilter& filter);

}  // namespace sipscope::store
