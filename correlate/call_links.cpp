#include "correlate/call_links.hpp"

#include <algorithm>

#include "decode/sip/fields.hpp"

namespace sipscope::correlate {

namespace sip = decode::sip;

namespace {

constexpr size_t kMaxLinksPerCall = 16;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// RFC 7989 §5: the local UUID is the value before any parameter; 32 hex digits, and the
// null UUID means "not known yet".
std::optional<std::string> session_uuid(std::string_view value) {
  const auto uuid = sip::detail::trim(value.substr(0, value.find(';')));
  if (uuid.size() != 32) return std::nullopt;
  if (std::all_of(uuid.begin(), uuid.end(), [](char c) { return c == '0'; })) return std::nullopt;
  return lower(uuid);
}

// P-Charging-Vector: icid-value=...;icid-generated-at=...;orig-ioi=...
std::optional<std::string> icid_value(std::string_view value) {
  std::string params(1, ';');
  params += value;
  bool found = false;
  const auto v = sip::param_value(params, "icid-value", &found);
  if (!found || v.empty()) return std::nullopt;
  return std::string(v);
}

std::string user_of(std::string_view uri) {
  sip::Uri u;
  if (uri.empty() || !sip::parse_uri(uri, u)) return {};
  return std::string(u.user);
}

}  // namespace

void LinkIndex::put(std::string key, int64_t call_id, int64_t ts_us) {
  auto [it, inserted] = keys_.insert_or_assign(key, Entry{call_id, ts_us});
  if (inserted) order_.push_back(std::move(key));
  while (keys_.size() > std::max<size_t>(max_keys_, 1) && !order_.empty()) {
    keys_.erase(order_.front());
    order_.pop_front();
  }
}

const LinkIndex::Entry* LinkIndex::get(const std::string& key) const {
  auto it = keys_.find(key);
  return it == keys_.end() ? nullptr : &it->second;
}

void LinkIndex::link(int64_t later, int64_t earlier, std::string reason,
                     std::vector<CallLinkRecord>& out) {
  if (later == earlier || out.size() >= kMaxLinksPerCall) return;
  for (const auto& l : out) {
    if (l.linked_call_id == earlier) return;  // one row per pair: the first evidence wins
  }
  auto group_of = [&](int64_t id) -> std::optional<int64_t> {
    if (auto g = group_.find(id); g != group_.end()) return g->second;
    if (auto g = stored_group_.find(id); g != stored_group_.end()) return g->second;
    return std::nullopt;
  };
  const std::optional<int64_t> of_earlier = group_of(earlier);
  const std::optional<int64_t> of_later = group_of(later);
  const int64_t group = std::min(of_earlier.value_or(earlier), of_later.value_or(later));
  // Two groups meet (rare: transfers): every member moves to the smaller group id.
  for (const auto& old : {of_earlier, of_later}) {
    if (!old || *old == group) continue;
    for (auto* groups : {&group_, &stored_group_}) {
      for (auto& [id, g] : *groups) {
        if (g == *old) g = group;
      }
    }
  }
  if (stored_group_.count(earlier) != 0U) {
    stored_group_[earlier] = group;
  } else {
    group_[earlier] = group;
  }
  group_[later] = group;
  out.push_back({later, earlier, std::move(reason), group});
}

void LinkIndex::on_call_start(int64_t call_id, const decode::SipEvent& ev, const SipSummary& s,
                              std::vector<CallLinkRecord>& out) {
  const sip::Message& m = *ev.message;
  const int64_t ts = ev.frame.ts_us;
  const std::string own = std::string(s.call_id);
  // Another leg that named this Call-ID in its correlation header before this call began.
  if (const Entry* e = get("x:" + own)) link(call_id, e->call_id, "x_call_id", out);
  for (const auto& name : headers_) {
    const sip::Header* h = m.find(std::string_view(name));
    if (h == nullptr || h->value.empty()) continue;
    const std::string other(sip::detail::trim(h->value));
    if (const Entry* e = get("c:" + other)) link(call_id, e->call_id, "x_call_id", out);
    put("x:" + other, call_id, ts);
  }
  if (auto uuid = session_uuid(m.header_value(sip::HeaderId::session_id))) {
    if (const Entry* e = get("s:" + *uuid)) link(call_id, e->call_id, "session_id", out);
    put("s:" + *uuid, call_id, ts);
  }
  if (auto icid = icid_value(m.header_value(sip::HeaderId::p_charging_vector))) {
    if (const Entry* e = get("i:" + *icid)) link(call_id, e->call_id, "icid", out);
    put("i:" + *icid, call_id, ts);
  }
  if (const auto rep = m.header_value(sip::HeaderId::replaces); !rep.empty()) {
    const std::string target(sip::detail::trim(rep.substr(0, rep.find(';'))));
    if (const Entry* e = get("c:" + target)) link(call_id, e->call_id, "replaces", out);
  }
  // A transfer target: the REFER named this user (request-URI first, then To).
  if (s.is_request && s.method == "INVITE") {
    const bool referred = !m.header_value(sip::HeaderId::referred_by).empty();
    for (const std::string& user : {user_of(s.request_uri), user_of(s.to_uri)}) {
      if (user.empty()) continue;
      const Entry* e = get("r:" + user);
      if (e != nullptr && (referred || ts - e->ts_us <= refer_window_us_)) {
        link(call_id, e->call_id, "refer", out);
        break;
      }
    }
  }
  put("c:" + own, call_id, ts);
}

void LinkIndex::on_refer(int64_t call_id, const decode::SipEvent& ev, const SipSummary& /*s*/) {
  const auto value = ev.message->header_value(sip::HeaderId::refer_to);
  sip::NameAddr na;
  if (value.empty() || !sip::parse_name_addr(value, na)) return;
  const std::string user = user_of(na.uri);
  if (!user.empty()) put("r:" + user, call_id, ev.frame.ts_us);
}

std::optional<int64_t> LinkIndex::group_of(int64_t call_id) const {
  const auto it = group_.find(call_id);
  return it == group_.end() ? std::nullopt : std::optional<int64_t>(it->second);
}

std::optional<int64_t> LinkIndex::take_group(int64_t call_id) {
  auto it = group_.find(call_id);
  if (it == group_.end()) {
    auto s = stored_group_.find(call_id);
    return s == stored_group_.end() ? std::nullopt : std::optional<int64_t>(s->second);
  }
  const int64_t g = it->second;
  group_.erase(it);
  if (stored_group_.emplace(call_id, g).second) stored_order_.push_back(call_id);
  while (stored_group_.size() > std::max<size_t>(max_keys_, 1) && !stored_order_.empty()) {
    stored_group_.erase(stored_order_.front());
    stored_order_.pop_front();
  }
  return g;
}

}  // namespace sipscope::correlate
