#include "correlate/sip_summary.hpp"

#include "decode/sip/fields.hpp"

namespace sipscope::correlate {

namespace sip = decode::sip;

namespace {

void name_addr_parts(std::string_view value, std::string_view& uri, std::string_view& tag,
                     bool* has_tag) {
  sip::NameAddr na;
  if (value.empty() || !sip::parse_name_addr(value, na)) return;
  uri = na.uri;
  bool found = false;
  tag = sip::param_value(na.params, "tag", &found);
  if (has_tag != nullptr) *has_tag = found && !tag.empty();
}

class Fnv1a {
 public:
  void add(std::string_view s) {
    for (const char c : s) byte(static_cast<uint8_t>(c));
    byte(0xff);  // separator, so ("ab","c") and ("a","bc") differ
  }
  void add(uint64_t v) {
    for (int i = 0; i < 8; ++i) byte(static_cast<uint8_t>(v >> (8 * i)));
  }
  void add(const decode::Endpoint& e) {
    byte(e.ip.version);
    for (const uint8_t b : e.ip.bytes) byte(b);
    add(static_cast<uint64_t>(e.port));
  }
  [[nodiscard]] uint64_t value() const { return h_; }

 private:
  void byte(uint8_t b) {
    h_ ^= b;
    h_ *= 0x100000001b3ULL;
  }
  uint64_t h_ = 0xcbf29ce484222325ULL;
};

}  // namespace

SipSummary summarize(const sip::Message& m) {
  SipSummary s;
  s.is_request = m.is_request();
  s.method = m.method();
  s.status_code = m.status_code();
  s.call_id = m.header_value(sip::HeaderId::call_id);
  s.request_uri = m.request_uri();
  sip::CSeq cseq;
  if (const sip::Header* h = m.find(sip::HeaderId::cseq); h != nullptr) {
    if (sip::parse_cseq(h->value, cseq)) {
      s.has_cseq = true;
      s.cseq = cseq.number;
      s.cseq_method = cseq.method;
      s.bad_cseq = s.is_request && cseq.method != s.method;
    } else {
      s.bad_cseq = true;
    }
  }
  name_addr_parts(m.header_value(sip::HeaderId::from), s.from_uri, s.from_tag, nullptr);
  name_addr_parts(m.header_value(sip::HeaderId::to), s.to_uri, s.to_tag, &s.has_to_tag);
  sip::Via via;
  if (const auto v = m.header_value(sip::HeaderId::via); !v.empty() && sip::parse_via(v, via)) {
    s.via_branch = via.branch;
    s.via_host = via.host;
    s.via_port = via.port;
  }
  return s;
}

MessageRecord make_message_record(const decode::SipEvent& ev, const SipSummary& s) {
  MessageRecord r;
  r.capture_id = ev.frame.capture_id;
  r.frame = ev.frame.number;
  if (ev.frames.size() > 1) r.frames.assign(ev.frames.begin(), ev.frames.end());
  r.ts_us = ev.frame.ts_us;
  r.src_ip = ev.src.ip.to_string();
  r.src_port = ev.src.port;
  r.dst_ip = ev.dst.ip.to_string();
  r.dst_port = ev.dst.port;
  r.transport = ev.transport;
  if (s.is_request) {
    r.method = std::string(s.method);
  } else {
    r.status_code = s.status_code;
    r.reason = std::string(ev.message->reason_phrase());
  }
  if (s.has_cseq) {
    r.cseq = s.cseq;
    r.cseq_method = std::string(s.cseq_method);
  }
  r.sip_call_id = std::string(s.call_id);
  r.raw = std::string(ev.message->bytes());
  if (!ev.hep_agent.empty()) r.hep_agent = std::string(ev.hep_agent);
  return r;
}

uint64_t retransmission_key(const decode::SipEvent& ev, const SipSummary& s) {
  Fnv1a h;
  h.add(ev.src);
  h.add(ev.dst);
  h.add(s.is_request ? s.method : std::string_view{});
  h.add(static_cast<uint64_t>(s.status_code));
  h.add(static_cast<uint64_t>(s.has_cseq ? s.cseq : 0));
  h.add(s.cseq_method);
  h.add(s.via_branch);
  h.add(s.to_tag);
  return h.value();
}

}  // namespace sipscope::correlate
