#include "report/format.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace sipscope::report::format {

namespace {

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

namespace {

bool g_local_display = false;

// "YYYY-MM-DDTHH:MM:SS.mmm" of broken-down time plus the milliseconds.
std::string date_time_ms(const std::tm& tm, int ms) {
  char buf[64];
  (void)std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03d", tm.tm_year + 1900,
                      tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return buf;
}

}  // namespace

std::string iso_utc_ms(int64_t us) {
  namespace ch = std::chrono;
  const int64_t ms_total = floor_div(us, 1000);
  const ch::sys_time<ch::milliseconds> tp{ch::milliseconds{ms_total}};
  const auto day = ch::floor<ch::days>(tp);
  const ch::year_month_day ymd{day};
  const ch::hh_mm_ss hms{tp - day};
  char buf[64];
  (void)std::snprintf(
      buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
      static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
      static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
      static_cast<int>(hms.seconds().count()), static_cast<int>(hms.subseconds().count()));
  return buf;
}

std::string local_ms(int64_t us) {
  const int64_t ms_total = floor_div(us, 1000);
  const auto secs = static_cast<std::time_t>(floor_div(ms_total, 1000));
  std::tm tm{};
  if (localtime_r(&secs, &tm) == nullptr) return iso_utc_ms(us);
  std::string out = date_time_ms(tm, static_cast<int>(ms_total - floor_div(ms_total, 1000) * 1000));
  const long off = tm.tm_gmtoff;  // seconds east of UTC (glibc); |off| < 1 day
  const int a = static_cast<int>((off < 0 ? -off : off) % 86400);
  char zone[16];
  (void)std::snprintf(zone, sizeof zone, "%c%02d:%02d", off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
  return out + zone;
}

void set_local_display(bool local) {
  g_local_display = local;
}

bool local_display() {
  return g_local_display;
}

std::string shown_time(int64_t us) {
  return g_local_display ? local_ms(us) : iso_utc_ms(us);
}

std::string endpoint(std::string_view ip, int port) {
  const bool v6 = ip.find(':') != std::string_view::npos;
  std::string out;
  out.reserve(ip.size() + 8);
  if (v6) out += '[';
  out += ip;
  if (v6) out += ']';
  out += ':';
  out += std::to_string(port);
  return out;
}

std::string fixed(double value, int decimals) {
  char buf[64];
  (void)std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

std::string mos_text(double mos, const std::optional<std::string>& limited_by) {
  std::string t = "MOS " + fixed(mos, 2);
  if (limited_by && *limited_by != "none") {
    t += ", limited by ";
    t += terminal_safe(*limited_by);  // a stored word, but the file may be anyone's
  }
  return t;
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
