#include "report/activity_rows.hpp"

#include <optional>

namespace sipscope::report::rows {

namespace {

// Frame numbers are 1-based: 0 means "no frame" and is stored NULL.
std::optional<int64_t> frame_or_null(uint64_t frame) {
  if (frame == 0) return std::nullopt;
  return static_cast<int64_t>(frame);
}

}  // namespace

const char* const kInsertPeer =
    "INSERT INTO peers (pinger_ip, peer_ip, peer_port, transport, peer_uri, first_us, last_us, "
    "pings, answered, timeouts, failures, state, state_since_us, last_code, last_rtt_ms, "
    "avg_rtt_ms, max_rtt_ms, down_count, down_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
    "?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)";
const char* const kInsertPeerEvent =
    "INSERT INTO peer_events (pinger_ip, peer_ip, peer_port, ts_us, state, previous, reason, "
    "code, capture_id, frame, previous_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
    "?11)";
const char* const kInsertSubscription =
    "INSERT INTO subscriptions (sip_call_id, event, event_id, subscriber_uri, resource_uri, "
    "subscriber_ip, notifier_ip, transport, start_us, end_us, requested_expires, expires, state, "
    "reason, final_code, final_reason, response_ms, subscribes, refreshes, challenges, notifies, "
    "first_notify_us, last_notify_us, history) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
    "?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)";
const char* const kInsertActivity =
    "INSERT INTO activity (method, sip_call_id, cseq, from_user, to_user, from_uri, to_uri, "
    "src_ip, dst_ip, transport, capture_id, frame, start_us, final_us, final_code, final_reason, "
    "response_ms, result, event, etag, if_match, action, expires, granted_expires, content_type, "
    "body_bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
    "?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)";

void bind_peer(sql::Statement& st, const correlate::PeerRecord& r) {
  st.bind(1, r.pinger_ip);
  st.bind(2, r.peer_ip);
  st.bind(3, r.peer_port);
  st.bind(4, r.transport);
  st.bind(5, r.peer_uri);
  st.bind(6, r.first_us);
  st.bind(7, r.last_us);
  st.bind(8, r.pings);
  st.bind(9, r.answered);
  st.bind(10, r.timeouts);
  st.bind(11, r.failures);
  st.bind(12, r.state);
  st.bind(13, r.state_since_us);
  st.bind(14, r.last_code);
  st.bind(15, r.last_rtt_ms);
  st.bind(16, r.avg_rtt_ms);
  st.bind(17, r.max_rtt_ms);
  st.bind(18, r.down_count);
  st.bind(19, r.down_ms);
}

void bind_peer_event(sql::Statement& st, const correlate::PeerEventRecord& r) {
  st.bind(1, r.pinger_ip);
  st.bind(2, r.peer_ip);
  st.bind(3, r.peer_port);
  st.bind(4, r.ts_us);
  st.bind(5, r.state);
  st.bind(6, r.previous);
  st.bind(7, r.reason);
  st.bind(8, r.code);
  st.bind(9, static_cast<int64_t>(r.capture_id));
  st.bind(10, frame_or_null(r.frame));
  st.bind(11, r.previous_ms);
}

void bind_subscription(sql::Statement& st, const correlate::SubscriptionRecord& r) {
  st.bind(1, r.sip_call_id);
  st.bind(2, r.event);
  st.bind(3, r.event_id);
  st.bind(4, r.subscriber_uri);
  st.bind(5, r.resource_uri);
  st.bind(6, r.subscriber_ip);
  st.bind(7, r.notifier_ip);
  st.bind(8, r.transport);
  st.bind(9, r.start_us);
  st.bind(10, r.end_us);
  st.bind(11, r.requested_expires);
  st.bind(12, r.expires);
  st.bind(13, r.state);
  st.bind(14, r.reason);
  st.bind(15, r.final_code);
  st.bind(16, r.final_reason);
  st.bind(17, r.response_ms);
  st.bind(18, r.subscribes);
  st.bind(19, r.refreshes);
  st.bind(20, r.challenges);
  st.bind(21, r.notifies);
  st.bind(22, r.first_notify_us);
  st.bind(23, r.last_notify_us);
  st.bind(24, r.history);
}

void bind_activity(sql::Statement& st, const correlate::ActivityRecord& r) {
  st.bind(1, r.method);
  st.bind(2, r.sip_call_id);
  st.bind(3, r.cseq);
  st.bind(4, r.from_user);
  st.bind(5, r.to_user);
  st.bind(6, r.from_uri);
  st.bind(7, r.to_uri);
  st.bind(8, r.src_ip);
  st.bind(9, r.dst_ip);
  st.bind(10, r.transport);
  st.bind(11, static_cast<int64_t>(r.capture_id));
  st.bind(12, frame_or_null(r.frame));
  st.bind(13, r.start_us);
  st.bind(14, r.final_us);
  st.bind(15, r.final_code);
  st.bind(16, r.final_reason);
  st.bind(17, r.response_ms);
  st.bind(18, r.result);
  st.bind(19, r.event);
  st.bind(20, r.etag);
  st.bind(21, r.if_match);
  st.bind(22, r.action);
  st.bind(23, r.expires);
  st.bind(24, r.granted_expires);
  st.bind(25, r.content_type);
  st.bind(26, r.body_bytes);
}

}  // namespace sipscope::report::rows
