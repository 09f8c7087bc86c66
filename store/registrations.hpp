// Reading the `registrations` table back (docs/schema.md): filters like `sipscope calls`
// and the three renderings of `sipscope registrations` (table, json, csv).
//
//   auto db = store::Database::open_read_only("x.db");
//   auto rows = store::list_registrations(*db, {.result = "failed"});
//   std::cout << store::render_registrations_table(rows);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "correlate/records.hpp"
#include "store/query.hpp"

namespace sipscope::store {

struct RegistrationFilter {
  std::optional<std::string> result = {};   // registered, failed, ...
  std::optional<std::string> user = {};     // substring of the user part, ASCII case-insensitive
  std::optional<std::string> call_id = {};  // exact SIP Call-ID
  std::optional<int64_t> since_us = {}, until_us = {};  // start_us in [since_us, until_us)
  std::optional<int64_t> limit = {};
};

// Ordered by start time.
[[nodiscard]] std::vector<correlate::RegistrationRecord> list_registrations(
    const Database& db, const RegistrationFilter& filter);

}  // namespace sipscope::store
