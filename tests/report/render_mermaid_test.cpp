#include <gtest/gtest.h>

#include "report/ladder.hpp"

namespace sipscope::report {
namespace {

LadderEvent event(int from, int to, std::optional<std::string> method, std::optional<int> status,
                  std::string label, int64_t offset_us, bool retx = false) {
  LadderEvent e;
  e.from = from;
  e.to = to;
  e.method = std::move(method);
  e.status_code = status;
  e.label = std::move(label);
  e.offset_us = offset_us;
  e.retransmission = retx;
  e.transport = "UDP";
  return e;
}

Ladder small_ladder() {
  Ladder l;
  correlate::CallRecord c;
  c.id = 3;
  c.state = correlate::CallState::answered;
  c.final_code = 200;
  c.final_reason = "OK";
  l.calls.push_back(c);
  l.participants = {{0, "192.0.2.1:5060", {}}, {1, "[2001:db8::2]:5060", {}}};
  l.events = {event(0, 1, "INVITE", std::nullopt, "INVITE", 0),
              event(0, 1, "INVITE", std::nullopt, "INVITE", 500'000, true),
              event(1, 0, std::nullopt, 180, "180 Ringing", 750'000),
              event(1, 0, std::nullopt, 200, "200 OK", 2'000'000),
              event(1, 0, std::nullopt, 200, "200 OK", 2'500'000, true),
              event(0, 1, "ACK", std::nullopt, "ACK", 2'010'000)};
  return l;
}

// Hand-written expectation. Mermaid syntax (mermaid.js.org/syntax/sequenceDiagram.html):
// "participant ID as ALIAS"; ->> solid arrow, -->> dotted arrow, -) / --) async open arrow;
// "Note over A,B: text"; the alias, note and message text run to the end of the line
// (only '#', ';' and a newline end them), so addresses are written as they are.
TEST(RenderMermaid, GoldenSmallLadder) {
  const std::string expected =
      "sequenceDiagram\n"
      "    participant P0 as 192.0.2.1:5060\n"
      "    participant P1 as [2001:db8::2]:5060\n"
      "    Note over P0,P1: Call 3 answered 200 OK\n"
      "    P0->>P1: +0.000s INVITE\n"
      "    P0-)P1: +0.500s INVITE (retransmission)\n"
      "    P1-->>P0: +0.750s 180 Ringing\n"
      "    P1-->>P0: +2.000s 200 OK\n"
      "    P1--)P0: +2.500s 200 OK (retransmission)\n"
      "    P0->>P1: +2.010s ACK\n";
  EXPECT_EQ(render_mermaid(small_ladder()), expected);
}

// A merged node (report/nodes.hpp) keeps its first address as the alias; the other
// endpoints follow as a note, right after the participant lines.
TEST(RenderMermaid, MergedNodeOtherAddressesInANote) {
  Ladder l = small_ladder();
  l.participants[0].addresses = {"192.0.2.1:5060", "192.0.2.1:40000"};
  const std::string out = render_mermaid(l);
  EXPECT_NE(out.find("    participant P1 as [2001:db8::2]:5060\n"
                     "    Note over P0: also 192.0.2.1:40000\n"),
            std::string::npos)
      << out;
}

TEST(RenderMermaid, RedactedLadderSaysSo) {
  Ladder l = small_ladder();
  l.redacted = true;
  EXPECT_NE(render_mermaid(l).find("    Note over P0,P1: REDACTED"), std::string::npos);
}

TEST(RenderMermaid, SpecialCharactersBecomeEntityCodes) {
  // ';' would end the statement, '#' start an entity, '<' '>' markup, '%' a directive,
  // newlines end the line; code points are decimal (U+00E9 = 233). ':' '[' ']' stay: after
  // the statement's first ':' they are text.
  EXPECT_EQ(mermaid_escape("a;b"), "a#59;b");
  EXPECT_EQ(mermaid_escape("#59;"), "#35;59#59;");
  EXPECT_EQ(mermaid_escape("<b>x</b>"), "#60;b#62;x#60;/b#62;");
  EXPECT_EQ(mermaid_escape("%%{init}%%"), "#37;#37;#123;init#125;#37;#37;");
  EXPECT_EQ(mermaid_escape("line\nnext\r"), "line?next?");
  EXPECT_EQ(mermaid_escape("caf\xc3\xa9"), "caf#233;");
  EXPECT_EQ(mermaid_escape("\xff"), "?");
  EXPECT_EQ(mermaid_escape("[2001:db8::2]:5060"), "[2001:db8::2]:5060");
  EXPECT_EQ(mermaid_escape("\"q\" 'a' `b`"), "#34;q#34; #39;a#39; #96;b#96;");
}

TEST(RenderMermaid, HostileLabelCannotAddStatements) {
  Ladder l = small_ladder();
  l.events[2].label = "180 x\n    P1->>P0: injected;note";
  const std::string out = render_mermaid(l);
  // Exactly one line per participant, note and event after the header.
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1 + 2 + 1 + 6);
  EXPECT_EQ(out.find("injected;"), std::string::npos);
  EXPECT_NE(out.find("180 x?    P1-#62;#62;P0: injected#59;note"), std::string::npos);
}

}  // namespace
}  // namespace sipscope::report
