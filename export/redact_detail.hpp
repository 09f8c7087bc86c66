// Internal to export/: small text helpers shared by the redaction files (character
// classes, IP literal recognition, number shapes, the HMAC of a pseudonym).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace sipscope::export_::detail {

inline char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}
inline bool digit(char c) {
  return c >= '0' && c <= '9';
}
inline bool alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
inline bool alnum(char c) {
  return digit(c) || alpha(c);
}
inline bool hexdigit(char c) {
  return digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
inline int hex_value(char c) {
  if (digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string to_lower(std::string_view s);
// Leading/trailing blanks, line ends, quotes stripped.
std::string_view strip(std::string_view s);
bool istarts(std::string_view s, std::string_view prefix);

// Canonical text of an IP literal (inet_ntop), "" when it is not one.
std::string canonical_ip(std::string_view text);
// 0.0.0.0 and :: name no host (SDP hold, RFC 3264 §8.4): kept.
bool unspecified_ip(std::string_view canonical);
// Length of an IPv4 dotted quad at s[i] (0 if none): four octets <= 255, not followed by
// a digit, a letter or ".digit".
size_t ipv4_at(std::string_view s, size_t i);
// Length of an IPv6 literal at s[i]: the whole run of hex digits, ':' and '.' must be one
// address with at least two ':' (0 if not).
size_t ipv6_at(std::string_view s, size_t i);

// The digits of a number-shaped value ("+1 (415) 555-0123", "4155550123"): only digits,
// one leading '+', and the separators " -.()"; at least 3 digits. "" otherwise.
std::string number_digits(std::string_view s);

using Digest = std::array<uint8_t, 32>;
// HMAC-SHA256(key, domain || 0x00 || text) (OpenSSL).
Digest hmac(std::span<const uint8_t> key, std::string_view domain, std::string_view text);

}  // namespace sipscope::export_::detail
