// Ground truth recorded while a scenario is emitted, written beside the capture as JSON.
//
// The values follow docs/states.md and docs/media.md (calls table, streams table),
// derived from what the generator itself sent — never from an analyzer's output — so
// tests can hold sipscope against them. Calls live in a deque so a Call script may keep
// a reference to its record while more calls are added. finalize() decides `state` and
// the derived durations once the capture's last timestamp is known (the 32 s
// no_answer/in_progress rule depends on it).
//
//   Truth t;
//   CallTruth& c = t.new_call("abc@host");
//   ...  // Call script fills c
//   t.finalize(last_ts_us);
//   std::ofstream("x.truth.json") << t.to_json().dump(2);
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sipscope::gen {

struct CallTruth {
  std::string sip_call_id;
  std::optional<std::string> from_user, to_user, from_uri, to_uri;
  std::optional<std::string> caller_ip, callee_ip;
  std::string transport = "UDP";
  std::optional<std::int64_t> start_us, ring_us, answer_us, end_us;
  std::string state;
  std::optional<int> final_code;
  std::optional<std::string> final_reason;
  std::optional<std::string> hangup_by;
  std::optional<double> pdd_ms, duration_ms;
  std::uint64_t message_count = 0;

  // Bookkeeping used by finalize(), not written out.
  bool initial_invite_seen = false;
  bool cancel_answered = false;
  bool challenged = false;  // last final so far was 401/407; a retry may follow
};

// One dialog of a call (RFC 3261 §12; docs/schema.md "dialogs"), as the generator made it:
// created by the first 101-299 response with its To-tag, confirmed by its 2xx, ended by
// BYE or a non-2xx final. `state` is decided by finalize().
struct DialogTruth {
  std::string call;  // sip_call_id of the call
  std::string to_tag;
  std::string remote_ip;  // sender of its first response
  std::optional<std::int64_t> created_us, confirmed_us, terminated_us;
  std::optional<int> first_code, final_code;
  int reinvites = 0, updates = 0, pracks = 0, holds = 0;
  std::string state;
  bool invite_final = false;  // bookkeeping: the INVITE got a final answer (any dialog)
};

// A link between two calls (docs/schema.md "call_links"): `call` is the later leg.
struct LinkTruth {
  std::string call, linked, reason;
};

// A SIP finding the scenario staged on purpose (docs/correlation.md names).
struct DiagnosticTruth {
  std::string call, kind;
};

// One registration attempt (docs/schema.md "registrations").
struct RegistrationTruth {
  std::string sip_call_id, user, aor, contact, registrant_ip, registrar_ip;
  std::string transport = "UDP";
  std::int64_t start_us = 0;
  std::optional<std::int64_t> end_us, requested_expires, expires;
  std::string result;
  std::optional<int> final_code;
  std::optional<std::string> final_reason;
  int attempts = 0, challenges = 0;
  std::optional<double> response_ms;
};

// One RTP stream as RFC 3550 Appendix A.1/A.3 counts it in capture order (rtp_plan.hpp):
// `lost` = expected - packets, negative when duplicates outnumber losses.
struct StreamTruth {
  std::string src, dst;  // "ip:port" / "[ipv6]:port"
  std::uint32_t ssrc = 0;
  int payload_type = 0;
  std::string codec;
  std::uint64_t packets = 0, expected = 0;
  std::int64_t lost = 0;
  std::int64_t first_us = 0, last_us = 0;
  std::uint64_t duplicates = 0, out_of_order = 0;
  std::int64_t max_delay_us = 0;  // largest arrival - nominal send time (jitter bound)
  std::int64_t tshark_lost = 0;   // tshark 4.0's "Lost" (rtp_plan.hpp TsharkLost)
  // Written only when `detailed` (media scenarios), so older truth files keep their bytes:
  // the counters above, the Call-ID whose SDP announced the stream and how sipscope must tie
  // it (docs/media.md "association": sdp, sdp_source, latched -> rtp_address_not_in_sdp);
  // `tshark_lost` only where tshark 4.0 counts differently.
  bool detailed = false;
  std::string sip_call_id;
  std::string association;
};

struct Truth {
  std::string scenario;
  std::uint64_t seed = 1;
  std::uint16_t link_type = 1;
  std::uint64_t packets = 0;
  std::uint64_t non_call_sip_messages = 0;
  std::deque<CallTruth> calls;
  std::vector<StreamTruth> streams;
  std::vector<std::string> notes;
  // Deliberate damage: anomaly kind (decode/anomaly.hpp names) -> expected count.
  std::map<std::string, std::uint64_t> anomalies;
  // How the capture was built beyond the scenario (transport, fragmentation, tunnel, HEP).
  nlohmann::ordered_json wire = nlohmann::ordered_json::object();
  // Extra tshark options check_sample.py needs to decode this capture.
  std::vector<std::string> tshark_args;
  // When tshark's "Number of SIP messages" differs from sip_messages (damaged messages
  // tshark still counts, or cannot decode), its expected count; see notes.
  std::optional<std::uint64_t> tshark_sip_messages;
  // Non-empty: sipscope's decoder for this capture has not landed yet (golden test skips).
  std::string pending_decoder;
  // Non-call activity expectations (activity.cpp): keys "peers", "peer_events",
  // "subscriptions", "activity", "session_timer_diagnostics", written as given.
  nlohmann::ordered_json activity = nlohmann::ordered_json::object();
  // Correlation expectations, written only when a scenario engages them (an engaged empty
  // list asserts "none"): dialogs of every call, call links, the SIP findings, and the
  // registration attempts.
  std::optional<std::deque<DialogTruth>> dialogs;
  std::optional<std::vector<LinkTruth>> links;
  std::optional<std::vector<DiagnosticTruth>> diagnostics;
  std::optional<std::vector<RegistrationTruth>> registrations;
  // Flood captures (floods.hpp): their totals, written only when set. Calls a flood makes
  // by the hundred thousand are counted there instead of listed; their SIP messages are
  // `unlisted_call_sip_messages` (part of sip_messages()).
  nlohmann::ordered_json flood = nlohmann::ordered_json::object();
  std::uint64_t unlisted_call_sip_messages = 0;

  CallTruth& new_call(std::string sip_call_id);
  [[nodiscard]] std::uint64_t sip_messages() const;
  void finalize(std::int64_t capture_last_us);
  [[nodiscard]] nlohmann::ordered_json to_json() const;
};

// Generator name and version recorded in every truth file.
inline constexpr const char* kGeneratorVersion = "sipscope-gen 0.1.0";

}  // namespace sipscope::gen
