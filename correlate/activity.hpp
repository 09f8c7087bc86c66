// MESSAGE (RFC 3428) and PUBLISH (RFC 3903) outside calls, one ActivityRecord per
// transaction (RFC 3261 §17, per hop): who sent what to whom, when, the final answer and
// how long it took. For PUBLISH also the event package, the entity-tag the server gave
// (SIP-ETag in the 2xx, §11.3.1) and the one the request refers to (SIP-If-Match,
// §11.3.2), and the action §4.1 defines: initial (no If-Match), refresh (If-Match, no
// body), modify (If-Match and a body), remove (Expires: 0).
//
// A record is handed out at its final response; with none it becomes `no_response` once
// Timer F (64*T1) has run out in capture time, or `pending` when the capture ends first.
// A response whose request was not captured still makes a row (start = the response).
// Owns copies; SipSummary views are read during on_message() only.
//
//   ActivityTracker a({});
//   a.on_message(event, summary, retransmission, done);  a.advance(now_us, done);
#pragma once

#include <cstdint>
#include <deque>
#include <unordered_map>
#include <utility>
#include <vector>

#include "correlate/records.hpp"
#include "correlate/sip_summary.hpp"
#include "decode/decoder.hpp"

namespace sipscope::correlate {

struct ActivityLimits {
  size_t max_open = 100'000;
  int64_t timeout_us = 32'000'000;  // Timer F = 64*T1
};

// PUBLISH action of RFC 3903 §4.1 from the request's SIP-If-Match, Expires and body.
[[nodiscard]] std::string_view publish_action(bool has_if_match, bool expires_zero, bool has_body);

class ActivityTracker {
 public:
  explicit ActivityTracker(ActivityLimits limits) : limits_(limits) {}

  // MESSAGE / PUBLISH requests and responses whose CSeq method is one of them.
  void on_message(const decode::SipEvent& event, const SipSummary& summary, bool retransmission,
                  std::vector<ActivityRecord>& done);
  void advance(int64_t now_us, std::vector<ActivityRecord>& done);
  void finish(int64_t end_us, std::vector<ActivityRecord>& done);

  [[nodiscard]] uint64_t evicted() const { return evicted_; }
  [[nodiscard]] size_t open() const { return open_.size(); }

 private:
  void expire(uint64_t key, int64_t start_us, std::string_view result,
              std::vector<ActivityRecord>& done);

  ActivityLimits limits_;
  uint64_t evicted_ = 0;
  std::unordered_map<uint64_t, ActivityRecord> open_;  // by transaction_key()
  std::deque<std::pair<int64_t, uint64_t>> order_;     // (start_us, key)
};

}  // namespace sipscope::correlate
