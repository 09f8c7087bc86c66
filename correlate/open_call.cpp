#include "correlate/open_call.hpp"

#include <algorithm>

#include "correlate/call_state.hpp"
#include "decode/sip/fields.hpp"

namespace sipscope::correlate {

namespace sip = decode::sip;

namespace {

// A hostile stream can repeat one Call-ID with endless CSeqs or hops; these lists only
// need the first few to find retries and the last hop.
constexpr size_t kMaxTracked = 64;

template <typename T>
bool contains(const std::vector<T>& v, const T& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

bool contains_tag(const std::vector<std::string>& tags, std::string_view tag) {
  return std::any_of(tags.begin(), tags.end(), [&](const std::string& t) { return t == tag; });
}

template <typename T>
void add_unique(std::vector<T>& v, const T& x) {
  if (v.size() < kMaxTracked && !contains(v, x)) v.push_back(x);
}

std::optional<std::string> user_of(std::string_view uri) {
  sip::Uri u;
  // sip:host URIs have no user: unknown, so NULL rather than "".
  if (uri.empty() || !sip::parse_uri(uri, u) || u.user.empty()) return std::nullopt;
  return std::string(u.user);
}

double ms_between(int64_t from_us, int64_t to_us) {
  return static_cast<double>(to_us - from_us) / 1000.0;
}

}  // namespace

const OpenCall::Response* OpenCall::Pick::best() const {
  // `any` is updated by every response, so it is never older than `caller`: prefer the
  // caller's copy when it is the same transaction's answer.
  if (caller && (!any || caller->cseq >= any->cseq)) return &*caller;
  return any ? &*any : nullptr;
}

OpenCall::OpenCall(int64_t id, const decode::SipEvent& event, const SipSummary& summary,
                   const CallBounds& bounds)
    : id_(id),
      sip_call_id_(summary.call_id),
      transport_(event.transport),
      max_messages_(static_cast<uint32_t>(std::clamp<size_t>(bounds.messages, 1, UINT32_MAX))),
      // Transactions past the bound are stored as messages but not matched (never flagged
      // as retransmissions).
      txns_(bounds.transactions),
      dialogs_(bounds.dialogs),
      last_ts_us_(event.frame.ts_us) {
  add(event, summary);
}

uint8_t OpenCall::take_limits_reached() {
  uint8_t now = 0;
  if (messages_not_kept_ > 0) now |= kCallMessagesFull;
  if (txns_.dropped() > 0) now |= kCallTransactionsFull;
  if (dialogs_.dropped() > 0) now |= kCallDialogsFull;
  const uint8_t fresh = now & static_cast<uint8_t>(~limits_reported_);
  limits_reported_ |= now;
  return fresh;
}

void OpenCall::add(const decode::SipEvent& event, const SipSummary& summary) {
  MessageRecord record = make_message_record(event, summary);
  record.call_id = id_;
  const ObserveResult seen = txns_.observe(event, summary);
  record.retransmission = seen.retransmission;
  if (seen.duplicate && duplicates_++ == 0) first_duplicate_ = event.frame;
  last_ts_us_ = std::max(last_ts_us_, event.frame.ts_us);
  observe(event, summary);
  dialogs_.observe(event, summary);
  session_timer_.observe(event, summary);
  if (messages_.size() + messages_taken_ < max_messages_) {
    last_kept_frame_ = event.frame;
    messages_.push_back(std::move(record));
  } else {
    ++messages_not_kept_;
  }
}

void OpenCall::start_initial_invite(const decode::SipEvent& event, const SipSummary& s) {
  if (oriented_) {  // the INVITE's evidence replaces the inference
    oriented_ = false;
    inferred_callee_.reset();
    invite_from_tags_.clear();
  }
  has_invite_ = true;
  start_us_ = event.frame.ts_us;
  caller_ = event.src;
  first_hop_ = event.dst;
  transport_ = event.transport;
  from_tag_ = std::string(s.from_tag);
  if (!s.from_uri.empty()) from_uri_ = std::string(s.from_uri);
  if (!s.to_uri.empty()) to_uri_ = std::string(s.to_uri);
  from_user_ = user_of(s.from_uri);
  to_user_ = user_of(s.to_uri);
}

void OpenCall::orient_from_dialog(const decode::SipEvent& event, const SipSummary& s) {
  // Without the INVITE the real caller cannot be known. The first message seen is the
  // best evidence: a request goes caller-side -> callee-side in its own From/To terms, and
  // a response carries its request's From/To back to the requester (RFC 3261 §8.2.6.2).
  oriented_ = true;
  caller_ = s.is_request ? event.src : event.dst;
  inferred_callee_ = s.is_request ? event.dst : event.src;
  first_hop_ = *inferred_callee_;
  from_tag_ = std::string(s.from_tag);
  if (!s.from_tag.empty()) add_unique(invite_from_tags_, from_tag_);
  if (!s.from_uri.empty()) from_uri_ = std::string(s.from_uri);
  if (!s.to_uri.empty()) to_uri_ = std::string(s.to_uri);
  from_user_ = user_of(s.from_uri);
  to_user_ = user_of(s.to_uri);
}

void OpenCall::observe(const decode::SipEvent& event, const SipSummary& s) {
  const int64_t ts = event.frame.ts_us;
  if (!has_invite_ && !oriented_ && !(s.is_request && s.method == "INVITE" && !s.has_to_tag)) {
    orient_from_dialog(event, s);
  }
  if (s.is_request) {
    if (s.method == "INVITE" && !s.has_to_tag) {
      // Adopting a late-seen INVITE: the capture began between the INVITE and its
      // responses, and a retransmission or a later hop shows the INVITE after all.
      if (!has_invite_) start_initial_invite(event, s);
      observe_initial_invite_hop(event, s);
    } else if (s.method == "BYE" && !bye_us_) {
      bye_us_ = ts;
      hangup_by_ = hangup_by(event, s);
    }
    if ((s.method == "BYE" || s.method == "CANCEL") && !hangup_reason_) keep_reason(event);
  } else {
    const bool success = s.status_code >= 200 && s.status_code < 300;
    if (s.cseq_method == "CANCEL" && success) cancel_answered_ = true;
    if (s.cseq_method == "INVITE" && is_initial_invite_response(s)) {
      observe_invite_response(event, s, delivered_to_caller(event));
    }
  }
  if (!ended_us_ && ended_for_reuse()) ended_us_ = ts;
}

void OpenCall::observe_initial_invite_hop(const decode::SipEvent& event, const SipSummary& s) {
  if (s.has_cseq) add_unique(initial_cseqs_, s.cseq);
  // Some B2BUAs keep the Call-ID but put their own From-tag on the far leg.
  if (!s.from_tag.empty() && !contains_tag(invite_from_tags_, s.from_tag)) {
    add_unique(invite_from_tags_, std::string(s.from_tag));
  }
  add_unique(hops_, std::make_pair(event.src, event.dst));
  add_unique(invite_senders_, event.src);
}

bool OpenCall::is_initial_invite_response(const SipSummary& s) {
  if (!has_invite_ || !s.has_cseq) return false;
  // The callee's own re-INVITE may reuse the same CSeq number in its own CSeq space; its
  // responses carry the callee's tag in From.
  const bool callers_tag = !s.from_tag.empty() && contains_tag(invite_from_tags_, s.from_tag);
  if (!callers_tag && !s.from_tag.empty() && !invite_from_tags_.empty()) return false;
  if (contains(initial_cseqs_, s.cseq)) return true;
  // A retry whose INVITE the capture missed (often an IP-fragmented INVITE carrying both
  // credentials and SDP): before any 2xx there is no confirmed dialog to re-INVITE in
  // (RFC 3261 §14), so a higher CSeq under the caller's tag is a retry of the initial INVITE.
  if (callers_tag && !answered() && !initial_cseqs_.empty() &&
      s.cseq > *std::max_element(initial_cseqs_.begin(), initial_cseqs_.end())) {
    add_unique(initial_cseqs_, s.cseq);
    return true;
  }
  return false;
}

void OpenCall::observe_invite_response(const decode::SipEvent& event, const SipSummary& s,
                                       bool to_caller) {
  const Response r{s.status_code, std::string(event.message->reason_phrase()), event.frame.ts_us,
                   s.cseq};
  if (r.ts_us < start_us_ && !time_went_back_) time_went_back_ = event.frame;
  auto first_wins = [&](Pick& pick) {
    if (to_caller && !pick.caller) pick.caller = r;
    if (!pick.any) pick.any = r;
  };
  // Finals of a later attempt (a 401/407 retry, CSeq + 1) replace an earlier one's; a
  // second final to the same CSeq only replaces a challenge (a retry that kept its CSeq).
  auto latest_wins = [&](std::optional<Response>& cur) {
    if (!cur || r.cseq > cur->cseq ||
        (r.cseq == cur->cseq && is_auth_challenge(cur->code) && !is_auth_challenge(r.code))) {
      cur = r;
    }
  };
  if (is_ringing_code(r.code)) {
    first_wins(ring_);
  } else if (r.code >= 200 && r.code < 300) {
    first_wins(answer_);
    if (!answered_by_) answered_by_ = event.src;
  } else if (r.code >= 300) {
    if (to_caller) latest_wins(final_.caller);
    latest_wins(final_.any);
  }
}

bool OpenCall::delivered_to_caller(const decode::SipEvent& event) const {
  // Responses can come back to another port of the caller's host (RFC 3261 §18.2.2 sends
  // them to the Via sent-by / received address), so the first hop's sends count too.
  return has_invite_ &&
         (event.dst == caller_ || (event.src == first_hop_ && event.dst.ip == caller_.ip));
}

const OpenCall::Response* OpenCall::decisive_final() const {
  const Response* f = final_.best();
  if (f == nullptr || initial_cseqs_.empty()) return f;
  const uint32_t latest = *std::max_element(initial_cseqs_.begin(), initial_cseqs_.end());
  return f->cseq < latest ? nullptr : f;  // answered by a retry since: not the outcome
}

bool OpenCall::answered() const {
  return answer_.best() != nullptr;
}

bool OpenCall::ended_for_reuse() const {
  if (bye_us_) return true;
  const Response* f = decisive_final();
  return !answered() && f != nullptr && !is_auth_challenge(f->code);
}

bool OpenCall::ended() const {
  return bye_us_ || (!answered() && (decisive_final() != nullptr || cancel_answered_));
}

bool OpenCall::waiting_for_final() const {
  return has_invite_ && !answered() && decisive_final() == nullptr && !cancel_answered_;
}

bool OpenCall::replaced_by(const SipSummary& s, int64_t now_us, int64_t linger_us) const {
  if (!ended_for_reuse() || !ended_us_) return false;
  const bool other_tag = from_tag_.empty() || s.from_tag != from_tag_;
  return other_tag || now_us - *ended_us_ > linger_us;
}

int64_t OpenCall::due_us(const Limits& limits) const {
  if (ended()) {
    const Response* f = bye_us_ ? nullptr : decisive_final();
    const bool challenged = f != nullptr && is_auth_challenge(f->code);
    return last_ts_us_ +
           (challenged ? std::max(limits.linger_us, limits.challenge_retry_us) : limits.linger_us);
  }
  // Unanswered INVITE: it becomes `no_answer` at start + no_answer_us; keep it a linger
  // longer for a late answer.
  if (waiting_for_final()) {
    return std::max(start_us_ + limits.no_answer_us, last_ts_us_) + limits.linger_us;
  }
  return last_ts_us_ + limits.call_idle_us;
}

// RFC 3326: `Reason: Q.850;cause=16;text="Normal call clearing", SIP;cause=200`. The whole
// value is kept (bounded) so a SIP cause and its text are not lost; the Q.850 cause gets a
// column of its own because it is what carriers are asked about.
void OpenCall::keep_reason(const decode::SipEvent& event) {
  const decode::sip::Header* h = event.message->find(decode::sip::HeaderId::reason);
  if (h == nullptr) return;
  constexpr size_t kMaxReason = 256;
  std::string value = decode::sip::unfold(h->value);
  if (value.size() > kMaxReason) value.resize(kMaxReason);
  hangup_reason_ = std::move(value);
  (void)decode::sip::for_each_value(h->value, [this](std::string_view item) {
    decode::sip::ReasonValue r;
    if (!q850_cause_ && decode::sip::parse_reason(item, r) &&
        decode::sip::iequals(r.protocol, "Q.850"))
      q850_cause_ = r.cause;
  });
}

std::optional<Party> OpenCall::hangup_by(const decode::SipEvent& bye, const SipSummary& s) const {
  if (!has_invite_ && !oriented_) return std::nullopt;
  // The caller's requests carry its From-tag in From (RFC 3261 §12.2.1.1).
  if (!s.from_tag.empty() && !invite_from_tags_.empty()) {
    return contains_tag(invite_from_tags_, s.from_tag) ? Party::caller : Party::callee;
  }
  if (delivered_to_caller(bye)) return Party::callee;
  if (bye.src.ip == caller_.ip || bye.src == first_hop_) return Party::caller;
  return Party::callee;
}

std::optional<std::string> OpenCall::callee_ip() const {
  // A forked INVITE has one last hop per branch: the callee is the UA whose 2xx answered
  // it (its 2xx is first seen leaving it, before any proxy relays it).
  if (answered_by_ && !contains(invite_senders_, *answered_by_) &&
      std::any_of(hops_.begin(), hops_.end(),
                  [&](const auto& hop) { return hop.second == *answered_by_; })) {
    return answered_by_->ip.to_string();
  }
  // The last hop is the one whose receiver never forwards the INVITE; among several
  // (a proxy sending from another port than it listens on), the one seen last.
  for (auto it = hops_.rbegin(); it != hops_.rend(); ++it) {
    if (!contains(invite_senders_, it->second)) return it->second.ip.to_string();
  }
  if (!hops_.empty()) return hops_.back().second.ip.to_string();
  return std::nullopt;
}

std::vector<MessageRecord> OpenCall::take_new_messages() {
  std::vector<MessageRecord> out;
  out.swap(messages_);
  messages_taken_ += static_cast<uint32_t>(out.size());
  return out;
}

std::pair<CallRecord, std::vector<MessageRecord>> OpenCall::flush(int64_t now_us,
                                                                  int64_t no_answer_us) {
  CallRecord r = row(now_us, no_answer_us);
  return {std::move(r), std::move(messages_)};
}

CallRecord OpenCall::row(int64_t now_us, int64_t no_answer_us) const {
  CallRecord r;
  r.id = id_;
  r.sip_call_id = sip_call_id_;
  r.transport = transport_;
  r.message_count = static_cast<int64_t>(messages_.size()) + messages_taken_ + messages_not_kept_;
  r.hangup_by = hangup_by_;
  r.hangup_reason = hangup_reason_;
  r.q850_cause = q850_cause_;

  const Response* answer = answer_.best();
  const Response* final_response = decisive_final();
  CallOutcome outcome;
  outcome.saw_initial_invite = has_invite_;
  outcome.answered = answer != nullptr;
  if (final_response != nullptr) outcome.final_code = final_response->code;
  outcome.cancel_answered = cancel_answered_;
  outcome.since_invite_us = now_us - start_us_;
  if (bye_us_ && answer == nullptr) outcome.bye_by_caller = hangup_by_ != Party::callee;
  r.state = decide_call_state(outcome, no_answer_us);

  if (has_invite_) {
    r.from_user = from_user_;
    r.to_user = to_user_;
    r.from_uri = from_uri_;
    r.to_uri = to_uri_;
    r.caller_ip = caller_.ip.to_string();
    r.callee_ip = callee_ip();
    r.start_us = start_us_;
    if (const Response* ring = ring_.best()) {
      r.ring_us = ring->ts_us;
      // A ring before the INVITE (capture time went backwards) has no PDD, not a negative one.
      if (ring->ts_us >= start_us_) r.pdd_ms = ms_between(start_us_, ring->ts_us);
    }
    if (answer != nullptr) {
      r.answer_us = answer->ts_us;
      r.final_code = answer->code;
      r.final_reason = answer->reason;
      r.end_us = bye_us_;
      if (bye_us_ && *bye_us_ >= answer->ts_us) r.duration_ms = ms_between(answer->ts_us, *bye_us_);
    } else if (final_response != nullptr) {
      r.final_code = final_response->code;
      r.final_reason = final_response->reason;
      r.end_us = final_response->ts_us;
    } else {
      r.end_us = bye_us_;  // a BYE on an early dialog (RFC 3261 §15) ended it
    }
  } else {
    r.end_us = bye_us_;  // mid-call capture: the BYE still ends it
    if (oriented_) {
      r.from_user = from_user_;
      r.to_user = to_user_;
      r.from_uri = from_uri_;
      r.to_uri = to_uri_;
      r.caller_ip = caller_.ip.to_string();
      if (inferred_callee_) r.callee_ip = inferred_callee_->ip.to_string();
    }
  }
  return r;
}

}  // namespace sipscope::correlate
