#include "correlate/call_tracker.hpp"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "correlate/call_links.hpp"
#include "correlate/call_state.hpp"
#include "correlate/non_call.hpp"
#include "correlate/open_call.hpp"
#include "correlate/registration.hpp"
#include "correlate/sip_summary.hpp"
#include "correlate/transaction.hpp"

namespace sipscope::correlate {

namespace {

// Lets the Call-ID table be searched with the message's string_view without building a
// std::string per message.
struct CallIdHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

constexpr size_t kUnchanged = SIZE_MAX;

struct Slot {
  Slot(int64_t id, const decode::SipEvent& event, const SipSummary& summary,
       const CallBounds& bounds)
      : call(id, event, summary, bounds) {}
  OpenCall call;
  int64_t due_us = 0;
  // Index in Impl::changed while a message joined since the last open_calls_changed().
  size_t changed_at = kUnchanged;
};

std::string flow_of(const decode::Endpoint& src, const decode::Endpoint& dst) {
  return src.to_string() + " -> " + dst.to_string();
}

}  // namespace

struct CallTracker::Impl {
  Impl(RecordSink& s, const Limits& l)
      : sink(s),
        limits(l),
        next_id(l.first_call_id),
        bounds{l.max_call_messages, l.max_call_transactions, l.max_call_dialogs},
        other_txns(l.max_open_transactions),
        registrations(l.max_open_registrations, std::max(l.linger_us, 64 * l.t1_us)),
        links(l.link_headers, 4 * std::max<size_t>(l.max_open_calls, 1), l.no_answer_us),
        activity(l, stats) {}

  RecordSink& sink;
  Limits limits;
  TrackerStats stats;
  int64_t next_id;
  CallBounds bounds;
  std::optional<int64_t> last_call_id;  // see CallTracker::last_call_id()
  // Node-based: a Slot stays at one address until erased, so the expiry index can point
  // at it.
  std::unordered_map<std::string, Slot, CallIdHash, std::equal_to<>> calls;
  // (due time, call id) -> slot, earliest first: advance() looks only at the front.
  std::map<std::pair<int64_t, int64_t>, Slot*> expiry;
  // Transactions outside calls (REGISTER, OPTIONS, MESSAGE, SUBSCRIBE/NOTIFY, PUBLISH):
  // flushed as transactions rows 2*64*T1 after they began.
  TransactionTable other_txns;
  RegistrationTracker registrations;
  std::vector<RegistrationRecord> registrations_done;
  LinkIndex links;
  std::unordered_set<int64_t> open_ids;  // calls.id of the open calls
  std::vector<CallLinkRecord> found_links;
  NonCallActivity activity;  // OPTIONS peers, subscriptions, MESSAGE/PUBLISH
  // Open calls a message joined since the last open_calls_changed(): the live tick costs
  // what changed, not what is open. Slot::changed_at is each one's index (swap-remove).
  // Kept only once open_calls_changed() has been called: files never pay for it.
  std::vector<Slot*> changed;
  bool track_changes = false;

  void mark_changed(Slot& slot);
  void unmark_changed(Slot& slot);
  // Files: the message just kept goes to the sink now (Limits::messages_wait_for_row).
  void hand_out_messages(OpenCall& call);

  void on_sip(const decode::SipEvent& event);
  // The message to its call (or to non-call activity); sets last_call_id.
  void route(const decode::SipEvent& event, const SipSummary& summary);
  void advance(int64_t now_us);
  void finish(int64_t end_us);

