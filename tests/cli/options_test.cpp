#include "cli/options.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

namespace sipscope::cli {
namespace {

// 2026-01-01T10:00:00Z = 1767261600 s since the epoch (20454 days * 86400 + 36000).
constexpr int64_t kTenOClock = 1767261600LL * 1'000'000;
constexpr int64_t kHour = 3600LL * 1'000'000;

TEST(ParseTime, AcceptsRfc3339UtcForms) {
  EXPECT_EQ(parse_time_us("2026-01-01T10:00:00Z"), kTenOClock);
  EXPECT_EQ(parse_time_us("2026-01-01t10:00:00z"), kTenOClock);  // RFC 3339 §5.6 NOTE
  EXPECT_EQ(parse_time_us("2026-01-01T10:00:00"), kTenOClock);
  EXPECT_EQ(parse_time_us("2026-01-01 10:00:00"), kTenOClock);
  EXPECT_EQ(parse_time_us("2026-01-01T10:00"), kTenOClock);
  EXPECT_EQ(parse_time_us("2026-01-01T10:00:00.250Z"), kTenOClock + 250'000);
  EXPECT_EQ(parse_time_us("2026-01-01T10:00:00.000001Z"), kTenOClock + 1);
  // Digits past the microsecond are cut, not rounded.
  EXPECT_EQ(parse_time_us("2026-01-01T10:00:00.123456789Z"), kTenOClock + 123'456);
  EXPECT_EQ(parse_time_us("2026-01-01"), kTenOClock - 10 * kHour);
}

TEST(ParseTime, AcceptsOffsets) {
  // 11:00 at +01:00 is 10:00 UTC; 05:30 at -04:30 is 10:00 UTC.
  EXPECT_EQ(parse_time_us("2026-01-01T11:00:00+01:00"), kTenOClock);
  EXPECT_EQ(parse_time_us("2026-01-01T05:30:00-04:30"), kTenOClock);
  EXPECT_EQ(parse_time_us("2026-01-01T10:00:00.5+00:00"), kTenOClock + 500'000);
  // The example: 2026-12-07T18:00:00+01:00 = 17:00 UTC = 1796662800 s
  // (Python: calendar.timegm((2026, 12, 7, 17, 0, 0))).
  EXPECT_EQ(parse_time_us("2026-12-07T18:00:00+01:00"), 1796662800LL * 1'000'000);
  // Across a day and a year: 2026-01-01T01:00+02:00 is 2025-12-31T23:00Z.
  EXPECT_EQ(parse_time_us("2026-01-01T01:00:00+02:00"), kTenOClock - 11 * kHour);
}

TEST(ParseTime, AcceptsEpochSeconds) {
  EXPECT_EQ(parse_time_us("1767261600"), kTenOClock);
  EXPECT_EQ(parse_time_us("1767261603"), kTenOClock + 3'000'000);  // the example
  EXPECT_EQ(parse_time_us("1767261600.25"), kTenOClock + 250'000);
  EXPECT_EQ(parse_time_us("0"), 0);
}

TEST(ParseTime, LocalTimeFollowsTheZoneRules) {
  // Central European rules (POSIX TZ): UTC+1 in winter, UTC+2 from the last Sunday of March.
  const char* old = std::getenv("TZ");
  const std::string saved = old != nullptr ? old : "";
  setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
  tzset();
  EXPECT_EQ(parse_time_us("2026-01-01T11:00:00", true), kTenOClock);
  // 2026-07-01T12:00 CEST = 10:00 UTC; 181 days after 1 January.
  EXPECT_EQ(parse_time_us("2026-07-01T12:00:00", true), kTenOClock + 181 * 24 * kHour);
  // An explicit offset or Z wins over --local.
  EXPECT_EQ(parse_time_us("2026-01-01T10:00:00Z", true), kTenOClock);
  EXPECT_EQ(parse_time_us("2026-01-01T10:00:00.250", true), kTenOClock - kHour + 250'000);
  if (old != nullptr) {
    setenv("TZ", saved.c_str(), 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
}

TEST(ParseTime, RejectsGarbageAndImpossibleTimes) {
  for (const char* bad :
       {"", "yesterday", "-5", "1767261600.", "1767261600.x", "2026-02-30T10:00:00", "2026-13-01",
        "2026-01-01T24:00:00", "2026-01-01T10:60:00", "2026-01-01T10:00:61",
        "2026-01-01T10:00:00+2:00", "2026-01-01T10:00:00+24:00", "2026-01-01T10:00:00 Z",
        "2026-01-01T10", "2026-1-1", "2026-01-01T10:00:00Zjunk", "2026-01-01T10:00:00."}) {
    EXPECT_FALSE(parse_time_us(bad)) << bad;
  }
  EXPECT_TRUE(parse_time_us("2024-02-29"));  // a leap year
  EXPECT_FALSE(parse_time_us("2026-02-29"));
}

TEST(FormatTime, MillisecondsUtc) {
  EXPECT_EQ(format_time_us(kTenOClock + 1'234'567), "2026-01-01 10:00:01.234");
}

TEST(CheckChoice, ListsTheAcceptedValues) {
  std::string error;
  EXPECT_TRUE(check_choice_value("state", "busy", {"answered", "busy"}, error));
  EXPECT_FALSE(check_choice_value("state", "bogus", {"answered", "busy"}, error));
  EXPECT_EQ(error, "--state must be one of: answered, busy (not 'bogus')");
}

}  // namespace
}  // namespace sipscope::cli
