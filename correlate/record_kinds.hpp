// The enumerated columns of correlate/'s records that no state machine owns: who hung up
// (calls.hangup_by), what a diagnostic found (diagnostics.kind), how a stream was tied to
// its call (streams.association). Names are the stored text (docs/schema.md); never rename
// one. The state enums live with their machines (call_state.hpp, transaction.hpp, ...).
//
//   diagnostic_kind_name(DiagnosticKind::no_ack_for_2xx) == "no_ack_for_2xx"
//   parse_party("callee") == Party::callee
#pragma once

#include <cstdint>
#include <iterator>
#include <optional>
#include <string_view>

namespace sipscope::correlate {

// The two ends of a call: calls.hangup_by.
enum class Party : uint8_t { caller, callee };
[[nodiscard]] std::string_view party_name(Party p);
[[nodiscard]] std::optional<Party> parse_party(std::string_view name);

// Every diagnostic kind correlate/ emits (docs/schema.md "diagnostics"): SIP findings
// (docs/correlation.md) then media findings (docs/media.md). Add new kinds at the end.
// clang-format off
#define SIPSCOPE_DIAGNOSTIC_KINDS(X)                                                          \
  /* transactions (RFC 3261 §17) */                                                           \
  X(no_ack_for_2xx)                  /* 2xx retransmitted, no ACK seen */                     \
  X(timer_b_expired)                 /* INVITE unanswered for 64*T1 */                         \
  X(invite_no_response)              /* INVITE unanswered when the capture ended */            \
  X(timer_f_expired)                 /* non-INVITE without final response for 64*T1 */        \
  X(request_no_response)             /* non-INVITE unanswered when the capture ended */        \
  X(timer_h_expired)                 /* non-2xx final never acknowledged */                    \
  /* dialogs (RFC 3261 §12, RFC 3262, RFC 4028) */                                            \
  X(call_hold)                       /* re-INVITE/UPDATE offer puts the media on hold */       \
  X(call_resume)                     /* re-INVITE/UPDATE offer resumes the media */            \
  X(prack_missing)                   /* reliable provisional never PRACKed */                  \
  X(cancel_after_answer)             /* CANCEL after a 2xx */                                  \
  X(request_terminated_after_answer) /* 487 after a 2xx */                                     \
  X(bye_before_answer)               /* BYE before any 2xx */                                  \
  X(session_timer_expired)           /* Session-Expires ran out, no refresh, no BYE */         \
  /* media (docs/media.md) */                                                                 \
  X(no_rtp)                                                                                   \
  X(one_way_audio)                                                                            \
  X(rtp_address_not_in_sdp)                                                                   \
  X(payload_type_not_negotiated)                                                              \
  X(rtp_after_bye)                                                                            \
  X(codec_mismatch)                                                                           \
  X(hold)                                                                                     \
  X(rtp_gap)                                                                                  \
  X(ssrc_change)
// clang-format on

enum class DiagnosticKind : uint8_t {
#define SIPSCOPE_DIAGNOSTIC_ENUM(name) name,
  SIPSCOPE_DIAGNOSTIC_KINDS(SIPSCOPE_DIAGNOSTIC_ENUM)
#undef SIPSCOPE_DIAGNOSTIC_ENUM
};
#define SIPSCOPE_DIAGNOSTIC_ITEM(name) DiagnosticKind::name,
inline constexpr DiagnosticKind kAllDiagnosticKinds[] = {
    SIPSCOPE_DIAGNOSTIC_KINDS(SIPSCOPE_DIAGNOSTIC_ITEM)};
#undef SIPSCOPE_DIAGNOSTIC_ITEM
inline constexpr uint8_t kDiagnosticKindCount = std::size(kAllDiagnosticKinds);
[[nodiscard]] std::string_view diagnostic_kind_name(DiagnosticKind k);
[[nodiscard]] std::optional<DiagnosticKind> parse_diagnostic_kind(std::string_view name);

// How a stream was tied to its call (streams.association): the SDP announced its
// destination, or its source (symmetric RTP), both ports announced but an address differs
// (NAT: latched), or nothing ties it.
enum class StreamAssociation : uint8_t { orphan, sdp, sdp_source, latched };
[[nodiscard]] std::string_view stream_association_name(StreamAssociation a);
[[nodiscard]] std::optional<StreamAssociation> parse_stream_association(std::string_view name);

}  // namespace sipscope::correlate
