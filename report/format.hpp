// Formatting shared by the renderers (and cli's --local switch). Timestamps are shown in
// UTC with millisecond precision (RFC 3339, e.g. "2024-03-01T12:00:00.123Z") so that the
// same database renders the same everywhere, whatever the viewer's time zone, unless the
// user asks for local time. Terminal text is made safe here: wire bytes never reach a
// terminal as control characters.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sipscope::report::format {

// Length of the UTF-8 sequence at s[i] (i < s.size()) and its code point in `cp`; 0 when
// invalid (RFC 3629 §4: no overlongs, no surrogates, nothing above U+10FFFF).
[[nodiscard]] size_t utf8_sequence(std::string_view s, size_t i, uint32_t& cp);

// Microseconds since the Unix epoch -> "YYYY-MM-DDTHH:MM:SS.mmmZ" (truncated to the ms).
[[nodiscard]] std::string iso_utc_ms(int64_t us);
// The same instant as RFC 3339 local time with its offset ("2026-12-07T19:00:00.000+01:00"),
// by the C library's time zone (TZ).
[[nodiscard]] std::string local_ms(int64_t us);

// Times people read in terminal text (tables, `show` text) are UTC unless the command was
// given --local: cli sets this once before rendering. JSON, CSV and HTML keep UTC / µs.
void set_local_display(bool local);
[[nodiscard]] bool local_display();
// iso_utc_ms(), or local_ms() after set_local_display(true).
[[nodiscard]] std::string shown_time(int64_t us);

// "ip:port", an IPv6 literal bracketed (RFC 3986 §3.2.2): "[2001:db8::1]:5060".
[[nodiscard]] std::string endpoint(std::string_view ip, int port);

// "%.*f" of a double, for numbers the program computed (never wire data).
[[nodiscard]] std::string fixed(double value, int decimals);

// "MOS 4.10, limited by codec" (`streams.mos_limited_by`, docs/media.md); "MOS 4.41" when
// nothing limits it or the reason is unknown.
[[nodiscard]] std::string mos_text(double mos, const std::optional<std::string>& limited_by);

// An RTP/RTCP SSRC as the renderers show it: "0x" and eight upper-case hex digits.
[[nodiscard]] std::string ssrc_hex(uint32_t ssrc);

// Wire text made safe for a terminal: valid UTF-8 is kept except control characters (C0,
// DEL, C1), which become '?', as does every byte of an invalid UTF-8 sequence.
[[nodiscard]] std::string terminal_safe(std::string_view text);

// Columns occupied by terminal_safe() text: one per code point (no East Asian width).
[[nodiscard]] size_t columns(std::string_view safe_text);

// Cuts terminal_safe() text to at most `width` columns, marking a cut with a final '~'.
[[nodiscard]] std::string fit(std::string_view safe_text, size_t width);

}  // namespace sipscope::report::format
