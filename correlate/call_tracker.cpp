#include "correlate/call_tracker.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "correlate/call_state.hpp"
#include "correlate/open_call.hpp"
#include "correlate/sip_summary.hpp"

namespace sipscope::correlate {

namespace {

// Lets the Call-ID table be searched with the message's string_view without building a
// std::string per message.
struct CallIdHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

struct Slot {
  Slot(int64_t id, const decode::SipEvent& event, const SipSummary& summary)
      : call(id, event, summary) {}
  OpenCall call;
  int64_t due_us = 0;
};

std::string flow_of(const decode::Endpoint& src, const decode::Endpoint& dst) {
  return src.to_string() + " -> " + dst.to_string();
}

}  // namespace

struct CallTracker::Impl {
  Impl(RecordSink& s, Limits l) : sink(s), limits(l), next_id(l.first_call_id) {}

  RecordSink& sink;
  Limits limits;
  TrackerStats stats;
  int64_t next_id;
  // Node-based: a Slot stays at one address until erased, so the expiry index can point
  // at it.
  std::unordered_map<std::string, Slot, CallIdHash, std::equal_to<>> calls;
  // (due time, call id) -> slot, earliest first: advance() looks only at the front.
  std::map<std::pair<int64_t, int64_t>, Slot*> expiry;

  void on_sip(const decode::SipEvent& event);
  void advance(int64_t now_us);
  void finish(int64_t end_us);

