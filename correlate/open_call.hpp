// One call that is still open in the CallTracker: its messages so far and the facts from
// which the `calls` columns are computed when it is flushed (docs/states.md).
// Owns copies of everything it keeps; the views of a SipEvent are read only during add().
//
//   OpenCall c(id, event, summary);          // the message that opened it
//   c.add(next_event, next_summary);         // every later message with that Call-ID
//   auto fresh = c.take_new_messages();      // live: messages added since the last take
//   auto [row, messages] = c.flush(now_us, no_answer_us);  // the messages not yet taken
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "correlate/call_tracker.hpp"
#include "correlate/dialog.hpp"
#include "correlate/records.hpp"
#include "correlate/session_timer.hpp"
#include "correlate/sip_summary.hpp"
#include "correlate/transaction.hpp"
#include "decode/decoder.hpp"

namespace sipscope::correlate {

// What one open call may hold (Limits::max_call_*).
struct CallBounds {
  size_t messages = 10'000;
  size_t transactions = 1024;
  size_t dialogs = 16;
};

// Bounds reached by a call, reported once each (OpenCall::take_limits_reached()).
enum CallLimitReached : uint8_t {
  kCallMessagesFull = 1,
  kCallTransactionsFull = 2,
  kCallDialogsFull = 4,
};

class OpenCall {
 public:
  // `event` opened the call: an initial INVITE (a call with its caller known), or dialog
  // traffic whose INVITE was not captured (state `unknown`).
  OpenCall(int64_t id, const decode::SipEvent& event, const SipSummary& summary,
           const CallBounds& bounds = {});

  void add(const decode::SipEvent& event, const SipSummary& summary);
  // CallLimitReached bits of the bounds reached since the last call (each once per call).
  [[nodiscard]] uint8_t take_limits_reached();

  // Does an INVITE without To-tag (`summary`) at `now_us` start a new call on this Call-ID
  // rather than continue this one (a proxy hop, a retransmission or a 401/407 retry)?
  [[nodiscard]] bool replaced_by(const SipSummary& summary, int64_t now_us,
                                 int64_t linger_us) const;

  // Earliest capture time after which the call may be flushed without losing anything
  // the linger/no-answer rules still wait for.
  [[nodiscard]] int64_t due_us(const Limits& limits) const;
  // BYE seen, or a final failure (a challenge included) / answered CANCEL with no answer.
  [[nodiscard]] bool ended() const;
  // An initial INVITE with no answer, final response or answered CANCEL yet.
  [[nodiscard]] bool waiting_for_final() const;
  [[nodiscard]] int64_t id() const { return id_; }
  [[nodiscard]] const std::string& sip_call_id() const { return sip_call_id_; }
  [[nodiscard]] int64_t last_ts_us() const { return last_ts_us_; }
  // Where the last message kept for the store was captured.
  [[nodiscard]] const decode::FrameRef& last_kept_frame() const { return last_kept_frame_; }
  [[nodiscard]] const TransactionTable& transactions() const { return txns_; }
  [[nodiscard]] const DialogSet& dialogs() const { return dialogs_; }
  [[nodiscard]] const SessionTimer& session_timer() const { return session_timer_; }
  // The first response to the initial INVITE captured before it (capture time went
  // backwards: merged captures of unsynchronised hosts): the `timestamp_backwards` evidence.
  [[nodiscard]] const std::optional<decode::FrameRef>& time_went_back() const {
    return time_went_back_;
  }
  // Messages captured twice (TransactionTable::kDuplicateUs) and the first such copy.
  [[nodiscard]] uint64_t duplicates() const { return duplicates_; }
  [[nodiscard]] const decode::FrameRef& first_duplicate() const { return first_duplicate_; }

  // Live capture: the messages kept since the last take, in capture order. They are final
  // when added (add() decides the retransmission flag), so they can be stored at once.
  std::vector<MessageRecord> take_new_messages();
  // The finished `calls` row and its messages not yet taken, in capture order; the object
  // is spent.
  std::pair<CallRecord, std::vector<MessageRecord>> flush(int64_t now_us, int64_t no_answer_us);
  // The `calls` row as it stands at now_us (live capture shows open calls with it).
  [[nodiscard]] CallRecord row(int64_t now_us, int64_t no_answer_us) const;

