// What keeps `sipscope serve` safe to expose: the access token (generated, compared in
// constant time), the per-response CSP nonce, which listen addresses are loopback; and the
// cheap database change marker the live pages poll.
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

// Changes whenever a transaction is committed to the database at `path`: size and
// modification time of the file and of its WAL (O(1), whatever the number of calls; a
// checkpoint changes it too, which only costs the poller one refresh).
[[nodiscard]] std::string database_version(const std::string& path);

}  // namespace sipscope::web
