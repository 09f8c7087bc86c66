// Redactor::text: free text rewritten token by token (IP literals, glued ones too, URIs,
// telephone numbers, domain names, learned originals), and the helpers it shares.
#include <arpa/inet.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>

#include "export/redact.hpp"
#include "export/redact_detail.hpp"

namespace sipscope::export_ {

namespace detail {

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

std::string_view strip(std::string_view s) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ','; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return s;
}

bool istarts(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (lower(s[i]) != lower(prefix[i])) return false;
  }
  return true;
}

std::string canonical_ip(std::string_view text) {
  if (text.size() < 2 || text.size() > 45) return {};
  const std::string s(text);
  unsigned char buf[16];
  char out[INET6_ADDRSTRLEN];
  const int family = s.find(':') == std::string::npos ? AF_INET : AF_INET6;
  if (inet_pton(family, s.c_str(), buf) != 1) return {};
  return inet_ntop(family, buf, out, sizeof out) != nullptr ? out : std::string();
}

bool unspecified_ip(std::string_view canonical) {
  return canonical == "0.0.0.0" || canonical == "::";
}

namespace {
// A dotted quad at s[i]; with word_after, letters may follow it ("192.0.2.7INVITE"), digits not.
size_t dotted_quad(std::string_view s, size_t i, bool word_after) {
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
  if (j < s.size() && (word_after ? digit(s[j]) : alnum(s[j]))) return 0;
  if (j + 1 < s.size() && s[j] == '.' && digit(s[j + 1])) return 0;
  return j - i;
}
}  // namespace

size_t ipv4_at(std::string_view s, size_t i) {
  return dotted_quad(s, i, false);
}

size_t ipv6_at(std::string_view s, size_t i) {
  size_t j = i;
  while (j < s.size() && j - i < 46 && (hexdigit(s[j]) || s[j] == ':' || s[j] == '.')) ++j;
  if (j < s.size() && (alnum(s[j]) || s[j] == '_')) return 0;
  size_t end = j;
  while (end > i && s[end - 1] == '.') --end;  // a sentence's full stop
  const std::string_view cand = s.substr(i, end - i);
  if (std::count(cand.begin(), cand.end(), ':') < 2) return 0;
  return canonical_ip(cand).empty() ? 0 : end - i;
}

std::string number_digits(std::string_view s) {
  std::string d;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (digit(c)) {
      d += c;
    } else if (!(c == '+' && i == 0) && c != ' ' && c != '-' && c != '.' && c != '(' && c != ')') {
      return {};
    }
  }
  return d.size() >= 3 ? d : std::string();
}

Digest hmac(std::span<const uint8_t> key, std::string_view domain, std::string_view text) {
  std::string msg(domain);
  msg += '\0';
  msg.append(text);
  Digest out{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), out.data(), &len);
  return out;
}

}  // namespace detail

using namespace detail;

