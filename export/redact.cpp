#include "export/redact.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace sipscope::export_ {

namespace {

constexpr size_t kMinOriginal = 3;  // see the header: shorter ones match protocol tokens

char lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

bool alnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

bool digit(char c) {
  return c >= '0' && c <= '9';
}

bool all_digits(std::string_view s) {
  size_t i = !s.empty() && s[0] == '+' ? 1 : 0;
  if (i >= s.size()) return false;
  for (; i < s.size(); ++i) {
    if (!digit(s[i])) return false;
  }
  return true;
}

std::string trim(std::string_view s) {
  size_t a = 0;
  size_t b = s.size();
  while (a < b && (s[a] == ' ' || s[a] == '\t')) ++a;
  while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == ',')) --b;
  return std::string(s.substr(a, b - a));
}

bool istarts(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (lower(s[i]) != lower(prefix[i])) return false;
  }
  return true;
}

// Canonical text of an IP literal, "" when it is not one.
std::string canonical_ip(std::string_view text) {
  if (text.size() < 2 || text.size() > 45) return {};
  std::string s(text);
  unsigned char buf[16];
  char out[INET6_ADDRSTRLEN];
  if (s.find(':') == std::string::npos) {
    if (inet_pton(AF_INET, s.c_str(), buf) != 1) return {};
    return inet_ntop(AF_INET, buf, out, sizeof out) != nullptr ? out : std::string();
  }
  if (inet_pton(AF_INET6, s.c_str(), buf) != 1) return {};
  return inet_ntop(AF_INET6, buf, out, sizeof out) != nullptr ? out : std::string();
}

// 0.0.0.0 and :: (RFC 1122 §3.2.1.3, RFC 4291 §2.5.2) name no host: SDP uses them for hold
// (RFC 3264 §8.4). Kept as they are, also so no pseudonym must avoid containing "::".
bool unspecified(const std::string& canonical) {
  return canonical == "0.0.0.0" || canonical == "::";
}

// Length of an IPv4 dotted quad at s[i] (0 if none): 4 decimal octets <= 255.
size_t ipv4_at(std::string_view s, size_t i) {
  size_t j = i;
  for (int octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (j >= s.size() || s[j] != '.') return 0;
      ++j;
    }
    size_t k = j;
    int v = 0;
    while (k < s.size() && digit(s[k]) && k - j < 3) v = v * 10 + (s[k++] - '0');
    if (k == j || v > 255) return 0;
    j = k;
  }
  if (j < s.size() && (digit(s[j]) || alnum(s[j]))) return 0;
  if (j + 1 < s.size() && s[j] == '.' && digit(s[j + 1])) return 0;
  return j - i;
}

bool hex_or_colon(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0 || c == ':' || c == '.';
}

// Length of an IPv6 literal at s[i] (0 if none): the longest run of hex digits, colons
// and dots that inet_pton accepts, with at least two colons.
size_t ipv6_at(std::string_view s, size_t i) {
  size_t j = i;
  while (j < s.size() && j - i < 45 && hex_or_colon(s[j])) ++j;
  while (j > i) {
    const std::string_view cand = s.substr(i, j - i);
    if (std::count(cand.begin(), cand.end(), ':') >= 2 && cand.back() != '.' &&
        !canonical_ip(cand).empty() && (j >= s.size() || !alnum(s[j]))) {
      return j - i;
    }
    --j;
  }
  return 0;
}

// Lines whose numbers are protocol values: a digit-only original is left alone there.
bool numeric_protocol_line(std::string_view line) {
  static constexpr std::string_view kPrefixes[] = {"SIP/2.0 ",
                                                   "CSeq:",
                                                   "Content-Length:",
                                                   "l:",
                                                   "Max-Forwards:",
                                                   "Expires:",
                                                   "RSeq:",
                                                   "RAck:",
                                                   "Session-Expires:",
                                                   "x:",
                                                   "Min-SE:",
                                                   "m=",
                                                   "a=",
                                                   "t=",
                                                   "b=",
                                                   "r=",
                                                   "k:"};
  for (auto p : kPrefixes) {
    if (istarts(line, p)) return true;
  }
  return false;
}

