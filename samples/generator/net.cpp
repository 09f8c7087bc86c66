#include "net.hpp"

#include <arpa/inet.h>

namespace sipscope::gen {

Address make_address(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d, bool ipv6) {
  Address addr;
  addr.v6 = ipv6;
  char buf[INET6_ADDRSTRLEN] = {};
  if (!ipv6) {
    addr.bytes[0] = a;
    addr.bytes[1] = b;
    addr.bytes[2] = c;
    addr.bytes[3] = d;
    inet_ntop(AF_INET, addr.bytes.data(), buf, sizeof buf);
  } else {
    addr.bytes[0] = 0x20;
    addr.bytes[1] = 0x01;
    addr.bytes[2] = 0x0d;
    addr.bytes[3] = 0xb8;
    // Decimal octet written as a hex group: 192 -> 0x0192.
    const std::uint8_t octets[4] = {a, b, c, d};
    for (int i = 0; i < 4; ++i) {
      const unsigned v = octets[i];
      const unsigned group = (v / 100) * 0x100 + ((v / 10) % 10) * 0x10 + v % 10;
      addr.bytes[8 + 2 * i] = static_cast<std::uint8_t>(group >> 8);
      addr.bytes[9 + 2 * i] = static_cast<std::uint8_t>(group & 0xff);
    }
    inet_ntop(AF_INET6, addr.bytes.data(), buf, sizeof buf);
  }
  addr.text = buf;
  return addr;
}

std::uint64_t Rng::next() {
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::string Rng::hex(int n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  s.reserve(static_cast<std::size_t>(n));
  std::uint64_t bits = next();
  for (int i = 0; i < n; ++i) {
    if (i % 16 == 15) bits = next();
    s.push_back(kDigits[bits & 0xf]);
    bits >>= 4;
  }
  return s;
}

}  // namespace sipscope::gen
