// What keeps `sipscope serve` safe to expose: the access token (generated, compared in
// constant time), the per-response CSP nonce, and which listen addresses are loopback.
#pragma once

#include <string>
#include <string_view>

namespace sipscope::web {

// Equal in time that depends only on the expected token's length, not on where the
// given one first differs.
[[nodiscard]] bool token_equals(std::string_view given, std::string_view expected);

// `bytes` random bytes from the OS (std::random_device), as lower-case hex.
[[nodiscard]] std::string random_hex(size_t bytes);

// 127.0.0.0/8, ::1 and "localhost": reachable only from this machine.
[[nodiscard]] bool is_loopback(std::string_view host);

}  // namespace sipscope::web
