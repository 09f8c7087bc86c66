// Internal to report/: what the list commands (registrations, peers, activity) share:
// RFC 4180 CSV fields, fixed-width table cells, and JSON values of optional columns, so
// each rendering only lists its columns.
//
//   std::string out;  listing::field(out, "a,b");  listing::opt(out, std::optional<int>{});
//   nlohmann::json j = listing::json_opt(std::optional<int>{});  // null
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

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
