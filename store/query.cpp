#include "store/query.hpp"

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

ReadSnapshot::ReadSnapshot(const Database& db) : db_(db.handle()) {
  sql::exec(db_, db.path(), "BEGIN");
}

ReadSnapshot::~ReadSnapshot() {
  // Ending a read transaction cannot lose anything: a failure here is not worth a throw.
  (void)sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
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
