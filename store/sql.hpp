// Internal to store/: a thin RAII layer over the SQLite C API so that every statement is
// prepared once, bound by position, stepped and reset (SQL only with bound parameters), and every
// failure becomes one StoreError line naming the database file. Not part of the contract
// with other modules; web/ and cli/ go through store.hpp / query.hpp.
//
//   Statement st(db, path, "SELECT id FROM calls WHERE sip_call_id = ?1 AND state = ?2");
//   st.bind_all(call_id, state);
//   while (st.step()) ids.push_back(st.column_int64(0));
//   st.reset();
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

struct sqlite3;
struct sqlite3_stmt;

namespace sipscope::store::sql {

// Throws StoreError("PATH: WHAT: <sqlite message>").
[[noreturn]] void fail(sqlite3* db, const std::string& path, std::string_view what);

// Runs SQL without results (DDL, PRAGMA, BEGIN/COMMIT).
void exec(sqlite3* db, const std::string& path, const char* sql);

// A pragma or aggregate returning one integer.
[[nodiscard]] int64_t query_int(sqlite3* db, const std::string& path, const char* sql);

class Statement {
 public:
  // Text::borrowed (the store's writer statements): text bound from an lvalue or a view is
  // not copied, the caller keeps it alive until run()/reset(); an rvalue std::string is
  // still copied. Text::copied: every text is copied (SQLITE_TRANSIENT).
  enum class Text : uint8_t { copied, borrowed };
  Statement(sqlite3* db, std::string path, const char* sql, Text text = Text::copied);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  void bind(int index, int64_t value);
  void bind(int index, double value);
  void bind(int index, std::string_view text);  // exact length: bytes may include NUL
  void bind(int index, std::string&& text) { bind_text(index, text, true); }  // a temporary
  void bind_null(int index);
  template <typename T>
  void bind(int index, const std::optional<T>& value) {
    if (value) {
      bind(index, *value);
    } else {
      bind_null(index);
    }
  }
  template <typename T>
  void bind(int index, std::optional<T>&& value) {
    if (value) {
      bind(index, std::move(*value));
    } else {
      bind_null(index);
    }
  }
  void bind(int index, int value) { bind(index, static_cast<int64_t>(value)); }
  void bind(int index, const std::string& text) { bind(index, std::string_view(text)); }
  void bind(int index, const char* text) = delete;  // ambiguous intent: use string_view
  // Binds ?1, ?2 ... in order: one call per row instead of one line per column.
  template <typename... Values>
  void bind_all(Values&&... values) {
    int index = 0;
    (bind(++index, std::forward<Values>(values)), ...);
  }

  // true: a row is available; false: done. Throws on error.
  bool step();
  // Step a statement that returns no row, then reset it for the next use.
  void run();
  void reset();

  [[nodiscard]] bool column_is_null(int col) const;
  [[nodiscard]] int64_t column_int64(int col) const;
  [[nodiscard]] double column_double(int col) const;
  [[nodiscard]] std::string column_text(int col) const;  // "" for NULL
  [[nodiscard]] std::optional<int64_t> column_opt_int64(int col) const;
  [[nodiscard]] std::optional<int> column_opt_int(int col) const;
  [[nodiscard]] std::optional<double> column_opt_double(int col) const;
  [[nodiscard]] std::optional<std::string> column_opt_text(int col) const;

  // A text column holding an enum's name, turned back by its parse function (text ->
  // optional enum). Text sipscope never writes (a database edited or from elsewhere) is a
  // StoreError naming the file, the column and the value.
  template <typename Parse>
  [[nodiscard]] auto column_enum(int col, Parse parse) const {
    const std::string text = column_text(col);
    if (auto value = parse(text)) return *value;
    fail_value(col, text);
  }
  template <typename Parse>
  [[nodiscard]] auto column_opt_enum(int col, Parse parse) const
      -> std::optional<decltype(column_enum(col, parse))> {
    if (column_is_null(col)) return std::nullopt;
    return column_enum(col, parse);
  }

 private:
  [[noreturn]] void fail_value(int col, const std::string& text) const;
  void bind_text(int index, std::string_view text, bool copy);

  sqlite3* db_;
  std::string path_;
  sqlite3_stmt* stmt_ = nullptr;
  bool borrowed_ = false;
};

}  // namespace sipscope::store::sql
