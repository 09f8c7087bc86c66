#include "correlate/subscription.hpp"

#include <algorithm>

#include "correlate/call_state.hpp"
#include "correlate/header_values.hpp"
#include "decode/enum_name.hpp"
#include "decode/sip/fields.hpp"

namespace sipscope::correlate {

namespace sip = decode::sip;

namespace {

constexpr size_t kMaxCseqs = 64;
constexpr size_t kMaxHistory = 256;  // characters of Subscription-State history kept

struct EventId {
  std::string_view package;
  std::string_view id;
};

EventId event_of(const sip::Message& m) {
  const auto tp = split_token_params(m.header_value(sip::HeaderId::event));
  return {tp.token, sip::param_value(tp.params, "id")};
}

std::string dialog_key(std::string_view call_id, std::string_view subscriber_tag) {
  std::string k(call_id);
  k += '\n';
  k += subscriber_tag;
  return k;
}

std::string sub_key(const std::string& dialog, std::string_view package, std::string_view id) {
  std::string k = dialog;
  k += '\n';
  k += package;
  k += '\n';
  k += id;
  return k;
}

bool contains(const std::vector<uint32_t>& v, uint32_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

void add_unique(std::vector<uint32_t>& v, uint32_t x) {
  if (v.size() < kMaxCseqs && !contains(v, x)) v.push_back(x);
}

bool live(SubState s) {
  return s == SubState::sent || s == SubState::accepted || s == SubState::pending ||
         s == SubState::active;
}

}  // namespace

std::string_view sub_state_name(SubState s) {
  switch (s) {
    case SubState::sent:
      return "sent";
    case SubState::accepted:
      return "accepted";
    case SubState::pending:
      return "pending";
    case SubState::active:
      return "active";
    case SubState::terminated:
      return "terminated";
    case SubState::rejected:
      return "rejected";
    case SubState::expired:
      return "expired";
    case SubState::no_response:
      return "no_response";
  }
  return "no_response";
}

std::optional<SubState> parse_sub_state(std::string_view name) {
  return decode::enum_from_name(name, SubState::no_response, sub_state_name);
}

SubState next_sub_state(SubState s, SubEvent e) {
  // Ended subscriptions stay ended: a new SUBSCRIBE after them is a new subscription.
  if (!live(s)) return s;
  switch (e) {
    case SubEvent::accepted_2xx:
      // §4.1.2.1: the 2xx accepts; pending/active is told by the NOTIFY, which may even
      // arrive before the 2xx (§4.1.2.4), in which case it already decided.
      return s == SubState::sent ? SubState::accepted : s;
    case SubEvent::rejected:
      // A failed refresh leaves the subscription running until it expires (§4.1.2.2).
      return s == SubState::sent ? SubState::rejected : s;
    case SubEvent::notify_pending:
      return SubState::pending;
    case SubEvent::notify_active:
      return SubState::active;
    case SubEvent::notify_terminated:
      return SubState::terminated;
    case SubEvent::expiry:
      return s == SubState::sent ? s : SubState::expired;
    case SubEvent::gone:
      return SubState::terminated;
  }
  return s;
}

SubscriptionTracker::Target SubscriptionTracker::target(const decode::SipEvent& ev,
                                                        const SipSummary& s,
                                                        std::string_view subscriber_tag) {
  Target t;
  const auto e = event_of(*ev.message);
  t.event = e.package;
  t.id = e.id;
  t.dialog = dialog_key(s.call_id, subscriber_tag);
  t.key = sub_key(t.dialog, e.package, e.id);
  auto it = subs_.find(t.key);
  t.sub = it == subs_.end() ? nullptr : &it->second;
  return t;
}

SubscriptionTracker::Sub* SubscriptionTracker::find_by_cseq(const std::string& dialog,
                                                            uint32_t cseq, bool notify) {
  const auto d = by_dialog_.find(dialog);
  if (d == by_dialog_.end()) return nullptr;
  for (const auto& key : d->second) {
    auto it = subs_.find(key);
    if (it == subs_.end()) continue;
    Sub& sub = it->second;
    if (notify ? sub.last_notify_cseq == cseq : contains(sub.cseqs, cseq)) return &sub;
  }
  return nullptr;
}

void SubscriptionTracker::erase(const std::string& key) {
  auto it = subs_.find(key);
  if (it == subs_.end()) return;
  auto d = by_dialog_.find(it->second.dialog);
  if (d != by_dialog_.end()) {
    auto& keys = d->second;
    keys.erase(std::remove(keys.begin(), keys.end(), key), keys.end());
    if (keys.empty()) by_dialog_.erase(d);
  }
  subs_.erase(it);
}

SubscriptionTracker::Sub& SubscriptionTracker::open(const Target& t, const decode::SipEvent& ev,
                                                    const SipSummary& s, bool from_subscriber,
                                                    std::vector<SubscriptionRecord>& done) {
  if (subs_.size() >= std::max<size_t>(limits_.max_open, 1) && !queue_.empty()) {
    // The subscription nearest its end loses least.
    auto victim = subs_.find(queue_.begin()->second);
    queue_.erase(queue_.begin());
    if (victim != subs_.end()) {
      close(victim->second, ev.frame.ts_us, done);
      erase(victim->first);
      ++evicted_;
    }
  }
  Sub& sub = subs_[t.key];
  sub = Sub{};
  sub.dialog = t.dialog;
  // A hostile stream could put endless Event packages into one dialog: bounded like cseqs.
  auto& keys = by_dialog_[t.dialog];
  if (keys.size() < kMaxCseqs) keys.push_back(t.key);
  sub.generation = next_generation_++;
  SubscriptionRecord& r = sub.record;
  r.sip_call_id = std::string(s.call_id);
  r.event = std::string(t.event);
  if (!t.id.empty()) r.event_id = std::string(t.id);
  const decode::Endpoint& subscriber = from_subscriber ? ev.src : ev.dst;
  const decode::Endpoint& notifier = from_subscriber ? ev.dst : ev.src;
  r.subscriber_ip = subscriber.ip.to_string();
  r.notifier_ip = notifier.ip.to_string();
  const std::string_view sub_uri = from_subscriber ? s.from_uri : s.to_uri;
  const std::string_view res_uri = from_subscriber ? s.request_uri : s.from_uri;
  if (!sub_uri.empty()) r.subscriber_uri = std::string(sub_uri);
  if (!res_uri.empty()) r.resource_uri = std::string(res_uri);
  r.transport = ev.transport;
  r.start_us = ev.frame.ts_us;
  sub.last_us = ev.frame.ts_us;
  return sub;
}

void SubscriptionTracker::apply(Sub& sub, SubEvent e, int64_t ts) {
  sub.state = next_sub_state(sub.state, e);
  if (!live(sub.state) && !sub.record.end_us) sub.record.end_us = ts;
}

int64_t SubscriptionTracker::due_of(const Sub& sub) const {
  if (!live(sub.state)) return sub.last_us + limits_.linger_us;
  if (sub.state == SubState::sent) {
    return std::max(sub.last_us + limits_.linger_us, sub.record.start_us + limits_.idle_us);
  }
  if (sub.expires_at_us) return std::max(*sub.expires_at_us, sub.last_us) + limits_.linger_us;
  return sub.last_us + limits_.idle_us;
}

void SubscriptionTracker::schedule(const std::string& key, Sub& sub) {
  // One queue entry per subscription, keyed (due, generation): re-keyed when due moves.
  queue_.erase({sub.queued_us, sub.generation});
  sub.queued_us = due_of(sub);
  queue_.emplace(std::make_pair(sub.queued_us, sub.generation), key);
}

void SubscriptionTracker::close(Sub& sub, int64_t now_us, std::vector<SubscriptionRecord>& done) {
  SubscriptionRecord& r = sub.record;
  if (live(sub.state) && sub.state != SubState::sent && sub.expires_at_us &&
      *sub.expires_at_us < now_us) {
    apply(sub, SubEvent::expiry, *sub.expires_at_us);
  }
  r.state = sub.state;
  // Still `sent` only when the capture ended inside the SUBSCRIBE's Timer F window.
  if (sub.state == SubState::sent && (r.final_code || now_us - r.start_us >= limits_.linger_us)) {
    r.state = SubState::no_response;
  }
  r.challenges = static_cast<int64_t>(sub.challenged.size());
  r.subscribes = static_cast<int64_t>(sub.cseqs.size());
  r.refreshes = std::max<int64_t>(0, r.subscribes - 1 - r.challenges);
  done.push_back(std::move(r));
}

void SubscriptionTracker::on_subscribe(const decode::SipEvent& ev, const SipSummary& s,
                                       std::vector<SubscriptionRecord>& done) {
  const Target t = target(ev, s, s.from_tag);
  Sub* sub = t.sub;
  if (sub != nullptr && !live(sub->state) && !contains(sub->cseqs, s.cseq)) {
    queue_.erase({sub->queued_us, sub->generation});
    close(*sub, ev.frame.ts_us, done);
    erase(t.key);
    sub = nullptr;
  }
  if (sub == nullptr) sub = &open(t, ev, s, true, done);
  sub->last_us = std::max(sub->last_us, ev.frame.ts_us);
  const auto expires = delta_seconds(ev.message->header_value(sip::HeaderId::expires));
  if (!contains(sub->cseqs, s.cseq)) {
    add_unique(sub->cseqs, s.cseq);
    if (sub->cseqs.size() == 1) sub->record.requested_expires = expires;
  }
  schedule(t.key, *sub);
}

void SubscriptionTracker::on_subscribe_response(const decode::SipEvent& ev, const SipSummary& s) {
  const std::string dialog = dialog_key(s.call_id, s.from_tag);
  Sub* sub = find_by_cseq(dialog, s.cseq, false);
  if (sub == nullptr) return;
  const int64_t ts = ev.frame.ts_us;
  const int code = s.status_code;
  SubscriptionRecord& r = sub->record;
  sub->last_us = std::max(sub->last_us, ts);
  if (is_auth_challenge(code)) {
    add_unique(sub->challenged, s.cseq);
    if (!sub->answered) {
      r.final_code = code;
      r.final_reason = std::string(ev.message->reason_phrase());
    }
  } else {
    if (!sub->answered) {
      sub->answered = true;
      r.final_code = code;
      r.final_reason = std::string(ev.message->reason_phrase());
      r.response_ms = static_cast<double>(ts - r.start_us) / 1000.0;
    }
    if (code < 300) {
      // §4.2.1.1: the 2xx carries the granted duration.
      if (auto granted = delta_seconds(ev.message->header_value(sip::HeaderId::expires))) {
        r.expires = granted;
        sub->expires_at_us = ts + *granted * 1'000'000;
      }
      apply(*sub, SubEvent::accepted_2xx, ts);
    } else if (code == 481 && live(sub->state) && sub->state != SubState::sent) {
      if (!r.reason) r.reason = "481";
      apply(*sub, SubEvent::gone, ts);
    } else {
      apply(*sub, SubEvent::rejected, ts);
    }
  }
  schedule(sub_key(dialog, r.event, r.event_id.value_or("")), *sub);
}

void SubscriptionTracker::on_notify(const decode::SipEvent& ev, const SipSummary& s,
                                    std::vector<SubscriptionRecord>& done) {
  const Target t = target(ev, s, s.to_tag);
  Sub* sub = t.sub != nullptr ? t.sub : &open(t, ev, s, false, done);
  const int64_t ts = ev.frame.ts_us;
  sub->last_us = std::max(sub->last_us, ts);
  if (sub->last_notify_cseq && s.cseq <= *sub->last_notify_cseq) return;
  sub->last_notify_cseq = s.cseq;
  SubscriptionRecord& r = sub->record;
  ++r.notifies;
  if (!r.first_notify_us) r.first_notify_us = ts;
  r.last_notify_us = ts;
  const auto st = split_token_params(ev.message->header_value(sip::HeaderId::subscription_state));
  std::string entry(st.token);
  if (sip::iequals(st.token, "terminated")) {
    const auto reason = sip::param_value(st.params, "reason");
    if (!reason.empty()) {
      r.reason = std::string(reason);
      entry += ':' + std::string(reason);
    }
    apply(*sub, SubEvent::notify_terminated, ts);
  } else if (sip::iequals(st.token, "active") || sip::iequals(st.token, "pending")) {
    apply(*sub,
          sip::iequals(st.token, "active") ? SubEvent::notify_active : SubEvent::notify_pending,
          ts);
    if (auto left = delta_seconds(sip::param_value(st.params, "expires"))) {
      r.expires = left;
      sub->expires_at_us = ts + *left * 1'000'000;
    }
  }
  const std::string_view history = r.history;
  const size_t last_space = history.rfind(' ');
  const std::string_view last =
      last_space == std::string_view::npos ? history : history.substr(last_space + 1);
  if (!entry.empty() && last != entry && r.history.size() + entry.size() < kMaxHistory) {
    if (!r.history.empty()) r.history += ' ';
    r.history += entry;
  }
  schedule(t.key, *sub);
}

void SubscriptionTracker::on_notify_gone(const decode::SipEvent& ev, const SipSummary& s) {
  // The answer goes back to the notifier: its To-tag is the subscriber's.
  const std::string dialog = dialog_key(s.call_id, s.to_tag);
  Sub* sub = find_by_cseq(dialog, s.cseq, true);
  if (sub == nullptr || !live(sub->state)) return;
  sub->last_us = std::max(sub->last_us, ev.frame.ts_us);
  if (!sub->record.reason) sub->record.reason = "481";
  apply(*sub, SubEvent::gone, ev.frame.ts_us);
  schedule(sub_key(dialog, sub->record.event, sub->record.event_id.value_or("")), *sub);
}

void SubscriptionTracker::on_message(const decode::SipEvent& ev, const SipSummary& s,
                                     bool retransmission, std::vector<SubscriptionRecord>& done) {
  if (retransmission) return;
  if (s.is_request) {
    if (s.method == "SUBSCRIBE") on_subscribe(ev, s, done);
    if (s.method == "NOTIFY") on_notify(ev, s, done);
  } else if (s.cseq_method == "SUBSCRIBE" && s.status_code >= 200) {
    on_subscribe_response(ev, s);
  } else if (s.cseq_method == "NOTIFY" && s.status_code == 481) {
    on_notify_gone(ev, s);
  }
}

void SubscriptionTracker::advance(int64_t now_us, std::vector<SubscriptionRecord>& done) {
  while (!queue_.empty() && queue_.begin()->first.first < now_us) {
    const std::string key = queue_.begin()->second;
    queue_.erase(queue_.begin());
    auto it = subs_.find(key);
    if (it == subs_.end()) continue;
    close(it->second, now_us, done);
    erase(key);
  }
}

void SubscriptionTracker::finish(int64_t end_us, std::vector<SubscriptionRecord>& done) {
  std::vector<Sub*> left;
  left.reserve(subs_.size());
  for (auto& [k, sub] : subs_) left.push_back(&sub);
  std::sort(left.begin(), left.end(),
            [](const Sub* a, const Sub* b) { return a->generation < b->generation; });
  for (Sub* sub : left) close(*sub, end_us, done);
  subs_.clear();
  by_dialog_.clear();
  queue_.clear();
}

}  // namespace sipscope::correlate
