// Tests: every row of every table of a database file as text, in rowid order, so two
// databases are compared row by row (redaction_key, random per database, left out).
#pragma once

#include <sqlite3.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace sipscope::store::test {

// "table: v1 | v2 | ..." per row; values typed (NULL, i:, r:, t:, b:) so 1 and '1' differ.
inline std::vector<std::string> dump_rows(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    throw std::runtime_error("cannot open " + path);
  }
  const auto each_row = [&](const std::string& sql, auto on_row) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      const std::string msg = sqlite3_errmsg(db);
      sqlite3_close(db);
      throw std::runtime_error(msg + " in: " + sql);
    }
    while (sqlite3_step(st) == SQLITE_ROW) on_row(st);
    sqlite3_finalize(st);
  };
  std::vector<std::string> queries;  // WITHOUT ROWID tables (FTS5's): primary key order
  each_row(
      "SELECT name, sql LIKE '%WITHOUT ROWID%' FROM sqlite_schema WHERE type = 'table' AND "
      "name NOT LIKE 'sqlite_%' AND name != 'redaction_key' AND sql NOT LIKE 'CREATE VIRTUAL%' "
      "ORDER BY name",
      [&](sqlite3_stmt* st) {
        const std::string name = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
        queries.push_back("SELECT '" + name + "', * FROM \"" + name + "\"" +
                          (sqlite3_column_int(st, 1) != 0 ? "" : " ORDER BY rowid"));
      });
  std::vector<std::string> out;
  for (const auto& query : queries) {
    each_row(query, [&](sqlite3_stmt* st) {
      std::string row = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
      row += ":";
      for (int i = 1; i < sqlite3_column_count(st); ++i) {
        row += i == 1 ? " " : " | ";
        switch (sqlite3_column_type(st, i)) {
          case SQLITE_NULL:
            row += "NULL";
            break;
          case SQLITE_INTEGER:
            row += "i:" + std::to_string(sqlite3_column_int64(st, i));
            break;
          case SQLITE_FLOAT:
            row += "r:" + std::to_string(sqlite3_column_double(st, i));
            break;
          default: {
            const char* p = static_cast<const char*>(sqlite3_column_blob(st, i));
            row += sqlite3_column_type(st, i) == SQLITE_TEXT ? "t:" : "b:";
            row.append(p == nullptr ? "" : p, static_cast<size_t>(sqlite3_column_bytes(st, i)));
          }
        }
      }
      out.push_back(std::move(row));
    });
  }
  sqlite3_close(db);
  return out;
}

}  // namespace sipscope::store::test
