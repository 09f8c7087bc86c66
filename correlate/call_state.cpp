#include "correlate/call_state.hpp"

#include <algorithm>
#include <array>

#include "decode/enum_name.hpp"

namespace sipscope::correlate {

std::string_view call_state_name(CallState s) {
  switch (s) {
    case CallState::answered:
      return "answered";
    case CallState::cancelled:
      return "cancelled";
    case CallState::busy:
      return "busy";
    case CallState::rejected:
      return "rejected";
    case CallState::no_answer:
      return "no_answer";
    case CallState::redirected:
      return "redirected";
    case CallState::failed:
      return "failed";
    case CallState::in_progress:
      return "in_progress";
    case CallState::unknown:
      return "unknown";
  }
  return "unknown";
}

std::optional<CallState> parse_call_state(std::string_view name) {
  return decode::enum_from_name(name, CallState::unknown, call_state_name);
}

CallState state_from_final_code(int code) {
  if (code >= 200 && code < 300) return CallState::answered;
  if (code >= 300 && code < 400) return CallState::redirected;
  switch (code) {
    case 408:  // Request Timeout: nobody answered before the proxy gave up
    case 480:  // Temporarily Unavailable: typical "no answer" from a UA or voicemail-less PBX
      return CallState::no_answer;
    case 486:  // Busy Here
    case 600:  // Busy Everywhere
      return CallState::busy;
    case 487:  // Request Terminated: the answer to a CANCEL (RFC 3261 §9.2)
      return CallState::cancelled;
    case 603:  // Decline
    case 607:  // Unwanted (RFC 8197)
    case 608:  // Rejected (RFC 8688)
      return CallState::rejected;
    default:
      return CallState::failed;
  }
}

CallState decide_call_state(const CallOutcome& o, int64_t no_answer_us) {
  if (!o.saw_initial_invite) return CallState::unknown;
  if (o.answered) return CallState::answered;
  if (o.final_code) return state_from_final_code(*o.final_code);
  // A CANCEL answered 200 whose 487 was not captured still means the caller gave up.
  if (o.cancel_answered) return CallState::cancelled;
  // RFC 3261 §15: the caller may BYE an early dialog (its INVITE is then answered 487, i.e.
  // `cancelled`); the callee must not, so its BYE before answering is a failure.
  if (o.bye_by_caller) return *o.bye_by_caller ? CallState::cancelled : CallState::failed;
  return o.since_invite_us >= no_answer_us ? CallState::no_answer : CallState::in_progress;
}

Opening classify_opening(bool is_request, std::string_view method, bool has_to_tag,
                         std::string_view cseq_method) {
  // SIP method names are case-sensitive (RFC 3261 §7.1), so plain comparison is right.
  if (is_request) {
    if (method == "INVITE" && !has_to_tag) return Opening::new_call;
    // A CANCEL (without To-tag, like its INVITE) only ever cancels an INVITE (RFC 3261 §9.1):
    // seen first, that INVITE was not captured.
    if (method == "CANCEL") return Opening::unknown_call;
    static constexpr std::array<std::string_view, 7> kDialogRequests = {
        "INVITE", "ACK", "BYE", "CANCEL", "UPDATE", "PRACK", "INFO"};
    const bool dialog =
        std::find(kDialogRequests.begin(), kDialogRequests.end(), method) != kDialogRequests.end();
    return dialog && has_to_tag ? Opening::unknown_call : Opening::non_call;
  }
  static constexpr std::array<std::string_view, 6> kDialogResponses = {"INVITE", "BYE",  "UPDATE",
                                                                       "PRACK",  "INFO", "CANCEL"};
  const bool dialog = std::find(kDialogResponses.begin(), kDialogResponses.end(), cseq_method) !=
                      kDialogResponses.end();
  return dialog ? Opening::unknown_call : Opening::non_call;
}

}  // namespace sipscope::correlate
