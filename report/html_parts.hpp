// Internal to report/: the parts of the HTML page (render_html.cpp builds the page) that
// live in their own files: the SVG ladder and raw messages (html_ladder.cpp), the call facts,
// SDP, media and findings sections (html_call.cpp), and the text helpers they share.
// Every wire value passes through html_escape(); each function appends to `out`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "report/ladder.hpp"

namespace sipscope::report::html {

// Appends each piece to `out` in turn: no temporary string per `+` of a concatenation.
template <typename... Pieces>
void append(std::string& out, const Pieces&... pieces) {
  (out += ... += pieces);
}

// Plain text of optional values ("" when absent); escape before use.
std::string opt_text(const std::optional<std::string>& v);
std::string party(const std::optional<std::string>& user, const std::optional<std::string>& uri);
std::string ms_text(const std::optional<double>& ms);
std::string seconds_text(const std::optional<double>& ms);
std::string time_text(const std::optional<int64_t>& us);
std::string code_text(const correlate::CallRecord& c);
// State names are our own vocabulary, but they come from the file: only [a-z_] may form
// a class name.
std::string state_class(std::string_view state);
std::string num(int v);

// html_ladder.cpp
// Ladders come from build_ladder(), but a hand-made one must not index out of range.
std::string address_of(const Ladder& l, int index);
void ladder_svg(std::string& out, const Ladder& l, size_t k);
void raw_messages(std::string& out, const Ladder& l, size_t k);

// html_call.cpp
// Who, when, outcome, timings, quality and findings of one call.
void call_facts(std::string& out, const Ladder& l, const correlate::CallRecord& c);
void sdp_pairs(std::string& out, const Ladder& l, const correlate::CallRecord& c);
void streams_table(std::string& out, const Ladder& l);
// DTMF digits per stream (ladder.dtmf) and links to other calls (ladder.links).
void dtmf_and_links(std::string& out, const Ladder& l);
void findings_list(std::string& out, const char* title, const std::vector<FindingRow>& rows,
                   const char* none);

}  // namespace sipscope::report::html
