// The ladder model under --redact: every identity of the calls learned first, then every
// string rewritten; addresses ("ip:port") and RTCP BYE reasons.
#include "export/redact.hpp"
#include "export/redact_detail.hpp"

namespace sipscope::export_ {

using namespace detail;

void Redactor::learn_ladder(const Ladder& ladder) {
  for (const auto& c : ladder.calls) {
    (void)pseudonym(c.sip_call_id, Kind::call_id);
    if (c.from_uri) (void)uri(*c.from_uri);
    if (c.to_uri) (void)uri(*c.to_uri);
    if (c.from_user) (void)pseudonym(*c.from_user, Kind::user);
    if (c.to_user) (void)pseudonym(*c.to_user, Kind::user);
    if (c.caller_ip) learn_ip(*c.caller_ip);
    if (c.callee_ip) learn_ip(*c.callee_ip);
  }
  for (const auto& e : ladder.events) learn_sip(e.raw);
  for (const auto& s : ladder.streams) {
    learn_ip(s.src_ip);
    learn_ip(s.dst_ip);
  }
}

std::string Redactor::endpoint(std::string_view address) {
  // "[v6]:port" or "v4:port"
  if (!address.empty() && address.front() == '[') {
    const auto close = address.find(']');
    if (close != std::string_view::npos) {
      // Appended piece by piece (GCC 12 -Wrestrict false positive on "[" + string&&).
      std::string out = "[";
      out += ip(address.substr(1, close - 1));
      out.append(address.substr(close));
      return out;
    }
  }
  const auto colon = address.rfind(':');
  if (colon == std::string_view::npos) return text(address);
  return ip(address.substr(0, colon)) + std::string(address.substr(colon));
}

void redact_ladder(Ladder& ladder, Redactor& r) {
  auto opt = [&r](std::optional<std::string>& v) {
    if (v) *v = r.text(*v);
  };
  for (auto& c : ladder.calls) {
    c.sip_call_id = r.pseudonym(c.sip_call_id, Kind::call_id);
    if (c.from_user) c.from_user = r.pseudonym(*c.from_user, Kind::user);
    if (c.to_user) c.to_user = r.pseudonym(*c.to_user, Kind::user);
    if (c.from_uri) c.from_uri = r.uri(*c.from_uri);
    if (c.to_uri) c.to_uri = r.uri(*c.to_uri);
    if (c.caller_ip) c.caller_ip = r.ip(*c.caller_ip);
    if (c.callee_ip) c.callee_ip = r.ip(*c.callee_ip);
    opt(c.final_reason);
  }
  for (auto& p : ladder.participants) {
    p.address = r.endpoint(p.address);
    for (auto& a : p.addresses) a = r.endpoint(a);
  }
  for (auto& e : ladder.events) {
    e.raw = r.sip(e.raw);
    e.label = r.text(e.label);
  }
  for (auto& s : ladder.streams) {
    s.src_ip = r.ip(s.src_ip);
    s.dst_ip = r.ip(s.dst_ip);
  }
  if (!r.keep_dtmf()) ladder.dtmf.clear();  // digits dial numbers and PINs
  TextRules findings;  // details hold times and counts: only learned values and addresses
  findings.phones = false;
  findings.hosts = false;
  for (auto* list : {&ladder.diagnostics, &ladder.anomalies}) {
    for (auto& f : *list) f.detail = r.text(f.detail, findings);
  }
  ladder.redacted = true;
}

void redact_rtcp_bye(std::span<const uint8_t> p, std::vector<uint8_t>& out) {
  // RFC 3550 §6.6: header, SC SSRC/CSRCs, then an optional length-prefixed reason: dropped
  // with the padding (P cleared), the length recomputed.
  if (p.size() < 4) return;
  const size_t count = p[0] & 0x1F;
  const size_t ssrcs = std::min(count, (p.size() - 4) / 4);
  out.push_back(static_cast<uint8_t>((p[0] & 0xC0) | ssrcs));
  out.push_back(p[1]);
  out.push_back(static_cast<uint8_t>(ssrcs >> 8));
  out.push_back(static_cast<uint8_t>(ssrcs));
  out.insert(out.end(), p.begin() + 4, p.begin() + static_cast<ptrdiff_t>(4 + 4 * ssrcs));
}

}  // namespace sipscope::export_
