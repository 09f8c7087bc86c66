#include "web/security.hpp"

#include <sys/stat.h>

#include <random>

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
  return host == "localhost" || host == "::1" || host == "[::1]" || host.rfind("127.", 0) == 0;
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
