// Reading the store back: call listing with filters, CALL argument resolution
// (docs/cli.md: digits that are an existing calls.id mean that row, anything else is a
// Call-ID meaning every row with it), and the analysis summary.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "correlate/records.hpp"

struct sqlite3;

namespace sipscope::store {

// Read-only handle on a sipscope database. Throws StoreError (store.hpp) with one line
// naming the file when it is missing, not SQLite, or of another schema version.
class Database {
 public:
  static std::unique_ptr<Database> open_read_only(const std::string& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  [[nodiscard]] sqlite3* handle() const { return db_; }
  // The path as given to open_read_only(), for error messages.
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_ = nullptr;
  std::string path_;
};

// A read transaction on `db` for its lifetime: every query meanwhile reads one snapshot
// of the file, so a listing read twice (once to measure its columns, once to write them)
// sees the same rows even while a live capture commits (WAL) or another writer waits.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(const Database& db);
  ~ReadSnapshot();
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;

 private:
  sqlite3* db_;
};

// Sort keys of `sipscope calls --sort`; NULL values sort last whatever the direction.
enum class CallSort : uint8_t { start, id, duration, pdd, loss, mos, messages };
// "start", "id", ... -> key; nullopt when unknown.
[[nodiscard]] std::optional<CallSort> parse_call_sort(std::string_view name);

// A bad --from-regex/--to-regex; what() names the expression.
class CallFilterError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CallFilter {
  // Default member initializers so designated initializers may name only what they set.
  std::optional<std::string> state = {};
  std::optional<std::string> call_id = {};    // exact SIP Call-ID
  std::optional<std::string> from_user = {};  // substring, ASCII case-insensitive
  std::optional<std::string> to_user = {};    // substring, ASCII case-insensitive
  std::optional<std::string> party = {};      // from_user or to_user contains (as from_user)
  std::optional<std::string> address = {};    // caller_ip or callee_ip is this address
  std::optional<int> final_code = {};
  // The call's time in [since_us, until_us): start_us, or for a call first seen mid-dialog
  // (start_us NULL) its first message.
  std::optional<int64_t> since_us = {}, until_us = {};
  std::optional<int64_t> limit = {};
  // RE2 regular expressions (github.com/google/re2/wiki/Syntax: no backreferences, linear
  // time) searched (not anchored) in the user part; checked in
  // C++ after the SQL conditions, so the limit applies after them. Invalid: CallFilterError.
  std::optional<std::string> from_regex = {};
  std::optional<std::string> to_regex = {};
  // Media quality over the call's streams (docs/stats.md): loss % = 100 * sum(lost) /
  // sum(expected); MOS = the lowest stream MOS. Calls without the value never match.
  std::optional<double> min_loss_pct = {};
  std::optional<double> max_mos = {};
  // "" = any diagnostic; otherwise calls with a diagnostic of this kind.
  std::optional<std::string> diagnostic = {};
  std::optional<double> min_duration_ms = {}, max_duration_ms = {};
  CallSort sort = CallSort::start;
  bool descending = false;
};

// The calls of list_call_rows() (store/call_list.hpp) without the listing's extra columns.
[[nodiscard]] std::vector<correlate::CallRecord> list_calls(const Database& db,
                                                            const CallFilter& filter);
[[nodiscard]] std::optional<correlate::CallRecord> get_call(const Database& db, int64_t id);
// Empty when nothing matches.
[[nodiscard]] std::vector<int64_t> resolve_call(const Database& db, const std::string& arg);

// One row of `captures`: where `sipscope export` re-reads frames from.
struct CaptureFile {
  uint32_t id = 0;
  std::string path;  // as given to analyze (may be relative to where it ran)
  std::optional<int> link_type;
  // Evidence identity recorded while analyze read it (docs/schema.md).
  std::optional<int64_t> size = {};
  std::optional<int64_t> mtime_us = {};
  std::optional<std::string> sha256 = {};  // none when the file was not read to its end
  std::string status = {};
};
[[nodiscard]] std::vector<CaptureFile> list_captures(const Database& db);

// The given calls plus every call linked to them (call_links, either direction) or sharing
// their group_id, in id order.
[[nodiscard]] std::vector<int64_t> with_linked_calls(const Database& db,
                                                     const std::vector<int64_t>& ids);

struct Summary {
  int64_t calls = 0;
  std::map<std::string, int64_t> calls_by_state;
  int64_t messages = 0;
  int64_t call_messages = 0;
  int64_t anomalies = 0;
  std::map<std::string, int64_t> anomalies_by_kind;
  int64_t streams = 0;       // RTP streams
  int64_t call_streams = 0;  // of which tied to a call
  int64_t diagnostics = 0;
  std::map<std::string, int64_t> diagnostics_by_kind;
};
[[nodiscard]] Summary summarize(const Database& db);

}  // namespace sipscope::store
