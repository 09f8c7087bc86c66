// Sub-grammars of SIP header values (RFC 3261 §20, §25.1), as pure functions over views.
// Called only when a consumer needs the field; results are views into the value passed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "decode/view_guard.hpp"

namespace sipscope::decode::sip {

// CSeq: 1*DIGIT LWS Method  (§20.16)
struct CSeq {
  uint32_t number = 0;
  std::string_view method;
};
[[nodiscard]] bool parse_cseq(std::string_view value, CSeq& out);
template <TemporaryBuffer T>
bool parse_cseq(T&&, CSeq&) = delete;  // views into a temporary

// name-addr / addr-spec as in From, To, Contact, Route (§20.10, §25.1):
//   "Alice" <sip:alice@atlanta.example.com>;tag=1928301774
struct NameAddr {
  std::string_view display_name;  // unquoted content (escapes kept), "" when absent
  std::string_view uri;           // inside <> or the bare addr-spec
  std::string_view params;        // header params after the URI, starting at the first ';'
};
[[nodiscard]] bool parse_name_addr(std::string_view value, NameAddr& out);
template <TemporaryBuffer T>
bool parse_name_addr(T&&, NameAddr&) = delete;  // views into a temporary

// SIP/SIPS/tel URI pieces (§19.1, RFC 3966). user is the user part ("" when absent); for
// tel: URIs it is the number.
struct Uri {
  std::string_view scheme;  // "sip", "sips", "tel", ...
  std::string_view user;
  std::string_view host;    // an IPv6 reference is returned without its [] brackets
  uint16_t port = 0;        // 0 when absent
  std::string_view params;  // ";..." uri-parameters
  // The host is an IPv6 address written without [] (invalid, RFC 5118 §4.2, but sent by
  // some UAs): accepted so the user part is known; the whole is the host, no port.
  bool unbracketed_ipv6 = false;
};
[[nodiscard]] bool parse_uri(std::string_view uri, Uri& out);
template <TemporaryBuffer T>
bool parse_uri(T&&, Uri&) = delete;  // views into a temporary

// Value of parameter `name` (case-insensitive) in a ";a=b;c" list; "" if absent or
// valueless. `found` tells the two apart. A quoted-string value is returned without its
// surrounding quotes (backslash escapes are kept).
[[nodiscard]] std::string_view param_value(std::string_view params, std::string_view name,
                                           bool* found = nullptr);
template <TemporaryBuffer T>
std::string_view param_value(T&&, std::string_view, bool* = nullptr) = delete;

// First via-parm of a Via value (§20.42): SIP/2.0/UDP host:port;branch=...;received=...
struct Via {
  std::string_view protocol;   // "SIP/2.0" (as written: may hold LWS around the '/')
  std::string_view transport;  // "UDP", "TCP", ...
  std::string_view host;       // sent-by host; IPv6 reference without [] brackets
  uint16_t port = 0;
  std::string_view branch;
  std::string_view received;
  std::string_view rport;  // value of rport ("" when valueless or absent)
  std::string_view params;
};
[[nodiscard]] bool parse_via(std::string_view value, Via& out);
template <TemporaryBuffer T>
bool parse_via(T&&, Via&) = delete;  // views into a temporary

// Calls fn(std::string_view item) for each comma-separated item of a header value,
// ignoring commas inside quotes and <>; items are trimmed. Returns the number of items.
template <typename Fn>
size_t for_each_value(std::string_view value, Fn&& fn);

// Copy of a value with folding (CRLF + WSP) replaced by single spaces (§7.3.1).
[[nodiscard]] std::string unfold(std::string_view value);

// Reason header (RFC 3326): protocol ("SIP" / "Q.850"), cause, text.
struct ReasonValue {
  std::string_view protocol;
  int cause = 0;
  std::string_view text;
};
[[nodiscard]] bool parse_reason(std::string_view value, ReasonValue& out);
template <TemporaryBuffer T>
bool parse_reason(T&&, ReasonValue&) = delete;  // views into a temporary

// ---- implementation of the template ----
namespace detail {
size_t next_item_end(std::string_view value, size_t start);
std::string_view trim(std::string_view s);
template <TemporaryBuffer T>
std::string_view trim(T&&) = delete;  // a view into a temporary
}  // namespace detail

template <typename Fn>
size_t for_each_value(std::string_view value, Fn&& fn) {
  size_t n = 0;
  size_t pos = 0;
  while (pos <= value.size()) {
    const size_t end = detail::next_item_end(value, pos);
    const auto item = detail::trim(value.substr(pos, end - pos));
    if (!item.empty()) {
      fn(item);
      ++n;
    }
    if (end >= value.size()) break;
    pos = end + 1;
  }
  return n;
}

}  // namespace sipscope::decode::sip
