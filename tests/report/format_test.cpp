#include "report/format.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <string>

namespace sipscope::report::format {
namespace {

TEST(Format, IsoUtcMs) {
  EXPECT_EQ(iso_utc_ms(0), "1970-01-01T00:00:00.000Z");
  // 2024-03-01T12:00:00Z: 54 years of which 13 leap (1972..2020) = 19723 days to 2024-01-01,
  // + 31 + 29 = 19783 days; * 86400 + 43200 = 1709294400 s.
  EXPECT_EQ(iso_utc_ms(1'709'294'400'123'999), "2024-03-01T12:00:00.123Z");  // truncated
  // 2024-02-29T23:59:59.999Z is one millisecond before 2024-03-01T00:00:00Z = 1709251200 s.
  EXPECT_EQ(iso_utc_ms(1'709'251'200'000'000 - 1'000), "2024-02-29T23:59:59.999Z");
  EXPECT_EQ(iso_utc_ms(-1), "1969-12-31T23:59:59.999Z");  // floor, not toward zero
  // 2000-01-01T00:00:00Z = 946684800 s (a year divisible by 400 is leap).
  EXPECT_EQ(iso_utc_ms(946'684'800'000'000), "2000-01-01T00:00:00.000Z");
}

// --local: RFC 3339 with the zone's offset. Central European rules (POSIX TZ): 2024-03-01
// (winter) is UTC+1; 2024-07-01T12:00:00Z (1719835200 s) is 14:00 CEST (UTC+2).
TEST(Format, LocalTimeCarriesItsOffset) {
  const char* old = std::getenv("TZ");
  const std::string saved = old != nullptr ? old : "";
  setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
  tzset();
  EXPECT_EQ(local_ms(1'709'294'400'123'999), "2024-03-01T13:00:00.123+01:00");
  EXPECT_EQ(local_ms(1'719'835'200'000'000), "2024-07-01T14:00:00.000+02:00");
  setenv("TZ", "<-0330>3:30", 1);  // Newfoundland-like, west of UTC, half hour
  tzset();
  EXPECT_EQ(local_ms(1'709'294'400'000'000), "2024-03-01T08:30:00.000-03:30");
  EXPECT_EQ(shown_time(1'709'294'400'000'000), "2024-03-01T12:00:00.000Z");
  set_local_display(true);
  EXPECT_EQ(shown_time(1'709'294'400'000'000), "2024-03-01T08:30:00.000-03:30");
  set_local_display(false);
  if (old != nullptr) {
    setenv("TZ", saved.c_str(), 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
}

TEST(Format, TerminalSafe) {
  EXPECT_EQ(terminal_safe("abc"), "abc");
  EXPECT_EQ(terminal_safe("a\x1b[1mb"), "a?[1mb");
  EXPECT_EQ(terminal_safe("\t\r\n\x7f"), "????");
  EXPECT_EQ(terminal_safe("caf\xc3\xa9"), "caf\xc3\xa9");      // é kept
  EXPECT_EQ(terminal_safe("\xc2\x9b"), "?");                   // U+009B CSI dropped
  EXPECT_EQ(terminal_safe(std::string("\xff\xc3", 2)), "??");  // invalid and truncated
  EXPECT_EQ(terminal_safe("\xc0\xaf"), "??");                  // overlong '/'
  EXPECT_EQ(terminal_safe("\xed\xa0\x80"), "???");             // surrogate U+D800
}

TEST(Format, ColumnsAndFit) {
  EXPECT_EQ(columns("caf\xc3\xa9"), 4U);
  EXPECT_EQ(fit("abcdef", 6), "abcdef");
  EXPECT_EQ(fit("abcdef", 4), "abc~");
  EXPECT_EQ(fit("\xc3\xa9\xc3\xa9\xc3\xa9", 2), "\xc3\xa9~");  // never cuts inside a code point
  EXPECT_EQ(fit("abc", 0), "");
}

}  // namespace
}  // namespace sipscope::report::format
