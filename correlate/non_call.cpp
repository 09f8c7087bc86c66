#include "correlate/non_call.hpp"

#include <algorithm>

namespace sipscope::correlate {

NonCallActivity::NonCallActivity(const Limits& l, TrackerStats& stats)
    : stats_(stats),
      peers_({.max_peers = l.max_open_peers,
              .max_pending = l.max_open_transactions,
              .timeout_us = 64 * l.t1_us,
              .idle_us = l.peer_idle_us}),
      subscriptions_({.max_open = l.max_open_subscriptions,
                      .linger_us = std::max(l.linger_us, 64 * l.t1_us),
                      .idle_us = l.peer_idle_us}),
      activity_({.max_open = l.max_open_transactions, .timeout_us = 64 * l.t1_us}) {}

void NonCallActivity::on_message(const decode::SipEvent& ev, const SipSummary& s, bool retx,
                                 RecordSink& sink) {
  const std::string_view method = s.is_request ? s.method : s.cseq_method;
  if (method == "OPTIONS") {
    peers_.on_message(ev, s, retx, peer_out_);
  } else if (method == "SUBSCRIBE" || method == "NOTIFY") {
    subscriptions_.on_message(ev, s, retx, subs_done_);
  } else if (method == "MESSAGE" || method == "PUBLISH") {
    activity_.on_message(ev, s, retx, activity_done_);
  } else {
    return;
  }
  emit(sink);
}

void NonCallActivity::advance(int64_t now_us, RecordSink& sink) {
  peers_.advance(now_us, peer_out_);
  subscriptions_.advance(now_us, subs_done_);
  activity_.advance(now_us, activity_done_);
  emit(sink);
}

void NonCallActivity::finish(int64_t end_us, RecordSink& sink) {
  peers_.finish(end_us, peer_out_);
  subscriptions_.finish(end_us, subs_done_);
  activity_.finish(end_us, activity_done_);
  emit(sink);
}

void NonCallActivity::emit(RecordSink& sink) {
  for (auto& e : peer_out_.events) sink.on_peer_event(std::move(e));
  for (auto& p : peer_out_.peers) {
    ++stats_.peers;
    sink.on_peer(std::move(p));
  }
  for (auto& s : subs_done_) {
    ++stats_.subscriptions;
    sink.on_subscription(std::move(s));
  }
  for (auto& a : activity_done_) {
    ++stats_.activities;
    sink.on_activity(std::move(a));
  }
  peer_out_.events.clear();
  peer_out_.peers.clear();
  subs_done_.clear();
  activity_done_.clear();
}

}  // namespace sipscope::correlate
