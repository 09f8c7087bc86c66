// Pure rules of the `calls` table (docs/states.md "calls.state", "Correlation vocabulary"):
// which final response gives which `state`, how a call's outcome is decided when it is
// flushed, and what a message whose Call-ID matches no open call starts. No state, no
// I/O; everything here is tested from tables of rows.
//
//   auto s = decide_call_state({.saw_initial_invite = true, .final_code = 486}, 32'000'000);
//   call_state_name(s) == "busy"
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace sipscope::correlate {

// The values of calls.state, in docs/states.md's words.
enum class CallState : uint8_t {
  answered,
  cancelled,
  busy,
  rejected,
  no_answer,
  redirected,
  failed,
  in_progress,
  unknown,
};

[[nodiscard]] std::string_view call_state_name(CallState s);
[[nodiscard]] std::optional<CallState> parse_call_state(std::string_view name);

// State implied by one final response (code >= 200) to the initial INVITE.
[[nodiscard]] CallState state_from_final_code(int code);

// RFC 3261 §22.2/§22.3: a 401/407 challenge is normally answered by a retried INVITE
// (same Call-ID, CSeq + 1), which continues the same call.
[[nodiscard]] constexpr bool is_auth_challenge(int code) {
  return code == 401 || code == 407;
}

// 180..189: the responses that count as "ringing" for ring_us / pdd_ms.
[[nodiscard]] constexpr bool is_ringing_code(int code) {
  return code >= 180 && code <= 189;
}

struct CallOutcome {
  bool saw_initial_invite = false;
  bool answered = false;          // a 2xx to the initial INVITE was seen
  std::optional<int> final_code;  // decisive non-2xx final, retried challenges excluded
  bool cancel_answered = false;   // a CANCEL was answered 200
  int64_t since_invite_us = 0;    // flush time minus start_us
  // A BYE ended the call before any answer (an early dialog, RFC 3261 §15): true when the
  // caller sent it, false when the callee did; nullopt without BYE.
  std::optional<bool> bye_by_caller;
};

[[nodiscard]] CallState decide_call_state(const CallOutcome& outcome, int64_t no_answer_us);

// What a message starts when its Call-ID has no open call.
enum class Opening : uint8_t {
  new_call,      // INVITE without To-tag
  unknown_call,  // dialog traffic whose INVITE was not captured (state `unknown`)
  non_call,      // REGISTER, OPTIONS, SUBSCRIBE, MESSAGE ... stored with call_id NULL
};

// method is the request method ("" for responses); cseq_method the CSeq method.
[[nodiscard]] Opening classify_opening(bool is_request, std::string_view method, bool has_to_tag,
                                       std::string_view cseq_method);

}  // namespace sipscope::correlate
