// The one table of known SIP headers: canonical name, compact form (RFC 3261 §7.3.3 and
// later RFCs), defining RFC. Lookup is case-insensitive and allocation-free.
#pragma once

#include <cstdint>
#include <string_view>

namespace sipscope::decode::sip {

enum class HeaderId : uint8_t {
  other,  // not in the table; compare by name
  accept,
  accept_contact,  // a  RFC 3841
  allow,
  allow_events,  // u  RFC 6665
  authorization,
  call_id,           // i
  contact,           // m
  content_encoding,  // e
  content_length,    // l
  content_type,      // c
  cseq,
  event,  // o  RFC 6665
  expires,
  from,      // f
  identity,  // y  RFC 8224
  max_forwards,
  min_expires,
  p_asserted_identity,
  p_charging_vector,
  privacy,
  proxy_authenticate,
  proxy_authorization,
  rack,
  reason,  //    RFC 3326
  record_route,
  refer_to,             // r  RFC 3515
  referred_by,          // b  RFC 3892
  reject_contact,       // j  RFC 3841
  replaces,             //    RFC 3891
  request_disposition,  // d  RFC 3841
  require,
  route,
  rseq,
  server,
  session_expires,  // x  RFC 4028
  session_id,       //    RFC 7989
  subject,          // s
  subscription_state,
  supported,  // k
  to,         // t
  user_agent,
  via,  // v
  warning,
  www_authenticate,
};

struct HeaderInfo {
  HeaderId id;
  std::string_view name;  // canonical spelling
  char compact;           // 0 when there is none
  std::string_view rfc;   // defining document
};

// Case-insensitive lookup of a header name (full or compact). HeaderId::other if unknown.
[[nodiscard]] HeaderId lookup_header(std::string_view name);
[[nodiscard]] const HeaderInfo& header_info(HeaderId id);

// ASCII case-insensitive equality, the comparison RFC 3261 §7.3.1 asks for names.
[[nodiscard]] bool iequals(std::string_view a, std::string_view b);

}  // namespace sipscope::decode::sip
