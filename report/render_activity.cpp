// Renders `sipscope activity` rows as a table, JSON or CSV.
#include "report/render_activity.hpp"

#include <nlohmann/json.hpp>

#include "correlate/subscription.hpp"
#include "report/format.hpp"
#include "report/listing.hpp"

namespace sipscope::report {

namespace {

using nlohmann::json;

// The user part of a SIP URI for the table ("sip:bob@host;x" -> "bob"), else the URI.
std::optional<std::string> short_party(const std::optional<std::string>& uri) {
  if (!uri) return std::nullopt;
  std::string_view u = *uri;
  const auto colon = u.find(':');
  const auto at = u.find('@');
  if (colon != std::string_view::npos && at != std::string_view::npos && at > colon) {
    return std::string(u.substr(colon + 1, at - colon - 1));
  }
  return *uri;
}

// The unified columns of the table and CSV renderings.
struct Line {
  std::string kind;
  std::string sip_call_id;
  int64_t start_us = 0;
  std::optional<int64_t> end_us;
  std::optional<std::string> from, to, src_ip, dst_ip, event;
  std::string result;
  std::optional<int> code;
  std::optional<double> response_ms;
  std::string detail;
};

Line line_of(const ActivityItem& item) {
  Line l;
  if (const auto& s = item.subscription) {
    l.kind = "subscribe";
    l.sip_call_id = s->sip_call_id;
    l.start_us = s->start_us;
    l.end_us = s->end_us;
    l.from = s->subscriber_uri;
    l.to = s->resource_uri;
    l.src_ip = s->subscriber_ip;
    l.dst_ip = s->notifier_ip;
    l.event = s->event;
    l.result = correlate::sub_state_name(s->state);
    l.code = s->final_code;
    l.response_ms = s->response_ms;
    l.detail =
        "notifies=" + std::to_string(s->notifies) + " refreshes=" + std::to_string(s->refreshes);
    if (s->expires) l.detail += " expires=" + std::to_string(*s->expires);
    if (!s->history.empty()) l.detail += " states=" + s->history;
    return l;
  }
  const auto& t = *item.transaction;
  l.kind = t.method == "PUBLISH" ? "publish" : "message";
  l.sip_call_id = t.sip_call_id;
  l.start_us = t.start_us;
  l.end_us = t.final_us;
  l.from = t.from_uri;
  l.to = t.to_uri;
  l.src_ip = t.src_ip;
  l.dst_ip = t.dst_ip;
  l.event = t.event;
  l.result = t.result;
  l.code = t.final_code;
  l.response_ms = t.response_ms;
  if (t.action) l.detail = "action=" + *t.action;
  if (t.etag) l.detail += (l.detail.empty() ? "" : " ") + ("etag=" + *t.etag);
  if (t.if_match) l.detail += (l.detail.empty() ? "" : " ") + ("if-match=" + *t.if_match);
  if (t.content_type) {
    l.detail +=
        (l.detail.empty() ? "" : " ") + *t.content_type + " " + std::to_string(t.body_bytes) + " B";
  }
  return l;
}

}  // namespace

std::string render_activity_table(const std::vector<ActivityItem>& rows) {
  std::string out =
      "START                     KIND       FROM             TO               EVENT          "
      "RESULT       CODE  RTT ms     DETAIL\n";
  for (const auto& item : rows) {
    const Line l = line_of(item);
    out += format::shown_time(l.start_us) + "  ";
    out += listing::cell(l.kind, 10) + " ";
    out += listing::cell(short_party(l.from), 16) + " ";
    out += listing::cell(short_party(l.to), 16) + " ";
    out += listing::cell(l.event, 14) + " ";
    out += listing::cell(l.result, 12) + " ";
    out += listing::cell(listing::text(l.code), 5) + " ";
    out += listing::cell(listing::text(l.response_ms), 10) + " ";
    out += format::terminal_safe(l.detail) + "\n";
  }
  return out + std::to_string(rows.size()) + " item" + (rows.size() == 1 ? "" : "s") + "\n";
}

std::string render_activity_json(const std::vector<ActivityItem>& rows) {
  json a = json::array();
  for (const auto& item : rows) {
    if (const auto& s = item.subscription) {
      a.push_back({{"kind", "subscribe"},
                   {"sip_call_id", s->sip_call_id},
                   {"event", s->event},
                   {"event_id", listing::json_opt(s->event_id)},
                   {"subscriber_uri", listing::json_opt(s->subscriber_uri)},
                   {"resource_uri", listing::json_opt(s->resource_uri)},
                   {"subscriber_ip", listing::json_opt(s->subscriber_ip)},
                   {"notifier_ip", listing::json_opt(s->notifier_ip)},
                   {"transport", decode::transport_name(s->transport)},
                   {"start_us", s->start_us},
                   {"end_us", listing::json_opt(s->end_us)},
                   {"requested_expires", listing::json_opt(s->requested_expires)},
                   {"expires", listing::json_opt(s->expires)},
                   {"state", correlate::sub_state_name(s->state)},
                   {"reason", listing::json_opt(s->reason)},
                   {"final_code", listing::json_opt(s->final_code)},
                   {"final_reason", listing::json_opt(s->final_reason)},
                   {"response_ms", listing::json_opt(s->response_ms)},
                   {"subscribes", s->subscribes},
                   {"refreshes", s->refreshes},
                   {"challenges", s->challenges},
                   {"notifies", s->notifies},
                   {"first_notify_us", listing::json_opt(s->first_notify_us)},
                   {"last_notify_us", listing::json_opt(s->last_notify_us)},
                   {"history", s->history}});
      continue;
    }
    const auto& t = *item.transaction;
    a.push_back({{"kind", t.method == "PUBLISH" ? "publish" : "message"},
                 {"method", t.method},
                 {"sip_call_id", t.sip_call_id},
                 {"cseq", t.cseq},
                 {"from_user", listing::json_opt(t.from_user)},
                 {"to_user", listing::json_opt(t.to_user)},
                 {"from_uri", listing::json_opt(t.from_uri)},
                 {"to_uri", listing::json_opt(t.to_uri)},
                 {"src_ip", t.src_ip},
                 {"dst_ip", t.dst_ip},
                 {"transport", decode::transport_name(t.transport)},
                 {"frame", t.frame != 0 ? json(t.frame) : json(nullptr)},
                 {"start_us", t.start_us},
                 {"final_us", listing::json_opt(t.final_us)},
                 {"final_code", listing::json_opt(t.final_code)},
                 {"final_reason", listing::json_opt(t.final_reason)},
                 {"response_ms", listing::json_opt(t.response_ms)},
                 {"result", t.result},
                 {"event", listing::json_opt(t.event)},
                 {"etag", listing::json_opt(t.etag)},
                 {"if_match", listing::json_opt(t.if_match)},
                 {"action", listing::json_opt(t.action)},
                 {"expires", listing::json_opt(t.expires)},
                 {"granted_expires", listing::json_opt(t.granted_expires)},
                 {"content_type", listing::json_opt(t.content_type)},
                 {"body_bytes", t.body_bytes}});
  }
  return listing::json_dump(a);
}

std::string render_activity_csv(const std::vector<ActivityItem>& rows) {
  std::string out =
      "kind,sip_call_id,start_us,end_us,from_uri,to_uri,src_ip,dst_ip,event,result,final_code,"
      "response_ms,detail\r\n";
  for (const auto& item : rows) {
    const Line l = line_of(item);
    out += l.kind + ',';
    listing::field(out, l.sip_call_id), out += ',';
    out += std::to_string(l.start_us) + ',';
    listing::opt(out, l.end_us), out += ',';
    listing::opt(out, l.from), out += ',';
    listing::opt(out, l.to), out += ',';
    listing::opt(out, l.src_ip), out += ',';
    listing::opt(out, l.dst_ip), out += ',';
    listing::opt(out, l.event), out += ',';
    listing::field(out, l.result), out += ',';
    listing::opt(out, l.code), out += ',';
    listing::opt(out, l.response_ms), out += ',';
    listing::field(out, l.detail);
    out += "\r\n";
  }
  return out;
}

}  // namespace sipscope::report
