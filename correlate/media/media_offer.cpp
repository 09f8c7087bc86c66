// MediaTracker, RFC 3264 §8 for offers inside a call: until its answer an offer changes
// nothing, and a rejected one leaves the session as it was.
#include "correlate/media/media_tracker_impl.hpp"

#include "decode/sip/fields.hpp"

namespace sipscope::correlate::media {

namespace {

// The CSeq of an INVITE/UPDATE (request or response): the methods whose offers are answered
// by their final response (RFC 3264 §4; UPDATE RFC 3311 §5.2).
std::optional<uint32_t> offer_cseq(const decode::sip::Message& m) {
  decode::sip::CSeq cseq;
  if (!decode::sip::parse_cseq(m.header_value(decode::sip::HeaderId::cseq), cseq)) return {};
  if (cseq.method != "INVITE" && cseq.method != "UPDATE") return {};
  if (m.is_request() && m.method() != cseq.method) return {};
  return cseq.number;
}

}  // namespace

bool has_to_tag(const decode::sip::Message& m) {
  decode::sip::NameAddr to;
  if (!decode::sip::parse_name_addr(m.header_value(decode::sip::HeaderId::to), to)) return false;
  bool found = false;
  return !decode::sip::param_value(to.params, "tag", &found).empty() && found;
}

void MediaTracker::Impl::offer_before(CallMedia& cm, const decode::sip::Message& m) {
  replaced_scratch.clear();
  const auto cseq = offer_cseq(m);
  // Offers inside a dialog (To-tag): an initial INVITE had no session to go back to, and a
  // forking proxy's branches each answer it (one 488 does not end the others).
  if (!m.is_request() || !cseq || !has_to_tag(m)) return;
  auto& p = cm.before_offer;
  if (p.pending && p.cseq == *cseq) return;  // the same offer relayed by the next hop
  p.pending = true;
  p.cseq = *cseq;
  p.replaced.clear();
  p.endpoints = cm.endpoints;
  p.on_hold = cm.on_hold;
}

void MediaTracker::Impl::offer_after(int64_t call_id, CallMedia& cm) {
  auto& p = cm.before_offer;
  if (!p.pending) return;
  for (auto& entry : replaced_scratch) {
    const auto& ep = entry.first;  // not a structured binding: clang 14 cannot capture one
    auto& before = entry.second;
    // Only what this call had bound; a copy relayed by a later hop re-announces what the
    // first copy already replaced: the first "before" is the session's.
    if (before.call_id != call_id || p.replaced.size() >= kMaxBoundPerCall) continue;
    const bool known = std::any_of(p.replaced.begin(), p.replaced.end(),
                                   [&](const auto& r) { return r.first == ep; });
    if (!known) p.replaced.emplace_back(ep, std::move(before));
  }
  replaced_scratch.clear();
}

void MediaTracker::Impl::offer_outcome(CallMedia& cm, const decode::sip::Message& m) {
  auto& p = cm.before_offer;
  if (!p.pending || m.is_request() || m.status_code() < 200) return;
  const auto cseq = offer_cseq(m);
  if (!cseq || *cseq != p.cseq) return;
  p.pending = false;
  if (m.status_code() >= 300) {
    for (const auto& [ep, before] : p.replaced) bindings.restore(ep, before);
    cm.endpoints = p.endpoints;
    cm.on_hold = p.on_hold;
  }
  p.replaced.clear();
  p.endpoints.clear();
}

const Binding* MediaTracker::Impl::rtp_until_answer(const Binding* b, const decode::Endpoint& at) {
  if (b == nullptr || !b->non_rtp) return b;
  auto it = calls.find(b->call_id);
  if (it == calls.end() || !it->second.before_offer.pending) return b;
  for (const auto& [ep, before] : it->second.before_offer.replaced)
    if (ep == at && !before.non_rtp) return &before;
  return b;
}

}  // namespace sipscope::correlate::media
