// Mermaid sequenceDiagram rendering. Mermaid reads `;` and newlines as statement ends and
// renders some labels as HTML, so every character that is not plainly inert is written as
// a Mermaid entity code (`#59;`, decimal code point), which Mermaid decodes only for
// display (mermaid.js.org, "Entity codes to escape characters"). Addresses stay plain
// (':' '[' ']' end nothing in a participant alias, a note or a message text: only '#', ';'
// and newlines do), so they read the same in any Mermaid, whether or not it decodes entity
// codes in a participant alias.
#include <string>

#include "report/format.hpp"
#include "report/ladder.hpp"

namespace sipscope::report {

namespace {

bool inert(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ' ||
         c == '.' || c == ',' || c == '_' || c == '-' || c == '+' || c == '/' || c == '(' ||
         c == ')' || c == '@' || c == '=' || c == '?' || c == '!' || c == '*' || c == ':' ||
         c == '[' || c == ']';
}

std::string lane_id(int index) {
  std::string id = "P";
  id += std::to_string(index);
  return id;
}

std::string offset_text(int64_t us) {
  std::string text = "+";
  text += format::fixed(static_cast<double>(us) / 1e6, 3);
  text += 's';
  return text;
}

}  // namespace

std::string mermaid_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    uint32_t cp = 0;
    const size_t n = format::utf8_sequence(text, i, cp);
    if (n == 0) {
      out += '?';
      ++i;
      continue;
    }
    i += n;
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) {
      out += '?';  // control characters: a newline would end the statement
    } else if (cp < 0x80 && inert(static_cast<unsigned char>(cp))) {
      out += static_cast<char>(cp);
    } else {
      out += '#' + std::to_string(cp) + ';';
    }
  }
  return out;
}

std::string render_mermaid(const Ladder& ladder) {
  std::string out = "sequenceDiagram\n";
  for (const auto& p : ladder.participants) {
    out += "    participant " + lane_id(p.index) + " as " + mermaid_escape(p.address) + "\n";
  }
  // The other endpoints of a merged node (report/nodes.hpp) stay visible as a note.
  for (const auto& p : ladder.participants) {
    if (p.addresses.size() < 2) continue;
    std::string also;
    for (size_t i = 1; i < p.addresses.size(); ++i) {
      if (i > 1) also += ' ';
      also += mermaid_escape(p.addresses[i]);
    }
    out += "    Note over " + lane_id(p.index) + ": also " + also + "\n";
  }
  std::string over;
  if (!ladder.participants.empty()) {
    over = lane_id(ladder.participants.front().index);
    if (ladder.participants.size() > 1) over += "," + lane_id(ladder.participants.back().index);
  }
  if (!over.empty()) {
    if (ladder.redacted) {
      out += "    Note over " + over + ": REDACTED - addresses and names are pseudonyms\n";
    }
    for (const auto& c : ladder.calls) {
      std::string note =
          "Call " + std::to_string(c.id) + " " + std::string(correlate::call_state_name(c.state));
      if (c.final_code) {
        note += ' ';  // append, not " " + string&& (GCC 12 -Wrestrict, PR 105651)
        note += std::to_string(*c.final_code);
      }
      if (c.final_reason && !c.final_reason->empty()) note += " " + *c.final_reason;
      out += "    Note over " + over + ": " + mermaid_escape(note) + "\n";
    }
  }
  for (const auto& e : ladder.events) {
    const bool response = !e.method && e.status_code;
    // Mermaid: ->> solid (request), -->> dotted (response); -) / --) open async arrows
    // mark retransmissions.
    const char* arrow = e.retransmission ? (response ? "--)" : "-)") : (response ? "-->>" : "->>");
    std::string label = offset_text(e.offset_us) + " " + e.label + event_marks(e);
    if (e.retransmission) label += " (retransmission)";
    out += "    " + lane_id(e.from) + arrow + lane_id(e.to) + ": " + mermaid_escape(label) + "\n";
  }
  return out;
}

}  // namespace sipscope::report
