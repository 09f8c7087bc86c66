#include "report/ladder.hpp"

#include <algorithm>
#include <set>

#include "decode/sdp/sdp.hpp"
#include "decode/sip/message.hpp"
#include "report/format.hpp"
#include "report/nodes.hpp"
#include "store/streams.hpp"

namespace sipscope::report {

namespace {

std::string label_of(const LadderEvent& e, const std::optional<std::string>& reason) {
  if (e.method) return *e.method;
  if (e.status_code) {
    std::string label = std::to_string(*e.status_code);
    if (reason && !reason->empty()) label += ' ' + *reason;
    return label;
  }
  return e.cseq_method ? *e.cseq_method : std::string("?");
}

// The message body holds an SDP session (RFC 8866): the body itself, or the part of a
// multipart body (RFC 5621) that starts with "v=0", as correlate/ reads offers and answers.
bool sdp_of(std::string_view raw, decode::sdp::Session& session) {
  decode::sip::Message m;
  const decode::sip::ParseOptions lenient{.datagram = true, .lenient = true};
  if (decode::sip::parse_message(raw, m, lenient).error != decode::sip::ParseError::ok) {
    return false;
  }
  std::string_view body = m.body();
  size_t v = body.find("v=0");
  while (v != std::string_view::npos && v > 0 && body[v - 1] != '\n') v = body.find("v=0", v + 1);
  if (v == std::string_view::npos) return false;
  body.remove_prefix(v);
  if (const size_t boundary = body.find("\n--"); boundary != std::string_view::npos) {
    body = body.substr(0, boundary + 1);
  }
  return decode::sdp::parse_sdp(body, session) == decode::sdp::SdpError::ok;
}

bool carries_sdp(std::string_view raw) {
  decode::sdp::Session session;
  return sdp_of(raw, session);
}

using Announced = std::set<std::pair<std::string, int>>;

// The media addresses (RTP, and RTCP: a=rtcp or port + 1) the SDP of a message announces.
void add_announced(std::string_view raw, Announced& out) {
  decode::sdp::Session session;
  if (!sdp_of(raw, session)) return;
  for (const auto& m : session.media) {
    const std::string address(m.effective_connection(session).address);
    if (address.empty() || m.port == 0) continue;
    out.emplace(address, m.port);
    out.emplace(address, m.rtcp_port != 0 ? m.rtcp_port : m.port + 1);
  }
}

// Streams another leg owns that this call negotiated too: the legs are linked by
// `shared_media` (docs/media.md "Media shared by call legs") and the stream's source or
// destination is an address this call's SDP announced. Each stream keeps its own call_id.
void add_shared_streams(const store::Database& db, int64_t call_id,
                        const std::vector<LinkRow>& links, const Announced& announced,
                        std::vector<StreamRow>& out) {
  for (const auto& link : links) {
    if (link.reason != "shared_media") continue;
    const int64_t other = link.call_id == call_id ? link.linked_call_id : link.call_id;
    store::StreamFilter only_other;
    only_other.call_ids = std::vector<int64_t>{other};
    for (auto& s : store::list_streams(db, only_other)) {
      if (announced.count({s.src_ip, s.src_port}) != 0U ||
          announced.count({s.dst_ip, s.dst_port}) != 0U) {
        out.push_back(std::move(s));
      }
    }
  }
}

// Marks the request each call_hold / call_resume diagnostic is about (its time, an INVITE
// or UPDATE of the same call, the first copy).
void mark_media_changes(Ladder& ladder) {
  for (const auto& d : ladder.diagnostics) {
    const bool hold = d.kind == "call_hold";
    if ((!hold && d.kind != "call_resume") || !d.ts_us) continue;
    for (auto& e : ladder.events) {
      if (e.call_id == d.call_id && e.ts_us == *d.ts_us && !e.retransmission && e.method &&
          (*e.method == "INVITE" || *e.method == "UPDATE")) {
        e.media_change = hold ? "hold" : "resume";
        break;
      }
    }
  }
}

}  // namespace

std::vector<StreamRow> shared_streams(const store::Database& db, int64_t call_id) {
  const store::CallDetail detail = store::load_call_detail(db, call_id);
  Announced announced;
  for (const auto& m : detail.messages) add_announced(m.raw, announced);
  std::vector<StreamRow> out;
  add_shared_streams(db, call_id, detail.links, announced, out);
  return out;
}

std::optional<int64_t> shared_from(const Ladder& ladder, const StreamRow& stream) {
  const auto& shared = ladder.shared_stream_ids;
  const bool other_legs = std::find(shared.begin(), shared.end(), stream.id) != shared.end();
  return other_legs ? stream.call_id : std::nullopt;
}

std::optional<int64_t> first_seen_us(const Ladder& ladder, int64_t call_id) {
  std::optional<int64_t> first;
  for (const auto& e : ladder.events) {
    if (e.call_id == call_id && (!first || e.ts_us < *first)) first = e.ts_us;
  }
  return first;
}

std::string event_marks(const LadderEvent& e) {
  std::string marks;
  if (e.sdp) marks += " (SDP)";
  if (e.media_change) marks += " [" + *e.media_change + "]";
  return marks;
}

Ladder build_ladder(const store::Database& db, const std::vector<int64_t>& call_ids) {
  Ladder ladder;
  std::set<int64_t> seen_ids;
  struct Row {
    LadderEvent event;
    std::string src, dst;
  };
  std::vector<Row> rows;
  std::vector<StreamRow> shared;
  for (int64_t id : call_ids) {
    if (!seen_ids.insert(id).second) continue;
    auto call = store::get_call(db, id);
    if (!call) continue;
    ladder.calls.push_back(std::move(*call));
    store::CallDetail detail = store::load_call_detail(db, id);
    Announced announced;
    for (const auto& m : detail.messages) add_announced(m.raw, announced);
    add_shared_streams(db, id, detail.links, announced, shared);
    for (auto& m : detail.messages) {
      Row r;
      LadderEvent& e = r.event;
      e.message_id = m.id;
      e.call_id = m.call_id;
      e.ts_us = m.ts_us;
      r.src = format::endpoint(m.src_ip, m.src_port);
      r.dst = format::endpoint(m.dst_ip, m.dst_port);
      e.transport = std::move(m.transport);
      e.method = std::move(m.method);
      e.status_code = m.status_code;
      e.cseq = m.cseq;
      e.cseq_method = std::move(m.cseq_method);
      e.retransmission = m.retransmission;
      e.capture_id = m.capture_id;
      e.frame = m.frame;
      e.raw = std::move(m.raw);
      e.sdp = carries_sdp(e.raw);
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
    append(ladder.dtmf, detail.dtmf);
    for (auto& link : detail.links) {
      const bool known = std::any_of(ladder.links.begin(), ladder.links.end(), [&](const auto& l) {
        return l.call_id == link.call_id && l.linked_call_id == link.linked_call_id &&
               l.reason == link.reason;
      });
      if (!known) ladder.links.push_back(std::move(link));
    }
  }
  for (auto& s : shared) {
    const bool listed = std::any_of(ladder.streams.begin(), ladder.streams.end(),
                                    [&](const StreamRow& own) { return own.id == s.id; });
    if (listed) continue;
    ladder.shared_stream_ids.push_back(s.id);
    ladder.streams.push_back(std::move(s));
  }
  std::stable_sort(ladder.dtmf.begin(), ladder.dtmf.end(),
                   [](const DtmfRow& a, const DtmfRow& b) { return a.ts_us < b.ts_us; });
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
  mark_media_changes(ladder);
  return ladder;
}

}  // namespace sipscope::report
