// Reads a sipscope database in tests with plain SQL, independently of report/'s queries.
#pragma once

#include <sqlite3.h>

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace sipscope::testing {

// One value of a row: NULL, integer, real or text.
using Value = std::variant<std::monostate, int64_t, double, std::string>;
using Row = std::map<std::string, Value>;

inline std::vector<Row> query(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    throw std::runtime_error("cannot open " + db_path);
  }
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    std::string msg = sqlite3_errmsg(db);
    sqlite3_close(db);
    throw std::runtime_error(msg + " in: " + sql);
  }
  std::vector<Row> rows;
  while (sqlite3_step(st) == SQLITE_ROW) {
    Row row;
    for (int i = 0; i < sqlite3_column_count(st); ++i) {
      const std::string name = sqlite3_column_name(st, i);
      switch (sqlite3_column_type(st, i)) {
        case SQLITE_INTEGER:
          row[name] = static_cast<int64_t>(sqlite3_column_int64(st, i));
          break;
        case SQLITE_FLOAT:
          row[name] = sqlite3_column_double(st, i);
          break;
        case SQLITE_NULL:
          row[name] = std::monostate{};
          break;
        default:
          row[name] = std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, i)),
                                  static_cast<size_t>(sqlite3_column_bytes(st, i)));
      }
    }
    rows.push_back(std::move(row));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return rows;
}

inline int64_t query_int(const std::string& db_path, const std::string& sql) {
  const auto rows = query(db_path, sql);
  if (rows.empty() || rows[0].empty()) throw std::runtime_error("no value: " + sql);
  const Value& v = rows[0].begin()->second;
  if (const auto* i = std::get_if<int64_t>(&v)) return *i;
  throw std::runtime_error("not an integer: " + sql);
}

}  // namespace sipscope::testing
