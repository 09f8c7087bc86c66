#include "cli/options.hpp"

#include <gtest/gtest.h>

namespace sipscope::cli {
namespace {

// 2026-01-01T10:00:00Z = 1767261600 s since the epoch (20454 days * 86400 + 36000).
constexpr int64_t kTenOClock = 1767261600LL * 1'000'000;

TEST(ParseTime, AcceptsIsoUtcForms) {
  EXPECT_EQ(parse_time_us("2026-01-01T10:00:00Z"), kTenOClock);
  EXPECT_EQ(parse_time_us("2026-01-01T10:00:00"), kTenOClock);
  EXPECT_EQ(parse_time_us("2026-01-01 10:00:00"), kTenOClock);
  EXPECT_EQ(parse_time_us("2026-01-01T10:00:00.250Z"), kTenOClock + 250'000);
}

TEST(ParseTime, AcceptsEpochMicroseconds) {
  EXPECT_EQ(parse_time_us("1767261600000000"), kTenOClock);
}

TEST(ParseTime, RejectsGarbage) {
  EXPECT_FALSE(parse_time_us(""));
  EXPECT_FALSE(parse_time_us("yesterday"));
  EXPECT_FALSE(parse_time_us("2026-01-01T10:00:00+02:00"));
}

TEST(FormatTime, MillisecondsUtc) {
  EXPECT_EQ(format_time_us(kTenOClock + 1'234'567), "2026-01-01 10:00:01.234");
}

}  // namespace
}  // namespace sipscope::cli
