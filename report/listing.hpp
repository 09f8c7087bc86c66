// Internal to report/: what the list commands (calls, anomalies, registrations, peers,
// activity) share: RFC 4180 CSV fields, fixed-width table cells, aligned tables and JSON
// arrays written as their rows are read, and JSON values of optional columns, so each
// rendering only lists its columns.
//
//   std::string out;  listing::field(out, "a,b");  listing::opt(out, std::optional<int>{});
//   nlohmann::json j = listing::json_opt(std::optional<int>{});  // null
#pragma once

#include <algorithm>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/format.hpp"
#include "report/row_source.hpp"

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

// The table written as its rows are read, for listings of any length: every row is
// given twice, first to measure() (which fixes the column widths), then after
// write_head() to write_row(); only the widths are kept in between.
class Table {
 public:
  Table(std::vector<TableColumn> columns, bool wide) : columns_(std::move(columns)), wide_(wide) {
    for (const auto& c : columns_) widths_.push_back(format::columns(c.title));
  }
  void measure(std::vector<std::string> cells) {
    cut(cells);
    for (size_t i = 0; i < columns_.size(); ++i) {
      widths_[i] = std::max(widths_[i], format::columns(cells[i]));
    }
  }
  void write_head(std::ostream& out) const {
    std::vector<std::string> head;
    head.reserve(columns_.size());
    for (const auto& c : columns_) head.push_back(c.title);
    out << line(head);
  }
  void write_row(std::ostream& out, std::vector<std::string> cells) const {
    cut(cells);
    out << line(cells);
  }

 private:
  void cut(std::vector<std::string>& cells) const {
    for (size_t i = 0; i < columns_.size(); ++i) {
      if (!wide_ && columns_[i].max_w > 0) cells[i] = format::fit(cells[i], columns_[i].max_w);
    }
  }
  [[nodiscard]] std::string line(const std::vector<std::string>& cells) const {
    std::string line;
    for (size_t i = 0; i < columns_.size(); ++i) {
      const size_t pad = widths_[i] - format::columns(cells[i]);
      if (i > 0) line += "  ";
      if (columns_[i].right) line.append(pad, ' ');
      line += cells[i];
      if (!columns_[i].right) line.append(pad, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    return line + "\n";
  }

  std::vector<TableColumn> columns_;
  bool wide_;
  std::vector<size_t> widths_;
};

// A table of `columns` whose rows are the `cells` of each row of `rows`, written to `out`
// in two runs of `rows` (Table); returns how many rows it wrote.
template <typename Row, typename Cells>
size_t write_table(std::ostream& out, std::vector<TableColumn> columns, bool wide,
                   const RowSource<Row>& rows, const Cells& cells) {
  Table table(std::move(columns), wide);
  rows([&](const Row& r) { table.measure(cells(r)); });
  table.write_head(out);
  size_t n = 0;
  rows([&](const Row& r) {
    table.write_row(out, cells(r));
    ++n;
  });
  return n;
}

// What a streaming writer (write_X(out, rows, extra...)) writes for the rows of a vector.
template <typename Row, typename Write, typename... Extra>
std::string rendered(const Write& write, const std::vector<Row>& rows, const Extra&... extra) {
  std::ostringstream out;
  write(out, rows_of(rows), extra...);
  return out.str();
}

// A JSON value for an optional column: null when NULL.
template <typename T>
nlohmann::json json_opt(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

// The JSON array of a list command held whole (short listings); wire text may hold invalid
// UTF-8: replaced, not thrown.
inline std::string json_dump(const nlohmann::json& array) {
  return array.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

// The JSON array of a long list command written element by element: byte for byte the dump of
// the whole array (indent 2, trailing newline), each element dumped alone and indented
// one level (dumped strings hold no newline: JSON escapes it).
class JsonArray {
 public:
  explicit JsonArray(std::ostream& out) : out_(out) {}
  void add(const nlohmann::json& element) {
    const std::string text = element.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    out_ << (first_ ? "[\n  " : ",\n  ");
    first_ = false;
    size_t from = 0;
    for (size_t nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', from)) {
      out_.write(text.data() + from, static_cast<std::streamsize>(nl + 1 - from));
      out_ << "  ";
      from = nl + 1;
    }
    out_.write(text.data() + from, static_cast<std::streamsize>(text.size() - from));
  }
  void finish() { out_ << (first_ ? "[]\n" : "\n]\n"); }

 private:
  std::ostream& out_;
  bool first_ = true;
};

// The array of the `element` of each row of `rows`, as JsonArray writes it.
template <typename Row, typename Element>
void write_json_array(std::ostream& out, const RowSource<Row>& rows, const Element& element) {
  JsonArray array(out);
  rows([&](const Row& r) { array.add(element(r)); });
  array.finish();
}

}  // namespace sipscope::report::listing
