// The web server's checks: constant-time token comparison, loopback listen addresses, random
// hex for tokens and nonces, and the database change marker (security.hpp).
#include "web/security.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/stat.h>

#include <random>
#include <string>

namespace sipscope::web {

bool token_equals(std::string_view given, std::string_view expected) {
  // Every byte of `expected` is visited whatever `given` holds; the length difference is
  // folded in instead of returning early.
  unsigned diff = given.size() == expected.size() ? 0U : 1U;
  for (size_t i = 0; i < expected.size(); ++i) {
    const unsigned char g = i < given.size() ? static_cast<unsigned char>(given[i]) : 0U;
    diff |= g ^ static_cast<unsigned char>(expected[i]);
  }
  return diff == 0U && !expected.empty();
}

std::string random_hex(size_t bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::random_device rd;  // getrandom(2) on Linux with libstdc++
  std::string out;
  out.reserve(bytes * 2);
  for (size_t i = 0; i < bytes; ++i) {
    const auto b = static_cast<unsigned>(rd() & 0xFFU);
    out += kHex[b >> 4U];
    out += kHex[b & 0xFU];
  }
  return out;
}

bool is_loopback(std::string_view host) {
  if (host == "localhost") return true;
  // An address, not a name: "127.x.example" resolves wherever its owner says.
  std::string text(host);
  if (text.size() > 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24U) == 127U;
  in6_addr v6{};
  return inet_pton(AF_INET6, text.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

std::string database_version(const std::string& path) {
  std::string out;
  for (const std::string& file : {path, path + "-wal"}) {
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) continue;
    out += std::to_string(st.st_size) + "." + std::to_string(st.st_mtim.tv_sec) + "." +
           std::to_string(st.st_mtim.tv_nsec) + ";";
  }
  return out;
}

}  // namespace sipscope::web
