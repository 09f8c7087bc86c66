// Text <-> enum for the enums stored as text columns (transport, anomaly kind, and
// correlate/'s states and kinds): each enum has one name function, and its parse function
// is this walk over the values comparing names, so the two can never disagree.
//
//   std::optional<Transport> t = enum_from_name("TLS", Transport::sctp, transport_name);
#pragma once

#include <optional>
#include <string_view>
#include <type_traits>

namespace sipscope::decode {

// The value of E (0 .. last, contiguous) whose name(value) is `text`; nullopt if none.
template <typename E, typename NameFn>
[[nodiscard]] constexpr std::optional<E> enum_from_name(std::string_view text, E last,
                                                        NameFn name) {
  using U = std::underlying_type_t<E>;
  for (U i = 0; i <= static_cast<U>(last); ++i) {
    if (name(static_cast<E>(i)) == text) return static_cast<E>(i);
  }
  return std::nullopt;
}

}  // namespace sipscope::decode
