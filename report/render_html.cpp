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
details.raws{margin:.6em 0}
.redacted{border:2px solid #9a6700;background:#fff8c5;padding:.4em .8em;border-radius:6px;font-weight:600}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;font-size:13px;margin:.4em 0}
.facts dt{color:#57606a}.facts dd{margin:0}
.sdp{display:flex;gap:12px;flex-wrap:wrap}.sdp>div{flex:1 1 320px;min-width:0}
.sdp h4{margin:.3em 0;font-size:13px}.sdp pre{background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:.4em}
.empty{color:#57606a;font-style:italic}
ul.findings{margin:.3em 0;padding-left:1.4em;font-size:13px}ul.findings b{font-family:ui-monospace,Menlo,Consolas,monospace}
svg .band{fill:#1a7f37;fill-opacity:.10;stroke:#1a7f37;stroke-opacity:.5;stroke-dasharray:2 3}
svg .bandlbl{fill:#1a7f37;font-size:11px}svg .mlane{stroke:#1a7f37;stroke-dasharray:4 4}
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
      out += "<td class=\"" + state_class(correlate::call_state_name(c.state)) + "\">" +
             html_escape(correlate::call_state_name(c.state)) + "</td>";
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

// IP part of a ladder address "ip:port" / "[v6]:port".
std::string ip_of(const std::string& address) {
  if (!address.empty() && address.front() == '[') {
    const auto close = address.find(']');
    return close == std::string::npos ? address : address.substr(1, close - 1);
  }
  const auto colon = address.rfind(':');
  return colon == std::string::npos ? address : address.substr(0, colon);
}

struct Band {
  int lane_a = 0, lane_b = 0;
  int y1 = 0, y2 = 0;
  std::string label;
};

std::string stream_summary(const StreamRow& s) {
  std::string t =
      "RTP " + (s.codec ? *s.codec
                        : std::string("PT ") + (s.payload_type ? std::to_string(*s.payload_type)
                                                               : std::string("?")));
  char ssrc[16];
  std::snprintf(ssrc, sizeof ssrc, "0x%08X", s.ssrc);
  t += std::string(" ssrc ") + ssrc + " " + std::to_string(s.packets) + " pkts";
  if (s.lost && s.expected && *s.expected > 0) {
    t += " loss " +
         format::fixed(100.0 * static_cast<double>(*s.lost) / static_cast<double>(*s.expected), 1) +
         "%";
  }
  if (s.jitter_max_ms) t += " jitter max " + format::fixed(*s.jitter_max_ms, 1) + " ms";
  if (s.mos) t += " MOS " + format::fixed(*s.mos, 2);
  return t;
}

void ladder_svg(std::string& out, const Ladder& l, size_t k) {
  const std::string key = std::to_string(k);
  // Media endpoints whose IP has no signalling lane get a lane of their own, so every
  // RTP band runs between the two nodes that exchanged it.
  std::vector<std::string> media_lanes;
  auto lane_for_ip = [&](const std::string& ip) {
    for (const auto& p : l.participants) {
      if (ip_of(p.address) == ip) return p.index;
    }
    for (size_t i = 0; i < media_lanes.size(); ++i) {
      if (media_lanes[i] == ip) return static_cast<int>(l.participants.size() + i);
    }
    media_lanes.push_back(ip);
    return static_cast<int>(l.participants.size() + media_lanes.size() - 1);
  };
  std::vector<Band> bands;
  for (const auto& st : l.streams) {
    if (!st.first_us || !st.last_us) continue;
    Band b;
    b.lane_a = lane_for_ip(st.src_ip);
    b.lane_b = lane_for_ip(st.dst_ip);
    size_t first = l.events.size();
    size_t last = 0;
    bool any = false;
    for (size_t i = 0; i < l.events.size(); ++i) {
      if (l.events[i].ts_us >= *st.first_us && first == l.events.size()) first = i;
      if (l.events[i].ts_us <= *st.last_us) last = i, any = true;
    }
    b.y1 = kTop + static_cast<int>(first) * kRowH - kRowH / 2;
    b.y2 = any ? kTop + static_cast<int>(last) * kRowH + kRowH / 2 : b.y1 + kRowH;
    if (b.y2 <= b.y1) b.y2 = b.y1 + kRowH / 2;
    b.label = stream_summary(st);
    bands.push_back(std::move(b));
  }
  const int lanes = std::max<int>(1, static_cast<int>(l.participants.size() + media_lanes.size()));
  // Lanes widen so that the longest address or label (IPv6, long reason phrases) fits.
  size_t longest = 0;
  for (const auto& p : l.participants) longest = std::max(longest, format::columns(p.address));
  for (const auto& e : l.events) longest = std::max(longest, format::columns(e.label));
  const int lane_w =
      std::max(kMinLaneW, static_cast<int>(std::min<size_t>(longest, 200)) * kCharW + 24);
  const int width = kLeft + lanes * lane_w;
  const int height =
      kTop + static_cast<int>(l.events.size() + (bands.empty() ? 0 : 1)) * kRowH + 10;
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
    // A merged node (report/nodes.hpp) lists all its endpoints in the tooltip.
    std::string all;
    if (p.addresses.size() > 1) {
      all = "<title>";
      for (size_t i = 0; i < p.addresses.size(); ++i) {
        if (i != 0) all += ' ';
        all += html_escape(p.addresses[i]);
      }
      all += "</title>";
    }
    out += "<text class=\"addr\" x=\"" + num(x) + "\" y=\"24\" text-anchor=\"middle\">" +
           html_escape(p.address) +
           (p.addresses.size() > 1 ? " (+" + num(static_cast<int>(p.addresses.size() - 1)) + ")"
                                   : "") +
           all + "</text><line class=\"lane\" x1=\"" + num(x) + "\" y1=\"34\" x2=\"" + num(x) +
           "\" y2=\"" + num(height - 4) + "\"/>\n";
  }
  for (size_t i = 0; i < media_lanes.size(); ++i) {
    const int x = lane_x(static_cast<int>(l.participants.size() + i));
    out += "<text class=\"addr\" x=\"" + num(x) + "\" y=\"24\" text-anchor=\"middle\">" +
           html_escape(media_lanes[i]) + " (media)</text><line class=\"mlane\" x1=\"" + num(x) +
           "\" y1=\"34\" x2=\"" + num(x) + "\" y2=\"" + num(height - 4) + "\"/>\n";
  }
  for (size_t i = 0; i < bands.size(); ++i) {
    const Band& b = bands[i];
    const int xa = lane_x(std::min(b.lane_a, b.lane_b));
    const int xb = lane_x(std::max(b.lane_a, b.lane_b));
    // Bands of one call overlap in time: each is inset a little so all stay visible.
    const int inset = static_cast<int>(i % 4) * 6;
    out += "<g class=\"stream\"><rect class=\"band\" x=\"" + num(xa + inset) + "\" y=\"" +
           num(b.y1) + "\" width=\"" + num(std::max(6, xb - xa - 2 * inset)) + "\" height=\"" +
           num(b.y2 - b.y1) + "\"/><text class=\"bandlbl\" x=\"" + num(xa + inset + 4) + "\" y=\"" +
           num(b.y2 - 4 - static_cast<int>(i % 4) * 12) + "\">" + html_escape(b.label) +
           "</text></g>\n";
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

// The SDP body of a message, "" when it has none (Content-Type is not checked: a body
// that starts with the RFC 4566 version line is SDP).
std::string_view sdp_body(const std::string& raw) {
  size_t sep = raw.find("\r\n\r\n");
  size_t skip = 4;
  if (sep == std::string::npos) {
    sep = raw.find("\n\n");
    skip = 2;
  }
  if (sep == std::string::npos) return {};
  std::string_view body(raw);
  body.remove_prefix(sep + skip);
  return body.substr(0, 2) == "v=" ? body : std::string_view();
}

std::optional<double> call_loss_pct(const Ladder& l, int64_t call_id) {
  int64_t lost = 0;
  int64_t expected = 0;
  for (const auto& s : l.streams) {
    if (s.call_id != call_id || !s.lost || !s.expected) continue;
    lost += *s.lost;
    expected += *s.expected;
  }
  if (expected <= 0) return std::nullopt;
  return 100.0 * static_cast<double>(lost) / static_cast<double>(expected);
}

std::optional<double> call_min_mos(const Ladder& l, int64_t call_id) {
  std::optional<double> m;
  for (const auto& s : l.streams) {
    if (s.call_id == call_id && s.mos) m = m ? std::min(*m, *s.mos) : *s.mos;
  }
  return m;
}

void fact(std::string& out, const char* name, const std::string& escaped_value) {
  if (escaped_value.empty()) return;
  out += "<dt>" + std::string(name) + "</dt><dd>" + escaped_value + "</dd>";
}

// Who, when, outcome, timings, quality and findings of one call.
void call_facts(std::string& out, const Ladder& l, const correlate::CallRecord& c) {
  out += "<dl class=\"facts\">";
  fact(out, "caller",
       html_escape(opt_text(c.from_uri).empty() ? party(c.from_user, c.from_uri) : *c.from_uri));
  fact(out, "callee",
       html_escape(opt_text(c.to_uri).empty() ? party(c.to_user, c.to_uri) : *c.to_uri));
  fact(out, "caller IP", html_escape(opt_text(c.caller_ip)));
  fact(out, "callee IP", html_escape(opt_text(c.callee_ip)));
  std::string outcome = html_escape(correlate::call_state_name(c.state));
  if (c.final_code) outcome += " (" + html_escape(code_text(c)) + ")";
  if (c.hangup_by) outcome += ", hung up by " + html_escape(correlate::party_name(*c.hangup_by));
  fact(out, "outcome", outcome);
  fact(out, "start", time_text(c.start_us));
  fact(out, "ringing", time_text(c.ring_us));
  fact(out, "answered", time_text(c.answer_us));
  fact(out, "ended", time_text(c.end_us));
  fact(out, "post-dial delay", ms_text(c.pdd_ms));
  fact(out, "duration", seconds_text(c.duration_ms));
  const auto mos = call_min_mos(l, c.id);
  const auto loss = call_loss_pct(l, c.id);
  std::string quality;
  if (mos) quality += "MOS " + format::fixed(*mos, 2) + " (lowest stream)";
  if (loss)
    quality +=
        std::string(quality.empty() ? "" : ", ") + "RTP loss " + format::fixed(*loss, 2) + " %";
  fact(out, "quality", quality.empty() ? "no RTP quality data stored" : quality);
  size_t diags = 0;
  for (const auto& d : l.diagnostics) diags += d.call_id == c.id ? 1 : 0;
  fact(out, "diagnostics", diags == 0 ? "none" : std::to_string(diags) + " (see below)");
  out += "</dl>\n";
}

void sdp_pairs(std::string& out, const Ladder& l, const correlate::CallRecord& c) {
  const LadderEvent* offer = nullptr;
  const LadderEvent* answer = nullptr;
  for (const auto& e : l.events) {
    if (e.call_id != c.id || e.retransmission || sdp_body(e.raw).empty()) continue;
    if (offer == nullptr) {
      offer = &e;
    } else if (e.from != offer->from) {
      answer = &e;
      break;
    }
  }
  out += "<h3>SDP offer and answer</h3>\n";
  if (offer == nullptr) {
    out += "<p class=\"empty\">No SDP in the messages of this call.</p>\n";
    return;
  }
  out += "<div class=\"sdp\">";
  for (const auto* e : {offer, answer}) {
    out += "<div><h4>";
    out += e == offer ? "Offer" : "Answer";
    if (e != nullptr) {
      out += " &middot; " + html_escape(e->label) + " from " + html_escape(address_of(l, e->from));
      out += "</h4><pre>" + html_escape(sdp_body(e->raw)) + "</pre>";
    } else {
      out += "</h4><p class=\"empty\">No answer seen.</p>";
    }
    out += "</div>";
  }
  out += "</div>\n";
}

std::string opt_num(const std::optional<int64_t>& v) {
  return v ? std::to_string(*v) : std::string();
}

std::string opt_ms(const std::optional<double>& v) {
  return v ? format::fixed(*v, 2) : std::string();
}

// One point of a per-stream chart: time since the chart's start, jitter (ms), loss (%).
struct ChartPoint {
  double t_us = 0;
  std::optional<double> jitter_ms, loss_pct;
};

// A chart of one stream's jitter (blue) and loss (red) over span_us; `what` follows the
// stream's addresses in its heading. The axes scale to the largest value (at least 1 ms /
// 1 %); the legend gives the largest values themselves.
void jitter_loss_chart(std::string& out, const StreamRow& st, const std::string& what,
                       const char* svg_class, const std::vector<ChartPoint>& pts, double span_us) {
  constexpr int kW = 420;
  constexpr int kH = 120;
  constexpr int kPad = 36;
  double jmax = 0;
  double lmax = 0;
  for (const auto& p : pts) {
    if (p.jitter_ms) jmax = std::max(jmax, *p.jitter_ms);
    if (p.loss_pct) lmax = std::max(lmax, *p.loss_pct);
  }
  auto line = [&](bool jitter) {
    std::string attr;
    for (const auto& p : pts) {
      const auto v = jitter ? p.jitter_ms : p.loss_pct;
      if (!v) continue;
      const double x = kPad + p.t_us / std::max(1.0, span_us) * (kW - 2 * kPad);
      const double y = kH - 20 - *v / std::max(1.0, jitter ? jmax : lmax) * (kH - 40);
      attr += format::fixed(x, 1) + "," + format::fixed(y, 1) + " ";
    }
    return attr;
  };
  char ssrc[16];
  std::snprintf(ssrc, sizeof ssrc, "0x%08X", st.ssrc);
  out += "<div class=\"chart\"><div class=\"panel-head\">" + html_escape(st.src_ip) + ":" +
         std::to_string(st.src_port) + " &rarr; " + html_escape(st.dst_ip) + ":" +
         std::to_string(st.dst_port) + " ssrc " + ssrc + " (" + html_escape(what) +
         ")</div><svg class=\"" + svg_class + "\" width=\"" + num(kW) + "\" height=\"" + num(kH) +
         "\" role=\"img\" aria-label=\"jitter and loss\"><line class=\"lane\" x1=\"" + num(kPad) +
         "\" y1=\"" + num(kH - 20) + "\" x2=\"" + num(kW - kPad) + "\" y2=\"" + num(kH - 20) +
         "\"/><polyline class=\"jit\" points=\"" + line(true) +
         "\"/><polyline class=\"los\" points=\"" + line(false) +
         "\"/><text class=\"off\" x=\"4\" y=\"14\">jitter max " + format::fixed(jmax, 1) +
         " ms (blue) &middot; loss max " + format::fixed(lmax, 1) +
         " % (red)</text><text class=\"off\" x=\"" + num(kPad) + "\" y=\"" + num(kH - 6) +
         "\">0 s</text><text class=\"off\" x=\"" + num(kW - kPad - 30) + "\" y=\"" + num(kH - 6) +
         "\">" + format::fixed(span_us / 1e6, 1) + " s</text></svg></div>\n";
}

// Per-stream charts over time from the RTCP report blocks about the stream's SSRC
// (rtcp_reports): interarrival jitter (ms) and fraction lost (%) as the receiver saw them.
void stream_charts(std::string& out, const Ladder& l) {
  out += "<h3>Jitter and loss over time (RTCP)</h3>\n";
  bool any = false;
  for (const auto& st : l.streams) {
    std::vector<ChartPoint> pts;
    int64_t t0 = 0;
    for (const auto& p : l.rtcp) {
      if (p.source_ssrc != st.ssrc) continue;
      if (pts.empty()) t0 = p.ts_us;
      ChartPoint c;
      c.t_us = static_cast<double>(p.ts_us - t0);
      c.jitter_ms = p.jitter_ms;
      if (p.fraction_lost) c.loss_pct = *p.fraction_lost * 100.0;
      pts.push_back(c);
    }
    if (pts.empty()) continue;
    any = true;
    const double span = pts.back().t_us;
    jitter_loss_chart(out, st,
                      std::to_string(pts.size()) + " reports over " +
                          format::fixed(std::max(1.0, span) / 1e6, 1) + " s",
                      "chart", pts, span);
  }
  if (!any) {
    out += "<p class=\"empty\">No RTCP report blocks about these streams: no charts.</p>\n";
  }
}

// Per-stream charts of the RTP time series (stream_samples, docs/media.md "Time series"):
// the jitter estimate at the end of each interval and the interval's loss (lost /
// expected), one point per interval at its middle.
void series_charts(std::string& out, const Ladder& l) {
  out += "<h3>Jitter and loss over time (RTP, per interval)</h3>\n";
  bool any = false;
  for (const auto& st : l.streams) {
    if (st.samples.empty()) continue;
    any = true;
    const int64_t t0 = st.samples.front().start_us;
    std::vector<ChartPoint> pts;
    for (const auto& p : st.samples) {
      ChartPoint c;
      c.t_us = static_cast<double>(p.start_us - t0) + static_cast<double>(p.interval_ms) * 500.0;
      c.jitter_ms = p.jitter_ms;
      if (p.expected > 0) {
        c.loss_pct = 100.0 * static_cast<double>(std::max<int64_t>(0, p.lost)) /
                     static_cast<double>(p.expected);
      }
      pts.push_back(c);
    }
    const auto& last = st.samples.back();
    const double span = static_cast<double>(last.start_us + last.interval_ms * 1000 - t0);
    jitter_loss_chart(out, st,
                      std::to_string(st.samples.size()) + " intervals of " +
                          std::to_string(st.samples.front().interval_ms) + " ms",
                      "chart series", pts, span);
  }
  if (!any) out += "<p class=\"empty\">No RTP time series stored for these streams.</p>\n";
}

void streams_table(std::string& out, const Ladder& l) {
  out += "<h3>RTP streams</h3>\n";
  if (l.streams.empty()) {
    out +=
        "<p class=\"empty\">No RTP/RTCP streams are stored for these calls (no media in the "
        "capture, or media analysis not run).</p>\n";
    return;
  }
  out +=
      "<table class=\"calls streams\"><thead><tr><th>call</th><th>source</th><th>destination</th>"
      "<th>SSRC</th><th>codec</th><th>start (UTC)</th><th>duration</th><th>packets</th>"
      "<th>expected</th><th>lost</th><th>loss %</th><th>dup</th><th>out of order</th>"
      "<th>jitter mean ms</th><th>jitter max ms</th><th>max delta ms</th><th>MOS</th>"
      "<th title=\"last RTCP report block from the receiver\">RTCP loss %</th>"
      "<th>RTCP cum. lost</th><th>RTCP jitter ms</th><th>RTCP RTT ms</th></tr>"
      "</thead><tbody>\n";
  for (const auto& st : l.streams) {
    char ssrc[16];
    std::snprintf(ssrc, sizeof ssrc, "0x%08X", st.ssrc);
    std::string codec = st.codec ? html_escape(*st.codec) : std::string();
    if (st.payload_type) codec += " (PT " + std::to_string(*st.payload_type) + ")";
    std::string dur;
    if (st.first_us && st.last_us) {
      dur = format::fixed(static_cast<double>(*st.last_us - *st.first_us) / 1e6, 3) + " s";
    }
    std::string loss;
    if (st.lost && st.expected && *st.expected > 0) {
      loss = format::fixed(
          100.0 * static_cast<double>(*st.lost) / static_cast<double>(*st.expected), 2);
    }
    out +=
        "<tr><td class=\"num\">" + (st.call_id ? std::to_string(*st.call_id) : std::string()) +
        "</td><td>" + html_escape(st.src_ip) + ":" + std::to_string(st.src_port) + "</td><td>" +
        html_escape(st.dst_ip) + ":" + std::to_string(st.dst_port) + "</td><td>" + ssrc +
        "</td><td>" + codec + "</td><td>" + time_text(st.first_us) + "</td><td class=\"num\">" +
        dur + "</td><td class=\"num\">" + std::to_string(st.packets) + "</td><td class=\"num\">" +
        opt_num(st.expected) + "</td><td class=\"num\">" + opt_num(st.lost) +
        "</td><td class=\"num\">" + loss + "</td><td class=\"num\">" + opt_num(st.duplicates) +
        "</td><td class=\"num\">" + opt_num(st.out_of_order) + "</td><td class=\"num\">" +
        opt_ms(st.jitter_mean_ms) + "</td><td class=\"num\">" + opt_ms(st.jitter_max_ms) +
        "</td><td class=\"num\">" + opt_ms(st.max_delta_ms) + "</td><td class=\"num\">" +
        (st.mos ? format::fixed(*st.mos, 2) : std::string()) + "</td><td class=\"num\">" +
        (st.rtcp_fraction_lost ? format::fixed(*st.rtcp_fraction_lost * 100.0, 2) : std::string()) +
        "</td><td class=\"num\">" + opt_num(st.rtcp_cumulative_lost) + "</td><td class=\"num\">" +
        opt_ms(st.rtcp_jitter_ms) + "</td><td class=\"num\">" + opt_ms(st.rtcp_rtt_ms) +
        "</td></tr>\n";
  }
  out += "</tbody></table>\n";
  series_charts(out, l);
  stream_charts(out, l);
}

void findings_list(std::string& out, const char* title, const std::vector<FindingRow>& rows,
                   const char* none) {
  out += "<h3>" + std::string(title) + "</h3>\n";
  if (rows.empty()) {
    out += "<p class=\"empty\">" + std::string(none) + "</p>\n";
    return;
  }
  out += "<ul class=\"findings\">";
  for (const auto& f : rows) {
    out += "<li>call " + std::to_string(f.call_id) + " &middot; ";
    if (f.ts_us) out += time_text(f.ts_us) + " &middot; ";
    out += "<b>" + html_escape(f.kind) + "</b>";
    if (!f.detail.empty()) out += ": " + html_escape(f.detail);
    out += "</li>";
  }
  out += "</ul>\n";
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
  bool redacted = false;
  for (const auto& l : ladders) redacted = redacted || l.redacted;
  if (redacted) {
    out +=
        "<p class=\"redacted\">REDACTED: numbers, user names, display names, IP addresses, host "
        "names and Call-IDs are replaced by consistent pseudonyms; Authorization and "
        "Proxy-Authorization credentials are removed.</p>\n";
  }
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
      for (const auto& c : l.calls) {
        out += ' ';
        out += std::to_string(c.id);
      }
    }
    out += "</h2>\n";
    for (const auto& c : l.calls) {
      call_detail(out, c);
      call_facts(out, l, c);
    }
    ladder_svg(out, l, k);
    out +=
        "<div class=\"panel\"><div class=\"panel-head\">Click an arrow to see its message.</div>"
        "<pre></pre></div>\n";
    raw_messages(out, l, k);
    for (const auto& c : l.calls) sdp_pairs(out, l, c);
    streams_table(out, l);
    findings_list(out, "Diagnostics", l.diagnostics, "No diagnostics stored for these calls.");
    findings_list(out, "Anomalies", l.anomalies, "No input anomalies recorded for these calls.");
    out += "</section>\n";
  }
  out += "<script nonce=\"" + nonce + "\">" + kScript + "</script>\n</body>\n</html>\n";
  return out;
}

}  // namespace sipscope::report
