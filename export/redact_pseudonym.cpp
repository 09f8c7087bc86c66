// Keyed pseudonyms: HMAC-SHA256 of kind and canonical original under the database's key,
// shaped by kind, never two originals on one pseudonym, never a pseudonym holding an original.
#include <arpa/inet.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "export/redact.hpp"
#include "export/redact_detail.hpp"

namespace sipscope::export_ {

using namespace detail;

namespace {

constexpr size_t kMinOriginal = 3;  // shorter ones match protocol tokens in free text
constexpr size_t kMaxOriginal = 200;

std::string hex_of(const Digest& d, size_t chars) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < chars; ++i) out += kHex[(d[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0xF];
  return out;
}

// Protocol words that odd URIs and SDP o= lines carry: replacing them in free text would
// break messages, and they identify nobody.
bool stop_word(const std::string& key) {
  static constexpr std::string_view kStop[] = {
      "sip",       "sips",      "tel",      "udp",      "tcp",      "tls",       "sctp",
      "user",      "phone",     "ip4",      "ip6",      "audio",    "video",     "invite",
      "ack",       "bye",       "cancel",   "options",  "register", "transport", "rport",
      "branch",    "tag",       "received", "maddr",    "ttl",      "method",    "expires",
      "localhost", "anonymous", "invalid",  "unknown",  "info",     "notify",    "refer",
      "message",   "update",    "prack",    "subscribe"};
  return std::find(std::begin(kStop), std::end(kStop), key) != std::end(kStop);
}

}  // namespace

std::vector<uint8_t> random_key() {
  std::vector<uint8_t> key(32);
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
    throw std::runtime_error("cannot draw a random redaction key (OpenSSL RAND_bytes failed)");
  }
  return key;
}

std::vector<uint8_t> parse_key_hex(std::string_view hex) {
  std::vector<uint8_t> key;
  if (hex.size() < 32 || hex.size() % 2 != 0 || hex.size() > 1024) return key;
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int a = hex_value(hex[i]);
    const int b = hex_value(hex[i + 1]);
    if (a < 0 || b < 0) return {};
    key.push_back(static_cast<uint8_t>(a * 16 + b));
  }
  return key;
}

Redactor::Redactor() : key_(random_key()) {}

Redactor::Redactor(std::span<const uint8_t> key, RedactOptions options)
    : key_(key.begin(), key.end()), options_(options) {
  if (key_.size() < 16) throw std::invalid_argument("a redaction key has at least 16 bytes");
}

void Redactor::learn(std::string_view original, Kind kind) {
  const std::string_view o = strip(original);
  if (o.size() < kMinOriginal || o.size() > kMaxOriginal) return;
  if (!canonical_ip(o).empty()) {
    learn_ip(o);
    return;
  }
  if (o.front() == '[') return;  // bracketed IPv6 host: its address is learned as an IP
  std::string key = to_lower(o);
  if (stop_word(key)) return;
  const std::string digits = number_digits(o);
  if (!digits.empty()) {
    // Short extensions (100, 2001) also occur as counts and payload types: a number is
    // replaced in free text from 4 digits on (in URIs whatever its length).
    if (digits.size() < 4) return;
    kind = Kind::number;
  }
  if (originals_.emplace(key, Entry{kind, {}}).second) sorted_ = false;
  if (!digits.empty() && digits != key) learn(digits, Kind::number);
}

void Redactor::learn_user(std::string_view user) {
  learn(user, Kind::user);
}

void Redactor::learn_name(std::string_view name) {
  const std::string_view n = strip(name);
  learn(n, Kind::name);
  // Each capitalised word of a display name too ("Roberta" of "Roberta Secretname"): it
  // turns up alone (a first name in a Subject). Lower-case words are not names.
  size_t i = 0;
  while (i < n.size()) {
    while (i < n.size() && !alpha(n[i])) ++i;
    size_t j = i;
    while (j < n.size() && (alpha(n[j]) || static_cast<unsigned char>(n[j]) >= 0x80)) ++j;
    if (j - i >= 4 && j - i < n.size() && n[i] >= 'A' && n[i] <= 'Z') {
      learn(n.substr(i, j - i), Kind::name);
    }
    i = j + 1;
  }
}

void Redactor::learn_host(std::string_view host) {
  learn(host, Kind::host);
}

void Redactor::learn_ip(std::string_view text) {
  const std::string c = canonical_ip(text);
  if (c.empty() || unspecified_ip(c)) return;
  for (const std::string& t : {c, std::string(text)}) {
    if (std::find(original_ips_.begin(), original_ips_.end(), t) == original_ips_.end()) {
      original_ips_.push_back(t);
    }
  }
}

bool Redactor::clashes(std::string_view candidate) const {
  const std::string lc = to_lower(candidate);
  for (const auto& [o, e] : originals_) {
    if (lc.find(o) != std::string::npos) return true;
  }
  for (const auto& o : original_ips_) {
    if (lc.find(o) != std::string::npos) return true;
  }
  return false;
}

