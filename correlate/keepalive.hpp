// OPTIONS keep-alives (RFC 3261 §11) as peer monitoring: every OPTIONS transaction outside
// calls is a ping from the pinger's IP to the peer's address, and the answers say whether
// the peer is up. Any final response proves the peer alive (a 404/405/483 too: something
// answered, as Kamailio's dispatcher and Asterisk's qualify treat it) except 408 and 503,
// which mean the peer or the path is out of service; no final response within Timer F
// (64*T1, §17.1.2.2) means down. The newest ping's outcome wins: the late time-out of an
// older ping never overrides a newer answer.
//
// One PeerRecord per (pinger IP, peer IP:port, transport) when its monitoring ends (idle,
// evicted, end of input); one PeerEventRecord per state change as it happens, with the
// frame that proves it. Owns copies; SipSummary views are read during on_message() only.
//
//   PeerTracker p({.max_peers = 10'000, .timeout_us = 32'000'000});
//   p.on_message(event, summary, retransmission, out);  p.advance(now_us, out);
//   for (auto& e : out.events) sink.on_peer_event(e);  for (auto& r : out.peers) ...
#pragma once

#include <cstdint>
#include <deque>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "correlate/records.hpp"
#include "correlate/sip_summary.hpp"
#include "decode/decoder.hpp"

namespace sipscope::correlate {

enum class PeerState : uint8_t { unknown, up, down };
enum class PingResult : uint8_t {
  alive,    // a final response other than 408/503
  failed,   // 408 Request Timeout or 503 Service Unavailable
  timeout,  // no final response within Timer F
};

[[nodiscard]] std::string_view peer_state_name(PeerState s);
[[nodiscard]] std::optional<PeerState> parse_peer_state(std::string_view name);
[[nodiscard]] PeerState next_peer_state(PeerState s, PingResult r);
// Outcome of a final response (code >= 200) to an OPTIONS ping.
[[nodiscard]] PingResult ping_result_of(int code);

struct PeerLimits {
  size_t max_peers = 10'000;
  size_t max_pending = 100'000;          // pings waiting for their answer
  int64_t timeout_us = 32'000'000;       // Timer F = 64*T1
  int64_t idle_us = 3600LL * 1'000'000;  // no ping this long: the monitoring has ended
};

struct PeerOutput {
  std::vector<PeerEventRecord> events;
  std::vector<PeerRecord> peers;
};

class PeerTracker {
 public:
  explicit PeerTracker(PeerLimits limits) : limits_(limits) {}
  // quiet_ points at the keys of this object's peers_: not copyable.
  PeerTracker(const PeerTracker&) = delete;
  PeerTracker& operator=(const PeerTracker&) = delete;

  // An OPTIONS request, or a response with CSeq method OPTIONS.
  void on_message(const decode::SipEvent& event, const SipSummary& summary, bool retransmission,
                  PeerOutput& out);
  void advance(int64_t now_us, PeerOutput& out);
  void finish(int64_t end_us, PeerOutput& out);

  // Peers or pings dropped early because a limit was reached (activity_table_full).
  [[nodiscard]] uint64_t evicted() const { return evicted_; }
  [[nodiscard]] size_t open() const { return peers_.size(); }

 private:
  struct Peer {
    PeerRecord record;
    PeerState state = PeerState::unknown;
    int64_t applied_ping_us = INT64_MIN;  // start of the ping whose outcome was applied last
    int64_t rtt_sum_us = 0, rtts = 0;
    uint64_t order = 0;
    std::list<const std::string*>::iterator quiet;  // its place in quiet_
  };
  struct Ping {
    std::string peer;  // key into peers_
    int64_t start_us = 0;
    uint32_t capture_id = 0;
    uint64_t frame = 0;
    bool answered = false;
  };

  void erase(const std::string& key);
  Peer& peer_for(const std::string& key, const decode::SipEvent& ev, bool request, PeerOutput& out);
  void apply(Peer& p, PingResult r, int64_t ts, int64_t ping_us, std::optional<int> code,
             std::string reason, uint32_t capture_id, uint64_t frame, PeerOutput& out);
  void expire_ping(uint64_t key, int64_t now_us, bool decide, PeerOutput& out);
  void close(Peer& p, int64_t end_us, PeerOutput& out);

  PeerLimits limits_;
  uint64_t next_order_ = 0;
  uint64_t evicted_ = 0;
  int64_t last_idle_scan_us_ = INT64_MIN;
  std::unordered_map<std::string, Peer> peers_;
  // Keys of peers_ by last message, quietest first: the idle check and the eviction at the
  // bound read only its front (a peer's key lives as long as its map node).
  std::list<const std::string*> quiet_;
  std::unordered_map<uint64_t, Ping> pending_;              // by transaction_key()
  std::deque<std::pair<int64_t, uint64_t>> pending_order_;  // (start_us, key)
};

}  // namespace sipscope::correlate
