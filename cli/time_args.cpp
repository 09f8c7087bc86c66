// Command-line times (cli/time_args.hpp): epoch seconds, RFC 3339, local time. The calendar
// is std::chrono's (C++20 year_month_day) and local time is the C library's mktime().
#include "cli/time_args.hpp"

#include <charconv>
#include <chrono>
#include <ctime>

namespace sipscope::cli {

namespace {

// Reads exactly `n` digits at text[pos]; false otherwise.
bool digits(std::string_view text, size_t pos, size_t n, int& out) {
  if (pos + n > text.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

// ".ddd..." at text[pos] (1 to 9 digits) -> microseconds (digits past the 6th truncated);
// advances pos. No fraction: 0.
bool fraction_us(std::string_view text, size_t& pos, int64_t& us) {
  us = 0;
  if (pos >= text.size() || text[pos] != '.') return true;
  ++pos;
  const size_t start = pos;
  int64_t scale = 100'000;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    us += (text[pos] - '0') * scale;
    scale /= 10;
    ++pos;
  }
  return pos > start && pos - start <= 9;
}

std::optional<int64_t> epoch_seconds(std::string_view text) {
  const size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  if (whole.empty() || whole.size() > 12) return std::nullopt;  // past year 33000
  int64_t secs = 0;
  const auto [end, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), secs);
  if (ec != std::errc() || end != whole.data() + whole.size()) return std::nullopt;
  size_t pos = whole.size();
  int64_t us = 0;
  if (!fraction_us(text, pos, us) || pos != text.size()) return std::nullopt;
  return secs * 1'000'000 + us;
}

}  // namespace

std::optional<int64_t> parse_time_us(std::string_view text, bool local) {
  if (!text.empty() && text.find('-') == std::string_view::npos) return epoch_seconds(text);
  int y = 0;
  int mo = 0;
  int d = 0;
  if (!digits(text, 0, 4, y) || text.size() < 10 || text[4] != '-' || !digits(text, 5, 2, mo) ||
      text[7] != '-' || !digits(text, 8, 2, d)) {
    return std::nullopt;
  }
  namespace ch = std::chrono;
  const ch::year_month_day ymd{ch::year{y}, ch::month{static_cast<unsigned>(mo)},
                               ch::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  int h = 0;
  int mi = 0;
  int s = 0;
  int64_t frac = 0;
  size_t pos = 10;
  if (pos < text.size()) {
    const char sep = text[pos];
    if ((sep != 'T' && sep != 't' && sep != ' ') || !digits(text, pos + 1, 2, h) ||
        pos + 3 >= text.size() || text[pos + 3] != ':' || !digits(text, pos + 4, 2, mi)) {
      return std::nullopt;
    }
    pos += 6;
    if (pos < text.size() && text[pos] == ':') {
      if (!digits(text, pos + 1, 2, s)) return std::nullopt;
      pos += 3;
      if (!fraction_us(text, pos, frac)) return std::nullopt;
    }
  }
  // RFC 3339 §5.6: time-second may be 60 (a leap second), counted as the next minute's 0.
  if (h > 23 || mi > 59 || s > 60) return std::nullopt;
  std::optional<int64_t> offset_s;  // east of UTC
  if (pos < text.size()) {
    const char z = text[pos];
    int oh = 0;
    int om = 0;
    if ((z == 'Z' || z == 'z') && pos + 1 == text.size()) {
      offset_s = 0;
    } else if ((z == '+' || z == '-') && pos + 6 == text.size() && digits(text, pos + 1, 2, oh) &&
               text[pos + 3] == ':' && digits(text, pos + 4, 2, om) && oh <= 23 && om <= 59) {
      offset_s = (z == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    } else {
      return std::nullopt;
    }
  }
  int64_t secs = 0;
  if (!offset_s && local) {
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    tm.tm_isdst = -1;  // the zone's rules say whether daylight saving applies
    secs = static_cast<int64_t>(std::mktime(&tm));
  } else {
    const auto tp = ch::sys_days{ymd} + ch::hours{h} + ch::minutes{mi} + ch::seconds{s};
    secs = tp.time_since_epoch().count() - offset_s.value_or(0);
  }
  return secs * 1'000'000 + frac;
}

void add_time_options(boost::program_options::options_description& options) {
  namespace po = boost::program_options;
  options.add_options()  //
      ("since", po::value<std::string>(),
       "at or after this time: epoch seconds, RFC 3339 (2026-12-07T18:00:00+01:00, ...Z),\n"
       "or a date; without an offset UTC (local time with --local)")                   //
      ("until", po::value<std::string>(), "before this time (same forms as --since)")  //
      ("local", "read times without an offset as local time, print times in local time");
}

bool read_time_range(const boost::program_options::variables_map& vm,
                     std::optional<int64_t>& since_us, std::optional<int64_t>& until_us,
                     std::string& error) {
  const bool local = local_times(vm);
  for (const char* name : {"since", "until"}) {
    if (vm.count(name) == 0U) continue;
    const auto text = vm[name].as<std::string>();
    const auto t = parse_time_us(text, local);
    if (!t) {
      error = std::string("--") + name + " must be epoch seconds or an RFC 3339 time " +
              "(2026-12-07T18:00:00Z, 2026-12-07T18:00:00.250+01:00, 2026-12-07), not '" + text +
              "'";
      return false;
    }
    (name[0] == 's' ? since_us : until_us) = t;
  }
  return true;
}

bool local_times(const boost::program_options::variables_map& vm) {
  return vm.count("local") != 0U;
}

}  // namespace sipscope::cli
