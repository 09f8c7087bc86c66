// Shorthands for building the hosts of a scenario from RFC 5737 addresses.
#pragma once

#include <cstdint>
#include <string>

#include "call.hpp"

namespace sipscope::gen {

struct Ip4 {
  std::uint8_t a, b, c, d;
};

inline Endpoint endpoint(Ip4 ip, std::uint16_t port, bool ipv6) {
  return Endpoint{make_address(ip.a, ip.b, ip.c, ip.d, ipv6), port};
}

inline Party party(std::string user, std::string display, std::string domain, Ip4 ip,
                   std::uint16_t sip_port, std::uint16_t rtp_port, bool ipv6,
                   std::string agent = "sipscope-gen UA") {
  Party p;
  p.user = std::move(user);
  p.display = std::move(display);
  p.domain = std::move(domain);
  p.sip = endpoint(ip, sip_port, ipv6);
  p.media = endpoint(ip, rtp_port, ipv6);
  p.agent = std::move(agent);
  return p;
}

}  // namespace sipscope::gen
