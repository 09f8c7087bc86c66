#include "report/ladder.hpp"

#include <algorithm>
#include <set>

#include "report/nodes.hpp"

namespace sipscope::report {

namespace {

// RFC 3986 §3.2.2: an IPv6 literal is bracketed when a port follows it.
std::string endpoint(const std::string& ip, int port) {
  const bool v6 = ip.find(':') != std::string::npos;
  std::string out;
  out.reserve(ip.size() + 8);
  if (v6) out += '[';
  out += ip;
  if (v6) out += ']';
  out += ':';
  out += std::to_string(port);
  return out;
}

std::string label_of(const LadderEvent& e, const std::optional<std::string>& reason) {
  if (e.method) return *e.method;
  if (e.status_code) {
    std::string label = std::to_string(*e.status_code);
    if (reason && !reason->empty()) label += ' ' + *reason;
    return label;
  }
  return e.cseq_method ? *e.cseq_method : std::string("?");
}

}  // namespace

Ladder build_ladder(const store::Database& db, const std::vector<int64_t>& call_ids) {
  Ladder ladder;
  std::set<int64_t> seen_ids;
  struct Row {
    LadderEvent event;
    std::string src, dst;
  };
  std::vector<Row> rows;
  for (int64_t id : call_ids) {
    if (!seen_ids.insert(id).second) continue;
    auto call = store::get_call(db, id);
    if (!call) continue;
    ladder.calls.push_back(std::move(*call));
    store::CallDetail detail = store::load_call_detail(db, id);
    for (auto& m : detail.messages) {
      Row r;
      LadderEvent& e = r.event;
      e.message_id = m.id;
      e.call_id = m.call_id;
      e.ts_us = m.ts_us;
      r.src = endpoint(m.src_ip, m.src_port);
      r.dst = endpoint(m.dst_ip, m.dst_port);
      e.transport = std::move(m.transport);
      e.method = std::move(m.method);
      e.status_code = m.status_code;
      e.cseq = m.cseq;
      e.cseq_method = std::move(m.cseq_method);
      e.retransmission = m.retransmission;
      e.capture_id = m.capture_id;
      e.frame = m.frame;
      e.raw = std::move(m.raw);
      e.label = label_of(e, m.reason);
      rows.push_back(std::move(r));
    }
    auto append = [](auto& to, auto& from) {
      to.insert(to.end(), std::make_move_iterator(from.begin()),
                std::make_move_iterator(from.end()));
    };
    append(ladder.rtcp, detail.rtcp);
    append(ladder.streams, detail.streams);
    append(ladder.diagnostics, detail.diagnostics);
    append(ladder.anomalies, detail.anomalies);
  }
  std::stable_sort(ladder.rtcp.begin(), ladder.rtcp.end(),
                   [](const RtcpPoint& a, const RtcpPoint& b) { return a.ts_us < b.ts_us; });
  // Legs of one call are loaded call by call; the ladder interleaves them in time.
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    if (a.event.ts_us != b.event.ts_us) return a.event.ts_us < b.event.ts_us;
    return a.event.message_id < b.event.message_id;
  });

  // One lane per logical node (report/nodes.hpp), lanes in order of first appearance.
  std::vector<NodeMessage> node_input;
  node_input.reserve(rows.size());
  for (const auto& r : rows) node_input.push_back({r.src, r.dst, r.event.raw});
  NodeMap nodes = merge_nodes(node_input);
  for (size_t i = 0; i < nodes.nodes.size(); ++i) {
    Participant p;
    p.index = static_cast<int>(i);
    p.address = nodes.nodes[i].front();
    p.addresses = std::move(nodes.nodes[i]);
    ladder.participants.push_back(std::move(p));
  }
  ladder.events.reserve(rows.size());
  for (auto& r : rows) {
    LadderEvent& e = r.event;
    e.from = nodes.node_of.at(r.src);
    e.to = nodes.node_of.at(r.dst);
    if (!ladder.events.empty()) {
      e.delta_prev_us = e.ts_us - ladder.events.back().ts_us;
      e.offset_us = e.ts_us - ladder.events.front().ts_us;
    }
    ladder.events.push_back(std::move(e));
  }
  return ladder;
}

}  // namespace sipscope::report
