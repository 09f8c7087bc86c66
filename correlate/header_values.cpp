#include "correlate/header_values.hpp"

#include <algorithm>
#include <charconv>

#include "decode/sip/fields.hpp"

namespace sipscope::correlate {

namespace sip = decode::sip;

std::optional<int64_t> delta_seconds(std::string_view v) {
  v = sip::detail::trim(v);
  int64_t n = 0;
  const auto r = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || r.ec != std::errc() || r.ptr != v.data() + v.size() || n < 0) {
    return std::nullopt;
  }
  // RFC 3261 §20.19/§25.1: delta-seconds beyond 2**32-1 mean 2**32-1; keeps *1e6 in range.
  return std::min<int64_t>(n, 4294967295);
}

TokenParams split_token_params(std::string_view value) {
  const size_t semi = value.find(';');
  if (semi == std::string_view::npos) return {sip::detail::trim(value), {}};
  return {sip::detail::trim(value.substr(0, semi)), value.substr(semi)};
}

std::optional<std::string> uri_user(std::string_view uri) {
  sip::Uri u;
  if (uri.empty() || !sip::parse_uri(uri, u) || u.user.empty()) return std::nullopt;
  return std::string(u.user);
}

std::optional<std::string> header_copy(const sip::Message& m, std::string_view name) {
  const sip::Header* h = m.find(name);
  if (h == nullptr) return std::nullopt;
  return std::string(h->value);
}

}  // namespace sipscope::correlate
