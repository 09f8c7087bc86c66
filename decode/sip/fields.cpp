#include "decode/sip/fields.hpp"

#include "decode/text.hpp"

#include <algorithm>

#include "decode/sip/headers.hpp"

namespace sipscope::decode::sip {
namespace {

using text::is_alpha;
using text::is_digit;
using text::is_token_char;
using text::parse_uint;

constexpr bool is_lws(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view skip_lws(std::string_view s) {
  while (!s.empty() && is_lws(s.front())) s.remove_prefix(1);
  return s;
}

// End of a quoted-string that opens at s[open] == '"': index of the closing quote, or npos.
// quoted-pair (§25.1) lets any char follow a backslash, including '"'.
size_t closing_quote(std::string_view s, size_t open) {
  for (size_t i = open + 1; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == '"') {
      return i;
    }
  }
  return std::string_view::npos;
}

// Index of the first `c` in s at or after `from` that is outside a quoted-string.
size_t find_unquoted(std::string_view s, char c, size_t from = 0) {
  for (size_t i = from; i < s.size(); ++i) {
    if (s[i] == '"') {
      const size_t q = closing_quote(s, i);
      if (q == std::string_view::npos) return std::string_view::npos;
      i = q;
    } else if (s[i] == c) {
      return i;
    }
  }
  return std::string_view::npos;
}

// host [":" port], host possibly an IPv6 reference. The brackets are stripped from the
// host view so it compares equal to the address text of a packet.
bool parse_hostport(std::string_view hp, std::string_view& host, uint16_t& port,
                    bool* unbracketed_ipv6 = nullptr) {
  hp = detail::trim(hp);
  std::string_view rest;
  if (!hp.empty() && hp.front() == '[') {
    const size_t close = hp.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    host = hp.substr(1, close - 1);
    rest = hp.substr(close + 1);
  } else if (std::count(hp.begin(), hp.end(), ':') > 1) {
    // An IPv6 reference without its brackets (§19.1.1 requires them; some UAs omit them,
    // e.g. "sip:9876@fe80:0:0:0:21a:a0ff:fe07:32e0"). A port cannot be told from the last
    // group, so the whole is the host and no port is read.
    const bool ipv6 = std::all_of(hp.begin(), hp.end(), [](char c) {
      return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' ||
             c == '.';
    });
    if (!ipv6) return false;
    host = hp;
    if (unbracketed_ipv6 != nullptr) *unbracketed_ipv6 = true;
  } else {
    const size_t colon = hp.find(':');
    host = detail::trim(hp.substr(0, colon));
    rest = colon == std::string_view::npos ? std::string_view{} : hp.substr(colon);
  }
  if (host.empty()) return false;
  rest = detail::trim(rest);
  port = 0;
  if (rest.empty()) return true;
  if (rest.front() != ':') return false;
  // COLON = SWS ":" SWS (§25.1), so "host : 5060" is legal in a Via sent-by.
  return parse_uint<uint16_t>(detail::trim(rest.substr(1)), 65535, port) && port != 0;
}

}  // namespace

namespace detail {

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_lws(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_lws(s.back())) s.remove_suffix(1);
  return s;
}

size_t next_item_end(std::string_view value, size_t start) {
  int angle = 0;
  for (size_t i = start; i < value.size(); ++i) {
    const char c = value[i];
    if (c == '"') {
      const size_t q = closing_quote(value, i);
      if (q == std::string_view::npos) return value.size();  // unbalanced: one last item
      i = q;
    } else if (c == '<') {
      ++angle;
    } else if (c == '>') {
      if (angle > 0) --angle;
    } else if (c == ',' && angle == 0) {
      return i;
    }
  }
  return value.size();
}

}  // namespace detail

