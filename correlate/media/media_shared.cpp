// MediaTracker, media shared by B2BUA legs: two open calls announcing the same address (an
// Asterisk passing SDP through, or moving the media direct with re-INVITEs) both negotiated
// the media that flows there. The address stays bound to the call that announced it last;
// the other call shares it (Binding::shared), is credited with its packets for its own
// findings (no false no_rtp / one_way_audio), and the two are linked (`shared_media`).
#include "correlate/media/media_tracker_impl.hpp"

#include "decode/sip/fields.hpp"

namespace sipscope::correlate::media {

namespace {

template <size_t N>
bool add_id(std::array<int64_t, N>& ids, int64_t id) {
  for (auto& x : ids) {
    if (x == id) return false;
    if (x == 0) {
      x = id;
      return true;
    }
  }
  return false;  // full: the first N sharers are enough for a B2BUA chain
}

}  // namespace

void MediaTracker::Impl::note_outcome(CallMedia& cm, const decode::sip::Message& m) {
  if (m.is_request() || m.status_code() < 200) return;
  decode::sip::CSeq cseq;
  if (!decode::sip::parse_cseq(m.header_value(decode::sip::HeaderId::cseq), cseq) ||
      cseq.method != "INVITE")
    return;
  if (m.status_code() < 300) {
    cm.answered = true;
  } else if (!cm.answered) {
    cm.failed_unanswered = true;
  }
}

void MediaTracker::Impl::note_shared(int64_t call_id, CallMedia& cm,
                                     const decode::Endpoint& announcer, int64_t now_us) {
  for (const auto& [ep, before] : replaced_scratch) {
    // The same host announcing its address again for another call is port reuse (the
    // previous call's BYE may not have been captured); a B2BUA announces another host's,
    // as it relays the offer or answer: at once (kShareWindowUs), not a call later.
    if (before.call_id == call_id || before.announcer.ip == announcer.ip ||
        now_us - before.since_us > kShareWindowUs)
      continue;
    // A call that has ended (BYE, or failed unanswered) left the address: reusing it is
    // the next call's port.
    auto other = calls.find(before.call_id);
    if (other == calls.end() || other->second.bye_us || other->second.failed_unanswered) continue;
    bindings.share(ep, before.call_id, before.shared);
    if (cm.partners.size() < kMaxPartners &&
        std::find(cm.partners.begin(), cm.partners.end(), before.call_id) == cm.partners.end())
      cm.partners.push_back(before.call_id);
    auto& back = other->second.partners;
    if (back.size() < kMaxPartners && std::find(back.begin(), back.end(), call_id) == back.end())
      back.push_back(call_id);
  }
}

int64_t MediaTracker::Impl::call_fitting(const Binding& b, const decode::UdpDatagram& d) const {
  // The offer/answer pair: a call whose SDP announced both ends of the packet.
  auto fits = [&](int64_t id) {
    const auto it = calls.find(id);
    return it != calls.end() && it->second.announced(d.src) && it->second.announced(d.dst);
  };
  if (b.shared[0] == 0 || fits(b.call_id)) return b.call_id;
  for (const int64_t id : b.shared)
    if (id != 0 && fits(id)) return id;
  return b.call_id;
}

void MediaTracker::Impl::credit_shared(const StreamState& st, const Binding* to,
                                       const Binding* from, const decode::UdpDatagram& d) {
  std::array<int64_t, 2 * kMaxShared + 2> ids{};
  for (const Binding* b : {to, from}) {
    if (b == nullptr) continue;
    add_id(ids, b->call_id);
    for (const int64_t id : b->shared)
      if (id != 0) add_id(ids, id);
  }
  for (const int64_t id : ids)
    if (id != 0 && st.call_id && id != *st.call_id) on_call_packet(id, d, d.frame.ts_us, false);
}

void MediaTracker::Impl::link_partners(int64_t call_id, const CallMedia& cm) {
  for (const int64_t p : cm.partners) {
    auto other = calls.find(p);
    if (other == calls.end()) continue;  // flushed first: it reported the link
    auto& back = other->second.partners;
    back.erase(std::remove(back.begin(), back.end(), call_id), back.end());
    CallLinkRecord l;
    l.call_id = std::max(call_id, p);
    l.linked_call_id = std::min(call_id, p);
    l.reason = "shared_media";
    l.group_id = l.linked_call_id;
    sink.on_call_link(std::move(l));
  }
}

}  // namespace sipscope::correlate::media