std::string_view::size_type find_ci(std::string_view hay, std::string_view needle, size_t from) {
  if (needle.empty() || hay.size() < needle.size()) return std::string_view::npos;
  for (size_t i = from; i + needle.size() <= hay.size(); ++i) {
    if (istarts(hay.substr(i), needle)) return i;
  }
  return std::string_view::npos;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX escapes decoded (RFC 3986 §2.1); anything else as it is.
std::string percent_decoded(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      const int v = hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]);
      if (v >= 0x20 && v < 0x7F) {  // printable only: a %0D%0A must not end a line here
        out += static_cast<char>(v);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

// s[i] starts a word: at the start, after a non-alphanumeric character, or right after a
// %XX escape ("id%40192.0.2.1": the address starts after "%40").
bool word_start(std::string_view s, size_t i) {
  if (i == 0 || !alnum(s[i - 1])) return true;
  return i >= 3 && s[i - 3] == '%' && hex_value(s[i - 2]) >= 0 && hex_value(s[i - 1]) >= 0;
}

}  // namespace

void Redactor::learn(std::string_view original, char kind) {
  std::string o = trim(original);
  if (o.size() >= 2 && o.front() == '"' && o.back() == '"') o = o.substr(1, o.size() - 2);
  if (o.size() < kMinOriginal || o.size() > 200) return;
  if (!canonical_ip(o).empty()) {
    learn_ip(o);
    return;
  }
  if (o.front() == '[') return;  // bracketed IPv6 host: its address is learned as an IP
  const std::string key = to_lower(o);
  // Protocol words that SIPp-style o= lines or odd URIs may carry: replacing them would
  // break the message, and they identify nobody.
  static constexpr std::string_view kStop[] = {
      "sip",    "sips",    "tel",      "udp",       "tcp",       "tls",       "sctp",    "user",
      "phone",  "ip4",     "ip6",      "audio",     "video",     "invite",    "ack",     "bye",
      "cancel", "options", "register", "transport", "rport",     "branch",    "tag",     "received",
      "maddr",  "ttl",     "method",   "expires",   "localhost", "anonymous", "invalid", "unknown"};
  for (auto w : kStop) {
    if (key == w) return;
  }
  if (originals_.count(key) != 0U) return;
  originals_.emplace(key, std::make_pair(kind, std::string()));
  sorted_ = false;
  // A number is also written without its '+' (tel: vs. sip: user parts).
  if (kind == 'u' && o[0] == '+' && all_digits(o)) learn(o.substr(1), 'u');
}

void Redactor::learn_user(std::string_view user) {
  learn(user, 'u');
}
void Redactor::learn_name(std::string_view name) {
  learn(name, 'n');
}
void Redactor::learn_host(std::string_view host) {
  learn(host, 'h');
}

void Redactor::learn_ip(std::string_view text) {
  std::string c = canonical_ip(text);
  if (c.empty() || unspecified(c)) return;
  if (std::find(original_ips_.begin(), original_ips_.end(), c) == original_ips_.end()) {
    original_ips_.push_back(c);
  }
  if (std::string t(text);
      t != c && std::find(original_ips_.begin(), original_ips_.end(), t) == original_ips_.end()) {
    original_ips_.push_back(t);
  }
}

void Redactor::learn_sip(std::string_view raw) {
  // URI headers carry whole header values escaped (RFC 3261 §19.1.1: Refer-To
  // <sip:b@h?Replaces=id%40host%3Bto-tag%3D..>): learn from the unescaped text too.
  if (raw.find('%') != std::string_view::npos) {
    std::string plain = percent_decoded(raw);
    if (plain != raw) {
      // Each escaped "?name=value" / "&name=value" becomes a header line of its own.
      for (char& c : plain) {
        if (c == '?' || c == '&') c = '\n';
      }
      for (size_t eq = plain.find('='); eq != std::string::npos; eq = plain.find('=', eq + 1)) {
        if (eq > 0 && plain[plain.rfind('\n', eq) + 1] != ' ') {
          const size_t nl = plain.rfind('\n', eq);
          if (nl != std::string::npos && plain.find_first_of(" :<>", nl + 1) >= eq) plain[eq] = ':';
        }
      }
      learn_sip_text(plain);
    }
  }
  learn_sip_text(raw);
}

