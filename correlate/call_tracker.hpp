// Groups SIP messages into calls (docs/states.md "Correlation vocabulary") and computes every
// `calls` column: caller-side start/ring/answer/end, PDD, duration, state, final code and
// reason, hangup_by, message_count.
//
// Streaming: feed events in capture order. A call is flushed to the sink when it has
// ended and its linger time (capture time) has passed, when it idles past
// Limits::call_idle_us (anomaly call_expired_open), when an unanswered INVITE has been
// `no_answer` for a linger, or when the open-call limit forces out the call nearest its
// expiry (anomaly call_table_full). finish() flushes everything at the end of the input;
// the capture-end time decides `no_answer` versus `in_progress`. Calls get ids
// Limits::first_call_id, +1, ... in order of their first message; on_call() comes in
// flush order; each kept message goes to on_message() as it arrives (files) or at the next
// open_calls_changed() (Limits::messages_wait_for_row). on_sip() also advances time to
// its event, so advance() is only needed across stretches without SIP.
//
//   correlate::CallTracker t(sink, {});
//   decoder events -> t.on_sip(ev) / t.on_anomaly(ev);  at the end t.finish(last_ts_us);
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "correlate/records.hpp"
#include "decode/decoder.hpp"

namespace sipscope::correlate {

struct Limits {
  size_t max_open_calls = 200'000;
  int64_t linger_us = 32'000'000;                 // keep an ended call this long for stragglers
  int64_t no_answer_us = 32'000'000;              // INVITE with no final response -> no_answer
  int64_t call_idle_us = 4LL * 3600 * 1'000'000;  // open call with no message this long
  // A 401/407-challenged INVITE waits this long for its retry: softphones prompt a human
  // for the password (sngrep's aaa.pcap retries after 32 s and 51 s).
  int64_t challenge_retry_us = 180'000'000;
  int64_t first_call_id = 1;  // calls.id of the first call (append mode)
  // RFC 3261 T1 (§17.1.1.1): 64*T1 is Timer B/F/H, used for the timer diagnostics and to
  // expire transactions outside calls.
  int64_t t1_us = 500'000;
  size_t max_open_transactions = 100'000;  // outside calls (OPTIONS, MESSAGE, ...)
  // Per open call (a hostile or endless dialog): messages kept for the store (later ones
  // are counted in message_count, not stored: anomaly call_message_limit), transactions
  // matched (call_transaction_limit) and dialogs tracked (dialog_limit).
  size_t max_call_messages = 10'000;
  size_t max_call_transactions = 1024;
  size_t max_call_dialogs = 16;
  size_t max_open_registrations = 100'000;
  // Non-call activity (correlate/non_call.hpp): OPTIONS peers and subscriptions; a peer
  // with no OPTIONS and a subscription with no message and no known expiry this long end.
  size_t max_open_peers = 10'000;
  size_t max_open_subscriptions = 100'000;
  int64_t peer_idle_us = 3600LL * 1'000'000;
  // Headers that carry the Call-ID of another leg (B2BUAs), matched case-insensitively.
  std::vector<std::string> link_headers = {"X-Call-ID", "X-CID", "X-Orig-Call-ID"};
  // Files: each kept message goes to the sink when it arrives (on_message), so an open call
  // holds its state, not its text; on_call() then carries no messages. Live: messages wait
  // for open_calls_changed(), which stores their call's row first (readers never see a
  // message before its call).
  bool messages_wait_for_row = false;
};

struct TrackerStats {
  uint64_t calls = 0;
  uint64_t call_messages = 0;
  uint64_t other_messages = 0;
  uint64_t anomalies = 0;
  uint64_t retransmissions = 0;
  uint64_t transactions = 0;  // flushed transaction rows
  uint64_t registrations = 0;
  uint64_t call_links = 0;
  // Non-call rows flushed (correlate/non_call.hpp).
  uint64_t peers = 0, subscriptions = 0, activities = 0;
  size_t open_calls = 0;  // open right now
  size_t open_calls_peak = 0;
};

class CallTracker {
 public:
  CallTracker(RecordSink& sink, const Limits& limits);
  ~CallTracker();
  CallTracker(const CallTracker&) = delete;
  CallTracker& operator=(const CallTracker&) = delete;

  void on_sip(const decode::SipEvent& event);
  void on_anomaly(const decode::AnomalyEvent& event);
  // Capture time moved on (called per frame or periodically): expires what is due.
  void advance(int64_t now_us);
  // End of input: flush every open call; capture_end_us is the last frame's time.
  void finish(int64_t capture_end_us);
  // Live capture: the rows as they stand at now_us (OpenCallRows) of every open call that
  // a message joined since the previous call (every new call included), in no particular
  // order, each followed by its new messages to the sink's on_message() (final when seen);
  // the call's on_call() later carries only the messages not handed out so. The id is the
  // one its final on_call() row will have. Costs the calls changed, not the calls open
  // (the first call walks the calls open then, once).
  void open_calls_changed(int64_t now_us, const std::function<void(const OpenCallRows&)>& out);
  // Live capture, instead of finish(): the open calls stay as their last
  // open_calls_changed() rows have them (one more is made here), so a stop costs what
  // changed since the last tick, not the calls open. Non-call activity is flushed as
  // finish() does, and the anomalies a flush would report about an open call (duplicates,
  // a response before its INVITE) are reported. The tracker is spent afterwards.
  void finish_open(int64_t capture_end_us, const std::function<void(const OpenCallRows&)>& out);

  [[nodiscard]] const TrackerStats& stats() const;
  // calls.id of the call the last on_sip() message joined or opened; nullopt when that
  // message belongs to no call. Lets the media tracker tie SDP to calls.id (issue 5).
  [[nodiscard]] std::optional<int64_t> last_call_id() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sipscope::correlate
