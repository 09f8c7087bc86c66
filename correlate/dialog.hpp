// The dialogs of one call (RFC 3261 §12-15) as seen on the wire: one per To-tag, so the
// early dialogs of a forked INVITE stay apart (§13.2.2.4: several 18x from different
// branches, one 200, the others CANCELled or left to die), plus what happens inside them:
// re-INVITE / UPDATE offers that put the call on hold or resume it (RFC 3264 §8.4: a
// sendonly/inactive stream or the RFC 2543 c=0.0.0.0), PRACK for reliable provisionals
// (RFC 3262), refreshes (RFC 4028 session timers refresh with re-INVITE or UPDATE), and
// the races between BYE, CANCEL and the answer (§9.1, §15).
//
// The state machine is a pure function over RFC-named states, tested from a table.
// DialogSet owns copies; the SipSummary views are read during observe() only.
//
//   DialogSet d;  d.observe(event, summary);  ...
//   d.records(call_id, rows);  d.diagnostics(call_id, findings);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "correlate/records.hpp"
#include "correlate/sip_summary.hpp"
#include "decode/decoder.hpp"

namespace sipscope::correlate {

enum class DialogState : uint8_t { early, confirmed, terminated };
enum class DialogEvent : uint8_t {
  provisional,    // 101-199 with a To-tag to the INVITE
  final_2xx,      // 2xx to the INVITE
  final_failure,  // 3xx-6xx to the INVITE
  bye,            // BYE sent in the dialog (§15: the dialog ends when BYE is sent)
  superseded,     // the INVITE got its final answer on another dialog (§13.2.2.4)
};

[[nodiscard]] std::string_view dialog_state_name(DialogState s);
[[nodiscard]] std::optional<DialogState> parse_dialog_state(std::string_view name);
[[nodiscard]] DialogState next_dialog_state(DialogState s, DialogEvent e);

// Does this SDP offer put the media on hold (RFC 3264 §8.4, RFC 2543 c=0.0.0.0)?
// nullopt when the body is not a usable SDP.
[[nodiscard]] std::optional<bool> sdp_is_hold(std::string_view body);

class DialogSet {
 public:
  explicit DialogSet(size_t max_dialogs = 16) : max_(max_dialogs) {}
  void observe(const decode::SipEvent& event, const SipSummary& summary);

  [[nodiscard]] size_t size() const { return dialogs_.size(); }
  // Dialogs not tracked because max_dialogs were already (dialog_limit).
  [[nodiscard]] uint64_t dropped() const { return dropped_; }
  void records(int64_t call_id, std::vector<DialogRecord>& out) const;
  void diagnostics(int64_t call_id, std::vector<DiagnosticRecord>& out) const;

 private:
  struct Dialog {
    DialogRecord record;
    DialogState state = DialogState::early;
    bool on_hold = false;
    // Highest CSeq counted per side (0: the caller's From-tag, 1: the callee's).
    int64_t counted_cseq[2] = {-1, -1};
  };
  Dialog* find(std::string_view tag_a, std::string_view tag_b);
  [[nodiscard]] bool answered_on(std::string_view branch) const;
  void apply(Dialog& d, DialogEvent e, int64_t ts);
  void finding(DiagnosticKind kind, const decode::SipEvent& event, std::string detail);
  void observe_invite_response(const decode::SipEvent& event, const SipSummary& s);
  void observe_request(const decode::SipEvent& event, const SipSummary& s);
  // The offer's hold state (nullopt: no usable SDP); a call_hold / call_resume finding when
  // it changes the call's.
  std::optional<bool> call_hold_change(const decode::SipEvent& event, const SipSummary& s);

  size_t max_;
  uint64_t dropped_ = 0;
  std::vector<Dialog> dialogs_;
  std::vector<DiagnosticRecord> findings_;  // call_id filled in by diagnostics()
  std::optional<uint32_t> initial_cseq_;
  bool answered_ = false;
  bool saw_initial_invite_ = false;  // an INVITE without To-tag (not a mid-dialog capture)
  bool call_on_hold_ = false;        // as the last in-dialog offer left the call
  // Top-Via branches of INVITEs answered 2xx: a CANCEL or 487 on one of them lost a race,
  // while a proxy CANCELling the other branches of a fork is normal (§16.7 step 10).
  std::vector<std::string> answered_branches_;
  bool final_seen_ = false;
  int64_t reliable_provisionals_ = 0;
  int64_t pracks_ = 0;
  uint64_t first_reliable_frame_ = 0;
};

}  // namespace sipscope::correlate
