// Logical nodes of a ladder: groups the packet endpoints ("ip:port") that belong to one
// host (a proxy listening on 5060 and sending from an ephemeral port, a multi-homed
// proxy named by its Record-Route, ...), so a ladder draws one lane per node. Evidence is
// read from the messages' own headers (RFC 3261 §18.2.1 received/rport, RFC 3581,
// §20.30 Record-Route, §20.10 Contact). The rules are documented in nodes.cpp and
// docs/ladder-json.md.
//
// Views in NodeMessage only need to live during the call; the result owns its strings.
//
//   std::vector<NodeMessage> in = {{"10.0.0.1:5060", "10.0.0.2:5060", raw}, ...};
//   NodeMap map = merge_nodes(in);
//   int lane = map.node_of.at("10.0.0.1:5060");
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sipscope::report {

struct NodeMessage {
  std::string_view src;  // "ip:port" (IPv6 as [addr]:port), as the ladder writes it
  std::string_view dst;
  std::string_view raw;  // the SIP message text (may be empty or malformed)
};

struct NodeMap {
  // Nodes in order of first appearance (src before dst, message order); each node lists
  // its endpoints in first-seen order.
  std::vector<std::vector<std::string>> nodes;
  std::unordered_map<std::string, int> node_of;  // endpoint -> index into nodes
};

[[nodiscard]] NodeMap merge_nodes(std::span<const NodeMessage> messages);

}  // namespace sipscope::report
