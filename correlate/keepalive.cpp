#include "correlate/keepalive.hpp"

#include <algorithm>

#include "correlate/transaction.hpp"
#include "decode/enum_name.hpp"

namespace sipscope::correlate {

namespace {

double ms_between(int64_t from_us, int64_t to_us) {
  return static_cast<double>(to_us - from_us) / 1000.0;
}

std::string peer_key(const decode::IpAddress& pinger, const decode::Endpoint& peer,
                     decode::Transport transport) {
  return pinger.to_string() + ' ' + peer.to_string() + ' ' +
         std::string(decode::transport_name(transport));
}

}  // namespace

std::string_view peer_state_name(PeerState s) {
  switch (s) {
    case PeerState::unknown:
      return "unknown";
    case PeerState::up:
      return "up";
    case PeerState::down:
      return "down";
  }
  return "unknown";
}

std::optional<PeerState> parse_peer_state(std::string_view name) {
  return decode::enum_from_name(name, PeerState::down, peer_state_name);
}

PeerState next_peer_state(PeerState /*s*/, PingResult r) {
  // The newest evidence decides, whatever the state was: one answer brings a peer back,
  // one time-out or 408/503 takes it down (what the pinger itself concludes).
  return r == PingResult::alive ? PeerState::up : PeerState::down;
}

PingResult ping_result_of(int code) {
  return code == 408 || code == 503 ? PingResult::failed : PingResult::alive;
}

PeerTracker::Peer& PeerTracker::peer_for(const std::string& key, const decode::SipEvent& ev,
                                         bool request, PeerOutput& out) {
  auto it = peers_.find(key);
  if (it == peers_.end()) {
    if (peers_.size() >= std::max<size_t>(limits_.max_peers, 1)) {
      // The peer quiet for longest loses least.
      Peer& victim = peers_.at(*quiet_.front());
      close(victim, victim.record.last_us, out);
      erase(*quiet_.front());
      ++evicted_;
    }
    it = peers_.try_emplace(key).first;
    Peer& p = it->second;
    p.order = next_order_++;
    p.quiet = quiet_.insert(quiet_.end(), &it->first);
    PeerRecord& r = p.record;
    r.pinger_ip = (request ? ev.src : ev.dst).ip.to_string();
    const decode::Endpoint& peer = request ? ev.dst : ev.src;
    r.peer_ip = peer.ip.to_string();
    r.peer_port = peer.port;
    r.transport = ev.transport;
    r.first_us = ev.frame.ts_us;
    r.state = PeerState::unknown;
  }
  Peer& p = it->second;
  p.record.last_us = std::max(p.record.last_us, ev.frame.ts_us);
  quiet_.splice(quiet_.end(), quiet_, p.quiet);  // the most recently heard
  return p;
}

void PeerTracker::erase(const std::string& key) {
  auto it = peers_.find(key);
  quiet_.erase(it->second.quiet);
  peers_.erase(it);
}

void PeerTracker::apply(Peer& p, PingResult r, int64_t ts, int64_t ping_us, std::optional<int> code,
                        std::string reason, uint32_t capture_id, uint64_t frame, PeerOutput& out) {
  if (ping_us < p.applied_ping_us) return;  // a newer ping has already spoken
  p.applied_ping_us = ping_us;
  const PeerState next = next_peer_state(p.state, r);
  if (next == p.state) return;
  PeerRecord& rec = p.record;
  PeerEventRecord e;
  e.pinger_ip = rec.pinger_ip;
  e.peer_ip = rec.peer_ip;
  e.peer_port = rec.peer_port;
  e.ts_us = ts;
  e.state = next;
  e.previous = p.state;
  e.reason = std::move(reason);
  e.code = code;
  e.capture_id = capture_id;
  e.frame = frame;
  if (p.state != PeerState::unknown && rec.state_since_us) {
    e.previous_ms = ms_between(*rec.state_since_us, ts);
    if (p.state == PeerState::down) rec.down_ms += *e.previous_ms;
  }
  if (next == PeerState::down) ++rec.down_count;
  p.state = next;
  rec.state_since_us = ts;
  out.events.push_back(std::move(e));
}

void PeerTracker::on_message(const decode::SipEvent& ev, const SipSummary& s, bool retransmission,
                             PeerOutput& out) {
  const int64_t ts = ev.frame.ts_us;
  const uint64_t key = transaction_key(s, "OPTIONS");
  if (s.is_request) {
    if (s.method != "OPTIONS" || retransmission || pending_.count(key) != 0U) return;
    Peer& p = peer_for(peer_key(ev.src.ip, ev.dst, ev.transport), ev, true, out);
    ++p.record.pings;
    p.record.peer_uri = std::string(s.request_uri);
    if (pending_.size() >= std::max<size_t>(limits_.max_pending, 1)) {
      const auto oldest = pending_order_.front();
      pending_order_.pop_front();
      expire_ping(oldest.second, oldest.first, false, out);
      ++evicted_;
    }
    pending_[key] = Ping{peer_key(ev.src.ip, ev.dst, ev.transport), ts, ev.frame.capture_id,
                         ev.frame.number, false};
    pending_order_.emplace_back(ts, key);
    return;
  }
  if (s.cseq_method != "OPTIONS" || s.status_code < 200) return;
  const int code = s.status_code;
  const PingResult result = ping_result_of(code);
  std::string reason = std::to_string(code) + ' ' + std::string(ev.message->reason_phrase());
  auto it = pending_.find(key);
  Peer* p = nullptr;
  int64_t ping_us = ts;
  if (it != pending_.end()) {
    Ping& ping = it->second;
    if (ping.answered) return;  // a retransmitted final response
    ping.answered = true;
    ping_us = ping.start_us;
    auto pit = peers_.find(ping.peer);
    if (pit == peers_.end()) return;
    p = &pit->second;
    const int64_t rtt = ts - ping.start_us;
    p->record.last_rtt_ms = ms_between(0, rtt);
    p->record.max_rtt_ms = std::max(p->record.max_rtt_ms.value_or(0.0), ms_between(0, rtt));
    p->rtt_sum_us += rtt;
    ++p->rtts;
    p->record.last_us = std::max(p->record.last_us, ts);
  } else {
    if (retransmission) return;
    // The OPTIONS itself was not captured: the answer still tells the peer's state.
    p = &peer_for(peer_key(ev.dst.ip, ev.src, ev.transport), ev, false, out);
    ++p->record.pings;
  }
  ++p->record.answered;
  if (result == PingResult::failed) ++p->record.failures;
  p->record.last_code = code;
  apply(*p, result, ts, ping_us, code, std::move(reason), ev.frame.capture_id, ev.frame.number,
        out);
}

void PeerTracker::expire_ping(uint64_t key, int64_t start_us, bool decide, PeerOutput& out) {
  auto it = pending_.find(key);
  if (it == pending_.end() || it->second.start_us != start_us) return;
  const Ping ping = std::move(it->second);
  pending_.erase(it);
  if (!decide || ping.answered) return;
  auto pit = peers_.find(ping.peer);
  if (pit == peers_.end()) return;
  Peer& p = pit->second;
  ++p.record.timeouts;
  const int64_t fired = ping.start_us + limits_.timeout_us;
  apply(p, PingResult::timeout, fired, ping.start_us, std::nullopt,
        "no response within " + std::to_string(limits_.timeout_us / 1'000'000) + " s (Timer F)",
        ping.capture_id, ping.frame, out);
}

void PeerTracker::close(Peer& p, int64_t end_us, PeerOutput& out) {
  PeerRecord& r = p.record;
  if (p.state == PeerState::down && r.state_since_us && end_us > *r.state_since_us) {
    r.down_ms += ms_between(*r.state_since_us, end_us);
  }
  r.state = p.state;
  if (p.rtts > 0) r.avg_rtt_ms = ms_between(0, p.rtt_sum_us) / static_cast<double>(p.rtts);
  out.peers.push_back(std::move(r));
}

void PeerTracker::advance(int64_t now_us, PeerOutput& out) {
  while (!pending_order_.empty() && pending_order_.front().first + limits_.timeout_us < now_us) {
    const auto [start, key] = pending_order_.front();
    pending_order_.pop_front();
    expire_ping(key, start, true, out);
  }
  // Idle peers are looked for now and then (every idle_us / 8), from the quiet end of the
  // list: the check costs the peers it closes. They close in order of first appearance.
  if (last_idle_scan_us_ != INT64_MIN && now_us - last_idle_scan_us_ < limits_.idle_us / 8) return;
  last_idle_scan_us_ = now_us;
  std::vector<Peer*> idle;
  for (const std::string* key : quiet_) {
    Peer& p = peers_.at(*key);
    if (p.record.last_us + limits_.idle_us >= now_us) break;
    idle.push_back(&p);
  }
  std::sort(idle.begin(), idle.end(),
            [](const Peer* a, const Peer* b) { return a->order < b->order; });
  for (Peer* p : idle) {
    close(*p, p->record.last_us, out);
    erase(*(*p->quiet));
  }
}

void PeerTracker::finish(int64_t end_us, PeerOutput& out) {
  while (!pending_order_.empty()) {
    const auto [start, key] = pending_order_.front();
    pending_order_.pop_front();
    // Only a ping whose whole Timer F window was captured can be said to have timed out.
    expire_ping(key, start, start + limits_.timeout_us <= end_us, out);
  }
  std::vector<Peer*> left;
  left.reserve(peers_.size());
  for (auto& [k, p] : peers_) left.push_back(&p);
  std::sort(left.begin(), left.end(),
            [](const Peer* a, const Peer* b) { return a->order < b->order; });
  for (Peer* p : left) close(*p, std::max(end_us, p->record.last_us), out);
  peers_.clear();
  quiet_.clear();
}

}  // namespace sipscope::correlate
