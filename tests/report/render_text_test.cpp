#include <gtest/gtest.h>

#include <sstream>

#include "report/format.hpp"
#include "report/ladder.hpp"
#include "report/render_calls.hpp"
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
  const std::string text = render_text(l, 120) + render_calls_table(call_rows({c}));
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

// Widths are the longest of title and values, two spaces between columns, numbers
// right-aligned (hand-derived): id 2, start 25 (the first-seen time with its '*'), from 5,
// to 3, caller 14, callee 14, state 8, code 4, pdd ms 6, dur s 6, msgs 4, MOS 4, loss % 6,
// Call-ID 8 (trailing blanks trimmed).
TEST(RenderCallsTable, AlignedColumnsWithDashForNull) {
  auto rows = call_rows({test::full_call(1, "abc@host"), test::bare_call(22, "zzz")});
  rows[0].caller_port = 5060;
  rows[0].callee_port = 5080;
  rows[0].worst_mos = 4.411;
  rows[0].loss_pct = 0.5;
  rows[1].first_seen_us = 1'709'294'405'000'000;  // 5 s after full_call's start
  const auto lines = lines_of(render_calls_table(rows));
  ASSERT_EQ(lines.size(), 4U);
  EXPECT_EQ(lines[0], "id  start (UTC)" + rep(' ', 14) + "  from   to   caller" + rep(' ', 8) +
                          "  callee" + rep(' ', 8) +
                          "  state     code  pdd ms   dur s  msgs   MOS  loss %  Call-ID");
  EXPECT_EQ(lines[1],
            " 1  2024-03-01T12:00:00.000Z   alice  bob  192.0.2.1:5060  192.0.2.2:5080  answered"
            "   200     250  10.500     6  4.41    0.50  abc@host");
  EXPECT_EQ(lines[2], "22  2024-03-01T12:00:05.000Z*  -      -    -" + rep(' ', 13) + "  -" +
                          rep(' ', 13) +
                          "  unknown      -       -       -     0     -       -  zzz");
  EXPECT_EQ(lines[3], "* first seen mid-dialog: the capture holds no initial INVITE");
}

TEST(RenderCallsTable, LongCallIdIsCutUnlessWide) {
  const auto rows = call_rows({test::full_call(1, std::string(100, 'x'))});
  auto lines = lines_of(render_calls_table(rows));
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(lines[1].substr(lines[1].size() - 40), rep('x', 39) + "~");
  lines = lines_of(render_calls_table(rows, true));
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(lines[1].substr(lines[1].size() - 101), " " + rep('x', 100));
}

TEST(RenderCallsTable, EmptyIsHeaderOnly) {
  EXPECT_EQ(lines_of(render_calls_table({})).size(), 1U);
}

// Arrows carrying SDP say so, and the offers the call_hold / call_resume diagnostics name
// say which (the model's LadderEvent::sdp and media_change, docs/ladder-json.md).
TEST(RenderText, SdpAndHoldMarksOnArrows) {
  Ladder l = two_party();
  l.events[0].sdp = true;
  l.events[1].sdp = true;
  LadderEvent hold = event(0, 1, "INVITE", 3'000'000);
  hold.sdp = true;
  hold.media_change = "hold";
  LadderEvent resume = event(1, 0, "UPDATE", 4'000'000);
  resume.sdp = true;
  resume.media_change = "resume";
  l.events.push_back(hold);
  l.events.push_back(resume);
  const auto lines = lines_of(render_text(l, 100));
  ASSERT_EQ(lines.size(), 6U);
  EXPECT_NE(lines[1].find("-INVITE (SDP)-"), std::string::npos) << lines[1];
  EXPECT_NE(lines[2].find("-200 OK (SDP)-"), std::string::npos) << lines[2];
  EXPECT_NE(lines[3].find("INVITE (retx)"), std::string::npos) << lines[3];
  EXPECT_EQ(lines[3].find("SDP"), std::string::npos) << lines[3];
  EXPECT_NE(lines[4].find("-INVITE (SDP) [hold]-"), std::string::npos) << lines[4];
  EXPECT_NE(lines[5].find("-UPDATE (SDP) [resume]-"), std::string::npos) << lines[5];
}

// Under the ladder: each stream's DTMF digits (only its own), then the links to other calls;
// a call first seen mid-dialog shows that time instead of a start.
TEST(RenderText, DtmfLinksAndFirstSeen) {
  Ladder l = two_party();
  auto call = test::bare_call(7, "mid@host");
  l.calls.push_back(call);
  for (auto& e : l.events) {
    e.call_id = 7;
    e.ts_us = 1'709'294'400'000'000 + e.offset_us;
  }
  StreamRow s;
  s.id = 5;
  s.src_ip = "192.0.2.1";
  s.src_port = 4000;
  s.dst_ip = "192.0.2.2";
  s.dst_port = 6000;
  l.streams.push_back(s);
  l.dtmf = {{5, 7, 1'709'294'401'000'000, 40, "1", 100.0},
            {6, 7, 1'709'294'401'100'000, 41, "9", 100.0},  // another stream's
            {5, 7, 1'709'294'401'200'000, 42, "2", 100.0},
            {5, 7, 1'709'294'401'400'000, 44, "#", std::nullopt}};
  l.links = {{7, 3, "x_call_id"}};
  const std::string text = render_text(l, 200);
  EXPECT_NE(text.find("Call 7  Call-ID mid@host  - -> -  unknown  first seen "
                      "2024-03-01T12:00:00.000Z  (mid-dialog: no initial INVITE captured)\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\n  DTMF 1 2 #  from 2024-03-01T12:00:01.000Z\n"), std::string::npos)
      << text;
  EXPECT_EQ(text.find("DTMF", text.find("DTMF") + 1), std::string::npos) << text;
  EXPECT_NE(text.find("\nLinks:\n  call 7 linked to call 3  (x_call_id)\n"), std::string::npos)
      << text;
}

}  // namespace
}  // namespace sipscope::report
