#include "decode/net.hpp"

#include <arpa/inet.h>

#include <cstring>

#include "decode/enum_name.hpp"

namespace sipscope::decode {

IpAddress IpAddress::v4(const uint8_t* four_bytes) {
  IpAddress a;
  a.version = 4;
  std::memcpy(a.bytes.data(), four_bytes, 4);
  return a;
}

IpAddress IpAddress::v6(const uint8_t* sixteen_bytes) {
  IpAddress a;
  a.version = 6;
  std::memcpy(a.bytes.data(), sixteen_bytes, 16);
  return a;
}

std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (version == 4) {
    inet_ntop(AF_INET, bytes.data(), buf, sizeof buf);
  } else if (version == 6) {
    inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);  // glibc follows RFC 5952
  }
  return buf;
}

std::string Endpoint::to_string() const {
  // Appended piece by piece: `"[" + std::string&&` trips GCC 12's false -Wrestrict (PR 105329).
  std::string s = ip.version == 6 ? "[" : "";
  s += ip.to_string();
  s += ip.version == 6 ? "]:" : ":";
  s += std::to_string(port);
  return s;
}

std::string_view transport_name(Transport t) {
  switch (t) {
    case Transport::udp:
      return "UDP";
    case Transport::tcp:
      return "TCP";
    case Transport::tls:
      return "TLS";
    case Transport::ws:
      return "WS";
    case Transport::wss:
      return "WSS";
    case Transport::sctp:
      return "SCTP";
  }
  return "UDP";
}

std::optional<Transport> parse_transport(std::string_view name) {
  return enum_from_name(name, Transport::sctp, transport_name);
}

size_t IpAddressHash::operator()(const IpAddress& a) const noexcept {
  // FNV-1a over the significant bytes.
  uint64_t h = 1469598103934665603ULL ^ a.version;
  const size_t n = a.version == 6 ? 16 : 4;
  for (size_t i = 0; i < n; ++i) h = (h ^ a.bytes[i]) * 1099511628211ULL;
  return static_cast<size_t>(h);
}

size_t EndpointHash::operator()(const Endpoint& e) const noexcept {
  return IpAddressHash{}(e.ip) * 31 + e.port;
}

}  // namespace sipscope::decode
