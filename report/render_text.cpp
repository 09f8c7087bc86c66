// Plain-text renderings for the terminal. Wire text goes through format::terminal_safe()
// first, so a hostile display name or reason phrase cannot emit terminal escapes.
#include <algorithm>

#include "report/format.hpp"
#include "report/ladder.hpp"

namespace sipscope::report {

namespace {

constexpr int kTimeW = 12;    // "  1234.567  " offset column, seconds
constexpr int kMinLaneW = 3;  // "|->": narrower lanes cannot draw an arrow at all

// One line of terminal cells; each cell holds one (terminal-safe) code point.
class Line {
 public:
  explicit Line(size_t width) : cells_(width, " ") {}
  // Cells past the width are dropped: the output never exceeds the requested width.
  void put(size_t col, std::string_view cell) {
    if (col < cells_.size()) cells_[col] = std::string(cell);
  }
  void put_text(size_t col, std::string_view safe) {
    size_t i = 0;
    while (i < safe.size()) {
      size_t n = 1;
      while (i + n < safe.size() && (static_cast<unsigned char>(safe[i + n]) & 0xC0) == 0x80) ++n;
      put(col++, safe.substr(i, n));
      i += n;
    }
  }
  [[nodiscard]] std::string str() const {
    std::string out;
    for (const auto& c : cells_) out += c;
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
  }

