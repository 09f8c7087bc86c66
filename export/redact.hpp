// Redaction for outputs that leave the company (`--redact` on show, report and export): one
// implementation for every output, built on decode/'s SIP, URI and SDP parsers. Identities
// become keyed pseudonyms — HMAC-SHA256 under a per-database key (store/redaction_key.hpp)
// or the user's --redact-key — so one database gives the same party the same pseudonym in
// every output; credentials, SRTP keys and (unless kept) DTMF digits are removed. What is
// replaced, removed and kept: docs/ladder-json.md "Redaction".
//
//   export_::Redactor r(key);
//   r.learn_ladder(ladder);              // every identity of the calls, from the parsers
//   export_::redact_ladder(ladder, r);   // every string of the ladder, ladder.redacted = true
//   std::string sip = r.sip(raw);        // Content-Length kept consistent with the new body
//
// Free text (labels, findings, text bodies) is rewritten by the same rules: IP literals
// (also glued to a token, e.g. a Via branch), telephone numbers in any usual form, URIs,
// and every value learned from a structured place (display names, users, hosts, Call-IDs,
// icid values) at word boundaries, case-insensitively.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "report/ladder.hpp"

namespace sipscope::export_ {

using report::Ladder;

struct RedactOptions {
  bool keep_dtmf = false;  // --keep-dtmf: RFC 4733 events and INFO dtmf-relay digits kept
};

// What an original is; picks the pseudonym's shape (docs/ladder-json.md "Redaction").
enum class Kind : char {
  user = 'u',     // user-3f9a2c5b
  number = 'd',   // same number of digits (a '+' kept)
  name = 'n',     // name-3f9a2c
  host = 'h',     // host-3f9a2c.example.invalid
  call_id = 'c',  // callid-3f9a2c5b1d7e9a0c (Call-ID, Replaces, icid-value)
  sdes = 's',     // sdes-3f9a2c5b@host.invalid
};

// How a piece of text is rewritten (redact_text.cpp); the defaults suit free text.
struct TextRules {
  bool phones = true;           // digit runs that are telephone numbers
  bool hosts = true;            // domain-like tokens (a.b.example)
  bool digit_originals = true;  // learned digit-only originals (off in numeric SDP lines)
  bool versions = false;        // Server/User-Agent: "FPBX-13.0.194.2" is a version, kept
  bool uris = true;             // sip:/sips:/tel: URIs through uri()
};

class Redactor {
 public:
  // A fresh random key: pseudonyms consistent within this Redactor only.
  Redactor();
  // key: at least 16 bytes (store::redaction_key, or --redact-key).
  explicit Redactor(std::span<const uint8_t> key, RedactOptions options = {});

  // Identities found in one SIP message (request URI, every header, bodies).
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
  // Pseudonym of a MAC address: locally administered (02:.., 03:.. for group addresses);
  // broadcast and all-zero addresses stay as they are.
  [[nodiscard]] std::array<uint8_t, 6> mac(const std::array<uint8_t, 6>& original);
  // An RTCP SDES item (CNAME "user@host", NAME, EMAIL, PHONE ...; RFC 3550 §6.5): the whole
  // value becomes one pseudonym.
  [[nodiscard]] std::string sdes(std::string_view value);
  // An RTP packet (RFC 3550 §5.1): RFC 4733 telephone events (payload types learned from
  // SDP rtpmap lines) lose their digit unless keep_dtmf; anything else as it is.
  [[nodiscard]] std::vector<uint8_t> rtp(std::span<const uint8_t> packet) const;

  // Any text: see TextRules.
  [[nodiscard]] std::string text(std::string_view in, TextRules rules = {});
  // A SIP message (or a fragment that does not parse: then text()), header by header.
  [[nodiscard]] std::string sip(std::string_view raw);
  // A piece of a SIP message cut by its transport (an SCTP DATA fragment, the tail of a TCP
  // stream): sip() when it starts a message; else text(), except that a MIME part header
  // block ("Content-Type: ..." up to a blank line) has its content read as that type up to
  // the next "--" delimiter line (an ISUP part in the last fragment).
  [[nodiscard]] std::string fragment(std::string_view piece);
  // "ip:port" / "[v6]:port" as the ladder writes addresses.
  [[nodiscard]] std::string endpoint(std::string_view address);
  // A URI (sip:, sips:, tel:; others as text): user and host replaced.
  [[nodiscard]] std::string uri(std::string_view uri);

  // The pseudonym of `original` as `kind` (learned for free text too).
  [[nodiscard]] std::string pseudonym(std::string_view original, Kind kind);
  [[nodiscard]] bool keep_dtmf() const { return options_.keep_dtmf; }

 private:
  struct Entry {
    Kind kind;
    std::string pseudonym;
  };
  void learn(std::string_view original, Kind kind);
  // The pseudonym, without learning the original for free text.
  std::string unlearned_pseudonym(std::string_view original, Kind kind);
  std::string token_for(const std::string& canonical, Kind kind, bool plus);
  [[nodiscard]] bool clashes(std::string_view candidate) const;
  void note_telephone_event(int payload_type);
  std::string body(std::string_view content_type, std::string_view body);
  std::string sdp(std::string_view body);
  std::string multipart(std::string_view boundary, std::string_view body);
  std::string dtmf_relay(std::string_view body) const;
  std::string isup(std::string_view body);
  std::string rest_of_message(std::string_view piece);

  static constexpr int kMaxDepth = 8;  // nested bodies (multipart, sipfrag) followed

  std::vector<uint8_t> key_;
  RedactOptions options_;
  // lower-cased original -> pseudonym, for free text (longest first when matching)
  std::map<std::string, Entry> originals_;
  std::vector<std::string> by_length_;
  bool sorted_ = true;
  std::map<std::string, std::string> taken_;  // pseudonym -> canonical original
  std::map<std::string, std::string> ips_;    // canonical IP text -> pseudonym text
  std::vector<std::string> original_ips_;
  std::map<std::array<uint8_t, 6>, std::array<uint8_t, 6>> macs_;
  std::vector<bool> telephone_event_pt_ = std::vector<bool>(128, false);
  int depth_ = 0;
  // A message cut by its transport (fragment()): its head, what Content-Length declared,
  // and the body bytes seen so far before and after redaction. Once its last piece went
  // by, cut_lengths_ holds the redacted body's length for the head's Content-Length (the
  // slice goes through every frame twice: the second pass writes it).
  struct Cut {
    std::string head;
    size_t declared = 0, old_seen = 0, new_seen = 0;
  };
  std::optional<Cut> cut_;
  std::map<std::string, size_t> cut_lengths_;
};

// Rewrites every string of the ladder (calls, participants, events, streams, findings).
void redact_ladder(Ladder& ladder, Redactor& redactor);

// An RTCP BYE (RFC 3550 §6.6) with its reason text removed, appended to `out`.
void redact_rtcp_bye(std::span<const uint8_t> packet, std::vector<uint8_t>& out);

// A key from --redact-key: hex digits, at least 32 (16 bytes). Empty when malformed.
[[nodiscard]] std::vector<uint8_t> parse_key_hex(std::string_view hex);
// 32 random bytes (OpenSSL RAND_bytes).
[[nodiscard]] std::vector<uint8_t> random_key();

}  // namespace sipscope::export_
