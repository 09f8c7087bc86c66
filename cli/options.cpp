#include "cli/options.hpp"

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

bool check_choice_value(const std::string& name, const std::string& value,
                        const std::vector<std::string_view>& choices, std::string& error) {
  for (const auto c : choices) {
    if (c == value) return true;
  }
  error = "--" + name + " must be one of: ";
  for (size_t i = 0; i < choices.size(); ++i) {
    if (i > 0) error += ", ";
    error += choices[i];
  }
  error += " (not '" + value + "')";
  return false;
}

bool check_choice(const po::variables_map& vm, const std::string& name,
                  const std::vector<std::string_view>& choices, std::string& error) {
  if (vm.count(name) == 0U) return true;
  return check_choice_value(name, vm[name].as<std::string>(), choices, error);
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
