#include <gtest/gtest.h>

#include <sstream>

#include "report/format.hpp"
#include "report/ladder.hpp"
#include "tests/store/fixtures.hpp"

namespace sipscope::report {
using namespace store;  // the rows, readers and fixtures the renderings are fed from
namespace {

LadderEvent event(int from, int to, std::string label, int64_t offset_us, bool retx = false) {
  LadderEvent e;
  e.from = from;
  e.to = to;
  e.label = std::move(label);
  e.offset_us = offset_us;
  e.retransmission = retx;
  e.transport = "UDP";
  return e;
}

Ladder two_party() {
  Ladder l;
  l.participants = {{0, "192.0.2.1:5060", {}}, {1, "192.0.2.2:5060", {}}};
  l.events = {event(0, 1, "INVITE", 0), event(1, 0, "200 OK", 1'500'000),
              event(0, 1, "INVITE", 2'000'000, true)};
  return l;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::string rep(char c, size_t n) {
  return std::string(n, c);
}

// Geometry at width 60 (hand-derived from the layout rules in render_text.cpp): a 12-column
// offset field, then (60 - 12) / 2 = 24 columns per lane, lanes at the centre of their
// column: x0 = 12 + 12 = 24, x1 = 24 + 24 = 48. The arrow shaft between them is columns
// 25..46 (22 cells) plus the head at 47 for a rightward arrow, or the head at 25 and the
// shaft 26..47 for a leftward one; a 6-character label starts (22 - 6) / 2 = 8 cells in.
TEST(RenderText, TwoPartyLadderExactLines) {
  const auto lines = lines_of(render_text(two_party(), 60));
  ASSERT_EQ(lines.size(), 4U);  // no calls: header line and three events
  // Addresses (14 columns) centred on 24 and 48: start at 24 - 7 = 17 and 48 - 7 = 41.
  EXPECT_EQ(lines[0],
            "   offset s" + rep(' ', 6) + "192.0.2.1:5060" + rep(' ', 10) + "192.0.2.2:5060");
  EXPECT_EQ(lines[1],
            "     0.000" + rep(' ', 14) + "|" + rep('-', 8) + "INVITE" + rep('-', 8) + ">|");
  EXPECT_EQ(lines[2],
            "     1.500" + rep(' ', 14) + "|<" + rep('-', 8) + "200 OK" + rep('-', 8) + "|");
  // Retransmission: dotted, marked; "INVITE (retx)" is 13 wide, starts (22 - 13) / 2 = 4 in.
  EXPECT_EQ(lines[3],
            "     2.000" + rep(' ', 14) + "|" + rep('.', 4) + "INVITE (retx)" + rep('.', 5) + ">|");
}

// A merged node (report/nodes.hpp) is labelled with its first address; its other
// endpoints follow in a legend line under the header, nothing hidden.
TEST(RenderText, MergedNodeLegendListsOtherAddresses) {
  Ladder l = two_party();
  l.participants[1].addresses = {"192.0.2.2:5060", "192.0.2.2:5080", "192.0.2.2:40000"};
  const auto lines = lines_of(render_text(l, 60));
  ASSERT_GE(lines.size(), 2U);
  EXPECT_NE(lines[0].find("192.0.2.2:5060"), std::string::npos);
  EXPECT_EQ(lines[1], "   lane 192.0.2.2:5060 also: 192.0.2.2:5080 192.0.2.2:40000");
  // Unmerged ladders have no legend line (two_party's second line is an event).
  EXPECT_EQ(lines_of(render_text(two_party(), 60))[1].find("also:"), std::string::npos);
}

TEST(RenderText, CallHeaderLines) {
  Ladder l = two_party();
  l.calls.push_back(test::full_call(1, "abc@host"));
  const std::string text = render_text(l, 200);
  const auto lines = lines_of(text);
  ASSERT_GE(lines.size(), 2U);
  EXPECT_EQ(lines[0],
            "Call 1  Call-ID abc@host  alice -> bob  answered 200 OK  start "
            "2024-03-01T12:00:00.000Z  PDD 250 ms  duration 10.500 s  hangup by caller");
  EXPECT_EQ(lines[1], "");
}

TEST(RenderText, EveryLineFitsTheWidth) {
  Ladder l;
  for (int i = 0; i < 5; ++i) {
    l.participants.push_back(
        {i, "[2001:db8:85a3::8a2e:370:" + std::to_string(7334 + i) + "]:5060", {}});
  }
  l.calls.push_back(test::full_call(1, std::string(150, 'c')));
  l.events = {event(0, 4, "INVITE", 0), event(4, 0, "183 Session Progress with a long reason", 10),
              event(2, 2, "OPTIONS", 20), event(3, 1, "BYE", 30)};
  for (int width : {40, 80, 100}) {
    for (const auto& line : lines_of(render_text(l, width))) {
      EXPECT_LE(format::columns(line), static_cast<size_t>(width)) << width << ": " << line;
    }
  }
}

TEST(RenderText, RedactedLadderSaysSoFirst) {
  Ladder l = two_party();
  EXPECT_EQ(render_text(l, 80).find("REDACTED"), std::string::npos);
  l.redacted = true;
  const auto lines = lines_of(render_text(l, 40));
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0].rfind("REDACTED:", 0), 0U);
  for (const auto& line : lines) EXPECT_LE(format::columns(line), 40U) << line;
}

TEST(RenderText, WireControlCharactersNeverReachTheTerminal) {
  Ladder l = two_party();
  l.participants[0].address = "192.0.2.1:5060\x1b]0;pwned\x07";
  l.events[0].label = "INVITE\x1b[2J";
  auto c = test::full_call(1, "id\r\x1b[31m");
  c.final_reason = std::string("O\x9bK", 3);  // C1 CSI as a raw byte (not UTF-8)
  c.from_user =
      "\xc2\x9b"
      "1";  // C1 CSI encoded as UTF-8
  l.calls.push_back(c);
  const std::string text = render_text(l, 120) + render_calls_table({c});
  for (char ch : text) {
    const auto u = static_cast<unsigned char>(ch);
    EXPECT_TRUE(ch == '\n' || (u >= 0x20 && u < 0x7F)) << "byte " << static_cast<int>(u);
  }
}

// Streams follow the ladder, one block each: the measured loss and jitter, then the
// receiver's last RTCP report about the same stream (fixtures.hpp pcmu_stream_with_rtcp).
// At width 200 every piece fits on one line.
TEST(RenderText, StreamLinesShowRtcpNextToMeasured) {
  Ladder l = two_party();
  l.streams.push_back(test::pcmu_stream_with_rtcp());
  l.streams.back().jitter_mean_ms = 1.25;
  const auto lines = lines_of(render_text(l, 200));
  ASSERT_EQ(lines.size(), 6U);  // header, 3 events, blank, the stream
  EXPECT_EQ(lines[5],
            "RTP 192.0.2.1:4000 -> 198.51.100.9:6000  ssrc 0xDEADBEEF PCMU  measured: 190 pkts, "
            "lost 10 (5.00 %), jitter 1.25 ms  MOS 3.50  RTCP: lost 7.81 % (cum. 9), jitter "
            "3.00 ms, RTT 50.00 ms");
  // Narrow: wrapped, never wider than asked.
  for (const auto& line : lines_of(render_text(l, 40))) EXPECT_LE(format::columns(line), 40U);
}

TEST(RenderCallsTable, AlignedColumnsWithDashForNull) {
  const std::string text =
      render_calls_table({test::full_call(1, "abc@host"), test::bare_call(22, "zzz")});
  const auto lines = lines_of(text);
  ASSERT_EQ(lines.size(), 3U);
  // Widths are the longest of title and values: id 2, start 24, from 5, to 3, state 8,
  // code 4, pdd 6, dur 6, msgs 4, Call-ID 8; numbers right-aligned; two spaces between.
  EXPECT_EQ(lines[0], "id  start (UTC)" + rep(' ', 13) +
                          "  from   to   state     code  pdd ms   dur s  msgs  Call-ID");
  EXPECT_EQ(
      lines[1],
      " 1  2024-03-01T12:00:00.000Z  alice  bob  answered   200     250  10.500     6  abc@host");
  EXPECT_EQ(lines[2],
            "22  -" + rep(' ', 23) + "  -      -    unknown      -       -       -     0  zzz");
}

TEST(RenderCallsTable, LongCallIdIsCut) {
  const auto lines = lines_of(render_calls_table({test::full_call(1, std::string(100, 'x'))}));
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(lines[1].substr(lines[1].size() - 40), rep('x', 39) + "~");
}

TEST(RenderCallsTable, EmptyIsHeaderOnly) {
  EXPECT_EQ(lines_of(render_calls_table({})).size(), 1U);
}

}  // namespace
}  // namespace sipscope::report