std::string Redactor::token_for(const std::string& canonical, Kind kind, bool plus) {
  const std::string cache_key = std::string(1, static_cast<char>(kind)) + canonical;
  if (auto it = taken_.find(cache_key); it != taken_.end()) {
    return plus ? "+" + it->second : it->second;
  }
  std::string cand;
  for (int attempt = 0; attempt < 1000; ++attempt) {
    std::string domain(1, static_cast<char>(kind));
    domain += std::to_string(attempt);
    const Digest d = hmac(key_, domain, canonical);
    switch (kind) {
      case Kind::number:
        cand.clear();
        for (size_t i = 0; i < canonical.size(); ++i) {
          cand += static_cast<char>('0' + d[i % d.size()] % 10);
        }
        break;
      case Kind::user:
        cand = "user-" + hex_of(d, 8);
        break;
      case Kind::name:
        cand = "name-" + hex_of(d, 6);
        break;
      case Kind::host:
        cand = "host-" + hex_of(d, 6) + ".example.invalid";
        break;
      case Kind::call_id:
        cand = "callid-" + hex_of(d, 16);
        break;
      case Kind::sdes:
        cand = "sdes-" + hex_of(d, 8) + "@host.invalid";
        break;
    }
    const bool used = std::any_of(taken_.begin(), taken_.end(),
                                  [&](const auto& kv) { return kv.second == cand; });
    if (!used && !clashes(cand)) break;
  }
  taken_.emplace(cache_key, cand);
  return plus ? "+" + cand : cand;
}

std::string Redactor::pseudonym(std::string_view original, Kind kind) {
  const std::string_view o = strip(original);
  if (o.empty()) return {};
  if (!canonical_ip(o).empty()) return ip(o);
  const std::string digits = number_digits(o);
  if (!digits.empty() && (kind == Kind::user || kind == Kind::number || kind == Kind::name)) {
    learn(o, Kind::number);
    return token_for(digits, Kind::number, o.front() == '+');
  }
  if (kind == Kind::name) {
    learn_name(o);
  } else {
    learn(o, kind);
  }
  return token_for(to_lower(o), kind, false);
}

std::string Redactor::unlearned_pseudonym(std::string_view original, Kind kind) {
  const std::string_view o = strip(original);
  if (!canonical_ip(o).empty()) return ip(o);
  const std::string digits = number_digits(o);
  if (!digits.empty()) return token_for(digits, Kind::number, o.front() == '+');
  return token_for(to_lower(o), kind, false);
}

std::string Redactor::ip(std::string_view text) {
  const std::string c = canonical_ip(text);
  if (c.empty() || unspecified_ip(c)) return std::string(text);
  if (auto it = ips_.find(c); it != ips_.end()) return it->second;
  learn_ip(c);
  const bool v6 = c.find(':') != std::string::npos;
  std::string cand;
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const Digest d = hmac(key_, "ip" + std::to_string(attempt), c);
    if (v6) {
      // fd00::/8 unique local (RFC 4193): visibly private, never a real peer.
      char buf[64];
      (void)std::snprintf(buf, sizeof buf, "fd00::%x:%x:%x:%x", d[0] << 8 | d[1], d[2] << 8 | d[3],
                          d[4] << 8 | d[5], d[6] << 8 | d[7]);
      cand = canonical_ip(buf);
    } else {
      // 10.0.0.0/8 (RFC 1918); host parts 0 and 255 avoided.
      if (d[2] == 0 || d[2] == 255) continue;
      cand = "10." + std::to_string(d[0]) + "." + std::to_string(d[1]) + "." + std::to_string(d[2]);
    }
    bool used = clashes(cand);
    for (const auto& [k, v] : ips_) used = used || v == cand;
    if (!used) break;
  }
  ips_.emplace(c, cand);
  return cand;
}

namespace {

// An address in binary form through its text pseudonym (one mapping for pcap headers and
// SIP text).
template <int Family, size_t N>
std::array<uint8_t, N> binary_pseudonym(Redactor& r, const std::array<uint8_t, N>& original) {
  char buf[INET6_ADDRSTRLEN];
  std::array<uint8_t, N> out{};
  if (inet_ntop(Family, original.data(), buf, sizeof buf) == nullptr) return out;
  const std::string p = r.ip(buf);
  if (inet_pton(Family, p.c_str(), out.data()) != 1) out = {};
  return out;
}

}  // namespace

std::array<uint8_t, 4> Redactor::ipv4(const std::array<uint8_t, 4>& original) {
  return binary_pseudonym<AF_INET>(*this, original);
}

std::array<uint8_t, 16> Redactor::ipv6(const std::array<uint8_t, 16>& original) {
  return binary_pseudonym<AF_INET6>(*this, original);
}

std::array<uint8_t, 6> Redactor::mac(const std::array<uint8_t, 6>& original) {
  static constexpr std::array<uint8_t, 6> kZero{};
  static constexpr std::array<uint8_t, 6> kBroadcast{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
  if (original == kZero || original == kBroadcast) return original;
  if (auto it = macs_.find(original); it != macs_.end()) return it->second;
  // Locally administered (IEEE 802 §8.2), the group bit kept; 02:00 / 03:00 then 32 bits
  // of the HMAC: no vendor (OUI) address starts so.
  std::array<uint8_t, 6> out{};
  const std::string text(reinterpret_cast<const char*>(original.data()), original.size());
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const Digest d = hmac(key_, "mac" + std::to_string(attempt), text);
    out = {static_cast<uint8_t>(0x02 | (original[0] & 0x01)), 0, d[0], d[1], d[2], d[3]};
    const bool used =
        std::any_of(macs_.begin(), macs_.end(), [&](const auto& kv) { return kv.second == out; });
    if (!used) break;
  }
  macs_.emplace(original, out);
  return out;
}

std::string Redactor::sdes(std::string_view value) {
  if (value.empty()) return {};
  // Replaced where it stands, not learned for free text: TOOL items name products ("SIPPS")
  // that User-Agent shows too; a CNAME's address is learned from the packets anyway.
  if (!canonical_ip(strip(value)).empty()) return ip(strip(value));
  return unlearned_pseudonym(value, Kind::sdes);
}

}  // namespace sipscope::export_
