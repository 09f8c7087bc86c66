// The redaction_key table: one row of 64 hex digits from getrandom(2).
#include "store/redaction_key.hpp"

#include <sqlite3.h>
#include <sys/random.h>

#include <array>
#include <cstdint>
#include <memory>

#include "store/query.hpp"
#include "store/sql.hpp"
#include "store/store.hpp"

namespace sipscope::store {

namespace {

constexpr const char* kCreateTable =
    "CREATE TABLE IF NOT EXISTS redaction_key (id INTEGER PRIMARY KEY CHECK (id = 1), "
    "key TEXT NOT NULL)";

std::string fresh_key() {
  std::array<uint8_t, 32> bytes{};
  size_t got = 0;
  while (got < bytes.size()) {
    const ssize_t n = getrandom(bytes.data() + got, bytes.size() - got, 0);
    if (n <= 0) throw StoreError("cannot draw a random redaction key (getrandom failed)");
    got += static_cast<size_t>(n);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (const uint8_t b : bytes) {
    hex += kHex[b >> 4];
    hex += kHex[b & 0xF];
  }
  return hex;
}

std::optional<std::string> read_key(sqlite3* db, const std::string& path) {
  if (sql::query_int(db, path,
                     "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND "
                     "name = 'redaction_key'") == 0) {
    return std::nullopt;
  }
  sql::Statement st(db, path, "SELECT key FROM redaction_key WHERE id = 1");
  if (!st.step()) return std::nullopt;
  std::string key = st.column_text(0);
  if (key.size() < 32) return std::nullopt;
  return key;
}

}  // namespace

namespace detail {

void create_redaction_key(sqlite3* db, const std::string& path) {
  sql::exec(db, path, kCreateTable);
  sql::Statement st(db, path, "INSERT OR IGNORE INTO redaction_key (id, key) VALUES (1, ?1)");
  st.bind(1, fresh_key());
  st.run();
}

}  // namespace detail

std::optional<std::string> read_redaction_key(const Database& db) {
  return read_key(db.handle(), db.path());
}

std::string ensure_redaction_key(const std::string& path) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
  const std::unique_ptr<sqlite3, int (*)(sqlite3*)> db(raw, sqlite3_close_v2);
  const std::string advice =
      ": cannot store a redaction key in this database (made before keys were stored, and "
      "not writable: ";
  if (rc != SQLITE_OK) {
    throw StoreError(path + advice + (raw != nullptr ? sqlite3_errmsg(raw) : "out of memory") +
                     "); give --redact-key HEX");
  }
  sqlite3_busy_timeout(raw, 5000);
  try {
    if (auto key = read_key(raw, path)) return *key;
    sql::exec(raw, path, "BEGIN IMMEDIATE");
    detail::create_redaction_key(raw, path);
    sql::exec(raw, path, "COMMIT");
    if (auto key = read_key(raw, path)) return *key;
  } catch (const StoreError&) {
    // Reported below with the advice; the transaction (if any) is rolled back on close.
  }
  throw StoreError(path + advice + sqlite3_errmsg(raw) + "); give --redact-key HEX");
}

}  // namespace sipscope::store
