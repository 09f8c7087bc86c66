#include "cli/options.hpp"

#include <cctype>
#include <cmath>
#include <ctime>
#include <iostream>
#include <sstream>

namespace sipscope::cli {

std::string format_help(const CommandSpec& spec) {
  std::ostringstream out;
  out << "Usage: " << spec.usage << "\n\n" << spec.description << "\n\n" << spec.options;
  return out.str();
}

namespace {

// No sipscope option gives a meaning to a negative number, NaN or infinity (counts, limits,
// durations, loss %, MOS, widths): Boost parses "nan", "inf" and "-5" happily, so each
// numeric option is checked here, once for every command.
std::optional<std::string> bad_number(const po::variables_map& vm) {
  for (const auto& [name, entry] : vm) {
    const boost::any& v = entry.value();
    std::string shown;
    if (const auto* d = boost::any_cast<double>(&v); d != nullptr) {
      if (std::isfinite(*d) && *d >= 0) continue;
      shown = std::isnan(*d) ? "nan" : std::to_string(*d);
    } else if (const auto* i = boost::any_cast<int64_t>(&v); i != nullptr) {
      if (*i >= 0) continue;
      shown = std::to_string(*i);
    } else if (const auto* n = boost::any_cast<int>(&v); n != nullptr) {
      if (*n >= 0) continue;
      shown = std::to_string(*n);
    } else {
      continue;
    }
    std::string error = "--";
    error.append(name).append(" must be a finite number >= 0, not ").append(shown);
    return error;
  }
  return std::nullopt;
}

}  // namespace

int usage_error(const std::string& command, const std::string& message) {
  std::cerr << "sipscope " << command << ": error: " << message << " (see 'sipscope help "
            << command << "')\n";
  return kExitUsage;
}

std::optional<po::variables_map> parse_command(const CommandSpec& spec, const Args& args,
                                               int& exit) {
  po::options_description all;
  all.add(spec.options).add(spec.hidden);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(all).positional(spec.positional).run(), vm);
    if (vm.count("help") != 0U) {
      std::cout << format_help(spec);
      exit = kExitOk;
      return std::nullopt;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    exit = usage_error(spec.name, e.what());
    return std::nullopt;
  }
  if (auto e = bad_number(vm)) {
    exit = usage_error(spec.name, *e);
    return std::nullopt;
  }
  return vm;
}

std::optional<int64_t> parse_time_us(const std::string& text) {
  if (text.empty()) return std::nullopt;
  bool digits = true;
  for (char c : text) digits = digits && std::isdigit(static_cast<unsigned char>(c)) != 0;
  if (digits) {
    try {
      return std::stoll(text);
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  std::tm tm{};
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  char sep = 0;
  int used = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d%n", &year, &month, &day, &sep, &hour,
                  &minute, &second, &used) != 7 ||
      (sep != 'T' && sep != ' ')) {
    return std::nullopt;
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  int64_t us = static_cast<int64_t>(timegm(&tm)) * 1'000'000;
  std::string rest = text.substr(static_cast<size_t>(used));
  if (!rest.empty() && rest[0] == '.') {
    int64_t scale = 100'000;
    size_t i = 1;
    for (; i < rest.size() && std::isdigit(static_cast<unsigned char>(rest[i])) != 0; ++i) {
      us += (rest[i] - '0') * scale;
      scale /= 10;
    }
    rest = rest.substr(i);
  }
  if (!rest.empty() && rest != "Z") return std::nullopt;
  return us;
}

std::string format_time_us(int64_t ts_us) {
  const std::time_t secs = static_cast<std::time_t>(ts_us / 1'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  (void)std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  char out[48];
  (void)std::snprintf(out, sizeof out, "%s.%03d", buf, static_cast<int>((ts_us / 1000) % 1000));
  return out;
}

}  // namespace sipscope::cli
