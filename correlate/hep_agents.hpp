// Several HEP agents reporting one message (e.g. heplify on a host and the proxy's own
// siptrace both see caller -> proxy): the first report is the message, later reports of
// the same bytes between the same addresses by OTHER agents within kHepSightingWindowUs
// are sightings of it, not new messages (a repeat by the same agent is a real
// retransmission and passes). Each sighting is a sample of the clock skew between the two
// agents: skew = the later agent's capture time - the first agent's (docs/hep.md).
//
//   HepAgents agents;
//   if (!event.hep_agent.empty() && agents.sighting(event)) return;  // not a new message
//   for (const auto& row : agents.skew()) store.add_hep_skew(row);
//
// Bounds (docs/limits.md): kMaxHepRecentMessages remembered (oldest forgotten first),
// kMaxHepAgents agents, kMaxHepAgentPairs pairs; beyond them messages are not deduplicated.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "decode/decoder.hpp"

namespace sipscope::correlate {

inline constexpr int64_t kHepSightingWindowUs = 10'000'000;
inline constexpr size_t kMaxHepRecentMessages = 65'536;
inline constexpr size_t kMaxHepAgents = 256;
inline constexpr size_t kMaxHepAgentPairs = 1024;

struct HepSkewRecord {
  std::string first_agent;  // messages.hep_agent of the report kept
  std::string other_agent;  // the agent whose later report was a sighting
  int64_t messages = 0;     // sightings
  int64_t mean_us = 0;      // other's capture time - first's, mean over the sightings
  int64_t min_us = 0;
  int64_t max_us = 0;
};

class HepAgents {
 public:
  // True when `event` (SIP from HEP) is another agent's report of a message already seen.
  [[nodiscard]] bool sighting(const decode::SipEvent& event);
  [[nodiscard]] uint64_t sightings() const { return sightings_; }
  [[nodiscard]] std::vector<HepSkewRecord> skew() const;

 private:
  struct Seen {
    uint16_t agent = 0;
    int64_t ts_us = 0;
  };
  struct Skew {
    int64_t n = 0, sum = 0, min = 0, max = 0;
  };
  [[nodiscard]] int agent_index(std::string_view agent);
  void forget_oldest();

  std::vector<std::string> agents_;
  std::unordered_map<uint64_t, Seen> recent_;  // message key -> first report
  std::vector<uint64_t> order_;                // ring of keys in arrival order
  size_t order_head_ = 0;
  std::map<std::pair<uint16_t, uint16_t>, Skew> pairs_;
  uint64_t sightings_ = 0;
};

}  // namespace sipscope::correlate
