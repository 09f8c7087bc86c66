// Small header-value readers shared by the non-call activity trackers (keep-alives,
// subscriptions, MESSAGE/PUBLISH, session timers): delta-seconds (RFC 3261 §25.1),
// "token;params" values such as Event (RFC 6665 §8.2.1), Subscription-State (§8.2.3)
// and Session-Expires (RFC 4028 §4), the user part of a URI, and headers looked up by
// name when the header table has no id for them (SIP-ETag, SIP-If-Match: RFC 3903 §11).
// Results are views into the value passed (or owned copies where a std::string is returned).
//
//   auto tp = split_token_params("active;expires=600");  // tp.token == "active"
//   auto n = delta_seconds(param_value(tp.params, "expires"));  // 600
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "decode/sip/message.hpp"
#include "decode/view_guard.hpp"

namespace sipscope::correlate {

// 1*DIGIT with surrounding whitespace allowed, at most 2**32-1; nullopt when empty or not
// a number (a value too large for int64 included).
[[nodiscard]] std::optional<int64_t> delta_seconds(std::string_view v);

struct TokenParams {
  std::string_view token;   // trimmed
  std::string_view params;  // from the first ';' on ("" when none)
};
[[nodiscard]] TokenParams split_token_params(std::string_view value);
template <decode::TemporaryBuffer T>
TokenParams split_token_params(T&&) = delete;  // views into a temporary

// User part of a SIP/SIPS/tel URI; nullopt when there is none.
[[nodiscard]] std::optional<std::string> uri_user(std::string_view uri);

// Value of the first header named `name` (case-insensitive); nullopt when absent.
[[nodiscard]] std::optional<std::string> header_copy(const decode::sip::Message& m,
                                                     std::string_view name);

}  // namespace sipscope::correlate
