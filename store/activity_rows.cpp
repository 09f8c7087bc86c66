#include "store/activity_rows.hpp"

#include <optional>

#include "correlate/keepalive.hpp"
#include "correlate/subscription.hpp"

namespace sipscope::store::rows {

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
  st.bind_all(r.pinger_ip, r.peer_ip, r.peer_port, decode::transport_name(r.transport), r.peer_uri,
              r.first_us, r.last_us, r.pings, r.answered, r.timeouts, r.failures,
              correlate::peer_state_name(r.state), r.state_since_us, r.last_code, r.last_rtt_ms,
              r.avg_rtt_ms, r.max_rtt_ms, r.down_count, r.down_ms);
}

void bind_peer_event(sql::Statement& st, const correlate::PeerEventRecord& r) {
  st.bind_all(r.pinger_ip, r.peer_ip, r.peer_port, r.ts_us, correlate::peer_state_name(r.state),
              correlate::peer_state_name(r.previous), r.reason, r.code,
              static_cast<int64_t>(r.capture_id), frame_or_null(r.frame), r.previous_ms);
}

void bind_subscription(sql::Statement& st, const correlate::SubscriptionRecord& r) {
  st.bind_all(r.sip_call_id, r.event, r.event_id, r.subscriber_uri, r.resource_uri, r.subscriber_ip,
              r.notifier_ip, decode::transport_name(r.transport), r.start_us, r.end_us,
              r.requested_expires, r.expires, correlate::sub_state_name(r.state), r.reason,
              r.final_code, r.final_reason, r.response_ms, r.subscribes, r.refreshes, r.challenges,
              r.notifies, r.first_notify_us, r.last_notify_us, r.history);
}

void bind_activity(sql::Statement& st, const correlate::ActivityRecord& r) {
  st.bind_all(r.method, r.sip_call_id, r.cseq, r.from_user, r.to_user, r.from_uri, r.to_uri,
              r.src_ip, r.dst_ip, decode::transport_name(r.transport),
              static_cast<int64_t>(r.capture_id), frame_or_null(r.frame), r.start_us, r.final_us,
              r.final_code, r.final_reason, r.response_ms, r.result, r.event, r.etag, r.if_match,
              r.action, r.expires, r.granted_expires, r.content_type, r.body_bytes);
}

}  // namespace sipscope::store::rows
