#include "report/query.hpp"

#include <sqlite3.h>

#include <filesystem>
#include <limits>
#include <system_error>

#include "report/call_row.hpp"
#include "report/schema.hpp"
#include "report/sql.hpp"
#include "report/store.hpp"

namespace sipscope::report {

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
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
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

std::vector<correlate::CallRecord> list_calls(const Database& db, const CallFilter& filter) {
  // One statement whatever the filter: a NULL parameter disables its condition, so the SQL
  // text never depends on user input. Substring matches are case-insensitive for ASCII.
  static constexpr const char* kSql = "SELECT " CALL_COLUMNS
                                      " FROM calls WHERE (?1 IS NULL OR state = ?1)"
                                      " AND (?2 IS NULL OR sip_call_id = ?2)"
                                      " AND (?3 IS NULL OR instr(lower(from_user), lower(?3)) > 0)"
                                      " AND (?4 IS NULL OR instr(lower(to_user), lower(?4)) > 0)"
                                      " AND (?5 IS NULL OR start_us >= ?5)"
                                      " AND (?6 IS NULL OR start_us < ?6)"
                                      " ORDER BY start_us, id LIMIT ?7";
  sql::Statement st(db.handle(), db.path(), kSql);
  st.bind(1, filter.state);
  st.bind(2, filter.call_id);
  st.bind(3, filter.from_user);
  st.bind(4, filter.to_user);
  st.bind(5, filter.since_us);
  st.bind(6, filter.until_us);
  st.bind(7, filter.limit && *filter.limit >= 0 ? *filter.limit : int64_t{-1});
  std::vector<correlate::CallRecord> out;
  while (st.step()) out.push_back(read_call_row(st));
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
  return s;
}

}  // namespace sipscope::report
