// The models of non-call activity beside registrations (docs/states.md "Correlation
// vocabulary"): OPTIONS keep-alives -> peers (keepalive.hpp), SUBSCRIBE/NOTIFY ->
// subscriptions (subscription.hpp), MESSAGE/PUBLISH -> activity rows (activity.hpp).
// CallTracker hands every message outside calls to on_message() and forwards time; the
// finished rows go straight to the sink. Limits come from correlate::Limits (Timer F =
// 64*T1, the open-item limit shared with transactions outside calls).
//
//   NonCallActivity a(limits, stats);
//   a.on_message(event, summary, retransmission, sink);  a.advance(now_us, sink);
#pragma once

#include <cstdint>

#include "correlate/activity.hpp"
#include "correlate/call_tracker.hpp"
#include "correlate/keepalive.hpp"
#include "correlate/records.hpp"
#include "correlate/subscription.hpp"

namespace sipscope::correlate {

class NonCallActivity {
 public:
  NonCallActivity(const Limits& limits, TrackerStats& stats);

  void on_message(const decode::SipEvent& event, const SipSummary& summary, bool retransmission,
                  RecordSink& sink);
  void advance(int64_t now_us, RecordSink& sink);
  void finish(int64_t end_us, RecordSink& sink);

  // Items dropped early because a limit was hit (anomaly activity_table_full).
  [[nodiscard]] uint64_t evicted() const {
    return peers_.evicted() + subscriptions_.evicted() + activity_.evicted();
  }

 private:
  void emit(RecordSink& sink);

  TrackerStats& stats_;
  PeerTracker peers_;
  SubscriptionTracker subscriptions_;
  ActivityTracker activity_;
  PeerOutput peer_out_;
  std::vector<SubscriptionRecord> subs_done_;
  std::vector<ActivityRecord> activity_done_;
};

}  // namespace sipscope::correlate
