// Compile-time guard for the parsers that return views into their input: a temporary
// owning buffer (std::string, byte vector) dies at the end of the call's full-expression
// and would leave every view dangling. Each such parser declares a deleted overload
//
//   template <TemporaryBuffer T> ParseResult parse_message(T&&, Message&, ...) = delete;
//
// so `parse_message(read_file(), msg)` does not compile while lvalues, string_views, spans
// and string literals still choose the real parser (tests/decode/view_guard_test.cpp).
#pragma once

#include <concepts>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

namespace sipscope::decode {

// T as deduced by a forwarding reference T&&: a non-reference T means an rvalue argument.
template <typename T>
concept TemporaryBuffer =
    !std::is_reference_v<T> && (std::same_as<std::remove_cv_t<T>, std::string> ||
                                std::same_as<std::remove_cv_t<T>, std::vector<uint8_t>>);

}  // namespace sipscope::decode
