// The few fields of a parsed SIP message that correlation needs (Call-ID, CSeq, tags, top
// Via branch, From/To URIs), extracted once per message, plus the conversions from a
// decode::SipEvent to an owned MessageRecord and to a retransmission key.
//
// SipSummary holds views into the event's message: valid only during the on_sip callback.
//
//   SipSummary s = summarize(*event.message);
//   if (s.call_id.empty()) ...;  MessageRecord r = make_message_record(event, s);
#pragma once

#include <cstdint>
#include <string_view>

#include "correlate/records.hpp"
#include "decode/decoder.hpp"

namespace sipscope::correlate {

struct SipSummary {
  bool is_request = true;
  std::string_view method;   // "" for responses
  int status_code = 0;       // 0 for requests
  std::string_view call_id;  // "" when absent
  bool has_cseq = false;     // CSeq present and well formed (RFC 3261 §20.16)
  // CSeq present but not `number SP method` with a 32-bit number, or (a request) naming
  // another method than the request's (§8.1.1.5): an `sip_bad_cseq` anomaly.
  bool bad_cseq = false;
  uint32_t cseq = 0;
  std::string_view cseq_method;
  std::string_view from_uri, to_uri;
  std::string_view from_tag, to_tag;
  bool has_to_tag = false;      // RFC 3261 §12: a To-tag marks a request inside a dialog
  std::string_view via_branch;  // branch of the top Via
  std::string_view via_host;    // sent-by of the top Via (RFC 3261 §17.2.3 matching)
  uint16_t via_port = 0;
  std::string_view request_uri;  // requests only
};

[[nodiscard]] SipSummary summarize(const decode::sip::Message& message);

// Owned copy of the message for the `messages` table; call_id and retransmission are left
// for the tracker to fill.
[[nodiscard]] MessageRecord make_message_record(const decode::SipEvent& event,
                                                const SipSummary& summary);

// Identity of a message for retransmission detection (the Foundation approximation; the
// tracker now uses TransactionTable, correlate/transaction.hpp, per RFC 3261 §17): two messages of
// one call are copies of each other when they have the same src and dst endpoints, the same kind
// (method or status code), the same CSeq number and method, the same top Via branch and the same
// To-tag. A 64-bit FNV-1a hash of those fields; a collision would only mislabel one message.
[[nodiscard]] uint64_t retransmission_key(const decode::SipEvent& event, const SipSummary& summary);

}  // namespace sipscope::correlate