  void schedule(Slot& slot, bool is_new);
  void flush(Slot& slot, int64_t now_us);
  // The transactions, dialogs and diagnostics of a call as they stand at now_us.
  // capture_ended: false while a live capture runs (no "unanswered when the capture
  // ended" findings yet).
  void call_rows(const OpenCall& call, int64_t now_us, OpenCallRows& out,
                 bool capture_ended = true) const;
  // Anomalies about a call reported when it leaves the tracker.
  void report_flush_anomalies(const OpenCall& call);
  void changed_rows(int64_t now_us, const std::function<void(const OpenCallRows&)>& out,
                    bool capture_ended);
  void finish_non_call(int64_t end_us);
  void make_room(const decode::SipEvent& event);
  void report_call_limits(OpenCall& call, const decode::SipEvent& event);
  void emit_non_call(const decode::SipEvent& event, const SipSummary& summary);
  void emit_registrations();
  void emit_other_transaction(const Transaction& t, int64_t now_us);
  void emit_anomaly(decode::AnomalyKind kind, const decode::FrameRef& frame, int64_t ts_us,
                    std::string detail, std::optional<int64_t> call_id,
                    std::optional<std::string> flow);
};

void CallTracker::Impl::on_sip(const decode::SipEvent& event) {
  last_call_id.reset();
  if (event.message == nullptr) return;
  advance(event.frame.ts_us);
  const SipSummary s = summarize(*event.message);
  route(event, s);
  if (s.bad_cseq) {
    emit_anomaly(
        decode::AnomalyKind::sip_bad_cseq, event.frame, event.frame.ts_us,
        "CSeq: " +
            std::string(event.message->header_value(decode::sip::HeaderId::cseq).substr(0, 64)) +
            (s.has_cseq ? " (the method is not the request's, RFC 3261 §8.1.1.5)"
                        : " (not a 32-bit number and a method, RFC 3261 §20.16)"),
        last_call_id, flow_of(event.src, event.dst));
  }
}

void CallTracker::Impl::route(const decode::SipEvent& event, const SipSummary& s) {
  const int64_t ts = event.frame.ts_us;
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
    mark_changed(it->second);
    hand_out_messages(it->second.call);
    report_call_limits(it->second.call, event);
    last_call_id = it->second.call.id();
    ++stats.call_messages;
    if (s.is_request && s.method == "REFER") links.on_refer(it->second.call.id(), event, s);
    schedule(it->second, false);
    return;
  }

  if (classify_opening(s.is_request, s.method, s.has_to_tag, s.cseq_method) == Opening::non_call) {
    emit_non_call(event, s);
    return;
  }
  make_room(event);
  const int64_t id = next_id++;
  it = calls.try_emplace(std::string(s.call_id), id, event, s, bounds).first;
  last_call_id = id;
  mark_changed(it->second);
  hand_out_messages(it->second.call);
  open_ids.insert(id);
  found_links.clear();
  links.on_call_start(id, event, s, found_links);
  for (auto& l : found_links) {
    // The group of a call already stored is kept by the store (UPDATE), not here.
    if (open_ids.count(l.linked_call_id) == 0U) (void)links.take_group(l.linked_call_id);
    ++stats.call_links;
    sink.on_call_link(std::move(l));
  }
  ++stats.calls;
  ++stats.call_messages;
  stats.open_calls = calls.size();
  stats.open_calls_peak = std::max(stats.open_calls_peak, calls.size());
  schedule(it->second, true);
}

void CallTracker::Impl::mark_changed(Slot& slot) {
  if (!track_changes || slot.changed_at != kUnchanged) return;
  slot.changed_at = changed.size();
  changed.push_back(&slot);
}

void CallTracker::Impl::hand_out_messages(OpenCall& call) {
  if (limits.messages_wait_for_row) return;
  for (auto& m : call.take_new_messages()) sink.on_message(std::move(m));
}

void CallTracker::Impl::unmark_changed(Slot& slot) {
  if (slot.changed_at == kUnchanged) return;
  Slot* moved = changed.back();
  changed[slot.changed_at] = moved;
  moved->changed_at = slot.changed_at;
  changed.pop_back();
  slot.changed_at = kUnchanged;
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
  unmark_changed(slot);
  report_flush_anomalies(slot.call);
  OpenCallRows rows;
  call_rows(slot.call, now_us, rows);
  auto [row, messages] = slot.call.flush(now_us, limits.no_answer_us);
  row.group_id = links.take_group(row.id);
  open_ids.erase(row.id);
  stats.retransmissions += static_cast<uint64_t>(slot.call.transactions().retransmissions());
  // Erase by iterator: the key must not be read from the node being destroyed.
  calls.erase(calls.find(std::string_view(slot.call.sip_call_id())));
  stats.open_calls = calls.size();
  sink.on_call(std::move(row), std::move(messages));
  stats.transactions += rows.transactions.size();
  for (auto& t : rows.transactions) sink.on_transaction(std::move(t));
  for (auto& d : rows.dialogs) sink.on_dialog(std::move(d));
  for (auto& d : rows.diagnostics) sink.on_diagnostic(std::move(d));
}

