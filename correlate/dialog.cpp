#include "correlate/dialog.hpp"

#include <algorithm>

#include "decode/enum_name.hpp"
#include "decode/sdp/sdp.hpp"
#include "decode/sip/fields.hpp"

namespace sipscope::correlate {

namespace sip = decode::sip;
namespace sdp = decode::sdp;

namespace {

// Forking rarely gives more than a handful of branches; a hostile stream can invent To-tags.
constexpr size_t kMaxDialogs = 16;
constexpr size_t kMaxFindings = 32;

bool has_option_tag(const sip::Message& m, sip::HeaderId id, std::string_view tag) {
  bool found = false;
  for (const auto& h : m.headers()) {
    if (h.id != id) continue;
    sip::for_each_value(h.value,
                        [&](std::string_view v) { found = found || sip::iequals(v, tag); });
  }
  return found;
}

}  // namespace

std::string_view dialog_state_name(DialogState s) {
  switch (s) {
    case DialogState::early:
      return "early";
    case DialogState::confirmed:
      return "confirmed";
    case DialogState::terminated:
      return "terminated";
  }
  return "terminated";
}

std::optional<DialogState> parse_dialog_state(std::string_view name) {
  return decode::enum_from_name(name, DialogState::terminated, dialog_state_name);
}

DialogState next_dialog_state(DialogState s, DialogEvent e) {
  switch (s) {
    case DialogState::early:
      switch (e) {
        case DialogEvent::provisional:
          return s;
        case DialogEvent::final_2xx:
          return DialogState::confirmed;  // §12.1.2 / §13.2.2.4
        case DialogEvent::final_failure:  // §12.3: a non-2xx final ends early dialogs
        case DialogEvent::bye:
        case DialogEvent::superseded:
          return DialogState::terminated;
      }
      break;
    case DialogState::confirmed:
      return e == DialogEvent::bye ? DialogState::terminated : s;
    case DialogState::terminated:
      return s;
  }
  return s;
}

std::optional<bool> sdp_is_hold(std::string_view body) {
  sdp::Session session;
  if (body.empty() || sdp::parse_sdp(body, session) != sdp::SdpError::ok) return std::nullopt;
  bool any = false;
  bool hold = false;
  for (const auto& m : session.media) {
    if (m.port == 0) continue;  // a rejected/disabled stream says nothing (RFC 3264 §6)
    any = true;
    const auto dir = m.effective_direction(session);
    const auto& c = m.effective_connection(session);
    if (dir == sdp::Direction::sendonly || dir == sdp::Direction::inactive ||
        (c.present && (c.address == "0.0.0.0" || c.address == "::"))) {
      hold = true;
    }
  }
  if (!any) return std::nullopt;
  return hold;
}

bool DialogSet::answered_on(std::string_view branch) const {
  return std::find(answered_branches_.begin(), answered_branches_.end(), branch) !=
         answered_branches_.end();
}

DialogSet::Dialog* DialogSet::find(std::string_view tag_a, std::string_view tag_b) {
  for (auto& d : dialogs_) {
    const auto& r = d.record;
    if ((r.from_tag == tag_a && r.to_tag == tag_b) || (r.from_tag == tag_b && r.to_tag == tag_a)) {
      return &d;
    }
  }
  return nullptr;
}

void DialogSet::apply(Dialog& d, DialogEvent e, int64_t ts) {
  const DialogState before = d.state;
  d.state = next_dialog_state(d.state, e);
  if (d.state == DialogState::confirmed && !d.record.confirmed_us) d.record.confirmed_us = ts;
  if (d.state == DialogState::terminated && before != DialogState::terminated) {
    d.record.terminated_us = ts;
  }
}

void DialogSet::finding(DiagnosticKind kind, const decode::SipEvent& ev, std::string detail) {
  if (findings_.size() >= kMaxFindings) return;
  findings_.push_back({0, ev.frame.ts_us, kind, std::move(detail), {ev.frame.number}});
}

void DialogSet::observe(const decode::SipEvent& ev, const SipSummary& s) {
  if (s.is_request) {
    observe_request(ev, s);
  } else if (s.cseq_method == "INVITE") {
    observe_invite_response(ev, s);
  } else if (s.cseq_method == "CANCEL" && s.status_code >= 200 && s.status_code < 300 &&
             answered_on(s.via_branch)) {
    finding(DiagnosticKind::cancel_after_answer, ev,
            "CANCEL answered " + std::to_string(s.status_code) + " after the INVITE was answered");
  }
}

void DialogSet::observe_invite_response(const decode::SipEvent& ev, const SipSummary& s) {
  const int64_t ts = ev.frame.ts_us;
  const int code = s.status_code;
  const bool initial = !initial_cseq_ || *initial_cseq_ == s.cseq;
  if (!initial_cseq_ && s.has_cseq) initial_cseq_ = s.cseq;
  if (code > 100 && code < 200 && has_option_tag(*ev.message, sip::HeaderId::require, "100rel")) {
    if (reliable_provisionals_++ == 0) first_reliable_frame_ = ev.frame.number;
  }
  if (initial && code >= 200 && code < 300 && !answered_on(s.via_branch) &&
      answered_branches_.size() < kMaxDialogs) {
    answered_branches_.emplace_back(s.via_branch);
  }
  if (initial && code == 487 && answered_on(s.via_branch)) {
    finding(DiagnosticKind::request_terminated_after_answer, ev,
            "487 to the INVITE after it was answered (CANCEL lost the race)");
  }
  if (initial && code >= 200 && code != 401 && code != 407) final_seen_ = true;
  if (code <= 100 || s.to_tag.empty()) return;
  Dialog* d = find(s.from_tag, s.to_tag);
  if (d == nullptr && initial && code < 300 && dialogs_.size() >= max_) ++dropped_;
  if (d == nullptr && initial && code < 300 && dialogs_.size() < max_) {
    Dialog n;
    n.record.from_tag = std::string(s.from_tag);
    n.record.to_tag = std::string(s.to_tag);
    n.record.remote_ip = ev.src.ip.to_string();
    n.record.created_us = ts;
    n.record.first_code = code;
    dialogs_.push_back(std::move(n));
    d = &dialogs_.back();
  }
  if (d == nullptr || !initial) return;  // re-INVITE answers leave the dialog as it is
  if (code < 200) {
    apply(*d, DialogEvent::provisional, ts);
    return;
  }
  if (!d->record.final_code) d->record.final_code = code;
  if (code < 300) {
    answered_ = true;
    apply(*d, DialogEvent::final_2xx, ts);
  } else {
    apply(*d, DialogEvent::final_failure, ts);
  }
}

void DialogSet::observe_request(const decode::SipEvent& ev, const SipSummary& s) {
  const int64_t ts = ev.frame.ts_us;
  if (s.method == "INVITE" && !s.has_to_tag) {
    if (s.has_cseq) initial_cseq_ = s.cseq;  // a 401/407 retry is the initial INVITE now
    saw_initial_invite_ = true;
    return;
  }
  if (s.method == "PRACK") ++pracks_;
  // A call first seen mid-dialog (its INVITE before the capture) was answered long ago,
  // for all the capture can tell: only an INVITE seen unanswered makes a BYE early.
  if (s.method == "BYE" && !answered_ && saw_initial_invite_) {
    finding(DiagnosticKind::bye_before_answer, ev,
            "BYE sent before any 2xx to the INVITE was seen");
  }
  if (!s.has_to_tag) return;
  Dialog* d = find(s.from_tag, s.to_tag);
  if (d == nullptr) {
    // A dialog whose creation the capture missed (first seen mid-dialog): its offers still
    // put the call on hold and resume it.
    if (s.method == "INVITE" || s.method == "UPDATE") call_hold_change(ev, s);
    return;
  }
  DialogRecord& r = d->record;
  if (s.method == "BYE") {
    apply(*d, DialogEvent::bye, ts);
    return;
  }
  if (s.method != "PRACK" && s.method != "INVITE" && s.method != "UPDATE") return;
  // The same request relayed by a proxy (or retransmitted) is one request: each side's
  // CSeq grows with every new request in the dialog (RFC 3261 §12.2.1.1).
  int64_t& counted = d->counted_cseq[s.from_tag == r.from_tag ? 0 : 1];
  if (s.has_cseq && static_cast<int64_t>(s.cseq) <= counted) return;
  if (s.has_cseq) counted = s.cseq;
  if (s.method == "PRACK") {
    ++r.pracks;
  } else {
    ++(s.method == "INVITE" ? r.reinvites : r.updates);
    const auto hold = call_hold_change(ev, s);
    if (!hold) return;  // no offer (e.g. a session refresh without SDP): no change
    if (*hold && !d->on_hold) ++r.holds;
    d->on_hold = *hold;
  }
}

std::optional<bool> DialogSet::call_hold_change(const decode::SipEvent& ev, const SipSummary& s) {
  const auto hold = sdp_is_hold(ev.message->body());
  // One finding per change of the call: a B2BUA that keeps the Call-ID relays the offer on
  // its other dialog (corpus heplify_erspan_sip_ipv4_udp frames 45 and 47), the same hold.
  if (!hold || *hold == call_on_hold_) return hold;
  call_on_hold_ = *hold;
  if (*hold) {
    finding(DiagnosticKind::call_hold, ev, std::string(s.method) + " offer puts the media on hold");
  } else {
    finding(DiagnosticKind::call_resume, ev, std::string(s.method) + " offer resumes the media");
  }
  return hold;
}

void DialogSet::records(int64_t call_id, std::vector<DialogRecord>& out) const {
  for (const auto& d : dialogs_) {
    DialogRecord r = d.record;
    r.call_id = call_id;
    DialogState st = d.state;
    // An early dialog whose INVITE was answered elsewhere (or failed) is over.
    if (st == DialogState::early && final_seen_)
      st = next_dialog_state(st, DialogEvent::superseded);
    r.state = st;
    out.push_back(std::move(r));
  }
}

void DialogSet::diagnostics(int64_t call_id, std::vector<DiagnosticRecord>& out) const {
  for (auto f : findings_) {
    f.call_id = call_id;
    out.push_back(std::move(f));
  }
  if (reliable_provisionals_ > 0 && pracks_ == 0) {
    out.push_back({call_id,
                   std::nullopt,
                   DiagnosticKind::prack_missing,
                   std::to_string(reliable_provisionals_) +
                       " reliable provisional response(s) (Require: 100rel) and no PRACK",
                   {first_reliable_frame_}});
  }
}

}  // namespace sipscope::correlate