namespace {

// s[i] starts a word: at the start, after a non-alphanumeric character, or right after a
// %XX escape ("id%40192.0.2.1": the address starts after "%40").
bool word_start(std::string_view s, size_t i) {
  if (i == 0 || !alnum(s[i - 1])) return true;
  return i >= 3 && s[i - 3] == '%' && hex_value(s[i - 2]) >= 0 && hex_value(s[i - 1]) >= 0;
}

// A telephone number at s[i] ("4155550123", "(415) 555-0123", "+1-415-555-0123",
// "+44 20 7946 0958", "415.555.0123"): 7 to 15 digits (E.164) in groups joined by one of
// " -." (or "(..) "), every group after the first of 2 digits or more, so SDP format lists
// ("0 8 101"), versions ("13.0.194.2") and branch counters ("524287-1") are not numbers.
// Returns its length, 0 if none.
size_t phone_at(std::string_view s, size_t i) {
  size_t j = i;
  if (j < s.size() && s[j] == '+') ++j;
  size_t digits = 0;
  size_t groups = 0;
  bool short_group = false;
  size_t end = 0;
  while (j < s.size()) {
    bool paren = false;
    if (s[j] == '(') {
      paren = true;
      ++j;
    }
    const size_t g = j;
    while (j < s.size() && digit(s[j])) ++j;
    const size_t n = j - g;
    if (n == 0) break;
    if (paren) {
      if (j >= s.size() || s[j] != ')') break;
      ++j;
    }
    if (groups > 0 && n < 2) short_group = true;
    ++groups;
    digits += n;
    end = j;
    if (j + 1 >= s.size()) break;
    const char sep = s[j];
    if (sep != ' ' && sep != '-' && sep != '.') break;
    if (!(digit(s[j + 1]) || s[j + 1] == '(')) break;
    ++j;
  }
  if (end == 0 || digits < 7 || digits > 15) return 0;
  if (short_group) return 0;  // "524287-1" of a Via branch, "0 8 101"
  if (end < s.size() &&
      (alnum(s[end]) || (s[end] == '.' && end + 1 < s.size() && digit(s[end + 1])))) {
    return 0;
  }
  return end - i;
}

// A domain name at s[i]: labels of letters, digits and '-' joined by '.', at least two,
// the last alphabetic (a TLD) of 2+ letters. Returns its length, 0 if none.
size_t host_at(std::string_view s, size_t i) {
  size_t j = i;
  size_t labels = 0;
  size_t last_start = i;
  while (j < s.size()) {
    const size_t b = j;
    while (j < s.size() && (alnum(s[j]) || s[j] == '-')) ++j;
    if (j == b) break;
    ++labels;
    last_start = b;
    if (j + 1 < s.size() && s[j] == '.' && alnum(s[j + 1])) {
      ++j;
      continue;
    }
    break;
  }
  if (labels < 2) return 0;
  const std::string_view tld = s.substr(last_start, j - last_start);
  if (tld.size() < 2 || !std::all_of(tld.begin(), tld.end(), alpha)) return 0;
  return j - i;
}

// An Authorization / Proxy-Authorization line at s[i] (line start): its length up to the
// end of its last continuation line (the final line end excluded), 0 if none.
size_t credentials_at(std::string_view s, size_t i) {
  const std::string_view line = s.substr(i);
  size_t name = 0;
  if (istarts(line, "authorization")) {
    name = 13;
  } else if (istarts(line, "proxy-authorization")) {
    name = 19;
  } else {
    return 0;
  }
  while (name < line.size() && (line[name] == ' ' || line[name] == '\t')) ++name;
  if (name >= line.size() || line[name] != ':') return 0;
  size_t end = i;
  while (true) {
    end = s.find('\n', end);
    if (end == std::string_view::npos) return s.size() - i;
    if (end + 1 < s.size() && (s[end + 1] == ' ' || s[end + 1] == '\t')) {
      ++end;
      continue;
    }
    return (end > i && s[end - 1] == '\r' ? end - 1 : end) - i;
  }
}

// A version in a product token: "FPBX-13.0.194.2", "Asterisk PBX 16.2.1", "v2.1": digits
// and dots with a dot in them, glued to a name or standing alone.
size_t version_at(std::string_view s, size_t i) {
  size_t j = i;
  bool dot = false;
  while (j < s.size() && (digit(s[j]) || s[j] == '.')) {
    dot = dot || s[j] == '.';
    ++j;
  }
  return dot ? j - i : 0;
}

}  // namespace

