// Owned records that correlate/ hands to its sink when something is finished: a call with
// all its messages, a message outside any call, an anomaly. These are the rows of the
// docs/schema.md tables `calls`, `messages` and `anomalies` before storage; report/ writes them.
// Optional values are std::nullopt where the column is NULL. States, transports and kinds
// are enums; store/ writes their names (docs/schema.md) and parses them back.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "correlate/call_state.hpp"
#include "correlate/record_kinds.hpp"
#include "decode/anomaly.hpp"
#include "decode/net.hpp"

namespace sipscope::correlate {

// The state machines' enums, defined with their machines (which include this header).
enum class TxState : uint8_t;      // correlate/transaction.hpp
enum class DialogState : uint8_t;  // correlate/dialog.hpp
enum class PeerState : uint8_t;    // correlate/keepalive.hpp
enum class SubState : uint8_t;     // correlate/subscription.hpp

struct MessageRecord {
  std::optional<int64_t> call_id;  // calls.id, nullopt outside calls
  uint32_t capture_id = 0;
  uint64_t frame = 0;
  // Every frame carrying part of the message (IP fragments, TCP segments, SCTP fragments),
  // ascending; empty when `frame` alone holds it.
  std::vector<uint64_t> frames;
  int64_t ts_us = 0;
  std::string src_ip;
  uint16_t src_port = 0;
  std::string dst_ip;
  uint16_t dst_port = 0;
  decode::Transport transport = decode::Transport::udp;
  std::optional<std::string> method;  // requests only
  std::optional<int> status_code;     // responses only
  std::optional<std::string> reason;  // responses only: reason phrase
  std::optional<int64_t> cseq;
  std::optional<std::string> cseq_method;
  std::string sip_call_id;  // Call-ID header value ("" if absent)
  bool retransmission = false;
  std::string raw;                       // exact message bytes
  std::optional<std::string> hep_agent;  // HEP sender "ID[/NODE]", nullopt when not from HEP
};

struct CallRecord {
  int64_t id = 0;  // assigned by the tracker, increasing by start
  std::string sip_call_id;
  std::optional<int64_t> group_id;
  std::optional<std::string> from_user, to_user, from_uri, to_uri;
  std::optional<std::string> caller_ip, callee_ip;
  decode::Transport transport = decode::Transport::udp;  // of the first INVITE
  std::optional<int64_t> start_us, ring_us, answer_us, end_us;
  CallState state = CallState::unknown;  // docs/states.md vocabulary
  std::optional<int> final_code;
  std::optional<std::string> final_reason;
  std::optional<Party> hangup_by;  // who sent the first BYE
  // Reason header (RFC 3326) of the first BYE or CANCEL that carries one, unfolded, and the
  // cause of its Q.850 value.
  std::optional<std::string> hangup_reason;
  std::optional<int> q850_cause;
  std::optional<double> pdd_ms, duration_ms;
  int64_t message_count = 0;
};

struct AnomalyRecord {
  uint32_t capture_id = 0;
  std::optional<int64_t> call_id;
  uint64_t frame = 0;
  int64_t ts_us = 0;
  decode::AnomalyKind kind{};
  std::string detail;
  std::optional<std::string> flow;  // "src -> dst" when known
};

// One SIP transaction as observed (RFC 3261 §17): a request, its retransmissions and its
// responses on one hop. call_id is nullopt outside calls (REGISTER, OPTIONS, MESSAGE ...).
struct TransactionRecord {
  std::optional<int64_t> call_id;
  std::string sip_call_id;
  std::string method;  // CSeq method ("INVITE", "ACK" for a 2xx ACK, "CANCEL", ...)
  int64_t cseq = 0;
  std::string branch;  // top Via branch ("" for RFC 2543 peers without one)
  std::string src_ip;  // the requester (or the response's receiver if the request was missed)
  uint16_t src_port = 0;
  std::string dst_ip;
  uint16_t dst_port = 0;
  TxState state{};  // RFC 3261 §17.1 client state at flush
  int64_t start_us = 0;
  std::optional<int64_t> first_response_us, final_us;
  std::optional<int> final_code;
  std::optional<double> response_ms;  // first request -> final response
  int64_t requests = 0, responses = 0, retransmissions = 0;
};

// A finding about a call (docs/schema.md `diagnostics`): no ACK, Timer B expiry, hold, ...
struct DiagnosticRecord {
  int64_t call_id = 0;
  std::optional<int64_t> ts_us;
  DiagnosticKind kind{};
  std::string detail;
  std::vector<uint64_t> frames;  // the frames that show it, as MessageRecord::frames
};

// One dialog of a call (RFC 3261 §12), kept apart by To-tag (forking gives several).
struct DialogRecord {
  int64_t call_id = 0;
  std::string from_tag, to_tag;
  DialogState state{};
  std::optional<std::string> remote_ip;  // sender of its first response
  int64_t created_us = 0;
  std::optional<int64_t> confirmed_us, terminated_us;
  std::optional<int> first_code, final_code;
  int64_t reinvites = 0, updates = 0, pracks = 0, holds = 0;
};

// Two calls (legs) linked as one end-to-end call; both get the same calls.group_id.
struct CallLinkRecord {
  int64_t call_id = 0;         // the later leg
  int64_t linked_call_id = 0;  // the earlier leg it was tied to
  std::string reason;          // x_call_id, session_id, icid, refer, replaces, shared_media
  int64_t group_id = 0;
};

// One registration attempt (RFC 3261 §10): REGISTERs sharing a Call-ID up to the final
// non-challenge response, challenge/response rounds included.
struct RegistrationRecord {
  std::string sip_call_id;
  std::optional<std::string> user, aor, contact;
  std::optional<std::string> registrant_ip, registrar_ip;
  decode::Transport transport = decode::Transport::udp;
  int64_t start_us = 0;
  std::optional<int64_t> end_us;
  std::optional<int64_t> requested_expires, expires;
  std::string result;  // registered / unregistered / failed / challenged / no_response
  std::optional<int> final_code;
  std::optional<std::string> final_reason;
  int64_t attempts = 0, challenges = 0;
  std::optional<double> response_ms;  // first REGISTER -> final response
};

// OPTIONS keep-alive monitoring of one peer (correlate/keepalive.hpp): one pinger IP
// sending OPTIONS to one peer address. state is up / down / unknown at the end.
struct PeerRecord {
  std::string pinger_ip;
  std::string peer_ip;
  uint16_t peer_port = 0;
  decode::Transport transport = decode::Transport::udp;
  std::optional<std::string> peer_uri;  // Request-URI of the latest OPTIONS
  int64_t first_us = 0, last_us = 0;
  int64_t pings = 0, answered = 0, timeouts = 0, failures = 0;  // failures: 408 / 503
  PeerState state{};
  std::optional<int64_t> state_since_us;
  std::optional<int> last_code;
  std::optional<double> last_rtt_ms, avg_rtt_ms, max_rtt_ms;
  int64_t down_count = 0;
  double down_ms = 0;  // total time in `down` up to the end of the monitoring
};

// A peer changed state (unknown/up/down), with the message that shows it.
struct PeerEventRecord {
  std::string pinger_ip;
  std::string peer_ip;
  uint16_t peer_port = 0;
  int64_t ts_us = 0;
  PeerState state{}, previous{};
  std::string reason;  // "200 OK", "503 Service Unavailable", "timeout"
  std::optional<int> code;
  uint32_t capture_id = 0;
  uint64_t frame = 0;                 // the response, or the unanswered OPTIONS
  std::optional<double> previous_ms;  // how long the previous state lasted (NULL: unknown)
};

// One subscription (RFC 6665, correlate/subscription.hpp) outside calls.
struct SubscriptionRecord {
  std::string sip_call_id;
  std::string event;  // event package ("presence", "dialog", "message-summary", ...)
  std::optional<std::string> event_id;
  std::optional<std::string> subscriber_uri, resource_uri;
  std::optional<std::string> subscriber_ip, notifier_ip;
  decode::Transport transport = decode::Transport::udp;
  int64_t start_us = 0;
  std::optional<int64_t> end_us;
  std::optional<int64_t> requested_expires, expires;
  SubState state{};
  std::optional<std::string> reason;  // Subscription-State reason of the termination
  std::optional<int> final_code;      // of the initial SUBSCRIBE (challenges retried excluded)
  std::optional<std::string> final_reason;
  std::optional<double> response_ms;
  int64_t subscribes = 0, refreshes = 0, challenges = 0, notifies = 0;
  std::optional<int64_t> first_notify_us, last_notify_us;
  std::string history;  // Subscription-State values in order: "pending active terminated"
};

// One MESSAGE (RFC 3428) or PUBLISH (RFC 3903) transaction outside calls.
struct ActivityRecord {
  std::string method;  // MESSAGE / PUBLISH
  std::string sip_call_id;
  int64_t cseq = 0;
  std::optional<std::string> from_user, to_user, from_uri, to_uri;
  std::string src_ip, dst_ip;
  decode::Transport transport = decode::Transport::udp;
  uint32_t capture_id = 0;
  uint64_t frame = 0;  // request (or the response when the request was not captured)
  int64_t start_us = 0;
  std::optional<int64_t> final_us;
  std::optional<int> final_code;
  std::optional<std::string> final_reason;
  std::optional<double> response_ms;
  std::string result;                                // success / failed / no_response / pending
  std::optional<std::string> event, etag, if_match;  // PUBLISH
  std::optional<std::string> action;                 // PUBLISH: initial/refresh/modify/remove
  std::optional<int64_t> expires, granted_expires;
  std::optional<std::string> content_type;
  int64_t body_bytes = 0;
};

// One RFC 4733 telephone event (DTMF digit) of a stream.
struct DtmfRecord {
  int64_t ts_us = 0;                  // arrival of the event's first packet
  uint64_t frame = 0;                 // its frame number
  char digit = '?';                   // 0-9 * # A-D, '!' flash
  int event = 0;                      // RFC 4733 event code
  int volume = 0;                     // -dBm0
  std::optional<double> duration_ms;  // from the duration field; nullopt if clock unknown
  bool ended = false;                 // an end-bit packet was seen
};

// One interval of a stream's time series, for charts (docs/media.md "Time series").
// Intervals are 1 s of capture time, doubled when a long stream would exceed the cap.
struct StreamSampleRecord {
  int64_t start_us = 0;     // interval start: the stream's first packet + k * interval
  int64_t interval_ms = 0;  // interval length
  int64_t packets = 0;      // RTP packets that arrived in the interval
  int64_t expected = 0;     // growth of `expected` (RFC 3550 A.3) over the interval
  int64_t lost = 0;         // expected - packets of the interval (A.3 "interval" loss)
  int64_t late_discards = 0;
  std::optional<double> jitter_ms;      // J after the interval's last packet
  std::optional<double> jitter_max_ms;  // largest J after a packet of the interval
  std::optional<double> max_delta_ms;   // largest arrival gap ending in the interval
};

// One media stream (docs/schema.md `streams`): one SSRC, one direction. Definitions of every
// number are in docs/media.md; nullopt = NULL (unknown / not applicable).
struct StreamRecord {
  std::optional<int64_t> call_id;  // calls.id; nullopt for orphan streams
  uint32_t capture_id = 0;
  std::string src_ip;
  uint16_t src_port = 0;
  std::string dst_ip;
  uint16_t dst_port = 0;
  uint32_t ssrc = 0;
  std::optional<int> payload_type;
  std::optional<std::string> codec;
  std::optional<int64_t> clock_rate;
  int64_t first_us = 0, last_us = 0;
  uint64_t first_frame = 0, last_frame = 0;
  int64_t packets = 0;
  std::optional<int64_t> expected, lost, duplicates, out_of_order;
  int64_t seq_wraps = 0, seq_restarts = 0;
  int64_t loss_bursts = 0, max_burst = 0;
  std::optional<double> jitter_mean_ms, jitter_max_ms, max_delta_ms, mean_delta_ms;
  int64_t markers = 0, comfort_noise = 0, telephone_event_packets = 0;
  int64_t late_discards = 0;  // packets the de-jitter buffer model drops (docs/media.md)
  std::optional<double> r_factor, mos;
  // The largest impairment term of the E-model (docs/media.md "What limits the MOS"):
  // none, codec, loss, late_discards or delay; nullopt when mos is.
  std::optional<std::string_view> mos_limited_by;
  StreamAssociation association = StreamAssociation::orphan;
  // Latest RTCP receiver report about this SSRC (from the receiving side), if any.
  std::optional<double> rtcp_fraction_lost;  // 0..1
  std::optional<int64_t> rtcp_cumulative_lost;
  std::optional<double> rtcp_jitter_ms;
  std::optional<double> rtcp_rtt_ms;
  std::vector<DtmfRecord> dtmf;
  std::vector<StreamSampleRecord> samples;  // in time order
};

// One RTCP report block or sender info as received (RFC 3550 §6.4, RFC 3611 §4.7).
struct RtcpRecord {
  std::optional<int64_t> call_id;
  uint32_t capture_id = 0;
  uint64_t frame = 0;
  int64_t ts_us = 0;
  std::string src_ip;
  uint16_t src_port = 0;
  std::string dst_ip;
  uint16_t dst_port = 0;
  uint8_t packet_type = 0;  // RFC 3550 §12.1 number (decode::rtcp::type); named when stored
  uint32_t sender_ssrc = 0;
  std::optional<int64_t> source_ssrc;  // report block's SSRC (the stream reported on)
  std::optional<double> fraction_lost;
  std::optional<int64_t> cumulative_lost;
  std::optional<int64_t> highest_seq;
  std::optional<double> jitter_ms;  // nullopt when the stream's clock rate is unknown
  std::optional<int64_t> jitter_units;
  std::optional<double> rtt_ms;                             // from LSR/DLSR (RFC 3550 §6.4.1)
  std::optional<double> xr_mos_lq, xr_mos_cq, xr_r_factor;  // XR VoIP metrics (RFC 3611)
  std::optional<std::string> detail;                        // CNAME, BYE reason, APP name
};

// Where finished records go (report/ implements it with SQLite; tests with vectors).
// Live capture: an open call as it stands (CallTracker::open_calls_changed): its `calls`
// row and the transactions, dialogs and diagnostics it would be flushed with now. The
// final flush computes the same rows again at its own time, which replace these.
struct OpenCallRows {
  CallRecord row;
  std::vector<TransactionRecord> transactions;
  std::vector<DialogRecord> dialogs;
  std::vector<DiagnosticRecord> diagnostics;
};

class RecordSink {
 public:
  virtual ~RecordSink() = default;
  // A finished call and every message of it, in capture order (message.call_id set).
  virtual void on_call(CallRecord call, std::vector<MessageRecord> messages) = 0;
  // A message that belongs to no call (REGISTER, OPTIONS, ...): call_id is nullopt.
  virtual void on_message(MessageRecord message) = 0;
  virtual void on_anomaly(AnomalyRecord anomaly) = 0;
  // Transactions, dialogs and diagnostics come right after the on_call() of their call;
  // a link comes when the later leg starts (before either row may be stored), and
  // registrations and transactions outside calls when they end. Default: ignored.
  virtual void on_transaction(TransactionRecord /*transaction*/) {}
  virtual void on_diagnostic(DiagnosticRecord /*diagnostic*/) {}
  virtual void on_dialog(DialogRecord /*dialog*/) {}
  virtual void on_call_link(CallLinkRecord /*link*/) {}
  virtual void on_registration(RegistrationRecord /*registration*/) {}
  // Non-call activity: a peer's state changes as they happen, the peer row when its
  // monitoring ends; subscriptions and MESSAGE/PUBLISH transactions when they end.
  virtual void on_peer(PeerRecord /*peer*/) {}
  virtual void on_peer_event(PeerEventRecord /*event*/) {}
  virtual void on_subscription(SubscriptionRecord /*subscription*/) {}
  virtual void on_activity(ActivityRecord /*activity*/) {}
  // Media (correlate/media): a finished stream with its DTMF events; an RTCP report.
  virtual void on_stream(StreamRecord /*stream*/) {}
  virtual void on_rtcp(RtcpRecord /*report*/) {}
};

}  // namespace sipscope::correlate
