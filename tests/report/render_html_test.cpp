#include <gtest/gtest.h>

#include <cctype>
#include <string_view>
#include <vector>

#include "report/ladder.hpp"
#include "tests/store/fixtures.hpp"

namespace sipscope::report {
using namespace store;  // the rows, readers and fixtures the renderings are fed from
namespace {

size_t count(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = hay.find(needle); pos != std::string::npos; pos = hay.find(needle, pos + 1)) {
    ++n;
  }
  return n;
}

// The inside of every tag: from each '<' to the next '>' (or the end of the page).
std::vector<std::string_view> tags(std::string_view html) {
  std::vector<std::string_view> out;
  for (size_t lt = html.find('<'); lt != std::string_view::npos; lt = html.find('<', lt + 1)) {
    out.push_back(html.substr(lt + 1, html.find('>', lt + 1) - (lt + 1)));
  }
  return out;
}

// Whether the tag has an attribute `NAME =` (whitespace, lowercase letters, optional
// whitespace, '=') whose name `wanted` accepts.
template <typename Wanted>
bool has_attribute(std::string_view tag, Wanted wanted) {
  auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  for (size_t i = 0; i < tag.size(); ++i) {
    if (!space(tag[i])) continue;
    size_t end = i + 1;
    while (end < tag.size() && tag[end] >= 'a' && tag[end] <= 'z') ++end;
    const std::string_view name = tag.substr(i + 1, end - (i + 1));
    while (end < tag.size() && space(tag[end])) ++end;
    if (!name.empty() && end < tag.size() && tag[end] == '=' && wanted(name)) return true;
  }
  return false;
}

// The text between every `open` and the next `close` after it.
std::vector<std::string_view> between(std::string_view html, std::string_view open, char close) {
  std::vector<std::string_view> out;
  for (size_t at = html.find(open); at != std::string_view::npos; at = html.find(open, at + 1)) {
    const size_t from = at + open.size();
    const size_t to = html.find(close, from);
    if (to != std::string_view::npos) out.push_back(html.substr(from, to - from));
  }
  return out;
}

LadderEvent event(int64_t id, int from, int to, std::string label, int64_t offset_us,
                  std::string raw, bool retx = false) {
  LadderEvent e;
  e.message_id = id;
  e.call_id = 1;
  e.ts_us = 1'709'294'400'000'000 + offset_us;
  e.offset_us = offset_us;
  e.from = from;
  e.to = to;
  e.label = std::move(label);
  e.transport = "UDP";
  e.retransmission = retx;
  e.capture_id = 1;
  e.frame = static_cast<uint64_t>(id);
  e.raw = std::move(raw);
  return e;
}

Ladder simple_ladder() {
  Ladder l;
  l.calls.push_back(test::full_call(1, "abc@host"));
  l.participants = {{0, "192.0.2.1:5060", {}}, {1, "[2001:db8::2]:5060", {}}};
  l.events = {event(1, 0, 1, "INVITE", 0, "INVITE sip:bob@example.com SIP/2.0\r\n\r\n"),
              event(2, 0, 1, "INVITE", 500'000, "INVITE sip:bob@example.com SIP/2.0\r\n\r\n", true),
              event(3, 1, 0, "180 Ringing", 1'234'567, "SIP/2.0 180 Ringing\r\n\r\n")};
  return l;
}

const char* const kScriptTag = "<script>alert(1)</script>";
const char* const kAttrBreak = "\"><img src=x onerror=alert(1)>";

Ladder hostile_ladder() {
  Ladder l = simple_ladder();
  auto& c = l.calls[0];
  c.sip_call_id = std::string(kAttrBreak) + "@host";
  c.from_user = kScriptTag;
  c.from_uri = std::string("sip:") + kScriptTag + "@evil";
  c.to_user = kAttrBreak;
  c.final_reason = "</script><script>alert(2)</script>";
  l.participants[1].address = "<svg onload=alert(4)>";
  l.events[0].label = std::string("INVITE") + kScriptTag;
  l.events[0].transport = "</title><script>alert(5)</script>";
  l.events[2].raw =
      std::string("SIP/2.0 180 Ringing\r\nFrom: \"") + kScriptTag + "\" <sip:a@b>\r\n" +
      "Subject: </script></pre></details><script>alert(6)</script>\r\n" + kAttrBreak + "\r\n\r\n";
  return l;
}

TEST(HtmlEscape, EveryMetacharacter) {
  EXPECT_EQ(html_escape("a&b<c>d\"e'f"), "a&amp;b&lt;c&gt;d&quot;e&#39;f");
  EXPECT_EQ(html_escape("plain text 123"), "plain text 123");
  EXPECT_EQ(html_escape("keep\r\n\tlines"), "keep\r\n\tlines");
  // Control characters become their Unicode control pictures (U+2400 + c, U+2421 for DEL).
  EXPECT_EQ(html_escape(std::string("a\0b", 3)), "a&#x2400;b");
  EXPECT_EQ(html_escape("\x01\x1b\x7f"), "&#x2401;&#x241B;&#x2421;");
  EXPECT_EQ(html_escape("caf\xc3\xa9"), "caf\xc3\xa9");
}

TEST(RenderHtml, HostileWireValuesAppearOnlyEscaped) {
  const std::string html = render_html({hostile_ladder()}, kScriptTag);
  // Markup from the wire never appears as markup.
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<svg onload"), std::string::npos);
  EXPECT_EQ(html.find("\" onmouseover"), std::string::npos);
  // Every '<' in the page is ours (wire '<' is escaped), so no tag may carry an event
  // handler attribute.
  for (const std::string_view tag : tags(html)) {
    EXPECT_FALSE(has_attribute(tag, [](std::string_view n) {
      return n.size() > 2 && n.substr(0, 2) == "on";
    })) << tag;
  }
  // Our own script element is the only one, and only it closes.
  EXPECT_EQ(count(html, "<script"), 1U);
  EXPECT_EQ(count(html, "</script>"), 1U);
  EXPECT_EQ(count(html, "</pre>"), count(html, "<pre"));
  EXPECT_EQ(count(html, "</details>"), count(html, "<details"));
  EXPECT_EQ(count(html, "</title>"), count(html, "<title>"));
  // ...and it is present in its escaped form (title, table, detail line, raw message).
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;@host"), std::string::npos);
  EXPECT_NE(html.find("Subject: &lt;/script&gt;&lt;/pre&gt;&lt;/details&gt;&lt;script&gt;alert(6)"),
            std::string::npos);
  EXPECT_NE(html.find("&lt;svg onload=alert(4)&gt;"), std::string::npos);
}

TEST(RenderHtml, SelfContainedNoExternalReferences) {
  const std::string html = render_html({hostile_ladder(), simple_ladder()}, "t");
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(html.find("<iframe"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  // No tag has a src attribute (escaped wire text may contain the letters "src=").
  for (const std::string_view tag : tags(html)) {
    EXPECT_FALSE(has_attribute(tag, [](std::string_view n) { return n == "src"; })) << tag;
  }
  // Every href and url() is a fragment of this page.
  for (const std::string_view target : between(html, "href=\"", '"')) {
    EXPECT_EQ(target.substr(0, 1), "#") << target;
  }
  for (const std::string_view target : between(html, "url(", ')')) {
    EXPECT_EQ(target.substr(0, 1), "#") << target;
  }
  // The browser enforces it too.
  EXPECT_NE(html.find("Content-Security-Policy\" content=\"default-src 'none';"),
            std::string::npos);
  // Raw messages are inserted as text, never parsed as markup.
  EXPECT_EQ(html.find("innerHTML"), std::string::npos);
  EXPECT_EQ(html.find("outerHTML"), std::string::npos);
  EXPECT_EQ(html.find("document.write"), std::string::npos);
  EXPECT_EQ(html.find("eval("), std::string::npos);
  EXPECT_NE(html.find(".textContent = entry.querySelector('pre').textContent"), std::string::npos);
}

TEST(RenderHtml, OneArrowPerMessageRetransmissionsDashed) {
  const std::string html = render_html({simple_ladder()}, "t");
  EXPECT_EQ(count(html, "<svg"), 1U);
  EXPECT_EQ(count(html, "<g class=\"ev"), 3U);
  EXPECT_EQ(count(html, "<g class=\"ev retx\""), 1U);
  EXPECT_NE(html.find("stroke-dasharray"), std::string::npos);
  EXPECT_EQ(count(html, "<line class=\"lane\""), 2U);
  EXPECT_EQ(count(html, "<line class=\"arrow"), 3U);
  // Lanes headed by their address.
  EXPECT_NE(html.find(">192.0.2.1:5060</text>"), std::string::npos);
  EXPECT_NE(html.find(">[2001:db8::2]:5060</text>"), std::string::npos);
  // Offsets in ms at the left: 0, 500000 us and 1234567 us.
  EXPECT_NE(html.find(">+0.000</text>"), std::string::npos);
  EXPECT_NE(html.find(">+500.000</text>"), std::string::npos);
  EXPECT_NE(html.find(">+1234.567</text>"), std::string::npos);
  EXPECT_NE(html.find(">180 Ringing</text>"), std::string::npos);
  // Each arrow points at the raw message element it shows.
  for (int i = 0; i < 3; ++i) {
    const std::string id = "raw-0-" + std::to_string(i);
    EXPECT_NE(html.find("data-raw=\"" + id + "\""), std::string::npos);
    EXPECT_NE(html.find("id=\"" + id + "\""), std::string::npos);
  }
  EXPECT_NE(html.find("<pre>SIP/2.0 180 Ringing\r\n\r\n</pre>"), std::string::npos);
}

// A merged node (report/nodes.hpp): the lane label is the first address plus "(+N)",
// and its SVG <title> tooltip lists every endpoint (escaped).
TEST(RenderHtml, MergedNodeLabelAndTooltip) {
  Ladder l = simple_ladder();
  l.participants[0].addresses = {l.participants[0].address, "192.0.2.1:40000", "<b>"};
  const std::string html = render_html({l}, "t");
  // The tooltip is the group's, beside the text (a <text> holds only its text).
  EXPECT_NE(html.find("<g><title>" + l.participants[0].address +
                      " 192.0.2.1:40000 &lt;b&gt;</title><text class=\"addr\""),
            std::string::npos);
  EXPECT_NE(html.find(l.participants[0].address + " (+2)</text></g>"), std::string::npos);
}

TEST(RenderHtml, SvgHeightGrowsLinearlyWithEvents) {
  // Layout constants of render_html.cpp: first arrow at y = 64, 30 px per event, 10 px
  // bottom margin: 3 events -> 64 + 90 + 10 = 164; 1000 events -> 30074.
  EXPECT_NE(render_html({simple_ladder()}, "t").find("height=\"164\""), std::string::npos);
  Ladder big = simple_ladder();
  big.events.clear();
  for (int i = 0; i < 1000; ++i)
    big.events.push_back(event(i + 1, i % 2, 1 - i % 2, "OPTIONS", i, "x"));
  const std::string html = render_html({big}, "t");
  EXPECT_NE(html.find("height=\"30074\""), std::string::npos);
  EXPECT_LT(html.size(), 1000U * 1500U);  // linear: well under 1.5 kB per event here
}

TEST(RenderHtml, SummaryTableOfCalls) {
  Ladder two = simple_ladder();
  two.calls.push_back(test::bare_call(2, "second@host"));
  const std::string html = render_html({two}, "Report");
  EXPECT_NE(html.find("<title>Report</title>"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"#call-1\">1</a>"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"#call-2\">2</a>"), std::string::npos);
  EXPECT_NE(html.find("id=\"call-1\""), std::string::npos);
  EXPECT_NE(html.find("id=\"call-2\""), std::string::npos);
  // full_call(): start 2024-03-01T12:00:00.000Z, PDD 250 ms, duration 10.5 s, 6 messages.
  EXPECT_NE(html.find("<td>2024-03-01T12:00:00.000Z</td><td class=\"num\">250 ms</td>"
                      "<td class=\"num\">10.500 s</td><td class=\"num\">6</td>"),
            std::string::npos);
  EXPECT_NE(html.find("<td>200 OK</td>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"cid\">second@host</td>"), std::string::npos);
}

TEST(RenderHtml, EmptyInputIsAValidPage) {
  const std::string html = render_html({}, "nothing");
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0U);
  EXPECT_NE(html.find("</html>"), std::string::npos);
  Ladder empty;
  EXPECT_NE(render_html({empty}, "x").find("</html>"), std::string::npos);
}

TEST(RenderHtml, OutOfRangeLaneIndexDoesNotCrash) {
  Ladder l = simple_ladder();
  l.events[0].from = 7;
  l.events[0].to = -1;
  EXPECT_NE(render_html({l}, "x").find("</html>"), std::string::npos);
}

Ladder media_ladder() {
  Ladder l = simple_ladder();
  l.events[0].method = "INVITE";
  l.events[2].status_code = 180;
  l.events[0].raw =
      "INVITE sip:bob@example.com SIP/2.0\r\nContent-Type: application/sdp\r\n\r\n"
      "v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000 RTP/AVP 0\r\n";
  l.events[2].raw =
      "SIP/2.0 180 Ringing\r\n\r\nv=0\r\nc=IN IP4 198.51.100.9\r\nm=audio 6000 RTP/AVP 0\r\n";
  StreamRow s = test::pcmu_stream_with_rtcp();  // to 198.51.100.9: drawn on a media lane
  s.first_us = l.events[0].ts_us;
  s.last_us = l.events[2].ts_us;
  s.mos_limited_by = "loss";  // 5 % lost: Ie,eff 15.8 of PCMU's 0 (docs/media.md)
  l.streams.push_back(s);
  l.rtcp = {{s.first_us.value() + 5'000'000, 0xDEADBEEF, 0.05, 12.5, 1, 9},
            {s.first_us.value() + 10'000'000, 0xDEADBEEF, 0.0, 3.0, 1, 12}};
  l.diagnostics.push_back({1, std::nullopt, "one_way_audio", "<b>no RTP</b>"});
  return l;
}

TEST(RenderHtml, ReportSectionsSdpStreamsChartsFindings) {
  const std::string html = render_html({media_ladder()}, "t");
  // SDP side by side: offer from the INVITE, answer from the other side's 180, each with
  // its offset in ms.
  EXPECT_NE(html.find("Call 1, exchange 1 of 1</h4>"), std::string::npos);
  EXPECT_NE(
      html.find("<h4>Offer &middot; INVITE from 192.0.2.1:5060 &middot; +0.000 ms</h4><pre>v=0"),
      std::string::npos);
  EXPECT_NE(html.find("<h4>Answer &middot; 180 Ringing from [2001:db8::2]:5060 &middot; +"),
            std::string::npos);
  // Streams table with loss 10 / 200 = 5.00 % and the SSRC in hex.
  EXPECT_NE(html.find("<td>0xDEADBEEF</td><td>PCMU (PT 0)</td>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"num\">5.00</td>"), std::string::npos);
  // Beside the measured values (MOS 3.50, limited by loss): the RTCP-reported loss 20/256 = 7.81 %,
  // cumulative 9, jitter 3.00 ms and round trip 50.00 ms.
  EXPECT_NE(html.find("<th>RTCP cum. lost</th><th>RTCP jitter ms</th><th>RTCP RTT ms</th>"),
            std::string::npos);
  EXPECT_NE(html.find("<td class=\"num\">3.50</td><td>loss</td><td class=\"num\">7.81</td><td "
                      "class=\"num\">9</td><td class=\"num\">3.00</td><td "
                      "class=\"num\">50.00</td></tr>"),
            std::string::npos);
  // Quality in the summary: lowest MOS and loss.
  EXPECT_NE(html.find("MOS 3.50 (lowest stream), RTP loss 5.00 %"), std::string::npos);
  // One band, on a media lane for the address without signalling.
  EXPECT_EQ(count(html, "<rect class=\"band\""), 1U);
  EXPECT_NE(html.find(">198.51.100.9 (media)</text>"), std::string::npos);
  EXPECT_NE(html.find("RTP PCMU ssrc 0xDEADBEEF 190 pkts loss 5.00 % MOS 3.50, limited by loss"),
            std::string::npos);
  // A chart from the two RTCP reports: jitter max 12.5 ms, loss max 5 %.
  EXPECT_EQ(count(html, "<svg class=\"chart\""), 1U);
  EXPECT_NE(html.find("2 reports over 5.0 s"), std::string::npos);
  EXPECT_NE(html.find("jitter max 12.5 ms (blue) &middot; loss max 5.0 % (red)"),
            std::string::npos);
  // Findings are text.
  EXPECT_NE(html.find("<b>one_way_audio</b>: &lt;b&gt;no RTP&lt;/b&gt;"), std::string::npos);
  EXPECT_EQ(html.find("REDACTED"), std::string::npos);
}

TEST(RenderHtml, EmptyMediaTablesAreSaid) {
  const std::string html = render_html({simple_ladder()}, "t");
  EXPECT_NE(html.find("No RTP/RTCP streams are stored for these calls"), std::string::npos);
  EXPECT_NE(html.find("No diagnostics stored for these calls."), std::string::npos);
  EXPECT_NE(html.find("No SDP in the messages of this call."), std::string::npos);
}

TEST(RenderHtml, RedactedLadderSaysSo) {
  Ladder l = simple_ladder();
  l.redacted = true;
  EXPECT_NE(render_html({l}, "t").find("<p class=\"redacted\">REDACTED:"), std::string::npos);
}

}  // namespace
}  // namespace sipscope::report