std::string Redactor::text(std::string_view in, TextRules rules) {
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
  size_t i = 0;
  while (i < in.size()) {
    if (i == 0 || in[i - 1] == '\n') {
      // Text that did not parse as SIP (a message cut by the slice): credential lines
      // still lose their value, with their continuation lines (RFC 3261 §20.7, §20.28).
      if (const size_t n = credentials_at(in, i)) {
        out.append(in.substr(i, in.find(':', i) + 1 - i));
        out += " [credentials removed by sipscope --redact]";
        i += n;
        continue;
      }
    }
    const char c = in[i];
    const bool start = word_start(in, i);
    // Digits glued to a token may end in an address ("z9hG4bK41192.168.1.2"): at the
    // start of each digit run, the address begins within its last three digits.
    if (digit(c) &&
        (i == 0 || (!digit(in[i - 1]) && (in[i - 1] != '.' || i < 2 || !digit(in[i - 2]))))) {
      size_t run = i;
      while (run < in.size() && digit(in[run])) ++run;
      if (rules.versions) {
        // A product version ("FPBX-13.0.194.2", "Version 2.0.51.16") is kept, unless it is
        // an address the calls use (every address of their packets and headers is learned
        // before any output is written).
        const size_t n = version_at(in, i);
        const size_t q = ipv4_at(in, i);
        const bool known =
            q != 0 && std::find(original_ips_.begin(), original_ips_.end(),
                                canonical_ip(in.substr(i, q))) != original_ips_.end();
        if (n != 0 && !known) {
          out.append(in.substr(i, n));
          i += n;
          continue;
        }
      }
      bool done = false;
      for (size_t from = run - std::min<size_t>(3, run - i); from < run && !done; ++from) {
        // A word of up to three digits is an address from its first digit only; a longer
        // run or one glued to a token may hold the address in its last digits.
        if (from > i && start && run - i <= 3) continue;
        size_t n = ipv4_at(in, from);
        if (n == 0) {
          // Glued on both sides ("z9hG4bK41192.168.1.2INVITE"): an address the calls use.
          n = dotted_quad(in, from, true);
          if (n != 0 && std::find(original_ips_.begin(), original_ips_.end(),
                                  canonical_ip(in.substr(from, n))) == original_ips_.end()) {
            n = 0;
          }
        }
        if (n != 0) {
          out.append(in.substr(i, from - i));
          out += ip(in.substr(from, n));
          i = from + n;
          done = true;
        }
      }
      if (done) continue;
    }
    if (start && (hexdigit(c) || c == ':') && (i == 0 || in[i - 1] != ':')) {
      if (const size_t n = ipv6_at(in, i)) {
        out += ip(in.substr(i, n));
        i += n;
        continue;
      }
    }
    if (start && rules.uris) {
      // URIs (RFC 3261 §19.1, RFC 3966): user and host through uri().
      if (istarts(in.substr(i), "sip:") || istarts(in.substr(i), "sips:") ||
          istarts(in.substr(i), "tel:")) {
        size_t e = i;
        while (e < in.size() &&
               std::string_view(" \t\r\n<>\",").find(in[e]) == std::string_view::npos) {
          ++e;
        }
        out += uri(in.substr(i, e - i));
        i = e;
        continue;
      }
    }
    if (start) {
      bool replaced = false;
      for (const auto& o : by_length_) {
        if (!istarts(in.substr(i), o)) continue;
        const size_t j = i + o.size();
        if (j < in.size() && alnum(in[j]) && alnum(o.back())) continue;
        const Entry& e = originals_.at(o);
        if (e.kind == Kind::number && !rules.digit_originals) continue;
        out += pseudonym(in.substr(i, o.size()), e.kind);
        i = j;
        replaced = true;
        break;
      }
      if (replaced) continue;
      if (rules.phones && (digit(c) || c == '+' || c == '(')) {
        if (const size_t n = phone_at(in, i)) {
          out += pseudonym(in.substr(i, n), Kind::number);
          i += n;
          continue;
        }
      }
      if (rules.hosts && alnum(c)) {
        if (const size_t n = host_at(in, i)) {
          out += pseudonym(in.substr(i, n), Kind::host);
          i += n;
          continue;
        }
      }
    }
    // The rest of a word is copied whole: originals match at word starts only.
    size_t j = i + 1;
    if (alpha(c)) {
      while (j < in.size() && alpha(in[j])) ++j;
    }
    out.append(in.substr(i, j - i));
    i = j;
  }
  return out;
}

}  // namespace sipscope::export_
