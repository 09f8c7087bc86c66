// Reads `subscriptions` and `activity` back for `sipscope activity` (docs/schema.md).
#include "store/activity.hpp"

#include <algorithm>

#include "correlate/subscription.hpp"
#include "store/sql.hpp"

namespace sipscope::store {

namespace {

// ?1 user, ?2 Call-ID, ?3 result, ?4/?5 time range, ?6 limit: both queries take them.
void bind_filter(sql::Statement& st, const ActivityFilter& f) {
  st.bind_all(f.user, f.call_id, f.result, f.since_us, f.until_us,
              f.limit && *f.limit >= 0 ? *f.limit : int64_t{-1});
}

std::vector<correlate::SubscriptionRecord> subscriptions(const Database& db,
                                                         const ActivityFilter& f) {
  static constexpr const char* kSql =
      "SELECT sip_call_id, event, event_id, subscriber_uri, resource_uri, subscriber_ip, "
      "notifier_ip, transport, start_us, end_us, requested_expires, expires, state, reason, "
      "final_code, final_reason, response_ms, subscribes, refreshes, challenges, notifies, "
      "first_notify_us, last_notify_us, history FROM subscriptions"
      " WHERE (?1 IS NULL OR instr(lower(coalesce(subscriber_uri, '') || ' ' ||"
      " coalesce(resource_uri, '')), lower(?1)) > 0)"
      " AND (?2 IS NULL OR sip_call_id = ?2) AND (?3 IS NULL OR state = ?3)"
      " AND (?4 IS NULL OR start_us >= ?4) AND (?5 IS NULL OR start_us < ?5)"
      " ORDER BY start_us, id LIMIT ?6";
  sql::Statement st(db.handle(), db.path(), kSql);
  bind_filter(st, f);
  std::vector<correlate::SubscriptionRecord> out;
  while (st.step()) {
    correlate::SubscriptionRecord r;
    r.sip_call_id = st.column_text(0);
    r.event = st.column_text(1);
    r.event_id = st.column_opt_text(2);
    r.subscriber_uri = st.column_opt_text(3);
    r.resource_uri = st.column_opt_text(4);
    r.subscriber_ip = st.column_opt_text(5);
    r.notifier_ip = st.column_opt_text(6);
    r.transport = st.column_enum(7, decode::parse_transport);
    r.start_us = st.column_int64(8);
    r.end_us = st.column_opt_int64(9);
    r.requested_expires = st.column_opt_int64(10);
    r.expires = st.column_opt_int64(11);
    r.state = st.column_enum(12, correlate::parse_sub_state);
    r.reason = st.column_opt_text(13);
    r.final_code = st.column_opt_int(14);
    r.final_reason = st.column_opt_text(15);
    r.response_ms = st.column_opt_double(16);
    r.subscribes = st.column_int64(17);
    r.refreshes = st.column_int64(18);
    r.challenges = st.column_int64(19);
    r.notifies = st.column_int64(20);
    r.first_notify_us = st.column_opt_int64(21);
    r.last_notify_us = st.column_opt_int64(22);
    r.history = st.column_text(23);
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<correlate::ActivityRecord> transactions(const Database& db, const ActivityFilter& f,
                                                    const std::optional<std::string>& method) {
  static constexpr const char* kSql =
      "SELECT method, sip_call_id, cseq, from_user, to_user, from_uri, to_uri, src_ip, dst_ip, "
      "transport, capture_id, frame, start_us, final_us, final_code, final_reason, response_ms, "
      "result, event, etag, if_match, action, expires, granted_expires, content_type, body_bytes "
      "FROM activity WHERE (?1 IS NULL OR instr(lower(coalesce(from_uri, '') || ' ' ||"
      " coalesce(to_uri, '')), lower(?1)) > 0)"
      " AND (?2 IS NULL OR sip_call_id = ?2) AND (?3 IS NULL OR result = ?3)"
      " AND (?4 IS NULL OR start_us >= ?4) AND (?5 IS NULL OR start_us < ?5)"
      " AND (?7 IS NULL OR method = ?7) ORDER BY start_us, id LIMIT ?6";
  sql::Statement st(db.handle(), db.path(), kSql);
  bind_filter(st, f);
  st.bind(7, method);
  std::vector<correlate::ActivityRecord> out;
  while (st.step()) {
    correlate::ActivityRecord r;
    r.method = st.column_text(0);
    r.sip_call_id = st.column_text(1);
    r.cseq = st.column_int64(2);
    r.from_user = st.column_opt_text(3);
    r.to_user = st.column_opt_text(4);
    r.from_uri = st.column_opt_text(5);
    r.to_uri = st.column_opt_text(6);
    r.src_ip = st.column_text(7);
    r.dst_ip = st.column_text(8);
    r.transport = st.column_enum(9, decode::parse_transport);
    r.capture_id = static_cast<uint32_t>(st.column_int64(10));
    r.frame = static_cast<uint64_t>(st.column_opt_int64(11).value_or(0));
    r.start_us = st.column_int64(12);
    r.final_us = st.column_opt_int64(13);
    r.final_code = st.column_opt_int(14);
    r.final_reason = st.column_opt_text(15);
    r.response_ms = st.column_opt_double(16);
    r.result = st.column_text(17);
    r.event = st.column_opt_text(18);
    r.etag = st.column_opt_text(19);
    r.if_match = st.column_opt_text(20);
    r.action = st.column_opt_text(21);
    r.expires = st.column_opt_int64(22);
    r.granted_expires = st.column_opt_int64(23);
    r.content_type = st.column_opt_text(24);
    r.body_bytes = st.column_int64(25);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

std::vector<ActivityItem> list_activity(const Database& db, const ActivityFilter& f) {
  std::vector<ActivityItem> out;
  const std::string kind = f.kind.value_or("");
  if (kind.empty() || kind == "subscribe") {
    for (auto& s : subscriptions(db, f)) out.push_back({std::move(s), std::nullopt});
  }
  if (kind != "subscribe") {
    std::optional<std::string> method;
    if (kind == "message") method = "MESSAGE";
    if (kind == "publish") method = "PUBLISH";
    if (kind.empty() || method) {
      for (auto& t : transactions(db, f, method)) out.push_back({std::nullopt, std::move(t)});
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const ActivityItem& a, const ActivityItem& b) {
    return a.start_us() < b.start_us();
  });
  if (f.limit && *f.limit >= 0 && out.size() > static_cast<size_t>(*f.limit)) {
    out.resize(static_cast<size_t>(*f.limit));
  }
  return out;
}

}  // namespace sipscope::store
