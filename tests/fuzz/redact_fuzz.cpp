// Redactor (export/redact.hpp): the input as a SIP message, as free text, as a URI; then its
// bytes (reduced to letters, '.', '-' and blanks) fill the free parts of a message that
// decode/ parses, beside planted secret markers, none of which may survive redaction. Compiled into
// export_tests (replayed by redact_fuzz_replay_test.cpp), not decode_tests: it links export/.
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

#include "export/redact.hpp"
#include "tests/fuzz/targets.hpp"

namespace sipscope::fuzz {

namespace {

// Fuzz bytes that cannot spell a marker (no digits, no 'q') nor change the template's
// structure (no CR, LF, quotes, brackets, separators).
std::string tame(std::string_view s, bool blanks) {
  std::string out;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((std::isalpha(u) != 0 && std::tolower(u) != 'q') || c == '.' || c == '-' ||
        (blanks && c == ' ')) {
      out += c;
    }
  }
  return out;
}

}  // namespace

int redact_one_input(const uint8_t* data, size_t size) {
  static const std::vector<uint8_t> kKey(32, 0x42);
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  {
    export_::Redactor r(kKey);
    (void)r.sip(in);
    (void)r.text(in);
    (void)r.uri(in);
    (void)r.sdes(in);
    (void)r.endpoint(in);
    (void)r.rtp(std::span<const uint8_t>(data, size));
  }
  // Pieces of the input, split at NUL bytes.
  std::vector<std::string> p(4);
  size_t k = 0;
  for (const char c : in) {
    if (c == '\0') {
      k = (k + 1) % p.size();
    } else {
      p[k] += c;
    }
  }
  // p[0] goes into URIs (no blanks there: the start line would not parse).
  for (size_t i = 0; i < p.size(); ++i) p[i] = tame(p[i], i != 0);
  const std::string sdp = "v=0\r\no=qqsdpuser 1 1 IN IP4 198.51.100.77\r\ns=" + p[3] +
                          "\r\nc=IN IP4 198.51.100.77\r\nt=0 0\r\nm=audio 4000 RTP/SAVP 0\r\n"
                          "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:QQKEYQQKEYQQKEYQQKEY|2^20\r\n";
  const std::string msg =
      "INVITE sip:qquser" + p[0] + "@qqhost.example.com SIP/2.0\r\n" +
      "v: SIP/2.0/UDP 198.51.100.77:5060;branch=z9hG4bK" + p[1] + "198.51.100.77\r\n" +
      "f: \"Qqname " + p[2] + "\" <sip:qquser" + p[0] + "@qqhost.example.com>;tag=" + p[1] +
      "\r\nt:\r\n \"Qqfolded " + p[2] + "\" <tel:+14155550199>\r\ni: qqcallid" + p[1] +
      "@qqhost.example.com\r\nCSeq: 1 INVITE\r\nX-" + (p[3].empty() ? "A" : "B") + ": 4155550199 " +
      p[3] + "\r\nP-Charging-Vector: icid-value=qqicid" + p[1] +
      "\r\nAuthorization: Digest username=\"" + p[0] + "\", response=\"qqresponse\"\r\n" +
      "c: application/sdp\r\nl: " + std::to_string(sdp.size()) + "\r\n\r\n" + sdp;
  export_::Redactor r(kKey);
  r.learn_sip(msg);
  std::string out = r.sip(msg);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* marker : {"qq", "4155550199", "198.51.100.77"}) {
    if (out.find(marker) != std::string::npos) __builtin_trap();
  }
  return 0;
}

}  // namespace sipscope::fuzz

SIPSCOPE_FUZZ_TARGET(redact)
