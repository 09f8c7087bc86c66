#include "call.hpp"

#include <algorithm>
#include <stdexcept>

namespace sipscope::gen {
namespace {

constexpr const char* kAllow = "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO";
// Non-2xx ACK follows its response on the same hop shortly after.
constexpr std::int64_t kAckAfterUs = 400;

std::string via(const Endpoint& node, const std::string& branch) {
  return "SIP/2.0/UDP " + node.host_port() + ";branch=z9hG4bK" + branch;
}
std::string lr(const Endpoint& proxy) {
  return "<sip:" + proxy.host_port() + ";lr>";
}

}  // namespace

std::string Party::name_addr() const {
  if (display.empty()) return "<" + uri() + ">";
  return "\"" + display + "\" <" + uri() + ">";
}

Call::Call(Context ctx, std::string call_id, Party caller, Party callee,
           std::vector<Endpoint> proxies, std::int64_t hop_delay_us)
    : ctx_(ctx),
      truth_(ctx.truth.new_call(call_id)),
      call_id_(std::move(call_id)),
      caller_(std::move(caller)),
      callee_(std::move(callee)),
      hop_delay_(hop_delay_us) {
  nodes_.push_back(caller_.sip);
  for (auto& p : proxies) nodes_.push_back(p);
  nodes_.push_back(callee_.sip);
  from_tag_ = ctx_.rng.hex(8);
  to_tag_ = ctx_.rng.hex(8);
  caller_sess_ = 1000000 + ctx_.rng.below(8000000);
  callee_sess_ = 1000000 + ctx_.rng.below(8000000);
  caller_cseq_ = 0;
  callee_cseq_ = 0;
  // The user parts are those of the initial INVITE; in-dialog requests repeat the same
  // From/To URIs (§12.2.1.1), so they are known even when the INVITE was not captured.
  truth_.from_user = caller_.user;
  truth_.to_user = callee_.user;
  truth_.from_uri = caller_.uri();
  truth_.to_uri = callee_.uri();
}

void Call::set_codec(int payload_type) {
  offered_pts_ = {payload_type, payload_type == 0 ? 8 : 0};
}

void Call::assume_established(std::uint32_t caller_cseq) {
  established_ = true;
  to_tag_sent_ = true;
  caller_cseq_ = caller_cseq;
  callee_cseq_ = 1;
  caller_sdp_version_ = 1;
  callee_sdp_version_ = 1;
}

Call::Txn Call::new_txn(std::string method, Side origin, std::uint32_t cseq, bool initial) {
  Txn t;
  t.method = std::move(method);
  t.origin = origin;
  t.cseq = cseq;
  t.initial = initial;
  for (std::size_t i = 0; i < nodes_.size(); ++i) t.branch.push_back(ctx_.rng.hex(12));
  return t;
}

void Call::hop_ends(Side from, std::size_t hop, Endpoint& src, Endpoint& dst) const {
  src = from == Side::kCaller ? nodes_[hop] : nodes_[hop + 1];
  dst = from == Side::kCaller ? nodes_[hop + 1] : nodes_[hop];
}

void Call::add_vias(SipMessage& m, const Txn& txn, std::size_t hop) const {
  // Each element the request passed through pushed its own Via on top (§16.6 step 8).
  if (txn.origin == Side::kCaller) {
    for (std::size_t k = hop + 1; k-- > 0;) m.add("Via", via(nodes_[k], txn.branch[k]));
  } else {
    for (std::size_t k = hop + 1; k < nodes_.size(); ++k)
      m.add("Via", via(nodes_[k], txn.branch[k]));
  }
}

void Call::add_from_to(SipMessage& m, Side origin, bool with_to_tag) const {
  const std::string caller_addr = caller_.name_addr() + ";tag=" + from_tag_;
  std::string callee_addr = "<" + callee_.uri() + ">";
  if (with_to_tag) callee_addr += ";tag=" + to_tag_;
  if (origin == Side::kCaller) {
    m.add("From", caller_addr);
    m.add("To", callee_addr);
  } else {
    m.add("From", callee_addr);
    m.add("To", caller_addr);
  }
}

SipMessage Call::request(const Txn& txn, std::size_t hop, std::size_t step) const {
  const bool caller = txn.origin == Side::kCaller;
  const std::size_t last = hops() - 1;
  std::string ruri;
  if (txn.initial) {
    // A proxy retargets the AoR to the registered contact on the last hop (§16.5).
    ruri = (hop == last && hops() > 1) ? callee_.contact_uri() : callee_.uri();
  } else {
    ruri = caller ? callee_.contact_uri() : caller_.contact_uri();
  }
  SipMessage m;
  m.start_line = txn.method + " " + ruri + " SIP/2.0";
  add_vias(m, txn, hop);
  m.add("Max-Forwards", std::to_string(70 - step));
  if (txn.initial && caller) {
    for (std::size_t k = hop; k >= 1; --k) m.add("Record-Route", lr(nodes_[k]));
  } else if (!txn.initial) {
    // Loose routing (§16.12): the Route set still ahead, next proxy first.
    if (caller) {
      for (std::size_t k = hop + 1; k + 1 < nodes_.size(); ++k) m.add("Route", lr(nodes_[k]));
    } else {
      for (std::size_t k = hop; k >= 1; --k) m.add("Route", lr(nodes_[k]));
    }
  }
  add_from_to(m, txn.origin, !txn.initial);
  m.add("Call-ID", call_id_);
  m.add("CSeq", std::to_string(txn.cseq) + " " + txn.method);
  return m;
}

SipMessage Call::response(const Txn& txn, std::size_t hop, int code) const {
  SipMessage m;
  m.start_line = "SIP/2.0 " + std::to_string(code) + " " + std::string(reason_phrase(code));
  add_vias(m, txn, hop);
  if (txn.method == "INVITE" && code > 100 && code < 300) {
    // Record-Route is copied into 18x/2xx so the caller learns the route set (§12.1.1).
    for (std::size_t k = hops() - 1; k >= 1; --k) m.add("Record-Route", lr(nodes_[k]));
  }
  add_from_to(m, txn.origin, !txn.initial || code > 100);
  m.add("Call-ID", call_id_);
  m.add("CSeq", std::to_string(txn.cseq) + " " + txn.method);
  return m;
}

void Call::emit(std::int64_t t, const Endpoint& src, const Endpoint& dst, const SipMessage& m) {
  ctx_.out.sip.push_back(SipPacket{t, src, dst, m.render()});
  ++truth_.message_count;
}

std::string Call::sdp(Side side, Media media, bool is_answer) {
  // An offer of sendonly is answered recvonly (RFC 3264 §6.1); the c=0.0.0.0 hold of RFC
  // 2543 is answered as usual.
  std::string_view direction = "sendrecv";
  if (media == Media::kHold) direction = is_answer ? "recvonly" : "sendonly";
  const bool null_address = media == Media::kHoldNullAddress && !is_answer;
  if (side == Side::kCaller) {
    return sdp_body(caller_.user, caller_sess_, caller_sdp_version_++, caller_.media, offered_pts_,
                    direction, null_address);
  }
  const int chosen[] = {offered_pts_.front()};
  return sdp_body(callee_.user, callee_sess_, callee_sdp_version_++, callee_.media, chosen,
                  direction, null_address);
}

DialogTruth* Call::dialog(bool create, int first_code, std::int64_t t) {
  if (!ctx_.truth.dialogs) return nullptr;
  for (auto& d : *ctx_.truth.dialogs) {
    if (d.call == call_id_ && d.to_tag == to_tag_) return &d;
  }
  if (!create) return nullptr;
  DialogTruth& d = ctx_.truth.dialogs->emplace_back();
  d.call = call_id_;
  d.to_tag = to_tag_;
  d.remote_ip = callee_.sip.ip.text;
  d.created_us = t;
  d.first_code = first_code;
  return &d;
}

std::size_t Call::fork(Party other) {
  if (branches_.empty()) branches_.push_back({callee_, to_tag_, {}});
  const std::string tag = ctx_.rng.hex(8);
  branches_.push_back({std::move(other), tag, ctx_.rng.hex(12)});
  return branches_.size() - 1;
}

void Call::use_branch(std::size_t b) {
  if (b == branch_ || b >= branches_.size()) return;
  if (hops() < 2 || invite_.branch.size() != nodes_.size()) {
    throw std::logic_error("Call::use_branch: needs a proxy and the INVITE sent first");
  }
  // The forking proxy is the last node before the callee; its Via branch is per fork.
  std::string& proxy_branch = invite_.branch[hops() - 1];
  branches_[branch_] = {callee_, to_tag_, proxy_branch};
  callee_ = branches_[b].callee;
  to_tag_ = branches_[b].to_tag;
  proxy_branch = branches_[b].proxy_branch;
  nodes_.back() = callee_.sip;
  branch_ = b;
}

void Call::invite(std::int64_t t, const ExtraHeaders& extra) {
  const bool initial = !established_;
  invite_ = new_txn("INVITE", Side::kCaller, ++caller_cseq_, initial);
  if (initial) {
    if (!truth_.initial_invite_seen) {
      truth_.initial_invite_seen = true;
      truth_.start_us = t;
      truth_.caller_ip = nodes_.front().ip.text;
      truth_.callee_ip = nodes_.back().ip.text;
    }
    if (truth_.challenged) {
      // The 401/407 was not final after all: the INVITE is retried with credentials.
      truth_.challenged = false;
      truth_.final_code.reset();
      truth_.final_reason.reset();
      truth_.end_us.reset();
    }
  }
  invite_body_ = sdp(Side::kCaller);
  invite_extra_ = extra;
  last_invite_hop0_.clear();
  for (std::size_t s = 0; s < hops(); ++s) {
    invite_hop(t + static_cast<std::int64_t>(s) * hop_delay_, s);
    if (s == 0) last_invite_hop0_.push_back(ctx_.out.sip.back());
  }
}

void Call::invite_hop(std::int64_t t, std::size_t s) {
  const std::size_t hop = hop_at(Side::kCaller, s);
  SipMessage m = request(invite_, hop, s);
  m.add("Contact", "<" + caller_.contact_uri() + ">");
  for (const auto& [k, v] : invite_extra_) m.add(k, v);
  m.add("Allow", kAllow);
  m.add("User-Agent", caller_.agent);
  m.body = invite_body_;
  Endpoint src, dst;
  hop_ends(Side::kCaller, hop, src, dst);
  emit(t, src, dst, m);
}

void Call::fork_invite(std::int64_t t) {
  invite_hop(t, hops() - 1);
}

void Call::retransmit_invite(std::int64_t t) {
  for (SipPacket p : last_invite_hop0_) {
    p.ts_us = t;
    ctx_.out.sip.push_back(std::move(p));
    ++truth_.message_count;
  }
}

void Call::trying(std::int64_t t) {
  for (std::size_t s = 0; s < hops(); ++s) {
    SipMessage m = response(invite_, s, 100);
    m.add("Server", s + 1 == hops() ? callee_.agent : "sipscope-gen proxy");
    Endpoint src, dst;
    hop_ends(Side::kCallee, s, src, dst);
    emit(t + static_cast<std::int64_t>(s) * hop_delay_, src, dst, m);
  }
}

void Call::ringing(std::int64_t t, int code, const ExtraHeaders& extra) {
  const std::string body = code == 183 ? sdp(Side::kCallee) : std::string();
  if (invite_.initial) dialog(true, code, t);
  for (std::size_t s = 0; s < hops(); ++s) {
    const std::size_t hop = hop_at(Side::kCallee, s);
    SipMessage m = response(invite_, hop, code);
    m.add("Contact", "<" + callee_.contact_uri() + ">");
    for (const auto& [k, v] : extra) m.add(k, v);
    m.add("Server", callee_.agent);
    m.body = body;
    Endpoint src, dst;
    hop_ends(Side::kCallee, hop, src, dst);
    emit(t + static_cast<std::int64_t>(s) * hop_delay_, src, dst, m);
  }
  if (invite_.initial && !truth_.ring_us) truth_.ring_us = at_caller(t);
}

void Call::answer(std::int64_t t) {
  const std::string body = sdp(Side::kCallee);
  last_answer_.clear();
  for (std::size_t s = 0; s < hops(); ++s) {
    const std::size_t hop = hop_at(Side::kCallee, s);
    SipMessage m = response(invite_, hop, 200);
    m.add("Contact", "<" + callee_.contact_uri() + ">");
    m.add("Allow", kAllow);
    m.add("Server", callee_.agent);
    m.body = body;
    Endpoint src, dst;
    hop_ends(Side::kCallee, hop, src, dst);
    emit(t + static_cast<std::int64_t>(s) * hop_delay_, src, dst, m);
    last_answer_.push_back(ctx_.out.sip.back());
  }
  if (invite_.initial) {
    if (DialogTruth* d = dialog(true, 200, t)) {
      if (!d->final_code) d->final_code = 200;
      if (!d->confirmed_us) d->confirmed_us = t;
    }
    invite_final();
  }
  if (invite_.initial && !truth_.answer_us) {
    // With forking, the callee is the UA that answered.
    if (!branches_.empty()) truth_.callee_ip = nodes_.back().ip.text;
    truth_.answer_us = at_caller(t);
    truth_.final_code = 200;
    truth_.final_reason = "OK";
  }
  established_ = true;
  to_tag_sent_ = true;
}

void Call::retransmit_answer(std::int64_t t) {
  std::int64_t at = t;
  for (SipPacket p : last_answer_) {
    p.ts_us = at;
    at += hop_delay_;
    ctx_.out.sip.push_back(std::move(p));
    ++truth_.message_count;
  }
}

void Call::ack(std::int64_t t) {
  Txn txn = new_txn("ACK", Side::kCaller, invite_.cseq, false);
  for (std::size_t s = 0; s < hops(); ++s) {
    const std::size_t hop = hop_at(Side::kCaller, s);
    SipMessage m = request(txn, hop, s);
    m.add("User-Agent", caller_.agent);
    Endpoint src, dst;
    hop_ends(Side::kCaller, hop, src, dst);
    emit(t + static_cast<std::int64_t>(s) * hop_delay_, src, dst, m);
  }
}

void Call::invite_final() {
  if (!ctx_.truth.dialogs) return;
  for (auto& d : *ctx_.truth.dialogs) {
    if (d.call == call_id_) d.invite_final = true;
  }
}

void Call::reject(std::int64_t t, int code, const ExtraHeaders& extra, bool last_hop_only) {
  if (invite_.initial && code != 401 && code != 407) {
    // A non-2xx final ends this branch's early dialog; a confirmed one stays (§12.3).
    if (DialogTruth* d = dialog(false, code, t); d != nullptr && !d->confirmed_us) {
      if (!d->final_code) d->final_code = code;
      if (!d->terminated_us) d->terminated_us = t;
    }
    invite_final();
  }
  for (std::size_t s = 0; s < (last_hop_only ? 1 : hops()); ++s) {
    const std::size_t hop = hop_at(Side::kCallee, s);
    const std::int64_t at = t + static_cast<std::int64_t>(s) * hop_delay_;
    SipMessage m = response(invite_, hop, code);
    for (const auto& [k, v] : extra) m.add(k, v);
    m.add("Server", callee_.agent);
    Endpoint src, dst;
    hop_ends(Side::kCallee, hop, src, dst);
    emit(at, src, dst, m);
    // ACK for a non-2xx: same branch as the INVITE on this hop, only the top Via.
    SipMessage ack;
    const std::size_t last = hops() - 1;
    const std::string ruri =
        (invite_.initial && hop == last && hops() > 1) ? callee_.contact_uri() : callee_.uri();
    ack.start_line = "ACK " + (invite_.initial ? ruri : callee_.contact_uri()) + " SIP/2.0";
    ack.add("Via", via(nodes_[hop], invite_.branch[hop]));
    ack.add("Max-Forwards", "70");
    add_from_to(ack, Side::kCaller, true);
    ack.add("Call-ID", call_id_);
    ack.add("CSeq", std::to_string(invite_.cseq) + " ACK");
    emit(at + kAckAfterUs, dst, src, ack);
  }
  if (!invite_.initial || truth_.answer_us) return;
  const std::int64_t at0 = at_caller(t);
  truth_.final_code = code;
  truth_.final_reason = std::string(reason_phrase(code));
  if (!truth_.end_us) truth_.end_us = at0;
  truth_.challenged = code == 401 || code == 407;
}

void Call::cancel(std::int64_t t, bool last_hop_only) {
  for (std::size_t s = last_hop_only ? hops() - 1 : 0; s < hops(); ++s) {
    const std::int64_t at = t + static_cast<std::int64_t>(last_hop_only ? 0 : s) * hop_delay_;
    SipMessage m;
    const std::size_t last = hops() - 1;
    const std::string ruri = (s == last && hops() > 1) ? callee_.contact_uri() : callee_.uri();
    m.start_line = "CANCEL " + ruri + " SIP/2.0";
    m.add("Via", via(nodes_[s], invite_.branch[s]));
    m.add("Max-Forwards", "70");
    add_from_to(m, Side::kCaller, false);
    m.add("Call-ID", call_id_);
    m.add("CSeq", std::to_string(invite_.cseq) + " CANCEL");
    m.add("User-Agent", s == 0 ? caller_.agent : "sipscope-gen proxy");
    Endpoint src, dst;
    hop_ends(Side::kCaller, s, src, dst);
    emit(at, src, dst, m);
    SipMessage ok;
    ok.start_line = "SIP/2.0 200 OK";
    ok.add("Via", via(nodes_[s], invite_.branch[s]));
    add_from_to(ok, Side::kCaller, true);
    ok.add("Call-ID", call_id_);
    ok.add("CSeq", std::to_string(invite_.cseq) + " CANCEL");
    emit(at + 600, dst, src, ok);
  }
  if (!last_hop_only) truth_.cancel_answered = true;
}

void Call::transact(std::int64_t t, Side from, const std::string& method, const ExtraHeaders& extra,
                    int code, const std::string& body, const std::string& content_type) {
  const std::uint32_t cseq = from == Side::kCaller ? ++caller_cseq_ : ++callee_cseq_;
  Txn txn = new_txn(method, from, cseq, false);
  const Party& who = from == Side::kCaller ? caller_ : callee_;
  const Party& peer = from == Side::kCaller ? callee_ : caller_;
  for (std::size_t s = 0; s < hops(); ++s) {
    const std::size_t hop = hop_at(from, s);
    SipMessage m = request(txn, hop, s);
    m.add("User-Agent", who.agent);
    for (const auto& [k, v] : extra) m.add(k, v);
    m.body = body;
    m.content_type = content_type;
    Endpoint src, dst;
    hop_ends(from, hop, src, dst);
    emit(t + static_cast<std::int64_t>(s) * hop_delay_, src, dst, m);
  }
  const Side back = from == Side::kCaller ? Side::kCallee : Side::kCaller;
  const std::int64_t t_ok = t + static_cast<std::int64_t>(hops()) * hop_delay_ + 2000;
  for (std::size_t s = 0; s < hops(); ++s) {
    const std::size_t hop = hop_at(back, s);
    SipMessage m = response(txn, hop, code);
    m.add("Server", peer.agent);
    Endpoint src, dst;
    hop_ends(back, hop, src, dst);
    emit(t_ok + static_cast<std::int64_t>(s) * hop_delay_, src, dst, m);
  }
}

void Call::in_dialog(std::int64_t t, Side from, const std::string& method,
                     const ExtraHeaders& extra, int code, const std::string& body,
                     const std::string& content_type) {
  transact(t, from, method, extra, code, body, content_type);
  if (DialogTruth* d = dialog(false, 0, t)) {
    if (method == "PRACK") ++d->pracks;
    if (method == "UPDATE") ++d->updates;
  }
}

void Call::bye(std::int64_t t, Side from) {
  transact(t, from, "BYE", {}, 200, {}, {});
  if (DialogTruth* d = dialog(false, 0, t); d != nullptr && !d->terminated_us) {
    d->terminated_us = t;
  }
  if (!truth_.end_us) truth_.end_us = t;
  if (!truth_.hangup_by) truth_.hangup_by = from == Side::kCaller ? "caller" : "callee";
}

void Call::reinvite(std::int64_t t, Side from, Media media) {
  const std::uint32_t cseq = from == Side::kCaller ? ++caller_cseq_ : ++callee_cseq_;
  Txn txn = new_txn("INVITE", from, cseq, false);
  const Party& who = from == Side::kCaller ? caller_ : callee_;
  const Party& peer = from == Side::kCaller ? callee_ : caller_;
  if (!truth_.initial_invite_seen && !truth_.caller_ip && from == Side::kCaller) {
    truth_.caller_ip = nodes_.front().ip.text;
    truth_.callee_ip = nodes_.back().ip.text;
  }
  const std::string offer = sdp(from, media);
  if (DialogTruth* d = dialog(false, 0, t)) {
    ++d->reinvites;
    if (media != Media::kSendrecv && !on_hold_) ++d->holds;
  }
  // RFC 3264 §8.4 hold / resume, as docs/correlation.md names the findings.
  const bool hold = media != Media::kSendrecv;
  if (ctx_.truth.diagnostics && hold != on_hold_) {
    ctx_.truth.diagnostics->push_back({call_id_, hold ? "call_hold" : "call_resume"});
  }
  on_hold_ = hold;
  for (std::size_t s = 0; s < hops(); ++s) {
    const std::size_t hop = hop_at(from, s);
    SipMessage m = request(txn, hop, s);
    m.add("Contact", "<" + who.contact_uri() + ">");
    m.add("User-Agent", who.agent);
    m.body = offer;
    Endpoint src, dst;
    hop_ends(from, hop, src, dst);
    emit(t + static_cast<std::int64_t>(s) * hop_delay_, src, dst, m);
  }
  const Side back = from == Side::kCaller ? Side::kCallee : Side::kCaller;
  const std::string answer = sdp(back, media, true);
  const std::int64_t t_ok = t + 40000;
  for (std::size_t s = 0; s < hops(); ++s) {
    const std::size_t hop = hop_at(back, s);
    SipMessage m = response(txn, hop, 200);
    m.add("Contact", "<" + peer.contact_uri() + ">");
    m.add("Server", peer.agent);
    m.body = answer;
    Endpoint src, dst;
    hop_ends(back, hop, src, dst);
    emit(t_ok + static_cast<std::int64_t>(s) * hop_delay_, src, dst, m);
  }
  Txn ack_txn = new_txn("ACK", from, cseq, false);
  const std::int64_t t_ack = t_ok + 20000;
  for (std::size_t s = 0; s < hops(); ++s) {
    const std::size_t hop = hop_at(from, s);
    SipMessage m = request(ack_txn, hop, s);
    Endpoint src, dst;
    hop_ends(from, hop, src, dst);
    emit(t_ack + static_cast<std::int64_t>(s) * hop_delay_, src, dst, m);
  }
}

void Call::media(std::int64_t from_us, std::int64_t to_us,
                 std::vector<std::uint32_t> drop_to_callee,
                 std::vector<std::uint32_t> drop_to_caller, std::uint32_t jitter_us) {
  const auto count =
      static_cast<std::uint32_t>(std::max<std::int64_t>(0, (to_us - from_us) / 20000));
  if (count < 2) return;
  auto stream = [&](const Party& src, const Party& dst, std::int64_t start,
                    std::vector<std::uint32_t> drop) {
    RtpSpec r;
    r.src = src.media;
    r.dst = dst.media;
    r.ssrc = static_cast<std::uint32_t>(ctx_.rng.next()) | 1u;
    r.payload_type = static_cast<std::uint8_t>(offered_pts_.front());
    r.seq0 = static_cast<std::uint16_t>(ctx_.rng.next());
    r.ts0 = static_cast<std::uint32_t>(ctx_.rng.next());
    r.start_us = start;
    r.count = count;
    std::erase_if(drop, [&](std::uint32_t i) { return i == 0 || i + 1 >= count; });
    std::sort(drop.begin(), drop.end());
    drop.erase(std::unique(drop.begin(), drop.end()), drop.end());
    r.drop = std::move(drop);
    r.jitter_us = jitter_us;
    r.jitter_seed = ctx_.rng.next();
    ctx_.truth.streams.push_back(r.truth());
    ctx_.out.rtp.push_back(std::move(r));
  };
  stream(caller_, callee_, from_us, std::move(drop_to_callee));
  stream(callee_, caller_, from_us + 7000, std::move(drop_to_caller));
}

void register_flow(Context ctx, std::int64_t t, const Party& ua, const Endpoint& registrar,
                   bool challenge, int final_code) {
  const std::string call_id = ctx.rng.hex(20) + "@" + ua.sip.sip_host();
  const std::string tag = ctx.rng.hex(8);
  const std::string server_tag = ctx.rng.hex(8);
  std::uint32_t cseq = 1;
  auto send = [&](std::int64_t at, bool with_auth) {
    const std::string branch = ctx.rng.hex(12);
    SipMessage m;
    m.start_line = "REGISTER sip:" + ua.domain + " SIP/2.0";
    m.add("Via", via(ua.sip, branch));
    m.add("Max-Forwards", "70");
    m.add("From", ua.name_addr() + ";tag=" + tag);
    m.add("To", ua.name_addr());
    m.add("Call-ID", call_id);
    m.add("CSeq", std::to_string(cseq) + " REGISTER");
    m.add("Contact", "<" + ua.contact_uri() + ">;expires=3600");
    if (with_auth) {
      m.add("Authorization", "Digest username=\"" + ua.user + "\", realm=\"" + ua.domain +
                                 "\", nonce=\"" + ctx.rng.hex(16) + "\", uri=\"sip:" + ua.domain +
                                 "\", response=\"" + ctx.rng.hex(32) + "\", algorithm=MD5");
    }
    m.add("Expires", "3600");
    m.add("User-Agent", ua.agent);
    ctx.out.sip.push_back(SipPacket{at, ua.sip, registrar, m.render()});
    SipMessage r;
    const int code = challenge && !with_auth ? 401 : final_code;
    r.start_line = "SIP/2.0 " + std::to_string(code) + " " + std::string(reason_phrase(code));
    r.add("Via", via(ua.sip, branch) + ";received=" + ua.sip.ip.text);
    r.add("From", ua.name_addr() + ";tag=" + tag);
    r.add("To", ua.name_addr() + ";tag=" + server_tag);
    r.add("Call-ID", call_id);
    r.add("CSeq", std::to_string(cseq) + " REGISTER");
    if (code == 401) {
      r.add("WWW-Authenticate", "Digest realm=\"" + ua.domain + "\", nonce=\"" + ctx.rng.hex(16) +
                                    "\", algorithm=MD5, qop=\"auth\"");
    } else if (code == 200) {
      r.add("Contact", "<" + ua.contact_uri() + ">;expires=3600");
    }
    r.add("Server", "sipscope-gen registrar");
    ctx.out.sip.push_back(SipPacket{at + 3000, registrar, ua.sip, r.render()});
    ctx.truth.non_call_sip_messages += 2;
    ++cseq;
    return at + 3000;
  };
  std::int64_t end = send(t, false);
  if (challenge) end = send(t + 30000, true);
  if (!ctx.truth.registrations) return;
  // docs/schema.md "registrations": one attempt, the 401 round included.
  RegistrationTruth& r = ctx.truth.registrations->emplace_back();
  r.sip_call_id = call_id;
  r.user = ua.user;
  r.aor = ua.uri();
  r.contact = ua.contact_uri();
  r.registrant_ip = ua.sip.ip.text;
  r.registrar_ip = registrar.ip.text;
  r.start_us = t;
  r.end_us = end;
  r.requested_expires = 3600;
  if (final_code == 200) r.expires = 3600;
  r.result = final_code == 200 ? "registered" : "failed";
  r.final_code = final_code;
  r.final_reason = std::string(reason_phrase(final_code));
  r.attempts = challenge ? 2 : 1;
  r.challenges = challenge ? 1 : 0;
  r.response_ms = static_cast<double>(end - t) / 1000.0;
}

void options_ping(Context ctx, std::int64_t t, const Endpoint& from, const Endpoint& to) {
  const std::string branch = ctx.rng.hex(12);
  const std::string tag = ctx.rng.hex(8);
  const std::string call_id = ctx.rng.hex(20) + "@" + from.sip_host();
  SipMessage m;
  m.start_line = "OPTIONS sip:" + to.host_port() + " SIP/2.0";
  m.add("Via", via(from, branch));
  m.add("Max-Forwards", "70");
  m.add("From", "<sip:ping@" + from.host_port() + ">;tag=" + tag);
  m.add("To", "<sip:" + to.host_port() + ">");
  m.add("Call-ID", call_id);
  m.add("CSeq", "1 OPTIONS");
  m.add("Accept", "application/sdp");
  m.add("User-Agent", "sipscope-gen monitor");
  ctx.out.sip.push_back(SipPacket{t, from, to, m.render()});
  SipMessage r;
  r.start_line = "SIP/2.0 200 OK";
  r.add("Via", via(from, branch));
  r.add("From", "<sip:ping@" + from.host_port() + ">;tag=" + tag);
  r.add("To", "<sip:" + to.host_port() + ">;tag=" + ctx.rng.hex(8));
  r.add("Call-ID", call_id);
  r.add("CSeq", "1 OPTIONS");
  r.add("Allow", kAllow);
  r.add("Accept", "application/sdp");
  ctx.out.sip.push_back(SipPacket{t + 2000, to, from, r.render()});
  ctx.truth.non_call_sip_messages += 2;
}

}  // namespace sipscope::gen