void Redactor::learn_sip_text(std::string_view raw) {
  size_t pos = 0;
  bool in_body = false;
  while (pos < raw.size()) {
    size_t eol = raw.find('\n', pos);
    if (eol == std::string_view::npos) eol = raw.size();
    std::string_view line = raw.substr(pos, eol - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = eol + 1;
    if (line.empty()) {
      in_body = true;
      continue;
    }
    // IP literals anywhere.
    for (size_t i = 0; i < line.size(); ++i) {
      if (i > 0 && (alnum(line[i - 1]) || line[i - 1] == '.')) continue;
      if (size_t n = ipv4_at(line, i)) {
        learn_ip(line.substr(i, n));
        i += n;
      } else if (size_t m = ipv6_at(line, i)) {
        learn_ip(line.substr(i, m));
        i += m;
      }
    }
    if (in_body) {
      // SDP o=<username> <sess-id> <sess-version> IN IP4 <address> (RFC 4566 §5.2).
      if (istarts(line, "o=")) {
        const auto sp = line.find(' ');
        if (sp != std::string_view::npos && line.substr(2, sp - 2) != "-") {
          learn_user(line.substr(2, sp - 2));
        }
        const auto last = line.rfind(' ');
        if (last != std::string_view::npos) learn_host(line.substr(last + 1));
      } else if (istarts(line, "c=")) {
        const auto last = line.rfind(' ');
        if (last != std::string_view::npos) {
          std::string_view a = line.substr(last + 1);
          if (auto slash = a.find('/'); slash != std::string_view::npos) a = a.substr(0, slash);
          learn_host(a);
        }
      }
      continue;
    }
    // URIs: sip:, sips:, tel: user parts and hosts (RFC 3261 §19.1.1, RFC 3966).
    for (std::string_view scheme : {"sips:", "sip:", "tel:"}) {
      size_t at = 0;
      while ((at = find_ci(line, scheme, at)) != std::string_view::npos) {
        if (at > 0 && alnum(line[at - 1])) {
          at += scheme.size();
          continue;
        }
        size_t i = at + scheme.size();
        size_t end = i;
        while (end < line.size() &&
               std::string_view(";>? \t,\"").find(line[end]) == std::string_view::npos) {
          ++end;
        }
        std::string_view rest = line.substr(i, end - i);
        if (scheme == "tel:") {
          learn_user(rest);
        } else {
          std::string_view host = rest;
          if (auto a = rest.rfind('@'); a != std::string_view::npos) {
            std::string_view userinfo = rest.substr(0, a);
            if (auto colon = userinfo.find(':'); colon != std::string_view::npos) {
              learn_user(userinfo.substr(colon + 1));  // password (deprecated, still seen)
              userinfo = userinfo.substr(0, colon);
            }
            learn_user(userinfo);
            host = rest.substr(a + 1);
          }
          if (!host.empty() && host.front() != '[') {
            if (auto colon = host.find(':'); colon != std::string_view::npos) {
              host = host.substr(0, colon);
            }
          }
          learn_host(host);
        }
        at = end;
      }
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = line.substr(colon + 1);
    // name-addr display names: the text before '<' of each comma-separated entry.
    size_t start = 0;
    while (true) {
      const auto lt = value.find('<', start);
      if (lt == std::string_view::npos) break;
      const auto prev = value.rfind(',', lt);
      const size_t from = prev == std::string_view::npos || prev < start ? start : prev + 1;
      learn_name(value.substr(from, lt - from));
      const auto gt = value.find('>', lt);
      if (gt == std::string_view::npos) break;
      start = gt + 1;
    }
    const std::string lname = to_lower(trim(name));
    if (lname == "via" || lname == "v") {
      // Via: SIP/2.0/UDP sent-by;params (RFC 3261 §20.42)
      std::string_view v = value;
      while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
      const auto sp = v.find_first_of(" \t");
      if (sp != std::string_view::npos) {
        std::string_view host = v.substr(sp + 1);
        while (!host.empty() && (host.front() == ' ' || host.front() == '\t'))
          host.remove_prefix(1);
        const auto endh = host.find_first_of(":;, \t");
        host = host.substr(0, endh);
        learn_host(host);
      }
    } else if (lname == "call-id" || lname == "i" || lname == "replaces" || lname == "join" ||
               lname == "target-dialog") {
      // The Call-ID as a whole (it often embeds a host or number), its local part (also
      // met alone, e.g. URI-escaped in a Refer-To ?Replaces=) and its host part. Replaces
      // (RFC 3891), Join (RFC 3911), Target-Dialog (RFC 4538) name another call's Call-ID.
      std::string_view id = value;
      if (lname != "call-id" && lname != "i") id = id.substr(0, id.find(';'));
      learn(id, 'c');
      if (auto at = id.find('@'); at != std::string_view::npos) {
        learn(id.substr(0, at), 'c');
        learn_host(id.substr(at + 1));
      }
    }
  }
}

void Redactor::learn_ladder(const Ladder& ladder) {
  for (const auto& c : ladder.calls) {
    learn(c.sip_call_id, 'c');
    if (c.from_user) learn_user(*c.from_user);
    if (c.to_user) learn_user(*c.to_user);
    if (c.from_uri) learn_sip("From: <" + *c.from_uri + ">\r\n");
    if (c.to_uri) learn_sip("To: <" + *c.to_uri + ">\r\n");
    if (c.caller_ip) learn_ip(*c.caller_ip);
    if (c.callee_ip) learn_ip(*c.callee_ip);
  }
  for (const auto& e : ladder.events) learn_sip(e.raw);
  for (const auto& s : ladder.streams) {
    learn_ip(s.src_ip);
    learn_ip(s.dst_ip);
  }
}

bool Redactor::clashes(const std::string& candidate) const {
  const std::string lc = to_lower(candidate);
  for (const auto& [o, v] : originals_) {
    if (lc.find(o) != std::string::npos || o.find(lc) != std::string::npos) return true;
  }
  for (const auto& o : original_ips_) {
    if (lc.find(o) != std::string::npos) return true;
  }
  return false;
}

std::string Redactor::token_for(const std::string& original, char kind) {
  for (int tries = 0; tries < 100000; ++tries) {
    std::string cand;
    if (kind == 'u' && all_digits(original)) {
      // Number-shaped, same length, so ladders keep their look.
      const bool plus = original[0] == '+';
      const size_t digits = original.size() - (plus ? 1 : 0);
      std::string n = std::to_string(next_user_++);
      if (n.size() < digits) n = std::string(digits - n.size(), '0') + n;
      cand = (plus ? "+" : "") + std::string("9") + n.substr(1);
    } else if (kind == 'u') {
      cand = "user" + std::to_string(next_user_++);
    } else if (kind == 'n') {
      cand = "Person " + std::to_string(next_name_++);
    } else if (kind == 's') {
      cand = "sdes" + std::to_string(next_sdes_++) + "@host.invalid";
    } else if (kind == 'c') {
      cand = "callid-" + std::to_string(next_call_++) + ".invalid";
    } else {
      cand = "host" + std::to_string(next_host_++) + ".invalid";
    }
    if (!clashes(cand)) return cand;
  }
  return "redacted";
}

std::string Redactor::ip(std::string_view text) {
  const std::string c = canonical_ip(text);
  if (c.empty() || unspecified(c)) return std::string(text);
  if (auto it = ips_.find(c); it != ips_.end()) return it->second;
  learn_ip(c);
  const bool v6 = c.find(':') != std::string::npos;
  std::string cand;
  for (int tries = 0; tries < 1000000; ++tries) {
    if (v6) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "fd00::%x", next_v6_++);
      cand = buf;
    } else {
      // 10.0.0.0/8 (RFC 1918): visibly private, never a real peer of the ticket.
      const uint32_t n = next_v4_++;
      cand = "10." + std::to_string((n >> 16) & 0xFF) + "." + std::to_string((n >> 8) & 0xFF) +
             "." + std::to_string(n & 0xFF);
    }
    bool taken = clashes(cand);
    for (const auto& [k, v] : ips_) taken = taken || v == cand;
    if (!taken) break;
  }
  ips_.emplace(c, cand);
  return cand;
}

