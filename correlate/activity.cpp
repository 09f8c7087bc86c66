#include "correlate/activity.hpp"

#include <algorithm>

#include "correlate/header_values.hpp"
#include "correlate/transaction.hpp"
#include "decode/sip/fields.hpp"

namespace sipscope::correlate {

namespace sip = decode::sip;

namespace {

bool is_activity_method(std::string_view m) {
  return m == "MESSAGE" || m == "PUBLISH";
}

ActivityRecord start_record(const decode::SipEvent& ev, const SipSummary& s, bool request) {
  ActivityRecord r;
  r.method = std::string(request ? s.method : s.cseq_method);
  r.sip_call_id = std::string(s.call_id);
  r.cseq = s.cseq;
  r.from_user = uri_user(s.from_uri);
  r.to_user = uri_user(s.to_uri);
  if (!s.from_uri.empty()) r.from_uri = std::string(s.from_uri);
  if (!s.to_uri.empty()) r.to_uri = std::string(s.to_uri);
  r.src_ip = (request ? ev.src : ev.dst).ip.to_string();
  r.dst_ip = (request ? ev.dst : ev.src).ip.to_string();
  r.transport = ev.transport;
  r.capture_id = ev.frame.capture_id;
  r.frame = ev.frame.number;
  r.start_us = ev.frame.ts_us;
  return r;
}

void read_request(const sip::Message& m, ActivityRecord& r) {
  r.expires = delta_seconds(m.header_value(sip::HeaderId::expires));
  const auto type = m.header_value(sip::HeaderId::content_type);
  if (!type.empty()) r.content_type = std::string(type);
  r.body_bytes = static_cast<int64_t>(m.body().size());
  if (r.method != "PUBLISH") return;
  const auto event = split_token_params(m.header_value(sip::HeaderId::event)).token;
  if (!event.empty()) r.event = std::string(event);
  r.if_match = header_copy(m, "SIP-If-Match");
  r.action = std::string(
      publish_action(r.if_match.has_value(), r.expires && *r.expires == 0, r.body_bytes > 0));
}

void read_final(const decode::SipEvent& ev, const SipSummary& s, ActivityRecord& r) {
  const int code = s.status_code;
  r.final_us = ev.frame.ts_us;
  r.final_code = code;
  r.final_reason = std::string(ev.message->reason_phrase());
  r.response_ms = static_cast<double>(ev.frame.ts_us - r.start_us) / 1000.0;
  r.result = code < 300 ? "success" : "failed";
  if (code >= 300) return;
  r.granted_expires = delta_seconds(ev.message->header_value(sip::HeaderId::expires));
  if (r.method == "PUBLISH") r.etag = header_copy(*ev.message, "SIP-ETag");
}

}  // namespace

std::string_view publish_action(bool has_if_match, bool expires_zero, bool has_body) {
  if (!has_if_match) return "initial";
  if (expires_zero) return "remove";
  return has_body ? "modify" : "refresh";
}

void ActivityTracker::on_message(const decode::SipEvent& ev, const SipSummary& s,
                                 bool retransmission, std::vector<ActivityRecord>& done) {
  if (retransmission) return;
  const std::string_view method = s.is_request ? s.method : s.cseq_method;
  if (!is_activity_method(method)) return;
  const uint64_t key = transaction_key(s, method);
  if (s.is_request) {
    if (open_.count(key) != 0U) return;
    if (open_.size() >= std::max<size_t>(limits_.max_open, 1) && !order_.empty()) {
      const auto [start, oldest] = order_.front();
      order_.pop_front();
      expire(oldest, start, "pending", done);
      ++evicted_;
    }
    ActivityRecord r = start_record(ev, s, true);
    read_request(*ev.message, r);
    open_.emplace(key, std::move(r));
    order_.emplace_back(ev.frame.ts_us, key);
    return;
  }
  if (s.status_code < 200) return;
  auto it = open_.find(key);
  if (it == open_.end()) {
    ActivityRecord r = start_record(ev, s, false);
    read_final(ev, s, r);
    r.response_ms.reset();  // the request's time is unknown
    done.push_back(std::move(r));
    return;
  }
  read_final(ev, s, it->second);
  done.push_back(std::move(it->second));
  open_.erase(it);  // its order_ entry is skipped when it comes up
}

void ActivityTracker::expire(uint64_t key, int64_t start_us, std::string_view result,
                             std::vector<ActivityRecord>& done) {
  auto it = open_.find(key);
  if (it == open_.end() || it->second.start_us != start_us) return;
  it->second.result = std::string(result);
  done.push_back(std::move(it->second));
  open_.erase(it);
}

void ActivityTracker::advance(int64_t now_us, std::vector<ActivityRecord>& done) {
  while (!order_.empty() && order_.front().first + limits_.timeout_us < now_us) {
    const auto [start, key] = order_.front();
    order_.pop_front();
    expire(key, start, "no_response", done);
  }
}

void ActivityTracker::finish(int64_t end_us, std::vector<ActivityRecord>& done) {
  while (!order_.empty()) {
    const auto [start, key] = order_.front();
    order_.pop_front();
    expire(key, start, start + limits_.timeout_us <= end_us ? "no_response" : "pending", done);
  }
  open_.clear();
}

}  // namespace sipscope::correlate
