// Reading the `peers` and `peer_events` tables back (docs/schema.md) for `sipscope peers`:
// which peer a pinger monitors with OPTIONS, its state, its outages and when they began
// and ended; filters like `sipscope calls`, ordered by time, as table, JSON or CSV.
//
//   auto db = store::Database::open_read_only("x.db");
//   std::cout << store::render_peers_table(store::list_peers(*db, {.state = "down"}));
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "correlate/records.hpp"
#include "store/query.hpp"

namespace sipscope::store {

struct PeerFilter {
  std::optional<std::string> state =
      {};                                // up / down / unknown (of a peer, or an event's new state)
  std::optional<std::string> peer = {};  // substring of the peer address or its URI
  std::optional<std::string> pinger = {};               // substring of the pinger address
  std::optional<int64_t> since_us = {}, until_us = {};  // monitored / event time in [since, until)
  std::optional<int64_t> limit = {};
};

// Peers ordered by first ping; events ordered by time.
[[nodiscard]] std::vector<correlate::PeerRecord> list_peers(const Database& db,
                                                            const PeerFilter& filter);
[[nodiscard]] std::vector<correlate::PeerEventRecord> list_peer_events(const Database& db,
                                                                       const PeerFilter& filter);

}  // namespace sipscope::store
