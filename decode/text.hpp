// Character classes and small text helpers shared by the SIP, SDP and stream decoders
// (RFC 3261 §25.1 core rules), and the anomaly-detail builders. Header-only, no allocation
// except into the caller's string.
#pragma once

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "decode/view_guard.hpp"

namespace sipscope::decode::text {

constexpr bool is_wsp(char c) {
  return c == ' ' || c == '\t';
}
constexpr bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
constexpr bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// RFC 3261 §25.1: token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
constexpr bool is_token_char(char c) {
  if (is_alpha(c) || is_digit(c)) return true;
  switch (c) {
    case '-':
    case '.':
    case '!':
    case '%':
    case '*':
    case '_':
    case '+':
    case '`':
    case '\'':
    case '~':
      return true;
    default:
      return false;
  }
}

// Decimal number that fits `max`; all of `s` must be digits (no sign, no spaces).
template <typename T>
[[nodiscard]] constexpr bool parse_uint(std::string_view s, T max, T& out) {
  if (s.empty() || s.size() > 20) return false;
  uint64_t n = 0;
  for (char c : s) {
    if (!is_digit(c)) return false;
    n = n * 10 + static_cast<uint64_t>(c - '0');
    if (n > static_cast<uint64_t>(max)) return false;
  }
  out = static_cast<T>(n);
  return true;
}

inline void append_uint(std::string& s, uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;  // 24 chars always hold a uint64_t
  s.append(buf, end);
}

// Printable excerpt of untrusted bytes for an anomaly detail: first line, at most 80 chars.
inline void append_excerpt(std::string& s, std::string_view bytes) {
  constexpr size_t kMax = 80;
  size_t n = 0;
  for (char c : bytes) {
    if (c == '\r' || c == '\n' || n == kMax) break;
    const auto u = static_cast<unsigned char>(c);
    s.push_back(u >= 0x20 && u < 0x7f ? c : '.');
    ++n;
  }
}

// Bytes from the wire as characters (no copy).
inline std::string_view as_chars(std::span<const uint8_t> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}
template <TemporaryBuffer T>
std::string_view as_chars(T&&) = delete;  // a view into a temporary

// Nothing but line ends, blanks and NULs: keep-alives and padding between stream messages.
inline bool only_whitespace(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return c == '\r' || c == '\n' || c == ' ' || c == '\t' || c == '\0';
  });
}

// Drops leading CR/LF (RFC 5626 §3.5.1 keep-alives before a message).
inline std::string_view skip_crlf(std::string_view s) {
  while (!s.empty() && (s.front() == '\r' || s.front() == '\n')) s.remove_prefix(1);
  return s;
}
template <TemporaryBuffer T>
std::string_view skip_crlf(T&&) = delete;  // a view into a temporary

}  // namespace sipscope::decode::text
