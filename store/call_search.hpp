// Paged call queries for the web UI (`sipscope serve`): free-text search over the parties,
// URIs, addresses and Call-ID (through the call_search trigram index), filters, sort on a
// fixed set of indexed columns, LIMIT/OFFSET paging with the total count, and a call's
// change marker for live polling. (The streams page: store/streams.hpp.)
//
//   auto page = store::search_calls(*db, {.q = "alice", .offset = 0, .limit = 50});
//   // page.total calls match; page.calls holds at most 50 of them
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "correlate/records.hpp"
#include "store/query.hpp"

namespace sipscope::store {

// Sort keys of the call list; each is a column of `calls` (NULLs last in both directions).
enum class SearchSort : uint8_t { start, id, duration, pdd, messages, code, state };
// "start", "id", "duration", "pdd", "messages", "code", "state" -> key; nullopt when unknown.
[[nodiscard]] std::optional<SearchSort> parse_search_sort(std::string_view name);

struct CallSearch {
  // Substring (ASCII case-insensitive) of from/to user, from/to URI, caller/callee IP or
  // the SIP Call-ID.
  std::optional<std::string> q = {};
  std::optional<std::string> state = {};
  std::optional<int64_t> since_us = {}, until_us = {};  // start_us in [since_us, until_us)
  SearchSort sort = SearchSort::start;
  bool descending = false;
  int64_t offset = 0;
  int64_t limit = 50;
};

struct CallPage {
  int64_t total = 0;  // calls matching, whatever the page
  std::vector<correlate::CallRecord> calls;
};

[[nodiscard]] CallPage search_calls(const Database& db, const CallSearch& search);

// Changes whenever one call progresses: its row, its messages, streams and findings (the
// live call page polls it). Text, compared for equality only.
[[nodiscard]] std::string call_version(const Database& db, int64_t call_id);

}  // namespace sipscope::store
