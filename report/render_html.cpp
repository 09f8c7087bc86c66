// One self-contained HTML page: nothing is fetched (a Content-Security-Policy of
// default-src 'none' makes that a browser-enforced guarantee, not just a habit), so the
// file can be attached to a ticket and opened anywhere. Every wire value reaches the page
// through html_escape() only; raw messages are escaped text inside <pre> elements that the
// script copies with textContent, never parsed as markup.
#include <algorithm>
#include <cstdlib>
#include <random>
#include <sstream>

#include "report/format.hpp"
#include "report/html_parts.hpp"
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

namespace html {
namespace {

constexpr const char* kStyle = R"css(
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1.5em;color:#1b1f24;background:#fff;overflow-wrap:anywhere}
h1{font-size:1.4em;margin:0 0 .2em}h2{font-size:1.15em;margin:1.6em 0 .3em}
.meta{color:#57606a;margin:0 0 1em}
table.calls{border-collapse:collapse;font-size:13px;max-width:100%}
table.calls th,table.calls td{border:1px solid #d0d7de;padding:3px 8px;text-align:left;vertical-align:top}
table.calls th{background:#f6f8fa}td.num{text-align:right;font-variant-numeric:tabular-nums}
td.cid{font-family:ui-monospace,Menlo,Consolas,monospace;word-break:break-all;max-width:26em}
.st-answered{color:#1a7f37}.st-failed,.st-busy,.st-rejected{color:#cf222e}.st-cancelled,.st-no_answer{color:#9a6700}
.calldetail{margin:.2em 0;font-size:13px;color:#24292f}.calldetail b{font-weight:600}
.svgwrap{overflow-x:auto;border:1px solid #d0d7de;border-radius:6px;margin:.6em 0}
svg.ladder{display:block;font:12px ui-monospace,Menlo,Consolas,monospace;max-width:100%;height:auto}
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
details.raws{margin:.6em 0}
.redacted{border:2px solid #9a6700;background:#fff8c5;padding:.4em .8em;border-radius:6px;font-weight:600}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;font-size:13px;margin:.4em 0}
.facts dt{color:#57606a}.facts dd{margin:0}
.sdp{display:flex;gap:12px;flex-wrap:wrap}.sdp>div{flex:1 1 320px;min-width:0}
h4.sdpx{margin:.8em 0 .1em;font-size:13px}.sdp h4{margin:.3em 0;font-size:13px}.sdp pre{background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:.4em}
.empty{color:#57606a;font-style:italic}
ul.findings{margin:.3em 0;padding-left:1.4em;font-size:13px}ul.findings b{font-family:ui-monospace,Menlo,Consolas,monospace}
svg .band{fill:#1a7f37;fill-opacity:.10;stroke:#1a7f37;stroke-opacity:.5;stroke-dasharray:2 3}
svg .bandlbl{fill:#1a7f37;font-size:11px}svg .bandlink{stroke:#1a7f37;stroke-opacity:.6;stroke-dasharray:1 3}svg .mlane{stroke:#1a7f37;stroke-dasharray:4 4}
svg.chart{display:block;font:11px ui-monospace,Menlo,Consolas,monospace;background:#fff;border:1px solid #d0d7de;border-radius:6px;margin:.3em 0 .8em}
svg.chart .jit{fill:none;stroke:#0969da;stroke-width:1.5}svg.chart .los{fill:none;stroke:#cf222e;stroke-width:1.5}
.panel pre .sl{font-weight:700;color:#0550ae}.panel pre .hn{color:#8250df;font-weight:600}.panel pre .bd{color:#57606a}details.raws h4{font-size:12px;margin:.8em 0 0;word-break:break-all}
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
    var pre = section.querySelector('.panel pre');
    pre.textContent = entry.querySelector('pre').textContent;
    highlight(pre);
  }
  // Start line, header names and body in their own spans, built from text nodes only.
  function highlight(pre) {
    var lines = pre.textContent.split('\n');
    pre.textContent = '';
    var body = false;
    for (var i = 0; i < lines.length; i++) {
      var line = lines[i];
      if (i > 0) pre.appendChild(document.createTextNode('\n'));
      if (!body && i > 0 && (line === '' || line === '\r')) { body = true; pre.appendChild(document.createTextNode(line)); continue; }
      var span = document.createElement('span');
      if (i === 0) { span.className = 'sl'; span.textContent = line; pre.appendChild(span); continue; }
      if (body) { span.className = 'bd'; span.textContent = line; pre.appendChild(span); continue; }
      var c = line.indexOf(':');
      if (c > 0 && line.charAt(0) !== ' ' && line.charAt(0) !== '\t') {
        span.className = 'hn'; span.textContent = line.slice(0, c + 1);
        pre.appendChild(span);
        pre.appendChild(document.createTextNode(line.slice(c + 1)));
      } else {
        pre.appendChild(document.createTextNode(line));
      }
    }
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

constexpr const char* kSummaryHead =
    "<table class=\"calls\"><thead><tr><th>id</th><th>Call-ID</th><th>from</th><th>to</th>"
    "<th>state</th><th>final</th><th>start (UTC)</th><th>PDD</th><th>duration</th>"
    "<th>messages</th></tr></thead><tbody>\n";

void summary_row(std::string& out, const correlate::CallRecord& c) {
  const std::string id = std::to_string(c.id);
  append(out, "<tr><td class=\"num\"><a href=\"#call-", id, "\">", id, "</a></td>");
  out += "<td class=\"cid\">" + html_escape(c.sip_call_id) + "</td>";
  out += "<td>" + html_escape(party(c.from_user, c.from_uri)) + "</td>";
  out += "<td>" + html_escape(party(c.to_user, c.to_uri)) + "</td>";
  out += "<td class=\"" + state_class(correlate::call_state_name(c.state)) + "\">" +
         html_escape(correlate::call_state_name(c.state)) + "</td>";
  out += "<td>" + html_escape(code_text(c)) + "</td>";
  out += "<td>" + time_text(c.start_us) + "</td>";
  out += "<td class=\"num\">" + ms_text(c.pdd_ms) + "</td>";
  out += "<td class=\"num\">" + seconds_text(c.duration_ms) + "</td>";
  out += "<td class=\"num\">" + std::to_string(c.message_count) + "</td></tr>\n";
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
  const std::string_view state = correlate::call_state_name(c.state);
  out += " &middot; <span class=\"" + state_class(state) + "\">" + html_escape(state);
  if (c.final_code) out += " (" + html_escape(code_text(c)) + ")";
  out += "</span>";
  if (c.start_us) out += " &middot; start " + time_text(c.start_us);
  if (c.pdd_ms) out += " &middot; PDD " + ms_text(c.pdd_ms);
  if (c.duration_ms) out += " &middot; duration " + seconds_text(c.duration_ms);
  if (c.hangup_by) out += " &middot; hangup by " + html_escape(correlate::party_name(*c.hangup_by));
  out += " &middot; " + std::to_string(c.message_count) + " messages</div>\n";
}

}  // namespace

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
std::string state_class(std::string_view state) {
  std::string cls = "st-";
  for (char ch : state) cls += (ch >= 'a' && ch <= 'z') || ch == '_' ? ch : '_';
  return cls;
}

std::string num(int v) {
  return std::to_string(v);
}

}  // namespace html

HtmlPageWriter::HtmlPageWriter(std::ostream& out, std::string_view title, bool redacted)
    : out_(out), nonce_(html::make_nonce()) {
  std::string head;
  head += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  head +=
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
      "'nonce-" +
      nonce_ + "'; script-src 'nonce-" + nonce_ + "'; base-uri 'none'; form-action 'none'\">\n";
  head += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  head += "<meta name=\"generator\" content=\"sipscope\">\n";
  head += "<title>" + html_escape(title) + "</title>\n";
  head += "<style nonce=\"" + nonce_ + "\">" + html::kStyle + "</style>\n</head>\n<body>\n";
  head += "<h1>" + html_escape(title) + "</h1>\n";
  if (redacted) {
    head +=
        "<p class=\"redacted\">REDACTED: numbers, user names, display names, IP addresses, host "
        "names and Call-IDs are replaced by consistent pseudonyms; Authorization and "
        "Proxy-Authorization credentials are removed.</p>\n";
  }
  head +=
      "<p class=\"meta\">Generated by sipscope. Times are UTC; offsets are milliseconds from "
      "the first message of each diagram. Click an arrow to see its message.</p>\n";
  head += html::kSummaryHead;
  out_ << head;
}

void HtmlPageWriter::summary_row(const correlate::CallRecord& call) {
  std::string row;
  html::summary_row(row, call);
  out_ << row;
}

void HtmlPageWriter::end_summary() {
  if (summary_open_) out_ << "</tbody></table>\n";
  summary_open_ = false;
}

void HtmlPageWriter::section(const Ladder& l) {
  end_summary();
  const size_t k = sections_++;
  std::string out;
  size_t raw_bytes = 0;
  for (const auto& e : l.events) raw_bytes += e.raw.size() + 600;
  out.reserve(4096 + raw_bytes * 2);
  out += "<section class=\"ladder\" id=\"ladder-" + std::to_string(k) + "\">\n<h2>";
  if (l.calls.size() == 1) {
    out += "Call " + std::to_string(l.calls[0].id);
  } else {
    out += "Calls";
    for (const auto& c : l.calls) {
      out += ' ';
      out += std::to_string(c.id);
    }
  }
  out += "</h2>\n";
  for (const auto& c : l.calls) {
    html::call_detail(out, c);
    html::call_facts(out, l, c);
  }
  html::ladder_svg(out, l, k);
  out +=
      "<div class=\"panel\"><div class=\"panel-head\">Click an arrow to see its message.</div>"
      "<pre></pre></div>\n";
  html::raw_messages(out, l, k);
  for (const auto& c : l.calls) html::sdp_pairs(out, l, c);
  html::streams_table(out, l);
  html::findings_list(out, "Diagnostics", l.diagnostics, "No diagnostics stored for these calls.");
  html::findings_list(out, "Anomalies", l.anomalies,
                      "No input anomalies recorded for these calls.");
  html::dtmf_and_links(out, l);
  out += "</section>\n";
  out_ << out;
}

void HtmlPageWriter::finish() {
  end_summary();
  out_ << "<script nonce=\"" << nonce_ << "\">" << html::kScript << "</script>\n</body>\n</html>\n";
}

std::string render_html(const std::vector<Ladder>& ladders, std::string_view title) {
  bool redacted = false;
  for (const auto& l : ladders) redacted = redacted || l.redacted;
  std::ostringstream out;
  HtmlPageWriter page(out, title, redacted);
  for (const auto& l : ladders) {
    for (const auto& c : l.calls) page.summary_row(c);
  }
  for (const auto& l : ladders) page.section(l);
  page.finish();
  return out.str();
}

}  // namespace sipscope::report
