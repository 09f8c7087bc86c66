// The ladder (call-flow) model, independent of any output format, and its renderings:
// JSON (nlohmann ADL to_json; schema in docs/ladder-json.md), self-contained HTML (inline
// SVG/CSS/JS, no network fetch, every wire value escaped) and plain text.
//
//   auto ladder = report::build_ladder(db, {call_id});
//   std::string html = report::render_html({ladder}, "Call 1");
//   report::HtmlPageWriter page(std::cout, "Calls", false);  // page.summary_row(...) ...
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "correlate/records.hpp"
#include "store/call_detail.hpp"
#include "store/query.hpp"

namespace sipscope::report {

struct Participant {
  int index = 0;        // lane number, left to right in order of first appearance
  std::string address;  // "ip:port" (IPv6 as [addr]:port): the node's first-seen endpoint
  // Every endpoint of the logical node (report/nodes.hpp), first-seen order; front() ==
  // address. Empty is read as {address} (ladders built by hand).
  std::vector<std::string> addresses;
};

struct LadderEvent {
  int64_t message_id = 0;
  int64_t call_id = 0;
  int64_t ts_us = 0;
  int64_t delta_prev_us = 0;  // from the previous event of the ladder (0 for the first)
  int64_t offset_us = 0;      // from the first event of the ladder
  int from = 0;               // participant index
  int to = 0;
  std::string label;  // "INVITE" or "180 Ringing"
  std::string transport;
  std::optional<std::string> method;
  std::optional<int> status_code;
  std::optional<int64_t> cseq;
  std::optional<std::string> cseq_method;
  bool retransmission = false;
  uint32_t capture_id = 0;
  uint64_t frame = 0;
  std::string raw;
  // The message carries an SDP body (alone or as a multipart part): an offer or answer.
  bool sdp = false;
  // "hold" or "resume" when this request is the offer a call_hold / call_resume
  // diagnostic names (re-INVITE/UPDATE with sendonly/inactive, then back to sendrecv).
  std::optional<std::string> media_change;
};

using store::DtmfRow;
using store::FindingRow;
using store::LinkRow;
using store::RtcpPoint;
using store::SamplePoint;
using store::StreamRow;

struct Ladder {
  std::vector<correlate::CallRecord> calls;
  std::vector<Participant> participants;
  std::vector<LadderEvent> events;  // ordered by ts, then message id
  // RTP streams of the calls, by first_us; then streams another leg owns that these calls
  // negotiated too (shared_from()).
  std::vector<StreamRow> streams;
  std::vector<int64_t> shared_stream_ids;  // streams.id of those other legs own
  std::vector<FindingRow> diagnostics;
  std::vector<FindingRow> anomalies;
  std::vector<DtmfRow> dtmf;  // RFC 4733 digits of the calls' streams, by time
  // Links between these calls and others (call_links, either direction, each once).
  std::vector<LinkRow> links;
  std::vector<RtcpPoint> rtcp;  // report blocks of the calls' RTCP, by time
  // Set by redact_ladder(): every rendering then says the content is pseudonymised.
  bool redacted = false;
};

[[nodiscard]] Ladder build_ladder(const store::Database& db, const std::vector<int64_t>& call_ids);
// What every rendering appends to an arrow's label: " (SDP)" when it carries an offer or
// answer, " [hold]" / " [resume]" for the offer that changed the media direction.
[[nodiscard]] std::string event_marks(const LadderEvent& e);

// The call that owns a stream shown because a ladder call shares its media (a B2BUA leg
// linked by `shared_media` whose SDP announced the stream's source or destination);
// nullopt for the ladder's own streams.
[[nodiscard]] std::optional<int64_t> shared_from(const Ladder& ladder, const StreamRow& stream);

// The streams other legs own that this call negotiated too (linked by `shared_media`, a
// source or destination its SDP announced): what shared_from() marks in a ladder, for
// `sipscope streams --call`.
[[nodiscard]] std::vector<StreamRow> shared_streams(const store::Database& db, int64_t call_id);

// Time of the call's first message in the ladder: the only time a call first seen
// mid-dialog (start_us NULL) has. nullopt when the ladder holds none of its messages.
[[nodiscard]] std::optional<int64_t> first_seen_us(const Ladder& ladder, int64_t call_id);

[[nodiscard]] std::string render_json(const Ladder& ladder);
// One self-contained page; each Ladder becomes one section (one call, or the legs of one
// call), preceded by a table of the calls on the page.
[[nodiscard]] std::string render_html(const std::vector<Ladder>& ladders, std::string_view title);

// The page of render_html() written to `out` as it goes, for pages of any number of calls:
// the constructor writes the head, then come the summary table's rows (summary_row() per
// call), one section() per ladder, and finish(). Byte for byte render_html() of the same
// ladders (but for the random CSP nonce).
class HtmlPageWriter {
 public:
  HtmlPageWriter(std::ostream& out, std::string_view title, bool redacted);
  void summary_row(const correlate::CallRecord& call);
  void section(const Ladder& ladder);  // the first one ends the summary table
  void finish();

 private:
  void end_summary();

  std::ostream& out_;
  std::string nonce_;
  size_t sections_ = 0;
  bool summary_open_ = true;
};
[[nodiscard]] std::string render_text(const Ladder& ladder, int width = 100);
// A Mermaid `sequenceDiagram` (renders in GitHub/GitLab markdown): one participant per
// lane, requests as solid arrows, responses dashed; wire text escaped as Mermaid entity
// codes (#59; ...), so no field can end a statement or inject markup.
[[nodiscard]] std::string render_mermaid(const Ladder& ladder);
// Escapes text for a Mermaid message or participant alias (exposed for tests).
[[nodiscard]] std::string mermaid_escape(std::string_view text);

// The one HTML escaping function: & < > " ' and control characters.
[[nodiscard]] std::string html_escape(std::string_view text);

}  // namespace sipscope::report