 private:
  std::vector<std::string> cells_;
};

std::string or_dash(const std::optional<std::string>& v) {
  return v && !v->empty() ? format::terminal_safe(*v) : std::string("-");
}

// The call's facts as separate pieces, so render_text() can wrap them at the width.
std::vector<std::string> call_pieces(const correlate::CallRecord& c,
                                     std::optional<int64_t> first_seen) {
  std::vector<std::string> p;
  p.push_back("Call " + std::to_string(c.id));
  p.push_back("Call-ID " + format::terminal_safe(c.sip_call_id));
  p.push_back(or_dash(c.from_user ? c.from_user : c.from_uri) + " -> " +
              or_dash(c.to_user ? c.to_user : c.to_uri));
  std::string state(correlate::call_state_name(c.state));
  if (c.final_code) {
    state += ' ';
    state += std::to_string(*c.final_code);
    if (c.final_reason && !c.final_reason->empty()) {
      state += " " + format::terminal_safe(*c.final_reason);
    }
  }
  p.push_back(state);
  if (c.start_us) {
    p.push_back("start " + format::shown_time(*c.start_us));
  } else if (first_seen) {
    p.push_back("first seen " + format::shown_time(*first_seen));
    p.push_back("(mid-dialog: no initial INVITE captured)");
  }
  if (c.pdd_ms) p.push_back("PDD " + format::fixed(*c.pdd_ms, 0) + " ms");
  if (c.duration_ms) p.push_back("duration " + format::fixed(*c.duration_ms / 1000.0, 3) + " s");
  if (c.hangup_by) p.push_back("hangup by " + std::string(correlate::party_name(*c.hangup_by)));
  return p;
}

// Joins pieces with two spaces, starting a new line instead of crossing `width`; a piece
// wider than a whole line is cut.
std::string wrap(const std::vector<std::string>& pieces, size_t width) {
  std::string out;
  std::string line;
  for (const auto& piece : pieces) {
    const std::string fitted = format::fit(piece, width);
    if (!line.empty() && format::columns(line) + 2 + format::columns(fitted) > width) {
      out += line + "\n";
      line.clear();
    }
    if (!line.empty()) line += "  ";
    line += fitted;
  }
  if (!line.empty()) out += line + "\n";
  return out;
}

// One stream as wrap() pieces: what sipscope measured, then what the receiver's last RTCP
// report says about the same stream (streams.rtcp_*), side by side.
std::vector<std::string> stream_pieces(const StreamRow& s) {
  const std::string ssrc = format::ssrc_hex(s.ssrc);
  std::vector<std::string> p;
  p.push_back("RTP " + format::terminal_safe(s.src_ip) + ":" + std::to_string(s.src_port) + " -> " +
              format::terminal_safe(s.dst_ip) + ":" + std::to_string(s.dst_port));
  std::string id = "ssrc " + ssrc;
  if (s.codec) id.append(" ").append(format::terminal_safe(*s.codec));
  p.push_back(std::move(id));
  std::string measured = "measured: " + std::to_string(s.packets) + " pkts";
  if (s.lost && s.expected && *s.expected > 0) {
    measured +=
        ", lost " + std::to_string(*s.lost) + " (" +
        format::fixed(100.0 * static_cast<double>(*s.lost) / static_cast<double>(*s.expected), 2) +
        " %)";
  }
  if (s.jitter_mean_ms) measured += ", jitter " + format::fixed(*s.jitter_mean_ms, 2) + " ms";
  p.push_back(measured);
  if (s.mos) p.push_back(format::mos_text(*s.mos, s.mos_limited_by));
  if (s.rtcp_fraction_lost || s.rtcp_cumulative_lost || s.rtcp_jitter_ms || s.rtcp_rtt_ms) {
    std::string r = "RTCP:";
    if (s.rtcp_fraction_lost)
      r += " lost " + format::fixed(*s.rtcp_fraction_lost * 100.0, 2) + " %";
    if (s.rtcp_cumulative_lost) r += " (cum. " + std::to_string(*s.rtcp_cumulative_lost) + ")";
    if (s.rtcp_jitter_ms) r += ", jitter " + format::fixed(*s.rtcp_jitter_ms, 2) + " ms";
    if (s.rtcp_rtt_ms) r += ", RTT " + format::fixed(*s.rtcp_rtt_ms, 2) + " ms";
    p.push_back(r);
  }
  return p;
}

// "DTMF 1 2 3 #" (RFC 4733 events of the stream, in time order, from the first one's
// time); nothing when the stream carried none (or --redact dropped them).
std::vector<std::string> dtmf_pieces(const Ladder& ladder, int64_t stream_id) {
  std::string digits;
  std::optional<int64_t> first;
  for (const auto& d : ladder.dtmf) {
    if (d.stream_id != stream_id) continue;
    if (!first) first = d.ts_us;
    digits += ' ';
    digits += format::terminal_safe(d.digit);
  }
  if (!first) return {};
  return {"  DTMF" + digits, "from " + format::shown_time(*first)};
}

}  // namespace

std::string render_text(const Ladder& ladder, int width) {
  std::string out;
  const auto w = static_cast<size_t>(std::max(width, kTimeW + kMinLaneW));
  if (ladder.redacted) {
    out += wrap(
        {"REDACTED:", "numbers, names, addresses and hosts are pseudonyms,", "credentials removed"},
        w);
  }
  for (const auto& c : ladder.calls) out += wrap(call_pieces(c, first_seen_us(ladder, c.id)), w);
  if (!ladder.calls.empty()) out += "\n";
  const int lanes = std::max<int>(1, static_cast<int>(ladder.participants.size()));
  const int lane_w = std::max(kMinLaneW, (static_cast<int>(w) - kTimeW) / lanes);
  auto lane_x = [&](int i) {
    return static_cast<size_t>(kTimeW + lane_w / 2 + std::clamp(i, 0, lanes - 1) * lane_w);
  };

  Line header(w);
  header.put_text(0, "   offset s");
  for (const auto& p : ladder.participants) {
    const std::string addr =
        format::fit(format::terminal_safe(p.address), static_cast<size_t>(lane_w - 1));
    const size_t len = format::columns(addr);
    const size_t x = lane_x(p.index);
    header.put_text(x >= len / 2 ? x - len / 2 : 0, addr);
  }
  out += header.str() + "\n";
  // A lane is labelled with its node's first address; the node's other endpoints
  // (report/nodes.hpp) are listed here so no raw address is hidden.
  for (const auto& p : ladder.participants) {
    if (p.addresses.size() < 2) continue;
    std::string legend = "   lane " + format::terminal_safe(p.address) + " also:";
    for (size_t i = 1; i < p.addresses.size(); ++i) {
      legend += ' ' + format::terminal_safe(p.addresses[i]);
    }
    out += legend + "\n";
  }

  for (const auto& e : ladder.events) {
    Line line(w);
    for (int i = 0; i < static_cast<int>(ladder.participants.size()); ++i) line.put(lane_x(i), "|");
    std::string t = format::fixed(static_cast<double>(e.offset_us) / 1e6, 3);
    if (t.size() < 10) t.insert(0, 10 - t.size(), ' ');  // "%10.3f"
    line.put_text(0, t);
    const size_t x1 = lane_x(e.from);
    const size_t x2 = lane_x(e.to);
    // Retransmissions are drawn dotted, as the HTML ladder draws them dashed.
    const char* fill = e.retransmission ? "." : "-";
    std::string label = format::terminal_safe(e.label);
    label += event_marks(e);
    if (e.retransmission) label += " (retx)";
    if (x1 == x2) {
      line.put_text(x1 + 1, std::string("<") + fill + " " +
                                format::fit(label, static_cast<size_t>(std::max(1, lane_w - 4))));
    } else {
      const size_t a = std::min(x1, x2);
      const size_t b = std::max(x1, x2);
      for (size_t x = a + 1; x < b; ++x) line.put(x, fill);
      if (x2 > x1) {
        line.put(b - 1, ">");
      } else {
        line.put(a + 1, "<");
      }
      const size_t span = b - a - 1;
      // Keep one fill cell on each side and the arrowhead visible around the label.
      const std::string fitted = format::fit(label, span > 3 ? span - 3 : 0);
      const size_t len = format::columns(fitted);
      // Centre within the shaft, i.e. the span without its arrowhead cell.
      const size_t shaft_start = x2 > x1 ? a + 1 : a + 2;
      const size_t shaft_len = span > 1 ? span - 1 : 0;
      line.put_text(shaft_start + (shaft_len > len ? (shaft_len - len) / 2 : 0), fitted);
    }
    out += line.str() + "\n";
  }
  if (!ladder.streams.empty()) out += "\n";
  for (const auto& s : ladder.streams) {
    std::vector<std::string> pieces = stream_pieces(s);
    if (const auto owner = shared_from(ladder, s)) {
      pieces.push_back("(call " + std::to_string(*owner) + "'s stream, shared media)");
    }
    out += wrap(pieces, w);
    out += wrap(dtmf_pieces(ladder, s.id), w);
  }
  // The call's diagnostics (docs/diagnostics.md): kind, time, detail.
  if (!ladder.diagnostics.empty()) out += "\nDiagnostics:\n";
  for (const auto& d : ladder.diagnostics) {
    out += wrap({"  " + format::terminal_safe(d.kind),
                 d.ts_us ? format::shown_time(*d.ts_us) : std::string("-"),
                 format::terminal_safe(d.detail)},
                w);
  }
  // Other legs of the end-to-end call (docs/schema.md call_links): later leg -> earlier.
  if (!ladder.links.empty()) out += "\nLinks:\n";
  for (const auto& l : ladder.links) {
    out += wrap({"  call " + std::to_string(l.call_id) + " linked to call " +
                     std::to_string(l.linked_call_id),
                 "(" + format::terminal_safe(l.reason) + ")"},
                w);
  }
  return out;
}

}  // namespace sipscope::report