std::array<uint8_t, 4> Redactor::ipv4(const std::array<uint8_t, 4>& original) {
  char buf[INET_ADDRSTRLEN];
  std::array<uint8_t, 4> out{};
  if (inet_ntop(AF_INET, original.data(), buf, sizeof buf) == nullptr) return out;
  const std::string p = ip(buf);
  if (inet_pton(AF_INET, p.c_str(), out.data()) != 1) out = {};
  return out;
}

std::array<uint8_t, 16> Redactor::ipv6(const std::array<uint8_t, 16>& original) {
  char buf[INET6_ADDRSTRLEN];
  std::array<uint8_t, 16> out{};
  if (inet_ntop(AF_INET6, original.data(), buf, sizeof buf) == nullptr) return out;
  const std::string p = ip(buf);
  if (inet_pton(AF_INET6, p.c_str(), out.data()) != 1) out = {};
  return out;
}

std::array<uint8_t, 6> Redactor::mac(const std::array<uint8_t, 6>& original) {
  static constexpr std::array<uint8_t, 6> kZero{};
  static constexpr std::array<uint8_t, 6> kBroadcast{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
  if (original == kZero || original == kBroadcast) return original;
  if (auto it = macs_.find(original); it != macs_.end()) return it->second;
  // Locally administered (bit 1 of the first octet, IEEE 802 §8.2); the group bit kept so
  // multicast stays multicast. No pseudonym equals an original: their first octet is
  // 02/03 with 00:00 after it, which real vendors' (OUI) addresses never have.
  std::array<uint8_t, 6> out{};
  do {
    const uint32_t n = next_mac_++;
    out = {static_cast<uint8_t>(0x02 | (original[0] & 0x01)),
           0,
           0,
           static_cast<uint8_t>(n >> 16),
           static_cast<uint8_t>(n >> 8),
           static_cast<uint8_t>(n)};
  } while (macs_.count(out) != 0U);
  macs_.emplace(original, out);
  return out;
}

std::string Redactor::sdes(std::string_view value) {
  if (value.empty()) return {};
  // The whole value is one original, also for text() elsewhere (a CNAME shown in a
  // report). Values learn() refuses (too short, protocol words) get a token of their own.
  learn(value, 's');
  const std::string key = to_lower(trim(value));
  if (auto it = originals_.find(key); it != originals_.end()) {
    if (it->second.second.empty()) it->second.second = token_for(key, it->second.first);
    return it->second.second;
  }
  if (!canonical_ip(key).empty()) return ip(key);
  auto [it, inserted] = short_sdes_.try_emplace(key);
  if (inserted) it->second = token_for(key, 's');
  return it->second;
}

std::string Redactor::text(std::string_view in) {
  if (!sorted_) {
    by_length_.clear();
    for (const auto& [k, v] : originals_) by_length_.push_back(k);
    std::stable_sort(
        by_length_.begin(), by_length_.end(),
        [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
    sorted_ = true;
  }
  std::string out;
  out.reserve(in.size() + 16);
  size_t line_start = 0;
  bool numeric_line = numeric_protocol_line(in);
  size_t i = 0;
  while (i < in.size()) {
    if (in[i] == '\n') {
      out += in[i++];
      line_start = i;
      numeric_line = numeric_protocol_line(in.substr(line_start));
      continue;
    }
    // A %XX escape ends a token too: a URI header such as Refer-To's ?Replaces= carries a
    // Call-ID with its '@' escaped (RFC 3261 §19.1.1), "%40192.0.2.10".
    const bool boundary = word_start(in, i);
    if (boundary && (i == 0 || in[i - 1] != '.')) {
      if (size_t n = ipv4_at(in, i); n != 0) {
        out += ip(in.substr(i, n));
        i += n;
        continue;
      }
      if (hex_or_colon(in[i]) && in[i] != '.') {
        if (size_t n = ipv6_at(in, i); n != 0) {
          out += ip(in.substr(i, n));
          i += n;
          continue;
        }
      }
    }
    if (boundary) {
      bool replaced = false;
      for (const auto& o : by_length_) {
        if (!istarts(in.substr(i), o)) continue;
        const size_t j = i + o.size();
        if (j < in.size() && alnum(in[j])) continue;
        auto& entry = originals_.at(o);
        if (numeric_line && all_digits(o)) continue;
        if (entry.second.empty()) entry.second = token_for(o, entry.first);
        out += entry.second;
        i = j;
        replaced = true;
        break;
      }
      if (replaced) continue;
    }
    out += in[i++];
  }
  return out;
}

std::string Redactor::sip(std::string_view raw) {
  // Credentials first: the whole header value goes (RFC 3261 §20.7 / §20.28), including
  // folded continuation lines.
  std::string stripped;
  stripped.reserve(raw.size());
  size_t pos = 0;
  bool dropping = false;
  const size_t header_end = raw.find("\r\n\r\n");
  while (pos < raw.size()) {
    size_t eol = raw.find('\n', pos);
    eol = eol == std::string_view::npos ? raw.size() : eol + 1;
    std::string_view line = raw.substr(pos, eol - pos);
    const bool in_headers = header_end == std::string_view::npos || pos < header_end + 2;
    if (in_headers && dropping && !line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      pos = eol;
      continue;
    }
    dropping = false;
    if (in_headers && (istarts(line, "Authorization:") || istarts(line, "Proxy-Authorization:") ||
                       istarts(line, "Authorization ") || istarts(line, "Proxy-Authorization "))) {
      const auto colon = line.find(':');
      stripped.append(line.substr(0, colon + 1));
      stripped += " [credentials removed by sipscope --redact]\r\n";
      dropping = true;
    } else {
      stripped.append(line);
    }
    pos = eol;
  }
  std::string out = text(stripped);
  // Keep Content-Length equal to the body length when it was (RFC 3261 §20.14), so the
  // redacted message still frames and decodes.
  const size_t old_sep = stripped.find("\r\n\r\n");
  const size_t new_sep = out.find("\r\n\r\n");
  if (old_sep == std::string::npos || new_sep == std::string::npos) return out;
  const size_t old_body = stripped.size() - old_sep - 4;
  const size_t new_body = out.size() - new_sep - 4;
  if (old_body == new_body) return out;
  size_t p = 0;
  while (p < new_sep) {
    size_t eol = out.find("\r\n", p);
    if (eol == std::string::npos || eol > new_sep) eol = new_sep;
    const std::string_view line(out.data() + p, eol - p);
    if (istarts(line, "Content-Length:") || istarts(line, "l:")) {
      const auto colon = line.find(':');
      const std::string value = trim(line.substr(colon + 1));
      if (value == std::to_string(old_body)) {
        out.replace(p + colon + 1, eol - p - colon - 1, " " + std::to_string(new_body));
      }
      break;
    }
    p = eol + 2;
  }
  return out;
}

std::string Redactor::endpoint(std::string_view address) {
  // "[v6]:port" or "v4:port"
  if (!address.empty() && address.front() == '[') {
    const auto close = address.find(']');
    if (close != std::string_view::npos) {
      return "[" + ip(address.substr(1, close - 1)) + "]" + std::string(address.substr(close + 1));
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
    c.sip_call_id = r.text(c.sip_call_id);
    opt(c.from_user);
    opt(c.to_user);
    opt(c.from_uri);
    opt(c.to_uri);
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
  for (auto* list : {&ladder.diagnostics, &ladder.anomalies}) {
    for (auto& f : *list) f.detail = r.text(f.detail);
  }
  ladder.redacted = true;
}

}  // namespace sipscope::export_
