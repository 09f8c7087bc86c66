// One self-contained HTML page: nothing is fetched (a Content-Security-Policy of
// default-src 'none' makes that a browser-enforced guarantee, not just a habit), so the
// file can be attached to a ticket and opened anywhere. Every wire value reaches the page
// through html_escape() only; raw messages are escaped text inside <pre> elements that the
// script copies with textContent, never parsed as markup.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "report/format.hpp"
#include "report/ladder.hpp"

namespace sipscope::report {

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '\t':
      case '\n':
      case '\r':
        out += ch;
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          // Unicode control pictures (U+2400 + c, U+2421 for DEL) keep NUL & co. visible
          // instead of producing character references that HTML forbids.
          static constexpr char kHex[] = "0123456789ABCDEF";
          const unsigned pic = c == 0x7F ? 0x21 : c;
          out += "&#x24";
          out += kHex[pic >> 4];
          out += kHex[pic & 0xF];
          out += ';';
        } else {
          out += ch;
        }
    }
  }
  return out;
}

namespace {

constexpr int kLeft = 120;  // offset column
constexpr int kMinLaneW = 220;
constexpr int kCharW = 8;  // upper bound of one 12px monospace character, in px
constexpr int kTop = 64;   // first arrow
constexpr int kRowH = 30;
constexpr int kColors = 6;  // arrow colour classes c0..c5, one per call of a ladder

constexpr const char* kStyle = R"css(
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1.5em;color:#1b1f24;background:#fff}
h1{font-size:1.4em;margin:0 0 .2em}h2{font-size:1.15em;margin:1.6em 0 .3em}
.meta{color:#57606a;margin:0 0 1em}
table.calls{border-collapse:collapse;font-size:13px}
table.calls th,table.calls td{border:1px solid #d0d7de;padding:3px 8px;text-align:left;vertical-align:top}
table.calls th{background:#f6f8fa}td.num{text-align:right;font-variant-numeric:tabular-nums}
td.cid{font-family:ui-monospace,Menlo,Consolas,monospace;word-break:break-all;max-width:26em}
.st-answered{color:#1a7f37}.st-failed,.st-busy,.st-rejected{color:#cf222e}.st-cancelled,.st-no_answer{color:#9a6700}
.calldetail{margin:.2em 0;font-size:13px;color:#24292f}.calldetail b{font-weight:600}
.svgwrap{overflow-x:auto;border:1px solid #d0d7de;border-radius:6px;margin:.6em 0}
svg.ladder{display:block;font:12px ui-monospace,Menlo,Consolas,monospace}
svg .lane{stroke:#8c959f;stroke-width:1}svg .addr{font-weight:600;fill:#24292f}
svg .off{fill:#57606a;font-size:11px}svg .lbl{fill:#1b1f24}
svg .arrow{stroke-width:1.6;fill:none}svg .retx .arrow{stroke-dasharray:6 4}
svg .retx .lbl{fill:#6e7781;font-style:italic}
svg .hit{fill:transparent}svg .ev{cursor:pointer}svg .ev:hover .hit,svg .ev:focus .hit{fill:#eaeef2}
svg .ev.sel .hit{fill:#ddf4ff}svg .ev:focus{outline:none}
svg .c0{stroke:#0969da}svg .c1{stroke:#8250df}svg .c2{stroke:#bf3989}svg .c3{stroke:#1a7f37}svg .c4{stroke:#9a6700}svg .c5{stroke:#cf222e}
svg .m0{fill:#0969da}svg .m1{fill:#8250df}svg .m2{fill:#bf3989}svg .m3{fill:#1a7f37}svg .m4{fill:#9a6700}svg .m5{fill:#cf222e}
.panel{border:1px solid #d0d7de;border-radius:6px;background:#f6f8fa;padding:.5em .8em}
.panel-head{font-weight:600;font-size:13px;word-break:break-all}
pre{font:12px/1.35 ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap;word-break:break-all;margin:.4em 0}
details.raws{margin:.6em 0}details.raws h4{font-size:12px;margin:.8em 0 0;word-break:break-all}
)css";

constexpr const char* kScript = R"js(
(function () {
  'use strict';
  function show(g) {
    var section = g.closest('section');
    var entry = document.getElementById(g.getAttribute('data-raw'));
    if (!section || !entry) return;
    var prev = section.querySelector('.ev.sel');
    if (prev) prev.classList.remove('sel');
    g.classList.add('sel');
    // textContent only: the message is text, never markup.
    section.querySelector('.panel-head').textContent = entry.querySelector('h4').textContent;
    section.querySelector('.panel pre').textContent = entry.querySelector('pre').textContent;
  }
  document.addEventListener('click', function (e) {
    var g = e.target.closest ? e.target.closest('g.ev') : null;
    if (g) show(g);
  });
  document.addEventListener('keydown', function (e) {
    if (e.key !== 'Enter' && e.key !== ' ') return;
    var g = e.target.closest ? e.target.closest('g.ev') : null;
    if (g) { e.preventDefault(); show(g); }
  });
})();
)js";

std::string make_nonce() {
  // Only the page's own <style>/<script> carry it, so markup that escaped escaping (it
  // should not) could still not run script.
  std::random_device rd;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string nonce;
  for (int i = 0; i < 4; ++i) {
    uint32_t v = rd();
    for (int k = 0; k < 8; ++k, v >>= 4) nonce += kHex[v & 0xF];
  }
  return nonce;
}

std::string opt_text(const std::optional<std::string>& v) {
  return v ? *v : std::string();
}

std::string party(const std::optional<std::string>& user, const std::optional<std::string>& uri) {
  if (user && !user->empty()) return *user;
  return opt_text(uri);
}

std::string ms_text(const std::optional<double>& ms) {
  return ms ? format::fixed(*ms, 0) + " ms" : std::string();
}

std::string seconds_text(const std::optional<double>& ms) {
  return ms ? format::fixed(*ms / 1000.0, 3) + " s" : std::string();
}

std::string time_text(const std::optional<int64_t>& us) {
  return us ? format::iso_utc_ms(*us) : std::string();
}

std::string code_text(const correlate::CallRecord& c) {
  if (!c.final_code) return {};
  std::string s = std::to_string(*c.final_code);
  if (c.final_reason && !c.final_reason->empty()) s += ' ' + *c.final_reason;
  return s;
}

// State names are our own vocabulary, but they come from the file: only [a-z_] may form
// a class name.
std::string state_class(const std::string& state) {
  std::string cls = "st-";
  for (char ch : state) cls += (ch >= 'a' && ch <= 'z') || ch == '_' ? ch : '_';
  return cls;
}

void summary_table(std::string& out, const std::vector<Ladder>& ladders) {
  out +=
      "<table class=\"calls\"><thead><tr><th>id</th><th>Call-ID</th><th>from</th><th>to</th>"
      "<th>state</th><th>final</th><th>start (UTC)</th><th>PDD</th><th>duration</th>"
      "<th>messages</th></tr></thead><tbody>\n";
  for (const auto& l : ladders) {
    for (const auto& c : l.calls) {
      const std::string id = std::to_string(c.id);
      out += "<tr><td class=\"num\"><a href=\"#call-" + id + "\">" + id + "</a></td>";
      out += "<td class=\"cid\">" + html_escape(c.sip_call_id) + "</td>";
      out += "<td>" + html_escape(party(c.from_user, c.from_uri)) + "</td>";
      out += "<td>" + html_escape(party(c.to_user, c.to_uri)) + "</td>";
      out += "<td class=\"" + state_class(c.state) + "\">" + html_escape(c.state) + "</td>";
      out += "<td>" + html_escape(code_text(c)) + "</td>";
      out += "<td>" + time_text(c.start_us) + "</td>";
      out += "<td class=\"num\">" + ms_text(c.pdd_ms) + "</td>";
      out += "<td class=\"num\">" + seconds_text(c.duration_ms) + "</td>";
      out += "<td class=\"num\">" + std::to_string(c.message_count) + "</td></tr>\n";
    }
  }
  out += "</tbody></table>\n";
}

void call_detail(std::string& out, const correlate::CallRecord& c) {
  const std::string id = std::to_string(c.id);
  out +=
      "<div class=\"calldetail\" id=\"call-" + id + "\"><b>Call " + id + "</b> &middot; Call-ID ";
  out += html_escape(c.sip_call_id);
  out += " &middot; " +
         html_escape(opt_text(c.from_uri).empty() ? party(c.from_user, c.from_uri) : *c.from_uri);
  out +=
      " &rarr; " + html_escape(opt_text(c.to_uri).empty() ? party(c.to_user, c.to_uri) : *c.to_uri);
  out += " &middot; <span class=\"" + state_class(c.state) + "\">" + html_escape(c.state);
  if (c.final_code) out += " (" + html_escape(code_text(c)) + ")";
  out += "</span>";
  if (c.start_us) out += " &middot; start " + time_text(c.start_us);
  if (c.pdd_ms) out += " &middot; PDD " + ms_text(c.pdd_ms);
  if (c.duration_ms) out += " &middot; duration " + seconds_text(c.duration_ms);
  if (c.hangup_by) out += " &middot; hangup by " + html_escape(*c.hangup_by);
  out += " &middot; " + std::to_string(c.message_count) + " messages</div>\n";
}

std::string num(int v) {
  return std::to_string(v);
}

// Ladders come from build_ladder(), but a hand-made one must not index out of range.
std::string address_of(const Ladder& l, int index) {
  if (index < 0 || static_cast<size_t>(index) >= l.participants.size()) return "?";
  return l.participants[static_cast<size_t>(index)].address;
}

std::string event_head(const Ladder& l, const LadderEvent& e) {
  std::string head = "frame " + std::to_string(e.frame);
  if (e.capture_id != 0) head += " (capture " + std::to_string(e.capture_id) + ")";
  head += " · " + format::iso_utc_ms(e.ts_us) + " · ";
  head +=
      address_of(l, e.from) + " → " + address_of(l, e.to) + " · " + e.transport + " · " + e.label;
  if (e.retransmission) head += " (retransmission)";
  return head;
}

void ladder_svg(std::string& out, const Ladder& l, size_t k) {
  const std::string key = std::to_string(k);
  const int lanes = std::max<int>(1, static_cast<int>(l.participants.size()));
  // Lanes widen so that the longest address or label (IPv6, long reason phrases) fits.
  size_t longest = 0;
  for (const auto& p : l.participants) longest = std::max(longest, format::columns(p.address));
  for (const auto& e : l.events) longest = std::max(longest, format::columns(e.label));
  const int lane_w =
      std::max(kMinLaneW, static_cast<int>(std::min<size_t>(longest, 200)) * kCharW + 24);
  const int width = kLeft + lanes * lane_w;
  const int height = kTop + static_cast<int>(l.events.size()) * kRowH + 10;
  auto lane_x = [lane_w](int i) { return kLeft + i * lane_w + lane_w / 2; };

  out += "<div class=\"svgwrap\"><svg class=\"ladder\" width=\"" + num(width) + "\" height=\"" +
         num(height) + "\" viewBox=\"0 0 " + num(width) + " " + num(height) +
         "\" role=\"img\" aria-label=\"call flow\">\n<defs>";
  for (int c = 0; c < kColors; ++c) {
    out += "<marker id=\"ah-" + key + "-" + num(c) +
           "\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" "
           "orient=\"auto\"><path class=\"m" +
           num(c) + "\" d=\"M0,0L10,5L0,10z\"/></marker>";
  }
  out += "</defs>\n<text class=\"off\" x=\"8\" y=\"24\">offset ms</text>\n";
  for (const auto& p : l.participants) {
    const int x = lane_x(p.index);
    out += "<text class=\"addr\" x=\"" + num(x) + "\" y=\"24\" text-anchor=\"middle\">" +
           html_escape(p.address) + "</text><line class=\"lane\" x1=\"" + num(x) +
           "\" y1=\"34\" x2=\"" + num(x) + "\" y2=\"" + num(height - 4) + "\"/>\n";
  }
  // Colour by call within the ladder, so the legs of one call stay distinguishable.
  std::vector<int64_t> call_order;
  for (const auto& c : l.calls) call_order.push_back(c.id);
  for (size_t i = 0; i < l.events.size(); ++i) {
    const LadderEvent& e = l.events[i];
    const int y = kTop + static_cast<int>(i) * kRowH;
    const auto pos =
        std::find(call_order.begin(), call_order.end(), e.call_id) - call_order.begin();
    const std::string color = num(static_cast<int>(pos % kColors));
    const int x1 = lane_x(std::clamp(e.from, 0, lanes - 1));
    const int x2 = lane_x(std::clamp(e.to, 0, lanes - 1));
    out += "<g class=\"ev";
    if (e.retransmission) out += " retx";
    out += "\" data-raw=\"raw-" + key + "-" + std::to_string(i) +
           "\" tabindex=\"0\" role=\"button\"><title>" + html_escape(event_head(l, e)) + "</title>";
    const int lo = std::min(x1, x2) - (x1 == x2 ? 0 : 4);
    const int w = x1 == x2 ? lane_w / 2 + 40 : std::abs(x2 - x1) + 8;
    out += "<rect class=\"hit\" x=\"" + num(lo) + "\" y=\"" + num(y - 20) + "\" width=\"" + num(w) +
           "\" height=\"" + num(kRowH - 2) + "\"/>";
    char off[48];
    std::snprintf(off, sizeof off, "+%.3f", static_cast<double>(e.offset_us) / 1000.0);
    out += "<text class=\"off\" x=\"8\" y=\"" + num(y + 4) + "\">" + off + "</text>";
    const std::string marker = "url(#ah-" + key + "-" + color + ")";
    if (x1 == x2) {
      // A message to the same endpoint: a small loop to the right of the lane.
      out += "<path class=\"arrow c" + color + "\" d=\"M" + num(x1) + "," + num(y - 6) +
             "h30v12h-30\" marker-end=\"" + marker + "\"/><text class=\"lbl\" x=\"" + num(x1 + 36) +
             "\" y=\"" + num(y + 4) + "\">" + html_escape(e.label) + "</text>";
    } else {
      out += "<line class=\"arrow c" + color + "\" x1=\"" + num(x1) + "\" y1=\"" + num(y) +
             "\" x2=\"" + num(x2) + "\" y2=\"" + num(y) + "\" marker-end=\"" + marker +
             "\"/><text class=\"lbl\" x=\"" + num((x1 + x2) / 2) + "\" y=\"" + num(y - 6) +
             "\" text-anchor=\"middle\">" + html_escape(e.label) + "</text>";
    }
    out += "</g>\n";
  }
  out += "</svg></div>\n";
}

void raw_messages(std::string& out, const Ladder& l, size_t k) {
  // Collapsed but present without script (printing, script-stripping viewers); the script
  // reads these same elements.
  out += "<details class=\"raws\"><summary>All " + std::to_string(l.events.size()) +
         " messages</summary>\n";
  for (size_t i = 0; i < l.events.size(); ++i) {
    const LadderEvent& e = l.events[i];
    out += "<div class=\"msg\" id=\"raw-" + std::to_string(k) + "-" + std::to_string(i) +
           "\"><h4>" + html_escape(event_head(l, e)) + "</h4><pre>" + html_escape(e.raw) +
           "</pre></div>\n";
  }
  out += "</details>\n";
}

}  // namespace

std::string render_html(const std::vector<Ladder>& ladders, std::string_view title) {
  const std::string nonce = make_nonce();
  std::string out;
  size_t raw_bytes = 0;
  for (const auto& l : ladders) {
    for (const auto& e : l.events) raw_bytes += e.raw.size() + 600;
  }
  out.reserve(16384 + raw_bytes * 2);
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out +=
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
      "'nonce-" +
      nonce + "'; script-src 'nonce-" + nonce + "'; base-uri 'none'; form-action 'none'\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<meta name=\"generator\" content=\"sipscope\">\n";
  out += "<title>" + html_escape(title) + "</title>\n";
  out += "<style nonce=\"" + nonce + "\">" + kStyle + "</style>\n</head>\n<body>\n";
  out += "<h1>" + html_escape(title) + "</h1>\n";
  out +=
      "<p class=\"meta\">Generated by sipscope. Times are UTC; offsets are milliseconds from "
      "the first message of each diagram. Click an arrow to see its message.</p>\n";
  summary_table(out, ladders);
  for (size_t k = 0; k < ladders.size(); ++k) {
    const Ladder& l = ladders[k];
    out += "<section class=\"ladder\" id=\"ladder-" + std::to_string(k) + "\">\n<h2>";
    if (l.calls.size() == 1) {
      out += "Call " + std::to_string(l.calls[0].id);
    } else {
      out += "Calls";
      for (const auto& c : l.calls) out += " " + std::to_string(c.id);
    }
    out += "</h2>\n";
    for (const auto& c : l.calls) call_detail(out, c);
    ladder_svg(out, l, k);
    out +=
        "<div class=\"panel\"><div class=\"panel-head\">Click an arrow to see its message.</div>"
        "<pre></pre></div>\n";
    raw_messages(out, l, k);
    out += "</section>\n";
  }
  out += "<script nonce=\"" + nonce + "\">" + kScript + "</script>\n</body>\n</html>\n";
  return out;
}

}  // namespace sipscope::report
