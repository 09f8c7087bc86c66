// Internal to report/: what the list commands (calls, anomalies, registrations, peers,
// activity) share: RFC 4180 CSV fields, fixed-width table cells, aligned tables, and JSON
// values of optional columns, so each rendering only lists its columns.
//
//   std::string out;  listing::field(out, "a,b");  listing::opt(out, std::optional<int>{});
//   nlohmann::json j = listing::json_opt(std::optional<int>{});  // null
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/format.hpp"

namespace sipscope::report::listing {

// RFC 4180 §2: a field holding a comma, quote, CR or LF is quoted and its quotes doubled.
// CSV is read in terminals too (`calls --format csv | less -R`): wire text goes through
// format::terminal_safe() first, as in the tables, so an ESC sequence in a header value
// cannot drive the reader's terminal (its control characters become '?').
inline void field(std::string& out, std::string_view wire) {
  const std::string v = format::terminal_safe(wire);
  if (v.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(v);
    return;
  }
  out += '"';
  for (const char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

// An optional column: empty when NULL; reals with 3 decimals.
template <typename T>
void opt(std::string& out, const std::optional<T>& v) {
  if (!v) return;
  if constexpr (std::is_same_v<T, std::string>) {
    field(out, *v);
  } else if constexpr (std::is_same_v<T, double>) {
    out += format::fixed(*v, 3);
  } else {
    out += std::to_string(*v);
  }
}

// A table cell of exactly `width` columns ("-" for NULL), wire text made terminal-safe.
inline std::string cell(const std::optional<std::string>& v, size_t width) {
  std::string s = format::fit(format::terminal_safe(v ? *v : "-"), width);
  s.append(width > format::columns(s) ? width - format::columns(s) : 0, ' ');
  return s;
}

template <typename T>
std::optional<std::string> text(const std::optional<T>& v) {
  if (!v) return std::nullopt;
  if constexpr (std::is_same_v<T, double>) {
    return format::fixed(*v, 3);
  } else {
    return std::to_string(*v);
  }
}

// A table whose columns are as wide as their widest cell (title included), cells cut to a
// column's max width (marked '~') unless `wide`; two spaces between columns, numbers
// right-aligned. Cells must be terminal_safe() already.
struct TableColumn {
  std::string title;
  size_t max_w = 0;  // 0 = never cut (the last, free-text column)
  bool right = false;
};

inline std::string table(const std::vector<TableColumn>& columns,
                         std::vector<std::vector<std::string>> rows, bool wide) {
  std::vector<size_t> widths(columns.size());
  for (size_t i = 0; i < columns.size(); ++i) {
    widths[i] = format::columns(columns[i].title);
    for (auto& r : rows) {
      if (!wide && columns[i].max_w > 0) r[i] = format::fit(r[i], columns[i].max_w);
      widths[i] = std::max(widths[i], format::columns(r[i]));
    }
  }
  auto emit = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (size_t i = 0; i < columns.size(); ++i) {
      const size_t pad = widths[i] - format::columns(cells[i]);
      if (i > 0) line += "  ";
      if (columns[i].right) line.append(pad, ' ');
      line += cells[i];
      if (!columns[i].right) line.append(pad, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    return line + "\n";
  };
  std::vector<std::string> head;
  head.reserve(columns.size());
  for (const auto& c : columns) head.push_back(c.title);
  std::string out = emit(head);
  for (const auto& r : rows) out += emit(r);
  return out;
}

// A JSON value for an optional column: null when NULL.
template <typename T>
nlohmann::json json_opt(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

// The JSON array of a list command; wire text may hold invalid UTF-8: replaced, not thrown.
inline std::string json_dump(const nlohmann::json& array) {
  return array.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace sipscope::report::listing