bool parse_cseq(std::string_view value, CSeq& out) {
  value = detail::trim(value);
  size_t i = 0;
  while (i < value.size() && is_digit(value[i])) ++i;
  // §8.1.1.5: the number MUST fit 32 bits (and be < 2^31); an overflow such as RFC 4475
  // scalar02's 36893488147419103232 is rejected rather than wrapped.
  uint32_t n = 0;
  if (!parse_uint<uint32_t>(value.substr(0, i), UINT32_MAX, n)) return false;
  const std::string_view rest = value.substr(i);
  const std::string_view method = skip_lws(rest);
  if (method.size() == rest.size() || method.empty()) return false;  // LWS is required
  if (!std::all_of(method.begin(), method.end(), is_token_char)) return false;
  out.number = n;
  out.method = method;
  return true;
}

bool parse_name_addr(std::string_view value, NameAddr& out) {
  value = detail::trim(value);
  out = {};
  if (value.empty()) return false;
  size_t lt = std::string_view::npos;
  if (value.front() == '"') {
    const size_t q = closing_quote(value, 0);
    if (q == std::string_view::npos) return false;  // RFC 4475 §3.1.2.6 quotbal
    out.display_name = value.substr(1, q - 1);
    const std::string_view after = skip_lws(value.substr(q + 1));
    if (after.empty() || after.front() != '<') return false;
    lt = value.size() - after.size();
  } else {
    // name-addr has '<' before any ';' (display-name is tokens and LWS); otherwise this is
    // a bare addr-spec and everything after its first ';' is header params (§20.10).
    const size_t p = value.find_first_of("<;");
    if (p != std::string_view::npos && value[p] == '<') {
      lt = p;
      out.display_name = detail::trim(value.substr(0, p));
      // display-name = *(token LWS) (§25.1): "Bell, Alexander" is not one (RFC 4475
      // §3.1.2.15 baddn). Bytes >= 0x80 are let through: UTF-8 names sent unquoted are
      // common in the field and harmless to a passive reader.
      for (char c : out.display_name)
        if (static_cast<unsigned char>(c) < 0x80 && !is_token_char(c) && !is_lws(c)) return false;
    }
  }
  std::string_view tail;
  if (lt != std::string_view::npos) {
    const size_t gt = value.find('>', lt + 1);
    if (gt == std::string_view::npos) return false;
    out.uri = detail::trim(value.substr(lt + 1, gt - lt - 1));
    tail = detail::trim(value.substr(gt + 1));
    if (!tail.empty() && tail.front() != ';') return false;
  } else {
    const size_t semi = value.find(';');
    out.uri = detail::trim(value.substr(0, semi));
    // An addr-spec cannot hold LWS (RFC 4475 §3.1.2.14 badaspec shows why it matters).
    if (std::any_of(out.uri.begin(), out.uri.end(), is_lws)) return false;
    tail = semi == std::string_view::npos ? std::string_view{} : value.substr(semi);
  }
  out.params = tail;
  return !out.uri.empty();
}

bool parse_uri(std::string_view uri, Uri& out) {
  uri = detail::trim(uri);
  out = {};
  const size_t colon = uri.find(':');
  if (colon == std::string_view::npos || colon == 0 || !is_alpha(uri.front())) return false;
  out.scheme = uri.substr(0, colon);
  for (char c : out.scheme)
    if (!(is_alpha(c) || is_digit(c) || c == '+' || c == '-' || c == '.')) return false;
  std::string_view rest = uri.substr(colon + 1);

  if (iequals(out.scheme, "tel")) {
    // RFC 3966: telephone-subscriber *par; the number is what reports show as the user.
    const size_t semi = rest.find(';');
    out.user = rest.substr(0, semi);
    if (semi != std::string_view::npos) out.params = rest.substr(semi);
    return !out.user.empty();
  }
  if (!iequals(out.scheme, "sip") && !iequals(out.scheme, "sips")) {
    return true;  // other schemes (RFC 4475 unksm2): scheme only, still a valid URI
  }
  // user may hold ';' and '?' (user-unreserved, §25.1; RFC 4475 semiuri), so the userinfo
  // ends at '@', not at the first ';'.
  const size_t at = rest.find('@');
  if (at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    out.user = userinfo.substr(0, userinfo.find(':'));  // drop ":password"
    rest = rest.substr(at + 1);
  }
  // The host of an IPv6 reference contains ':' but no ';' or '?'.
  const size_t hp_end = rest.find_first_of(";?");
  if (!parse_hostport(rest.substr(0, hp_end), out.host, out.port, &out.unbracketed_ipv6)) {
    return false;
  }
  if (hp_end != std::string_view::npos && rest[hp_end] == ';') {
    const std::string_view params = rest.substr(hp_end);
    out.params = params.substr(0, params.find('?'));
  }
  return true;
}

