#include "store/sql.hpp"

#include <sqlite3.h>

#include <limits>
#include <utility>

#include "store/store.hpp"

namespace sipscope::store::sql {

void fail(sqlite3* db, const std::string& path, std::string_view what) {
  std::string msg = path + ": " + std::string(what);
  if (db != nullptr) {
    msg += ": ";
    msg += sqlite3_errmsg(db);
  }
  throw StoreError(msg);
}

void exec(sqlite3* db, const std::string& path, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = path + ": " + (err != nullptr ? err : "SQLite error");
    sqlite3_free(err);
    throw StoreError(msg);
  }
}

int64_t query_int(sqlite3* db, const std::string& path, const char* sql) {
  Statement st(db, path, sql);
  if (!st.step()) fail(db, path, "no result");
  return st.column_int64(0);
}

Statement::Statement(sqlite3* db, std::string path, const char* sql, Text text)
    : db_(db), path_(std::move(path)), borrowed_(text == Text::borrowed) {
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) != SQLITE_OK) {
    fail(db_, path_, "cannot prepare statement");
  }
}

Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

void Statement::bind(int index, int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) fail(db_, path_, "bind");
}

void Statement::bind(int index, double value) {
  if (sqlite3_bind_double(stmt_, index, value) != SQLITE_OK) fail(db_, path_, "bind");
}

void Statement::bind(int index, std::string_view text) {
  bind_text(index, text, !borrowed_);
}

void Statement::bind_text(int index, std::string_view text, bool copy) {
  // SQLite lengths are int; a longer value cannot be stored (and no SIP message is 2 GB).
  if (text.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    fail(nullptr, path_, "value too large to store");
  }
  // SQLITE_TRANSIENT: SQLite copies, so the caller's buffer may go away before step();
  // SQLITE_STATIC: the caller keeps it until the statement is reset (Text::borrowed).
  if (sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                        copy ? SQLITE_TRANSIENT : SQLITE_STATIC) != SQLITE_OK) {
    fail(db_, path_, "bind");
  }
}

void Statement::bind_null(int index) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) fail(db_, path_, "bind");
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // Keep the message of the failing step before reset() can replace it.
  std::string msg = path_ + ": " + sqlite3_errmsg(db_);
  sqlite3_reset(stmt_);
  throw StoreError(msg);
}

void Statement::run() {
  step();
  reset();
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool Statement::column_is_null(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

int64_t Statement::column_int64(int col) const {
  return sqlite3_column_int64(stmt_, col);
}

double Statement::column_double(int col) const {
  return sqlite3_column_double(stmt_, col);
}

std::string Statement::column_text(int col) const {
  // Text first, then its byte count (the SQLite-documented order), so embedded NULs survive.
  const auto* p = sqlite3_column_text(stmt_, col);
  const int n = sqlite3_column_bytes(stmt_, col);
  if (p == nullptr || n <= 0) return {};
  return {reinterpret_cast<const char*>(p), static_cast<size_t>(n)};
}

std::optional<int64_t> Statement::column_opt_int64(int col) const {
  if (column_is_null(col)) return std::nullopt;
  return column_int64(col);
}

std::optional<int> Statement::column_opt_int(int col) const {
  if (column_is_null(col)) return std::nullopt;
  return sqlite3_column_int(stmt_, col);
}

std::optional<double> Statement::column_opt_double(int col) const {
  if (column_is_null(col)) return std::nullopt;
  return column_double(col);
}

std::optional<std::string> Statement::column_opt_text(int col) const {
  if (column_is_null(col)) return std::nullopt;
  return column_text(col);
}

void Statement::fail_value(int col, const std::string& text) const {
  const char* name = sqlite3_column_name(stmt_, col);
  // The value is shown as a quoted prefix: one line, whatever the file holds.
  std::string shown = text.substr(0, 40);
  for (char& c : shown) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  throw StoreError(path_ + ": column " + (name != nullptr ? name : "?") + " holds '" + shown +
                   (text.size() > shown.size() ? "...'" : "'") +
                   ", which no sipscope version writes");
}

}  // namespace sipscope::store::sql
