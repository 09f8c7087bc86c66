// Internal to store/: a WHERE clause made of the filters a reader was given, each condition
// with its own bound values, so the SQL text depends only on which filters are set (never on
// their values) and SQLite can use an index for each one present. Shared by the call search
// (call_search.cpp) and the stream readers (streams.cpp).
//
//   sql::Where w;
//   if (state) w.add("state = ?", {*state});
//   sql::Statement st(db, path, ("SELECT count(*) FROM calls" + w.text()).c_str());
//   w.bind(st);  // returns the next free parameter index (for LIMIT ? OFFSET ?)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sipscope::store::sql {

class Statement;

class Where {
 public:
  using Value = std::variant<int64_t, double, std::string>;

  // condition uses one anonymous `?` per value, in order.
  void add(std::string_view condition, std::vector<Value> values = {});
  // " WHERE c1 AND c2 ..." or "" when no condition was added.
  [[nodiscard]] const std::string& text() const { return text_; }
  // Binds the values from ?1 on; returns the index after the last one.
  int bind(Statement& st) const;

 private:
  std::string text_;
  std::vector<Value> values_;
};

}  // namespace sipscope::store::sql