std::string_view param_value(std::string_view params, std::string_view name, bool* found) {
  if (found) *found = false;
  size_t pos = 0;
  while (pos < params.size()) {
    size_t end = find_unquoted(params, ';', pos);
    if (end == std::string_view::npos) end = params.size();
    const std::string_view item = params.substr(pos, end - pos);
    const size_t eq = item.find('=');
    const std::string_view key = detail::trim(item.substr(0, eq));
    if (!key.empty() && iequals(key, name)) {
      if (found) *found = true;
      if (eq == std::string_view::npos) return {};
      std::string_view v = detail::trim(item.substr(eq + 1));
      // A quoted value is returned without its quotes (escapes are kept).
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      return v;
    }
    pos = end + 1;
  }
  return {};
}

bool parse_via(std::string_view value, Via& out) {
  out = {};
  std::string_view parm = detail::trim(value.substr(0, detail::next_item_end(value, 0)));
  // sent-protocol = protocol-name SLASH protocol-version SLASH transport; SLASH = SWS "/" SWS,
  // so "SIP  /   2.0 /UDP" (RFC 4475 wsinv) is legal.
  const size_t s1 = parm.find('/');
  if (s1 == std::string_view::npos) return false;
  const size_t s2 = parm.find('/', s1 + 1);
  if (s2 == std::string_view::npos) return false;
  const std::string_view name = detail::trim(parm.substr(0, s1));
  const std::string_view version = detail::trim(parm.substr(s1 + 1, s2 - s1 - 1));
  if (name.empty() || version.empty()) return false;
  std::string_view rest = skip_lws(parm.substr(s2 + 1));
  size_t t = 0;
  while (t < rest.size() && is_token_char(rest[t])) ++t;
  if (t == 0) return false;
  out.protocol = parm.substr(static_cast<size_t>(name.data() - parm.data()),
                             static_cast<size_t>(version.data() + version.size() - name.data()));
  out.transport = rest.substr(0, t);
  rest = rest.substr(t);
  if (rest.empty() || !is_lws(rest.front())) return false;  // LWS before sent-by
  const size_t semi = rest.find(';');
  if (!parse_hostport(rest.substr(0, semi), out.host, out.port)) return false;
  if (semi != std::string_view::npos) {
    out.params = detail::trim(rest.substr(semi));
    out.branch = param_value(out.params, "branch");
    out.received = param_value(out.params, "received");
    out.rport = param_value(out.params, "rport");
  }
  return true;
}

std::string unfold(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  size_t i = 0;
  while (i < value.size()) {
    const char c = value[i];
    if (c == '\r' || c == '\n') {
      // LWS = [*WSP CRLF] 1*WSP is equivalent to one SP (§7.3.1).
      while (!out.empty() && (out.back() == ' ' || out.back() == '\t')) out.pop_back();
      while (i < value.size() && is_lws(value[i])) ++i;
      out.push_back(' ');
      continue;
    }
    out.push_back(c);
    ++i;
  }
  return out;
}

bool parse_reason(std::string_view value, ReasonValue& out) {
  out = {};
  const std::string_view item = detail::trim(value.substr(0, detail::next_item_end(value, 0)));
  const size_t semi = item.find(';');
  out.protocol = detail::trim(item.substr(0, semi));
  if (out.protocol.empty() || !std::all_of(out.protocol.begin(), out.protocol.end(), is_token_char))
    return false;
  if (semi == std::string_view::npos) return true;
  const std::string_view params = item.substr(semi);
  bool has_cause = false;
  const std::string_view cause = param_value(params, "cause", &has_cause);
  if (has_cause && !parse_uint<int>(cause, 65535, out.cause)) return false;
  out.text = param_value(params, "text");
  return true;
}

}  // namespace sipscope::decode::sip
