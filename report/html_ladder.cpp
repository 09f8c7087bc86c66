// The HTML page's call-flow ladder: participants as lanes, each message an SVG arrow with
// its offset and label (retransmissions dashed, RTP streams as bands), and the escaped raw
// messages the page's script shows on click; html_parts.hpp.
#include <algorithm>
#include <cstdlib>

#include "report/format.hpp"
#include "report/html_parts.hpp"

namespace sipscope::report::html {
namespace {

constexpr int kLeft = 100;  // offset column
constexpr int kMinLaneW = 150;
// The ladder's width budget: a 1280 px window less the page margins, the frame and a
// vertical scroll bar. Lanes share it; a label longer than its room is cut with "…" (the
// whole text is in the arrow's tooltip and the raw message). More lanes than fit at
// kMinLaneW make a wider drawing, which the page scales down (CSS max-width).
constexpr int kMaxWidth = 1200;
constexpr int kCharW = 8;  // upper bound of one 12px monospace character, in px
constexpr int kTop = 64;   // first arrow
constexpr int kRowH = 30;
constexpr int kColors = 6;  // arrow colour classes c0..c5, one per call of a ladder

// Wire text for an SVG label at most `px` wide (before escaping): control characters made
// visible as '?', cut with a final "…" when longer.
std::string clip(std::string_view text, int px) {
  std::string safe = format::terminal_safe(text);
  const size_t cols = static_cast<size_t>(std::max(1, px / kCharW));
  if (format::columns(safe) <= cols) return safe;
  std::string cut = format::fit(safe, cols);
  cut.pop_back();  // fit()'s '~' marker
  return cut + "…";
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
  const std::string ssrc = format::ssrc_hex(s.ssrc);
  t += " ssrc " + ssrc + " " + std::to_string(s.packets) + " pkts";
  if (s.lost && s.expected && *s.expected > 0) {
    t += " loss " +
         format::fixed(100.0 * static_cast<double>(*s.lost) / static_cast<double>(*s.expected), 2) +
         " %";
  }
  if (s.jitter_max_ms) t += " jitter max " + format::fixed(*s.jitter_max_ms, 1) + " ms";
  if (s.mos) t += " " + format::mos_text(*s.mos, s.mos_limited_by);
  return t;
}

}  // namespace

// Ladders come from build_ladder(), but a hand-made one must not index out of range.
std::string address_of(const Ladder& l, int index) {
  if (index < 0 || static_cast<size_t>(index) >= l.participants.size()) return "?";
  return l.participants[static_cast<size_t>(index)].address;
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
    b.y1 = kTop + static_cast<int>(std::min(first, l.events.size())) * kRowH - kRowH / 2;
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
  for (const auto& m : media_lanes) longest = std::max(longest, format::columns(m) + 8);
  const int lane_w =
      std::max(kMinLaneW, std::min(static_cast<int>(std::min<size_t>(longest, 200)) * kCharW + 24,
                                   (kMaxWidth - kLeft) / lanes));
  const int width = kLeft + lanes * lane_w;
  // Band labels get rows of their own under the last message: never over an arrow's label.
  const int height = kTop + static_cast<int>(l.events.size() + bands.size()) * kRowH + 10;
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
    const std::string more =
        p.addresses.size() > 1 ? " (+" + num(static_cast<int>(p.addresses.size() - 1)) + ")" : "";
    if (all.empty() && format::columns(p.address) * kCharW > static_cast<size_t>(lane_w - 12))
      all = "<title>" + html_escape(p.address) + "</title>";
    // The tooltip beside the text in a group: a <text> holds nothing but its text.
    append(out, "<g>", all, "<text class=\"addr\" x=\"", num(x),
           "\" y=\"24\" text-anchor=\"middle\">", html_escape(clip(p.address + more, lane_w - 12)),
           "</text></g><line class=\"lane\" x1=\"", num(x), "\" y1=\"34\" x2=\"", num(x),
           "\" y2=\"", num(height - 4), "\"/>\n");
  }
  for (size_t i = 0; i < media_lanes.size(); ++i) {
    const int x = lane_x(static_cast<int>(l.participants.size() + i));
    append(out, "<g><title>", html_escape(media_lanes[i]), "</title><text class=\"addr\" x=\"",
           num(x), "\" y=\"24\" text-anchor=\"middle\">",
           html_escape(clip(media_lanes[i] + " (media)", lane_w - 12)),
           "</text></g><line class=\"mlane\" x1=\"", num(x), "\" y1=\"34\" x2=\"", num(x),
           "\" y2=\"", num(height - 4), "\"/>\n");
  }
  for (size_t i = 0; i < bands.size(); ++i) {
    const Band& b = bands[i];
    const int xa = lane_x(std::min(b.lane_a, b.lane_b));
    const int xb = lane_x(std::max(b.lane_a, b.lane_b));
    // Bands of one call overlap in time: each is inset a little so all stay visible.
    const int inset = static_cast<int>(i % 4) * 6;
    // The label on its own row under the messages, tied to the band by a dotted line.
    const int row = kTop + static_cast<int>(l.events.size() + i) * kRowH;
    const int lx = xa + inset + 4;
    append(out, "<g class=\"stream\"><title>", html_escape(b.label),
           "</title><rect class=\"band\" x=\"", num(xa + inset), "\" y=\"", num(b.y1),
           "\" width=\"", num(std::max(6, xb - xa - 2 * inset)), "\" height=\"", num(b.y2 - b.y1),
           "\"/><line class=\"bandlink\" x1=\"", num(lx), "\" y1=\"", num(b.y2), "\" x2=\"",
           num(lx), "\" y2=\"", num(row - 10), "\"/><text class=\"bandlbl\" x=\"", num(lx),
           "\" y=\"", num(row), "\">", html_escape(clip(b.label, width - lx - 8)), "</text></g>\n");
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
    out += "<text class=\"off\" x=\"8\" y=\"" + num(y + 4) + "\">+" +
           format::fixed(static_cast<double>(e.offset_us) / 1000.0, 3) + "</text>";
    std::string marker = "url(#ah-";
    append(marker, key, "-", color, ")");
    if (x1 == x2) {
      // A message to the same endpoint: a small loop to the right of the lane.
      append(out, "<path class=\"arrow c", color, "\" d=\"M", num(x1), ",", num(y - 6),
             "h30v12h-30\" marker-end=\"", marker, "\"/><text class=\"lbl\" x=\"", num(x1 + 36),
             "\" y=\"", num(y + 4), "\">",
             html_escape(clip(e.label + event_marks(e), width - x1 - 44)), "</text>");
    } else {
      append(out, "<line class=\"arrow c", color, "\" x1=\"", num(x1), "\" y1=\"", num(y),
             "\" x2=\"", num(x2), "\" y2=\"", num(y), "\" marker-end=\"", marker,
             "\"/><text class=\"lbl\" x=\"", num((x1 + x2) / 2), "\" y=\"", num(y - 6),
             "\" text-anchor=\"middle\">",
             html_escape(clip(e.label + event_marks(e), std::abs(x2 - x1) - 12)), "</text>");
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

}  // namespace sipscope::report::html
