// Redaction for outputs that leave the company (`--redact` on show, report and export):
// consistent pseudonyms within one output — the same original always becomes the same
// token — for URI user parts and phone numbers, display names, IP addresses and host
// names; Authorization / Proxy-Authorization credentials (RFC 3261 §20.7, §20.28) are
// removed. One Redactor is used for one output: learn everything first (learn_ladder),
// then rewrite; IP addresses met later (pcap headers) get pseudonyms on the fly.
//
//   export_::Redactor r;
//   r.learn_ladder(ladder);
//   export_::redact_ladder(ladder, r);   // every string of the ladder, ladder.redacted = true
//   std::string sip = r.sip(raw);       // Content-Length kept consistent with the new body
//
// Limits (docs/ladder-json.md "Redaction"): originals shorter than 3 characters are not
// replaced (they would match protocol tokens such as `s=`); digit-only originals are not
// replaced inside numeric protocol lines (status line, CSeq, Content-Length, ...).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "report/ladder.hpp"

namespace sipscope::export_ {

using report::Ladder;

class Redactor {
 public:
  // Identities found in one SIP message (URIs, display names, Via and Call-ID hosts, SDP
  // o= user and addresses).
  void learn_sip(std::string_view raw);
  void learn_ladder(const Ladder& ladder);
  void learn_ip(std::string_view ip);
  void learn_user(std::string_view user);
  void learn_name(std::string_view name);
  void learn_host(std::string_view host);

  // Pseudonym of an IP address in text form ("192.0.2.1", "2001:db8::1"); the input
  // itself when it is not an address.
  [[nodiscard]] std::string ip(std::string_view text);
  [[nodiscard]] std::array<uint8_t, 4> ipv4(const std::array<uint8_t, 4>& original);
  [[nodiscard]] std::array<uint8_t, 16> ipv6(const std::array<uint8_t, 16>& original);
  // Pseudonym of a MAC address: locally administered (02:.., 03:.. for group addresses),
  // consistent within the output; broadcast and all-zero addresses stay as they are.
  [[nodiscard]] std::array<uint8_t, 6> mac(const std::array<uint8_t, 6>& original);
  // An RTCP SDES item (CNAME "user@host", NAME, EMAIL, PHONE ...; RFC 3550 §6.5): the whole
  // value becomes one pseudonym.
  [[nodiscard]] std::string sdes(std::string_view value);

  // Any text: IP literals and learned originals replaced.
  [[nodiscard]] std::string text(std::string_view in);
  // A SIP message: text() plus credentials removed and Content-Length fixed.
  [[nodiscard]] std::string sip(std::string_view raw);
  // "ip:port" / "[v6]:port" as the ladder writes addresses.
  [[nodiscard]] std::string endpoint(std::string_view address);

 private:
  void learn(std::string_view original, char kind);
  void learn_sip_text(std::string_view raw);
  std::string token_for(const std::string& original, char kind);
  bool clashes(const std::string& candidate) const;

  // lower-cased original -> (kind, pseudonym); kind 'u' user, 'n' name, 'h' host,
  // 'c' Call-ID, 's' SDES item.
  std::map<std::string, std::pair<char, std::string>> originals_;
  std::vector<std::string> by_length_;  // keys of originals_, longest first (lazily)
  bool sorted_ = true;
  std::map<std::string, std::string> ips_;  // canonical IP text -> pseudonym text
  std::vector<std::string> original_ips_;
  std::map<std::array<uint8_t, 6>, std::array<uint8_t, 6>> macs_;
  std::map<std::string, std::string> short_sdes_;  // SDES values learn() does not keep
  uint32_t next_v4_ = 1, next_v6_ = 1, next_user_ = 1, next_name_ = 1, next_host_ = 1,
           next_call_ = 1, next_mac_ = 1, next_sdes_ = 1;
};

// Rewrites every string of the ladder (calls, participants, events, streams, findings).
void redact_ladder(Ladder& ladder, Redactor& redactor);

}  // namespace sipscope::export_
