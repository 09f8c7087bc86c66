#include "report/format.hpp"

#include <cstdio>

namespace sipscope::report::format {

namespace {

// Days since 1970-01-01 -> civil date (H. Hinnant's algorithm, proleptic Gregorian), so
// the result does not depend on the C library's time zone state or time_t range.
void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
}

int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

}  // namespace

// Length of the UTF-8 sequence at s[i] and its code point; 0 when invalid (RFC 3629 §4:
// no overlongs, no surrogates, nothing above U+10FFFF).
size_t utf8_sequence(std::string_view s, size_t i, uint32_t& cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  size_t n = 0;
  uint32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    n = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    n = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    n = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

std::string iso_utc_ms(int64_t us) {
  const int64_t ms_total = floor_div(us, 1000);
  const int64_t secs = floor_div(ms_total, 1000);
  const auto ms = static_cast<int>(ms_total - secs * 1000);
  const int64_t days = floor_div(secs, 86400);
  const auto sod = static_cast<int>(secs - days * 86400);
  int64_t y = 0;
  unsigned m = 0;
  unsigned d = 0;
  civil_from_days(days, y, m, d);
  char buf[64];
  (void)std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ",
                      static_cast<long long>(y), m, d, sod / 3600, sod / 60 % 60, sod % 60, ms);
  return buf;
}

std::string fixed(double value, int decimals) {
  char buf[64];
  (void)std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

std::string ssrc_hex(uint32_t ssrc) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "0x00000000";
  for (size_t i = out.size() - 1; ssrc != 0; --i, ssrc >>= 4) out[i] = kHex[ssrc & 0xF];
  return out;
}

std::string terminal_safe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    uint32_t cp = 0;
    const size_t n = utf8_sequence(text, i, cp);
    if (n == 0) {
      out += '?';
      ++i;
      continue;
    }
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) {
      out += '?';
    } else {
      out.append(text.substr(i, n));
    }
    i += n;
  }
  return out;
}

size_t columns(std::string_view safe_text) {
  size_t n = 0;
  for (char c : safe_text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::string fit(std::string_view safe_text, size_t width) {
  if (columns(safe_text) <= width) return std::string(safe_text);
  if (width == 0) return {};
  // Keep width-1 code points, then the marker.
  size_t kept = 0;
  size_t i = 0;
  while (i < safe_text.size()) {
    if ((static_cast<unsigned char>(safe_text[i]) & 0xC0) != 0x80) {
      if (kept == width - 1) break;
      ++kept;
    }
    ++i;
  }
  std::string out(safe_text.substr(0, i));
  out += '~';
  return out;
}

}  // namespace sipscope::report::format
