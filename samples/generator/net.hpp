// Addresses, endpoints and the deterministic random source used by sipscope-gen.
//
// The generator renders every scenario over IPv4 or IPv6 from the same script: a
// scenario names hosts by IPv4 dotted quads from the RFC 5737 documentation ranges and
// make_address() maps them into 2001:db8::/32 (RFC 3849) when --ipv6 is given, writing
// each decimal octet as a hex group so the mapping stays readable (192.0.2.10 ->
// 2001:db8::192:0:2:10). Rng is splitmix64: identical output on every platform, so the
// same --seed always gives byte-identical files (std:: distributions are not portable).
//
//   Rng rng(1);
//   Endpoint alice{make_address(192, 0, 2, 10, ipv6), 5060};
//   alice.host_port();  // "192.0.2.10:5060" or "[2001:db8::192:0:2:10]:5060"
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace sipscope::gen {

struct Address {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  // first 4 used for IPv4
  std::string text;                      // RFC 5952 text form (inet_ntop)
};

[[nodiscard]] Address make_address(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d,
                                   bool ipv6);

struct Endpoint {
  Address ip;
  std::uint16_t port = 0;

  // Host as written in SIP/URIs: brackets around IPv6 (RFC 3261 §25.1 IPv6reference).
  [[nodiscard]] std::string sip_host() const { return ip.v6 ? "[" + ip.text + "]" : ip.text; }
  [[nodiscard]] std::string host_port() const { return sip_host() + ":" + std::to_string(port); }
};

// Network byte order (big-endian) appends for the packet builders.
inline void be16(std::vector<std::uint8_t>& v, std::uint16_t x) {
  v.push_back(static_cast<std::uint8_t>(x >> 8));
  v.push_back(static_cast<std::uint8_t>(x & 0xff));
}
inline void be32(std::vector<std::uint8_t>& v, std::uint32_t x) {
  be16(v, static_cast<std::uint16_t>(x >> 16));
  be16(v, static_cast<std::uint16_t>(x & 0xffff));
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next();
  // Uniform-enough integer in [0, n); n > 0.
  std::uint32_t below(std::uint32_t n) { return static_cast<std::uint32_t>(next() % n); }
  // n lowercase hex digits.
  std::string hex(int n);

 private:
  std::uint64_t state_;
};

}  // namespace sipscope::gen
