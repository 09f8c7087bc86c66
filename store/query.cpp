#include "store/query.hpp"

#include <re2/re2.h>
#include <sqlite3.h>

#include <filesystem>
#include <limits>
#include <memory>
#include <set>
#include <system_error>

#include "store/call_row.hpp"
#include "store/schema.hpp"
#include "store/sql.hpp"
#include "store/store.hpp"

namespace sipscope::store {

namespace {

std::optional<int64_t> parse_id(const std::string& arg) {
  if (arg.empty() || arg.size() > 18) return std::nullopt;  // 18 digits always fit int64
  int64_t v = 0;
  for (char c : arg) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

}  // namespace

std::unique_ptr<Database> Database::open_read_only(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw StoreError(path + ": no such database");
  }
  // A run killed mid-transaction (SIGKILL, out of memory) leaves a hot rollback journal:
  // only a writable connection may roll it back, and a read-only one fails every read with
  // "attempt to write a readonly database". Open read-write then, so SQLite recovers the
  // file on the first read (its captures row stays 'interrupted': the store marks a capture
  // complete only at its end). Otherwise read-only, as a reader should.
  const bool hot_journal = std::filesystem::file_size(path + "-journal", ec) > 0 && !ec;
  const int flags = hot_journal ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    std::string msg =
        path + ": cannot open database: " + (db != nullptr ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close_v2(db);
    throw StoreError(msg);
  }
  std::unique_ptr<Database> handle(new Database(db, path));
  // A live capture may be committing while the web UI reads: wait instead of failing.
  sqlite3_busy_timeout(db, 5000);
  int64_t app_id = 0;
  int64_t version = 0;
  try {
    app_id = sql::query_int(db, path, "PRAGMA application_id");
    version = sql::query_int(db, path, "PRAGMA user_version");
  } catch (const StoreError&) {
    throw StoreError(path + ": not a sipscope database (" + sqlite3_errmsg(db) + ")");
  }
  if (app_id != schema::kApplicationId || version != kSchemaVersion) {
    throw StoreError(path + ": not a sipscope database (schema version " + std::to_string(version) +
                     ", expected " + std::to_string(kSchemaVersion) + ")");
  }
  return handle;
}

Database::~Database() {
  sqlite3_close_v2(db_);
}

std::optional<CallSort> parse_call_sort(std::string_view name) {
  static constexpr std::pair<std::string_view, CallSort> kNames[] = {
      {"start", CallSort::start},      {"id", CallSort::id},     {"duration", CallSort::duration},
      {"pdd", CallSort::pdd},          {"loss", CallSort::loss}, {"mos", CallSort::mos},
      {"messages", CallSort::messages}};
  for (const auto& [n, k] : kNames) {
    if (n == name) return k;
  }
  return std::nullopt;
}

std::vector<correlate::CallRecord> list_calls(const Database& db, const CallFilter& filter) {
  // A NULL parameter disables its condition, so the SQL text never depends on user input;
  // the ORDER BY is one of a fixed set of constant texts. Substring matches are
  // case-insensitive for ASCII. loss_pct and min_mos are defined in docs/stats.md.
  static constexpr const char* kSelect =
      "SELECT " CALL_COLUMNS
      " FROM (SELECT calls.*,"
      " (SELECT CASE WHEN sum(s.expected) > 0 THEN 100.0 * sum(s.lost) / sum(s.expected) END"
      "  FROM streams s WHERE s.call_id = calls.id AND s.expected IS NOT NULL"
      "  AND s.lost IS NOT NULL) AS loss_pct,"
      " (SELECT min(s.mos) FROM streams s WHERE s.call_id = calls.id) AS min_mos"
      " FROM calls) AS c WHERE (?1 IS NULL OR state = ?1)"
      " AND (?2 IS NULL OR sip_call_id = ?2)"
      " AND (?3 IS NULL OR instr(lower(from_user), lower(?3)) > 0)"
      " AND (?4 IS NULL OR instr(lower(to_user), lower(?4)) > 0)"
      " AND (?5 IS NULL OR start_us >= ?5)"
      " AND (?6 IS NULL OR start_us < ?6)"
      " AND (?7 IS NULL OR loss_pct >= ?7)"
      " AND (?8 IS NULL OR min_mos <= ?8)"
      " AND (?9 IS NULL OR EXISTS (SELECT 1 FROM diagnostics d WHERE d.call_id = c.id"
      "  AND (?9 = '' OR d.kind = ?9)))"
      " AND (?10 IS NULL OR duration_ms >= ?10)"
      " AND (?11 IS NULL OR duration_ms <= ?11)";
  static constexpr std::pair<CallSort, const char*> kOrder[] = {
      {CallSort::start, "start_us"},        {CallSort::id, "id"},
      {CallSort::duration, "duration_ms"},  {CallSort::pdd, "pdd_ms"},
      {CallSort::loss, "loss_pct"},         {CallSort::mos, "min_mos"},
      {CallSort::messages, "message_count"}};
  const char* key = "start_us";
  for (const auto& [k, column] : kOrder) {
    if (k == filter.sort) key = column;
  }
  const std::string dir = filter.descending ? " DESC" : "";
  const std::string sql = std::string(kSelect) + " ORDER BY " + key + " IS NULL, " + key + dir +
                          ", id" + dir + " LIMIT ?12";

  // RE2, not libstdc++ regex: its matching time is linear in the value and it does not recurse,
  // so a hostile 50,000-character user part can neither hang nor overflow the stack.
  auto compile = [](const std::string& text) {
    RE2::Options options;
    options.set_log_errors(false);
    auto re = std::make_unique<RE2>(text, options);
    if (!re->ok()) throw CallFilterError("bad regular expression '" + text + "': " + re->error());
    return re;
  };
  std::unique_ptr<RE2> from_re;
  std::unique_ptr<RE2> to_re;
  if (filter.from_regex) from_re = compile(*filter.from_regex);
  if (filter.to_regex) to_re = compile(*filter.to_regex);
  const bool post_filter = from_re || to_re;
  const int64_t limit = filter.limit && *filter.limit >= 0 ? *filter.limit : int64_t{-1};

  sql::Statement st(db.handle(), db.path(), sql.c_str());
  st.bind_all(filter.state, filter.call_id, filter.from_user, filter.to_user, filter.since_us,
              filter.until_us, filter.min_loss_pct, filter.max_mos, filter.diagnostic,
              filter.min_duration_ms, filter.max_duration_ms);
  // The regexes run here, so SQL may not cut the list before them.
  st.bind(12, post_filter ? int64_t{-1} : limit);
  auto matches = [](const std::unique_ptr<RE2>& re, const std::optional<std::string>& v) {
    return !re || (v && RE2::PartialMatch(*v, *re));
  };
  std::vector<correlate::CallRecord> out;
  while (st.step()) {
    if (limit >= 0 && static_cast<int64_t>(out.size()) >= limit) break;
    auto call = read_call_row(st);
    if (!matches(from_re, call.from_user) || !matches(to_re, call.to_user)) continue;
    out.push_back(std::move(call));
  }
  return out;
}

std::optional<correlate::CallRecord> get_call(const Database& db, int64_t id) {
  sql::Statement st(db.handle(), db.path(), "SELECT " CALL_COLUMNS " FROM calls WHERE id = ?1");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  return read_call_row(st);
}

std::vector<int64_t> resolve_call(const Database& db, const std::string& arg) {
  const std::string& path = db.path();
  if (auto id = parse_id(arg)) {
    sql::Statement st(db.handle(), path, "SELECT id FROM calls WHERE id = ?1");
    st.bind(1, *id);
    if (st.step()) return {*id};
  }
  // Not an existing row id: a SIP Call-ID, every row of it (a reused Call-ID has several).
  sql::Statement st(db.handle(), path, "SELECT id FROM calls WHERE sip_call_id = ?1 ORDER BY id");
  st.bind(1, arg);
  std::vector<int64_t> ids;
  while (st.step()) ids.push_back(st.column_int64(0));
  return ids;
}

std::vector<CaptureFile> list_captures(const Database& db) {
  // A file written before the identity columns existed (same schema version): NULLs.
  const bool identity =
      sql::query_int(db.handle(), db.path(),
                     "SELECT count(*) FROM pragma_table_info('captures') WHERE name = 'sha256'") >
      0;
  sql::Statement st(db.handle(), db.path(),
                    identity ? "SELECT id, path, link_type, size, mtime_us, sha256, status FROM "
                               "captures ORDER BY id"
                             : "SELECT id, path, link_type, NULL, NULL, NULL, status FROM "
                               "captures ORDER BY id");
  std::vector<CaptureFile> out;
  while (st.step()) {
    CaptureFile c{static_cast<uint32_t>(st.column_int64(0)), st.column_text(1),
                  st.column_opt_int(2)};
    c.size = st.column_opt_int64(3);
    c.mtime_us = st.column_opt_int64(4);
    c.sha256 = st.column_opt_text(5);
    c.status = st.column_text(6);
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<int64_t> with_linked_calls(const Database& db, const std::vector<int64_t>& ids) {
  sql::Statement st(db.handle(), db.path(),
                    "SELECT linked_call_id FROM call_links WHERE call_id = ?1 UNION "
                    "SELECT call_id FROM call_links WHERE linked_call_id = ?1 UNION "
                    "SELECT b.id FROM calls a JOIN calls b ON a.group_id = b.group_id "
                    "WHERE a.id = ?1 AND a.group_id IS NOT NULL");
  std::set<int64_t> all(ids.begin(), ids.end());
  std::vector<int64_t> todo(ids.begin(), ids.end());
  while (!todo.empty()) {
    const int64_t id = todo.back();
    todo.pop_back();
    st.bind(1, id);
    while (st.step()) {
      if (all.insert(st.column_int64(0)).second) todo.push_back(st.column_int64(0));
    }
    st.reset();
  }
  return {all.begin(), all.end()};
}

Summary summarize(const Database& db) {
  sqlite3* h = db.handle();
  const std::string& path = db.path();
  Summary s;
  s.calls = sql::query_int(h, path, "SELECT count(*) FROM calls");
  s.messages = sql::query_int(h, path, "SELECT count(*) FROM messages");
  s.call_messages =
      sql::query_int(h, path, "SELECT count(*) FROM messages WHERE call_id IS NOT NULL");
  s.anomalies = sql::query_int(h, path, "SELECT count(*) FROM anomalies");
  {
    sql::Statement st(h, path, "SELECT state, count(*) FROM calls GROUP BY state");
    while (st.step()) s.calls_by_state[st.column_text(0)] = st.column_int64(1);
  }
  {
    sql::Statement st(h, path, "SELECT kind, count(*) FROM anomalies GROUP BY kind");
    while (st.step()) s.anomalies_by_kind[st.column_text(0)] = st.column_int64(1);
  }
  s.streams = sql::query_int(h, path, "SELECT count(*) FROM streams");
  s.call_streams =
      sql::query_int(h, path, "SELECT count(*) FROM streams WHERE call_id IS NOT NULL");
  s.diagnostics = sql::query_int(h, path, "SELECT count(*) FROM diagnostics");
  {
    sql::Statement st(h, path, "SELECT kind, count(*) FROM diagnostics GROUP BY kind");
    while (st.step()) s.diagnostics_by_kind[st.column_text(0)] = st.column_int64(1);
  }
  return s;
}

}  // namespace sipscope::store
