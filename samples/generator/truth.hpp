// Ground truth recorded while a scenario is emitted, written beside the capture as JSON.
//
// The values follow the "Column meanings" of docs/design.md (calls table, streams table),
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

struct StreamTruth {
  std::string src, dst;  // "ip:port" / "[ipv6]:port"
  std::uint32_t ssrc = 0;
  int payload_type = 0;
  std::string codec;
  std::uint64_t packets = 0, expected = 0, lost = 0;
  std::int64_t first_us = 0, last_us = 0;
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

  CallTruth& new_call(std::string sip_call_id);
  [[nodiscard]] std::uint64_t sip_messages() const;
  void finalize(std::int64_t capture_last_us);
  [[nodiscard]] nlohmann::ordered_json to_json() const;
};

// Generator name and version recorded in every truth file.
inline constexpr const char* kGeneratorVersion = "sipscope-gen 0.1.0";

}  // namespace sipscope::gen
