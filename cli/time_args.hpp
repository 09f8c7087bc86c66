// Times on the command line (docs/cli.md "Times and filters"): what --since/--until accept
// (epoch seconds, RFC 3339 with or without an offset, local time with --local) and the
// --since/--until/--local options every listing command shares.
//
//   parse_time_us("2026-12-07T18:00:00+01:00") == 1796662800000000  (17:00 UTC)
//   parse_time_us("1796662800") == 1796662800000000                 (epoch seconds)
#pragma once

#include <boost/program_options.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sipscope::cli {

// Microseconds since the Unix epoch of one of:
// - epoch seconds, optionally with a fraction: "1796662800", "1796662800.25";
// - RFC 3339 "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)" (T or a space; seconds and the
//   fraction optional; lower-case t and z accepted), or only a date "YYYY-MM-DD" (midnight);
//   without an offset the time is UTC, or local time (the TZ rules of the C library)
//   when `local`.
// nullopt when the text is none of these or names no real date/time (2026-02-30, 24:00).
[[nodiscard]] std::optional<int64_t> parse_time_us(std::string_view text, bool local = false);

// --since, --until and --local for a listing command.
void add_time_options(boost::program_options::options_description& options);

// Reads --since/--until (interpreted with --local); false with a one-line `error` naming
// the option and the accepted forms.
[[nodiscard]] bool read_time_range(const boost::program_options::variables_map& vm,
                                   std::optional<int64_t>& since_us,
                                   std::optional<int64_t>& until_us, std::string& error);

// --local was given: the command prints times in local time (report::format::shown_time).
[[nodiscard]] bool local_times(const boost::program_options::variables_map& vm);

}  // namespace sipscope::cli
