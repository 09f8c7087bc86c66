// Network value types shared by every module: IP addresses, transport endpoints and the
// SIP transport names of docs/schema.md. Plain values, no views: safe to copy and keep.
//
//   auto a = IpAddress::v4({192, 0, 2, 1});
//   Endpoint e{a, 5060};  e.to_string() == "192.0.2.1:5060"
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace sipscope::decode {

struct IpAddress {
  uint8_t version = 0;              // 4 or 6; 0 = unset
  std::array<uint8_t, 16> bytes{};  // IPv4 uses the first 4 bytes

  static IpAddress v4(const uint8_t* four_bytes);
  static IpAddress v6(const uint8_t* sixteen_bytes);
  static IpAddress v4(std::array<uint8_t, 4> b) { return v4(b.data()); }

  // Dotted quad for IPv4, RFC 5952 canonical text for IPv6.
  [[nodiscard]] std::string to_string() const;

  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads the defaulted <=>
  auto operator<=>(const IpAddress&) const = default;
};

struct Endpoint {
  IpAddress ip;
  uint16_t port = 0;

  // "192.0.2.1:5060" or "[2001:db8::1]:5060"
  [[nodiscard]] std::string to_string() const;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads the defaulted <=>
  auto operator<=>(const Endpoint&) const = default;
};

// Transport names as stored in messages.transport / calls.transport.
enum class Transport : uint8_t { udp, tcp, tls, ws, wss, sctp };
[[nodiscard]] std::string_view transport_name(Transport t);
// "UDP" ... "SCTP" -> transport; nullopt for any other text.
[[nodiscard]] std::optional<Transport> parse_transport(std::string_view name);

struct IpAddressHash {
  size_t operator()(const IpAddress& a) const noexcept;
};
struct EndpointHash {
  size_t operator()(const Endpoint& e) const noexcept;
};

}  // namespace sipscope::decode