  void schedule(Slot& slot, bool is_new);
  void flush(Slot& slot, int64_t now_us);
  void make_room(const decode::SipEvent& event);
  void emit_non_call(const decode::SipEvent& event, const SipSummary& summary);
  void emit_anomaly(decode::AnomalyKind kind, const decode::FrameRef& frame, int64_t ts_us,
                    std::string detail, std::optional<int64_t> call_id,
                    std::optional<std::string> flow);
};

void CallTracker::Impl::on_sip(const decode::SipEvent& event) {
  if (event.message == nullptr) return;
  const int64_t ts = event.frame.ts_us;
  advance(ts);
  const SipSummary s = summarize(*event.message);
  if (s.call_id.empty()) {
    emit_anomaly(decode::AnomalyKind::message_without_call_id, event.frame, ts,
                 "SIP message without Call-ID", std::nullopt, flow_of(event.src, event.dst));
    emit_non_call(event, s);
    return;
  }

  auto it = calls.find(s.call_id);
  const bool initial_invite = s.is_request && s.method == "INVITE" && !s.has_to_tag;
  if (it != calls.end() && initial_invite && it->second.call.replaced_by(s, ts, limits.linger_us)) {
    flush(it->second, ts);
    it = calls.end();
  }
  if (it != calls.end()) {
    it->second.call.add(event, s);
    ++stats.call_messages;
    schedule(it->second, false);
    return;
  }

  if (classify_opening(s.is_request, s.method, s.has_to_tag, s.cseq_method) == Opening::non_call) {
    emit_non_call(event, s);
    return;
  }
  make_room(event);
  it = calls.try_emplace(std::string(s.call_id), next_id++, event, s).first;
  ++stats.calls;
  ++stats.call_messages;
  stats.open_calls = calls.size();
  stats.open_calls_peak = std::max(stats.open_calls_peak, calls.size());
  schedule(it->second, true);
}

void CallTracker::Impl::schedule(Slot& slot, bool is_new) {
  const int64_t due = slot.call.due_us(limits);
  const int64_t id = slot.call.id();
  if (is_new) {
    slot.due_us = due;
    expiry.emplace(std::make_pair(due, id), &slot);
    return;
  }
  if (due == slot.due_us) return;
  // Re-key the existing node: no allocation per message.
  auto node = expiry.extract({slot.due_us, id});
  node.key() = {due, id};
  expiry.insert(std::move(node));
  slot.due_us = due;
}

void CallTracker::Impl::flush(Slot& slot, int64_t now_us) {
  expiry.erase({slot.due_us, slot.call.id()});
  auto [row, messages] = slot.call.flush(now_us, limits.no_answer_us);
  // Erase by iterator: the key must not be read from the node being destroyed.
  calls.erase(calls.find(std::string_view(slot.call.sip_call_id())));
  stats.open_calls = calls.size();
  sink.on_call(std::move(row), std::move(messages));
}

void CallTracker::Impl::advance(int64_t now_us) {
  while (!expiry.empty() && expiry.begin()->first.first < now_us) {
    Slot& slot = *expiry.begin()->second;
    // Ended calls and unanswered INVITEs expire normally; anything else (an answered call
    // without BYE, mid-call traffic) has gone quiet for call_idle_us and is cut off.
    const bool cut_off = !slot.call.ended() && !slot.call.waiting_for_final();
    const int64_t id = slot.call.id();
    const MessageRecord& last = slot.call.last_message();
    const decode::FrameRef frame{last.capture_id, last.frame, last.ts_us};
    std::string detail = "call " + slot.call.sip_call_id() + " idle since " +
                         std::to_string(slot.call.last_ts_us()) + " us; flushed unfinished";
    flush(slot, now_us);
    if (cut_off) {
      emit_anomaly(decode::AnomalyKind::call_expired_open, frame, now_us, std::move(detail), id,
                   std::nullopt);
    }
  }
}

void CallTracker::Impl::make_room(const decode::SipEvent& event) {
  if (calls.size() < std::max<size_t>(limits.max_open_calls, 1) || expiry.empty()) return;
  // The call nearest its expiry loses least: usually an ended call still lingering.
  Slot& victim = *expiry.begin()->second;
  const int64_t id = victim.call.id();
  std::string detail = "open-call limit " + std::to_string(limits.max_open_calls) +
                       " reached; call " + victim.call.sip_call_id() + " flushed early";
  flush(victim, event.frame.ts_us);
  emit_anomaly(decode::AnomalyKind::call_table_full, event.frame, event.frame.ts_us,
               std::move(detail), id, std::nullopt);
}

void CallTracker::Impl::finish(int64_t end_us) {
  std::vector<Slot*> open;
  open.reserve(calls.size());
  for (auto& [key, slot] : calls) open.push_back(&slot);
  std::sort(open.begin(), open.end(),
            [](const Slot* a, const Slot* b) { return a->call.id() < b->call.id(); });
  for (Slot* slot : open) flush(*slot, end_us);
}

void CallTracker::Impl::emit_non_call(const decode::SipEvent& event, const SipSummary& s) {
  ++stats.other_messages;
  sink.on_message(make_message_record(event, s));
}

void CallTracker::Impl::emit_anomaly(decode::AnomalyKind kind, const decode::FrameRef& frame,
                                     int64_t ts_us, std::string detail,
                                     std::optional<int64_t> call_id,
                                     std::optional<std::string> flow) {
  ++stats.anomalies;
  AnomalyRecord a;
  a.capture_id = frame.capture_id;
  a.call_id = call_id;
  a.frame = frame.number;
  a.ts_us = ts_us;
  a.kind = std::string(decode::anomaly_name(kind));
  a.detail = std::move(detail);
  a.flow = std::move(flow);
  sink.on_anomaly(std::move(a));
}

CallTracker::CallTracker(RecordSink& sink, Limits limits)
    : impl_(std::make_unique<Impl>(sink, limits)) {}

CallTracker::~CallTracker() = default;

void CallTracker::on_sip(const decode::SipEvent& event) {
  impl_->on_sip(event);
}

void CallTracker::on_anomaly(const decode::AnomalyEvent& event) {
  std::optional<std::string> flow;
  if (event.has_flow) flow = flow_of(event.src, event.dst);
  impl_->emit_anomaly(event.kind, event.frame, event.frame.ts_us, std::string(event.detail),
                      std::nullopt, std::move(flow));
}

void CallTracker::advance(int64_t now_us) {
  impl_->advance(now_us);
}

void CallTracker::finish(int64_t capture_end_us) {
  impl_->finish(capture_end_us);
}

const TrackerStats& CallTracker::stats() const {
  return impl_->stats;
}

}  // namespace sipscope::correlate
