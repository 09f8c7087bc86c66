// Reading the `streams` table back (docs/schema.md) for `sipscope streams` (every RTP stream,
// or only the orphans, with filters) and for the web UI's streams page (paged, free text);
// and the one column list these and load_call_detail() read a StreamRow from.
//
//   auto db = store::Database::open_read_only("x.db");
//   auto rows = store::list_streams(*db, {.orphan = true, .min_loss_pct = 1.0});
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/call_detail.hpp"
#include "store/query.hpp"

namespace sipscope::store {

namespace sql {
class Statement;
}

struct StreamFilter {
  bool orphan = false;                           // only streams with call_id NULL
  std::optional<std::vector<int64_t>> call_ids;  // only streams of these calls.id
  std::optional<std::string> codec = {};         // codec name, ASCII case-insensitive
  std::optional<double> min_loss_pct = {};       // lost / expected * 100 >= this
  std::optional<double> max_mos = {};            // mos <= this
  std::optional<std::string> ip = {};            // source or destination address
  std::optional<int64_t> limit = {};
};

// The columns stream_row() reads, in order, for a SELECT on `streams` of `db` (a column
// added within the schema version reads as NULL from a file written before it).
[[nodiscard]] std::string stream_columns(const Database& db);

// The current row of a statement selecting stream_columns() first (samples left empty).
[[nodiscard]] StreamRow stream_row(const sql::Statement& st);

// Ordered by first packet time, then id.
[[nodiscard]] std::vector<StreamRow> list_streams(const Database& db, const StreamFilter& filter);
// The same rows handed to `visit` one at a time as the statement steps.
void for_each_stream(const Database& db, const StreamFilter& filter,
                     const std::function<void(const StreamRow&)>& visit);

struct StreamPage {
  int64_t total = 0;               // streams matching, whatever the page
  std::vector<StreamRow> streams;  // by first_us, then id (samples left empty)
};

// Streams whose source or destination address or codec contains q (ASCII
// case-insensitive, when set), paged; limit is clamped to 1..1000.
[[nodiscard]] StreamPage search_streams(const Database& db, const std::optional<std::string>& q,
                                        int64_t offset, int64_t limit);

}  // namespace sipscope::store