void CallTracker::Impl::call_rows(const OpenCall& call, int64_t now_us, OpenCallRows& out,
                                  bool capture_ended) const {
  const int64_t id = call.id();
  const TransactionTable& txns = call.transactions();
  out.transactions = txns.records(id, now_us, limits.t1_us);
  txns.diagnose(id, now_us, limits.t1_us, out.diagnostics);
  if (!capture_ended) {
    // A request whose response may still come is not a finding while the capture runs.
    std::erase_if(out.diagnostics, [](const DiagnosticRecord& d) {
      return d.kind == DiagnosticKind::invite_no_response ||
             d.kind == DiagnosticKind::request_no_response;
    });
  }
  call.dialogs().records(id, out.dialogs);
  call.dialogs().diagnostics(id, out.diagnostics);
  call.session_timer().diagnose(id, now_us, out.diagnostics);
}

void CallTracker::Impl::report_flush_anomalies(const OpenCall& call) {
  if (const auto& back = call.time_went_back()) {
    emit_anomaly(decode::AnomalyKind::timestamp_backwards, *back, back->ts_us,
                 "response to the INVITE captured before the INVITE; no pdd_ms", call.id(),
                 std::nullopt);
  }
  if (const uint64_t n = call.duplicates(); n > 0) {
    const decode::FrameRef& f = call.first_duplicate();
    emit_anomaly(decode::AnomalyKind::duplicate_packets, f, f.ts_us,
                 std::to_string(n) + " SIP message(s) captured twice on the same hop within " +
                     std::to_string(TransactionTable::kDuplicateUs / 1000) +
                     " ms (not retransmissions)",
                 call.id(), std::nullopt);
  }
}

void CallTracker::Impl::advance(int64_t now_us) {
  while (!expiry.empty() && expiry.begin()->first.first < now_us) {
    Slot& slot = *expiry.begin()->second;
    // Ended calls and unanswered INVITEs expire normally; anything else (an answered call
    // without BYE, mid-call traffic) has gone quiet for call_idle_us and is cut off.
    const bool cut_off = !slot.call.ended() && !slot.call.waiting_for_final();
    const int64_t id = slot.call.id();
    const decode::FrameRef frame = slot.call.last_kept_frame();
    std::string detail = "call " + slot.call.sip_call_id() + " idle since " +
                         std::to_string(slot.call.last_ts_us()) + " us; flushed unfinished";
    flush(slot, now_us);
    if (cut_off) {
      emit_anomaly(decode::AnomalyKind::call_expired_open, frame, now_us, std::move(detail), id,
                   std::nullopt);
    }
  }
  // Insertion order is start order, so only the front can be due.
  while (const Transaction* t = other_txns.oldest()) {
    if (t->start_us + limits.t1_us * 64 * 2 >= now_us) break;
    emit_other_transaction(*other_txns.pop_oldest(), now_us);
  }
  registrations.advance(now_us, registrations_done);
  emit_registrations();
  activity.advance(now_us, sink);
}

void CallTracker::Impl::emit_other_transaction(const Transaction& t, int64_t now_us) {
  ++stats.transactions;
  sink.on_transaction(make_transaction_record(t, std::nullopt, now_us, limits.t1_us));
}