 private:
  struct Response {
    int code = 0;
    std::string reason;
    int64_t ts_us = 0;
    uint32_t cseq = 0;
  };
  // A response kind as the caller saw it, with the first one seen anywhere as fallback
  // for captures taken on the far side only.
  struct Pick {
    std::optional<Response> caller, any;
    [[nodiscard]] const Response* best() const;
  };

  void start_initial_invite(const decode::SipEvent& event, const SipSummary& summary);
  // `unknown` calls: take the first message's direction as caller -> callee.
  void orient_from_dialog(const decode::SipEvent& event, const SipSummary& summary);
  void observe(const decode::SipEvent& event, const SipSummary& summary);
  void observe_initial_invite_hop(const decode::SipEvent& event, const SipSummary& summary);
  void observe_invite_response(const decode::SipEvent& event, const SipSummary& summary,
                               bool to_caller);
  [[nodiscard]] bool delivered_to_caller(const decode::SipEvent& event) const;
  // Also adopts the CSeq of a retry whose INVITE was not captured.
  [[nodiscard]] bool is_initial_invite_response(const SipSummary& summary);
  [[nodiscard]] const Response* decisive_final() const;
  [[nodiscard]] bool answered() const;
  // BYE seen, or a final non-2xx other than a challenge: an INVITE without To-tag on this
  // Call-ID may now start a new call (docs/states.md: "A Call-ID reused after its call ended").
  [[nodiscard]] bool ended_for_reuse() const;
  void keep_reason(const decode::SipEvent& event);
  [[nodiscard]] std::optional<Party> hangup_by(const decode::SipEvent& bye,
                                               const SipSummary& summary) const;
  [[nodiscard]] std::optional<std::string> callee_ip() const;

  int64_t id_;
  std::string sip_call_id_;
  decode::Transport transport_ = decode::Transport::udp;
  std::vector<MessageRecord> messages_;  // kept and not yet taken
  decode::FrameRef last_kept_frame_;
  uint32_t max_messages_;
  uint32_t messages_taken_ = 0;     // kept and handed out by take_new_messages()
  uint32_t messages_not_kept_ = 0;  // past max_messages_: counted, not stored
  uint8_t limits_reported_ = 0;     // CallLimitReached bits already handed out
  TransactionTable txns_;           // decides messages.retransmission (RFC 3261 §17)
  DialogSet dialogs_;
  SessionTimer session_timer_;  // RFC 4028 expiry (correlate/session_timer.hpp)
  int64_t last_ts_us_ = 0;

  // Initial INVITE facts (has_invite_ false for `unknown` calls, whose orientation is
  // inferred from the first message seen: oriented_).
  bool has_invite_ = false;
  bool oriented_ = false;
  std::optional<decode::Endpoint> inferred_callee_;
  int64_t start_us_ = 0;
  decode::Endpoint caller_, first_hop_;
  std::string from_tag_;
  std::optional<std::string> from_uri_, to_uri_, from_user_, to_user_;
  std::vector<std::string> invite_from_tags_;  // of INVITEs without To-tag (all hops)
  std::vector<uint32_t> initial_cseqs_;        // the initial INVITE and its 401/407 retries
  std::vector<std::pair<decode::Endpoint, decode::Endpoint>> hops_;  // first-seen order
  std::vector<decode::Endpoint> invite_senders_;
  std::optional<decode::Endpoint> answered_by_;  // sender of the first 2xx seen (forking)

  // Outcome facts.
  Pick ring_, answer_, final_;
  bool cancel_answered_ = false;
  std::optional<int64_t> bye_us_;
  std::optional<Party> hangup_by_;
  std::optional<std::string> hangup_reason_;
  std::optional<int> q850_cause_;
  std::optional<int64_t> ended_us_;  // when a BYE or a non-challenge final was first seen
  std::optional<decode::FrameRef> time_went_back_;
  uint64_t duplicates_ = 0;
  decode::FrameRef first_duplicate_;
};

}  // namespace sipscope::correlate
