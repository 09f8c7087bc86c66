#include "correlate/hep_agents.hpp"

#include <algorithm>
#include <functional>

namespace sipscope::correlate {
namespace {

// The message's identity as two agents would both report it: the same bytes between the
// same transport addresses.
uint64_t message_key(const decode::SipEvent& e) {
  const decode::EndpointHash endpoint;
  uint64_t h = std::hash<std::string_view>{}(e.message->bytes());
  h ^= endpoint(e.src) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  h ^= endpoint(e.dst) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h;
}

}  // namespace

int HepAgents::agent_index(std::string_view agent) {
  const auto it = std::find(agents_.begin(), agents_.end(), agent);
  if (it != agents_.end()) return static_cast<int>(it - agents_.begin());
  if (agents_.size() >= kMaxHepAgents) return -1;
  agents_.emplace_back(agent);
  return static_cast<int>(agents_.size() - 1);
}

void HepAgents::forget_oldest() {
  recent_.erase(order_[order_head_]);
  order_head_ = (order_head_ + 1) % order_.size();
}

bool HepAgents::sighting(const decode::SipEvent& event) {
  const int agent = agent_index(event.hep_agent);
  if (agent < 0) return false;
  const uint64_t key = message_key(event);
  const int64_t ts = event.frame.ts_us;
  if (const auto it = recent_.find(key); it != recent_.end()) {
    const Seen first = it->second;
    const int64_t skew = ts - first.ts_us;
    if (first.agent == agent) return false;  // the agent saw it twice: a retransmission
    if (skew > kHepSightingWindowUs || skew < -kHepSightingWindowUs) {
      it->second = {static_cast<uint16_t>(agent), ts};  // the same bytes much later: new
      return false;
    }
    const auto pair = std::make_pair(first.agent, static_cast<uint16_t>(agent));
    auto p = pairs_.find(pair);
    if (p == pairs_.end()) {
      if (pairs_.size() >= kMaxHepAgentPairs) return false;
      p = pairs_.emplace(pair, Skew{0, 0, skew, skew}).first;
    }
    Skew& s = p->second;
    ++s.n;
    s.sum += skew;
    s.min = std::min(s.min, skew);
    s.max = std::max(s.max, skew);
    ++sightings_;
    return true;
  }
  // Remember the first report; the oldest is forgotten at the bound (a ring, no walk).
  if (order_.empty()) recent_.reserve(kMaxHepRecentMessages);
  if (order_.size() < kMaxHepRecentMessages) {
    order_.push_back(key);
  } else {
    forget_oldest();
    order_[(order_head_ + order_.size() - 1) % order_.size()] = key;
  }
  recent_[key] = {static_cast<uint16_t>(agent), ts};
  return false;
}

std::vector<HepSkewRecord> HepAgents::skew() const {
  std::vector<HepSkewRecord> out;
  for (const auto& [pair, s] : pairs_) {
    out.push_back({agents_[pair.first], agents_[pair.second], s.n, s.sum / s.n, s.min, s.max});
  }
  return out;
}

}  // namespace sipscope::correlate