void CallTracker::Impl::emit_registrations() {
  for (auto& r : registrations_done) {
    ++stats.registrations;
    sink.on_registration(std::move(r));
  }
  registrations_done.clear();
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

void CallTracker::Impl::report_call_limits(OpenCall& call, const decode::SipEvent& event) {
  const uint8_t reached = call.take_limits_reached();
  if (reached == 0) return;
  const std::string who = "call " + call.sip_call_id() + ": ";
  const auto report = [&](decode::AnomalyKind kind, size_t limit, const char* what) {
    emit_anomaly(kind, event.frame, event.frame.ts_us, who + what + std::to_string(limit),
                 call.id(), std::nullopt);
  };
  if ((reached & kCallMessagesFull) != 0) {
    report(decode::AnomalyKind::call_message_limit, bounds.messages,
           "later messages counted in message_count, not stored; limit ");
  }
  if ((reached & kCallTransactionsFull) != 0) {
    report(decode::AnomalyKind::call_transaction_limit, bounds.transactions,
           "later transactions not matched; limit ");
  }
  if ((reached & kCallDialogsFull) != 0) {
    report(decode::AnomalyKind::dialog_limit, bounds.dialogs, "later dialogs not tracked; limit ");
  }
}

void CallTracker::Impl::finish(int64_t end_us) {
  std::vector<Slot*> open;
  open.reserve(calls.size());
  for (auto& [key, slot] : calls) open.push_back(&slot);
  std::sort(open.begin(), open.end(),
            [](const Slot* a, const Slot* b) { return a->call.id() < b->call.id(); });
  for (Slot* slot : open) flush(*slot, end_us);
  finish_non_call(end_us);
}

void CallTracker::Impl::finish_non_call(int64_t end_us) {
  while (auto t = other_txns.pop_oldest()) emit_other_transaction(*t, end_us);
  registrations.finish(registrations_done);
  emit_registrations();
  activity.finish(end_us, sink);
}

void CallTracker::Impl::changed_rows(int64_t now_us,
                                     const std::function<void(const OpenCallRows&)>& out,
                                     bool capture_ended) {
  if (!track_changes) {  // the first call: every call open so far is new to it
    track_changes = true;
    for (auto& [key, slot] : calls) mark_changed(slot);
  }
  OpenCallRows rows;
  for (Slot* slot : changed) {
    slot->changed_at = kUnchanged;
    rows = OpenCallRows{slot->call.row(now_us, limits.no_answer_us), {}, {}, {}};
    rows.row.group_id = links.group_of(rows.row.id);
    call_rows(slot->call, now_us, rows, capture_ended);
    out(rows);
    for (auto& m : slot->call.take_new_messages()) sink.on_message(std::move(m));
  }
  changed.clear();
}

void CallTracker::Impl::emit_non_call(const decode::SipEvent& event, const SipSummary& s) {
  ++stats.other_messages;
  if (other_txns.full()) {
    if (auto old = other_txns.pop_oldest()) {
      emit_anomaly(decode::AnomalyKind::transaction_table_full, event.frame, event.frame.ts_us,
                   "open-transaction limit " + std::to_string(limits.max_open_transactions) +
                       " reached; " + old->method + " transaction of " + old->sip_call_id +
                       " flushed early",
                   std::nullopt, std::nullopt);
      emit_other_transaction(*old, event.frame.ts_us);
    }
  }
  MessageRecord record = make_message_record(event, s);
  const ObserveResult seen = other_txns.observe(event, s);
  record.retransmission = seen.retransmission;
  if (record.retransmission) ++stats.retransmissions;
  // A copy captured twice (TransactionTable::kDuplicateUs) is no new work either.
  const bool repeat = seen.retransmission || seen.duplicate;
  if (s.method == "REGISTER" || (!s.is_request && s.cseq_method == "REGISTER")) {
    const uint64_t before = registrations.evicted();
    registrations.on_message(event, s, repeat, registrations_done);
    if (registrations.evicted() != before) {
      emit_anomaly(decode::AnomalyKind::registration_table_full, event.frame, event.frame.ts_us,
                   "open-registration limit " + std::to_string(limits.max_open_registrations) +
                       " reached; oldest registration flushed early",
                   std::nullopt, std::nullopt);
    }
    emit_registrations();
  }
  const uint64_t evicted = activity.evicted();
  activity.on_message(event, s, repeat, sink);
  if (activity.evicted() != evicted) {
    emit_anomaly(decode::AnomalyKind::activity_table_full, event.frame, event.frame.ts_us,
                 "open peer/subscription/MESSAGE-PUBLISH limit reached; oldest flushed early",
                 std::nullopt, std::nullopt);
  }
  sink.on_message(std::move(record));
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
  a.kind = kind;
  a.detail = std::move(detail);
  a.flow = std::move(flow);
  sink.on_anomaly(std::move(a));
}

CallTracker::CallTracker(RecordSink& sink, const Limits& limits)
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

void CallTracker::open_calls_changed(int64_t now_us,
                                     const std::function<void(const OpenCallRows&)>& out) {
  impl_->changed_rows(now_us, out, false);
}

void CallTracker::finish_open(int64_t capture_end_us,
                              const std::function<void(const OpenCallRows&)>& out) {
  // Requests still unanswered are findings now that the capture ended: those calls too.
  for (auto& [key, slot] : impl_->calls) {
    if (slot.call.transactions().awaiting_response()) impl_->mark_changed(slot);
  }
  impl_->changed_rows(capture_end_us, out, true);
  for (const auto& [key, slot] : impl_->calls) impl_->report_flush_anomalies(slot.call);
  impl_->finish_non_call(capture_end_us);
}

void CallTracker::finish(int64_t capture_end_us) {
  impl_->finish(capture_end_us);
}

const TrackerStats& CallTracker::stats() const {
  return impl_->stats;
}

std::optional<int64_t> CallTracker::last_call_id() const {
  return impl_->last_call_id;
}

}  // namespace sipscope::correlate
