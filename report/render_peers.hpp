// Renderings of `sipscope peers` (table, JSON, CSV) from the rows store/peers.hpp reads.
#pragma once

#include <string>
#include <vector>

#include "store/peers.hpp"

namespace sipscope::report {

[[nodiscard]] std::string render_peers_table(const std::vector<correlate::PeerRecord>& rows);
[[nodiscard]] std::string render_peers_json(const std::vector<correlate::PeerRecord>& rows);
[[nodiscard]] std::string render_peers_csv(const std::vector<correlate::PeerRecord>& rows);
[[nodiscard]] std::string render_peer_events_table(
    const std::vector<correlate::PeerEventRecord>& rows);
[[nodiscard]] std::string render_peer_events_json(
    const std::vector<correlate::PeerEventRecord>& rows);
[[nodiscard]] std::string render_peer_events_csv(
    const std::vector<correlate::PeerEventRecord>& rows);

}  // namespace sipscope::report
