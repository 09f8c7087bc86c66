// SIP message parser and the header sub-grammars the correlator calls (CSeq, Via,
// name-addr, URI). Input: byte 0 selects datagram/stream and lenient mode; the rest is
// the message text.
#include <string_view>

#include "decode/sip/fields.hpp"
#include "decode/sip/message.hpp"
#include "tests/fuzz/targets.hpp"

namespace sipscope::fuzz {

int sip_one_input(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const decode::sip::ParseOptions options{.datagram = (data[0] & 1) != 0,
                                          .lenient = (data[0] & 2) != 0};
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  static decode::sip::Message message;  // reused, as the Decoder does
  const decode::sip::ParseResult r = decode::sip::parse_message(text, message, options);
  if (r.consumed > text.size()) __builtin_trap();  // the framing invariant
  (void)decode::sip::looks_like_sip(text);
  if (r.error != decode::sip::ParseError::ok) return 0;
  size_t sum = message.body().size();
  for (const auto& h : message.headers()) {
    decode::sip::CSeq cseq;
    decode::sip::Via via;
    decode::sip::NameAddr name_addr;
    decode::sip::Uri uri;
    sum += decode::sip::parse_cseq(h.value, cseq) + decode::sip::parse_via(h.value, via) +
           decode::sip::parse_name_addr(h.value, name_addr) + decode::sip::parse_uri(h.value, uri);
    sum += decode::sip::unfold(h.value).size();
  }
  return sum == 0xdeadbeef ? 1 : 0;
}

}  // namespace sipscope::fuzz

SIPSCOPE_FUZZ_TARGET(sip)
