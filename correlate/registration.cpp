#include "correlate/registration.hpp"

#include <algorithm>
#include <charconv>

#include "correlate/call_state.hpp"
#include "decode/sip/fields.hpp"

namespace sipscope::correlate {

namespace sip = decode::sip;

namespace {

constexpr size_t kMaxCseqs = 64;

std::optional<int64_t> number(std::string_view v) {
  v = sip::detail::trim(v);
  int64_t n = 0;
  const auto r = std::from_chars(v.data(), v.data() + v.size(), n);
  if (r.ec != std::errc() || r.ptr != v.data() + v.size() || n < 0) return std::nullopt;
  return n;
}

std::optional<std::string> user_of(std::string_view uri) {
  sip::Uri u;
  if (uri.empty() || !sip::parse_uri(uri, u) || u.user.empty()) return std::nullopt;
  return std::string(u.user);
}

struct ContactInfo {
  std::string_view uri;  // "*" for the wildcard
  std::optional<int64_t> expires;
};

// Every Contact of the message (all header lines, comma lists), bounded.
std::vector<ContactInfo> contacts_of(const sip::Message& m) {
  std::vector<ContactInfo> out;
  for (const auto& h : m.headers()) {
    if (h.id != sip::HeaderId::contact) continue;
    sip::for_each_value(h.value, [&](std::string_view item) {
      if (out.size() >= 16) return;
      if (item == "*") {
        out.push_back({"*", std::nullopt});
        return;
      }
      sip::NameAddr na;
      if (!sip::parse_name_addr(item, na)) return;
      bool found = false;
      const auto e = sip::param_value(na.params, "expires", &found);
      out.push_back({na.uri, found ? number(e) : std::nullopt});
    });
  }
  return out;
}

template <typename T>
void add_unique(std::vector<T>& v, const T& x) {
  if (v.size() < kMaxCseqs && std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
}

bool contains(const std::vector<uint32_t>& v, uint32_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

RegistrationTracker::Attempt& RegistrationTracker::start(const decode::SipEvent& ev,
                                                         const SipSummary& s) {
  Attempt& a = open_[std::string(s.call_id)];
  a = Attempt{};
  a.generation = next_generation_++;
  RegistrationRecord& r = a.record;
  r.sip_call_id = std::string(s.call_id);
  if (!s.to_uri.empty()) r.aor = std::string(s.to_uri);
  r.user = user_of(s.to_uri);
  r.registrant_ip = (s.is_request ? ev.src : ev.dst).ip.to_string();
  r.registrar_ip = (s.is_request ? ev.dst : ev.src).ip.to_string();
  r.transport = ev.transport;
  r.start_us = ev.frame.ts_us;
  a.last_us = ev.frame.ts_us;
  queue_.push_back({ev.frame.ts_us + horizon_us_, r.sip_call_id, a.generation});
  return a;
}

void RegistrationTracker::close(Attempt& a, std::vector<RegistrationRecord>& done) {
  if (a.finished) return;
  a.finished = true;
  RegistrationRecord& r = a.record;
  if (!r.final_code) {
    r.result = "no_response";
  } else if (is_auth_challenge(*r.final_code)) {
    r.result = "challenged";
  }
  done.push_back(r);
}

void RegistrationTracker::evict_one(std::vector<RegistrationRecord>& done) {
  while (!queue_.empty()) {
    Due d = std::move(queue_.front());
    queue_.pop_front();
    auto it = open_.find(d.call_id);
    if (it == open_.end() || it->second.generation != d.generation) continue;
    if (!it->second.finished) ++evicted_;
    close(it->second, done);
    open_.erase(it);
    return;
  }
}

void RegistrationTracker::on_message(const decode::SipEvent& ev, const SipSummary& s,
                                     bool retransmission, std::vector<RegistrationRecord>& done) {
  if (s.call_id.empty()) return;
  const int64_t ts = ev.frame.ts_us;
  auto it = open_.find(std::string(s.call_id));
  if (s.is_request) {
    if (s.method != "REGISTER") return;
    // A new CSeq after the answer is a refresh: a new attempt on the same Call-ID (§10.2.4).
    if (it != open_.end() && it->second.finished && !contains(it->second.cseqs, s.cseq)) {
      open_.erase(it);
      it = open_.end();
    }
    if (it == open_.end()) {
      if (open_.size() >= std::max<size_t>(max_open_, 1)) evict_one(done);
      it = open_.find(std::string(start(ev, s).record.sip_call_id));
    }
    Attempt& a = it->second;
    a.last_us = std::max(a.last_us, ts);
    if (a.finished) return;
    add_unique(a.cseqs, s.cseq);
    a.record.attempts = static_cast<int64_t>(a.cseqs.size());
    // Contact and Expires of the latest attempt (a retry may differ from the first).
    const auto contacts = contacts_of(*ev.message);
    if (!contacts.empty()) a.record.contact = std::string(contacts.front().uri);
    const auto exp = number(ev.message->header_value(sip::HeaderId::expires));
    if (!contacts.empty() && contacts.front().expires) {
      a.record.requested_expires = contacts.front().expires;
    } else if (exp) {
      a.record.requested_expires = exp;
    }
    return;
  }
  if (s.cseq_method != "REGISTER" || s.status_code < 200) return;
  if (it == open_.end()) {
    if (retransmission) return;
    if (open_.size() >= std::max<size_t>(max_open_, 1)) evict_one(done);
    it = open_.find(std::string(start(ev, s).record.sip_call_id));
    add_unique(it->second.cseqs, s.cseq);
    it->second.record.attempts = 1;
  }
  Attempt& a = it->second;
  a.last_us = std::max(a.last_us, ts);
  if (a.finished) return;  // a late copy or the proxy's next hop of the answer
  RegistrationRecord& r = a.record;
  const int code = s.status_code;
  r.final_code = code;
  r.final_reason = std::string(ev.message->reason_phrase());
  r.end_us = ts;
  if (is_auth_challenge(code)) {
    add_unique(a.challenged, s.cseq);
    r.challenges = static_cast<int64_t>(a.challenged.size());
    return;
  }
  r.response_ms = static_cast<double>(ts - r.start_us) / 1000.0;
  if (code >= 200 && code < 300) {
    // Granted expiry: the 2xx lists every binding with its expires (§10.3 step 8); take
    // the one of the registered contact, else the Expires header, else what was asked.
    std::optional<int64_t> granted;
    const auto contacts = contacts_of(*ev.message);
    for (const auto& c : contacts) {
      if (r.contact && c.uri == *r.contact && c.expires) granted = c.expires;
    }
    if (!granted && contacts.size() == 1 && contacts.front().expires) {
      granted = contacts.front().expires;
    }
    if (!granted) granted = number(ev.message->header_value(sip::HeaderId::expires));
    if (!granted) granted = r.requested_expires;
    r.expires = granted;
    const bool removal = (r.requested_expires && *r.requested_expires == 0) ||
                         (r.contact && *r.contact == "*") || (granted && *granted == 0);
    r.result = removal ? "unregistered" : "registered";
  } else {
    r.result = "failed";
  }
  close(a, done);
}

void RegistrationTracker::advance(int64_t now_us, std::vector<RegistrationRecord>& done) {
  while (!queue_.empty() && queue_.front().due_us < now_us) {
    Due d = std::move(queue_.front());
    queue_.pop_front();
    auto it = open_.find(d.call_id);
    if (it == open_.end() || it->second.generation != d.generation) continue;
    Attempt& a = it->second;
    if (a.last_us + horizon_us_ >= now_us) {
      queue_.push_back({a.last_us + horizon_us_, std::move(d.call_id), d.generation});
      continue;
    }
    close(a, done);
    open_.erase(it);
  }
}

void RegistrationTracker::finish(std::vector<RegistrationRecord>& done) {
  // In order of first REGISTER, so output does not depend on hash order.
  std::vector<Attempt*> left;
  for (auto& [k, a] : open_) left.push_back(&a);
  std::sort(left.begin(), left.end(),
            [](const Attempt* x, const Attempt* y) { return x->generation < y->generation; });
  for (Attempt* a : left) close(*a, done);
  open_.clear();
  queue_.clear();
}

}  // namespace sipscope::correlate
