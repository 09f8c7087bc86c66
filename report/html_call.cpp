// The HTML page's per-call sections: the call's facts (who, when, outcome, timings,
// quality), its SDP offers and answers, the RTP stream table with jitter/loss charts from
// RTCP and from the RTP time series, and the diagnostics and anomalies; html_parts.hpp.
#include <algorithm>

#include "report/format.hpp"
#include "report/html_parts.hpp"

namespace sipscope::report::html {
namespace {

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
  const std::string ssrc = format::ssrc_hex(st.ssrc);
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

}  // namespace

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

// Every SDP of the call, as offer/answer exchanges (RFC 3264), hop by hop: a request with
// SDP (other than ACK/PRACK) offers; a response with SDP on the same hop back and the same
// CSeq answers it (a 183 and the 200 both, when both carry it). A response with SDP that
// answers no request offer (an INVITE without SDP) offers, and the ACK or PRACK with SDP
// on the same hop back answers it.
void sdp_pairs(std::string& out, const Ladder& l, const correlate::CallRecord& c) {
  struct Exchange {
    const LadderEvent* offer = nullptr;
    std::vector<const LadderEvent*> answers;
  };
  std::vector<Exchange> exchanges;
  for (const auto& e : l.events) {
    if (e.call_id != c.id || e.retransmission || sdp_body(e.raw).empty()) continue;
    const bool request = e.method.has_value();
    const bool acking = request && (*e.method == "ACK" || *e.method == "PRACK");
    Exchange* answered = nullptr;
    if (!request || acking) {
      for (auto it = exchanges.rbegin(); it != exchanges.rend() && answered == nullptr; ++it) {
        const LadderEvent& o = *it->offer;
        const bool offered_in_request = o.method.has_value();
        if (o.from == e.to && o.to == e.from && offered_in_request == !request &&
            (acking || o.cseq == e.cseq)) {
          answered = &*it;
        }
      }
    }
    if (answered != nullptr) {
      answered->answers.push_back(&e);
    } else {
      exchanges.push_back({&e, {}});
    }
  }
  out += "<h3>SDP offer and answer</h3>\n";
  if (exchanges.empty()) {
    out += "<p class=\"empty\">No SDP in the messages of this call.</p>\n";
    return;
  }
  auto sdp_box = [&](const char* role, const LadderEvent& e) {
    append(out, "<div><h4>", role, " &middot; ", html_escape(e.label), " from ",
           html_escape(address_of(l, e.from)), " &middot; +",
           format::fixed(static_cast<double>(e.offset_us) / 1000.0, 3), " ms</h4><pre>",
           html_escape(sdp_body(e.raw)), "</pre></div>");
  };
  for (size_t k = 0; k < exchanges.size(); ++k) {
    append(out, "<h4 class=\"sdpx\">Call ", std::to_string(c.id), ", exchange ",
           std::to_string(k + 1), " of ", std::to_string(exchanges.size()), "</h4>");
    out += "<div class=\"sdp\">";
    sdp_box("Offer", *exchanges[k].offer);
    for (const auto* a : exchanges[k].answers) sdp_box("Answer", *a);
    if (exchanges[k].answers.empty()) out += "<div><p class=\"empty\">No answer seen.</p></div>";
    out += "</div>\n";
  }
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
      "<th title=\"the largest E-model impairment (docs/media.md)\">MOS limited by</th>"
      "<th title=\"last RTCP report block from the receiver\">RTCP loss %</th>"
      "<th>RTCP cum. lost</th><th>RTCP jitter ms</th><th>RTCP RTT ms</th></tr>"
      "</thead><tbody>\n";
  for (const auto& st : l.streams) {
    const std::string ssrc = format::ssrc_hex(st.ssrc);
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
    append(
        out, "<tr><td class=\"num\">", (st.call_id ? std::to_string(*st.call_id) : std::string()),
        (shared_from(l, st) ? " (shared media)" : ""), "</td><td>", html_escape(st.src_ip), ":",
        std::to_string(st.src_port), "</td><td>", html_escape(st.dst_ip), ":",
        std::to_string(st.dst_port), "</td><td>", ssrc, "</td><td>", codec, "</td><td>",
        time_text(st.first_us), "</td><td class=\"num\">", dur, "</td><td class=\"num\">",
        std::to_string(st.packets), "</td><td class=\"num\">", opt_num(st.expected),
        "</td><td class=\"num\">", opt_num(st.lost), "</td><td class=\"num\">", loss,
        "</td><td class=\"num\">", opt_num(st.duplicates), "</td><td class=\"num\">",
        opt_num(st.out_of_order), "</td><td class=\"num\">", opt_ms(st.jitter_mean_ms),
        "</td><td class=\"num\">", opt_ms(st.jitter_max_ms), "</td><td class=\"num\">",
        opt_ms(st.max_delta_ms), "</td><td class=\"num\">",
        (st.mos ? format::fixed(*st.mos, 2) : std::string()), "</td><td>",
        (st.mos_limited_by ? html_escape(*st.mos_limited_by) : std::string()),
        "</td><td class=\"num\">",
        (st.rtcp_fraction_lost ? format::fixed(*st.rtcp_fraction_lost * 100.0, 2) : std::string()),
        "</td><td class=\"num\">", opt_num(st.rtcp_cumulative_lost), "</td><td class=\"num\">",
        opt_ms(st.rtcp_jitter_ms), "</td><td class=\"num\">", opt_ms(st.rtcp_rtt_ms),
        "</td></tr>\n");
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

void dtmf_and_links(std::string& out, const Ladder& l) {
  out += "<h3>DTMF</h3>\n";
  if (l.dtmf.empty()) {
    out += "<p class=\"empty\">No RFC 4733 DTMF events in these calls' streams.</p>\n";
  } else {
    out += "<ul class=\"findings dtmf\">";
    for (const auto& st : l.streams) {
      std::string digits;
      for (const auto& d : l.dtmf) {
        if (d.stream_id != st.id) continue;
        if (!digits.empty()) digits += ' ';
        digits += d.digit;
      }
      if (digits.empty()) continue;
      append(out, "<li>call ", (st.call_id ? std::to_string(*st.call_id) : std::string("-")),
             " &middot; ", html_escape(format::endpoint(st.src_ip, st.src_port)), " &rarr; ",
             html_escape(format::endpoint(st.dst_ip, st.dst_port)), " ssrc ",
             format::ssrc_hex(st.ssrc), ": <b class=\"digits\">", html_escape(digits), "</b></li>");
    }
    out += "</ul>\n";
  }
  out += "<h3>Links to other calls</h3>\n";
  if (l.links.empty()) {
    out += "<p class=\"empty\">No links stored for these calls.</p>\n";
    return;
  }
  out += "<ul class=\"findings links\">";
  for (const auto& k : l.links) {
    append(out, "<li>call ", std::to_string(k.call_id), " &harr; call ",
           std::to_string(k.linked_call_id), " &middot; <b>", html_escape(k.reason), "</b></li>");
  }
  out += "</ul>\n";
}

}  // namespace sipscope::report::html
