// HEP3 encoding (the inverse of decode/hep.hpp): one SIP or RTCP message with its original
// addresses, ports, transport and capture time, as the chunks of the HEP3 specification
// (https://github.com/sipcapture/HEP, docs/hep.md): "HEP3", u16 total length, then chunks
// {u16 vendor 0, u16 type, u16 length incl. the 6-byte chunk header}, network order.
//
//   std::vector<uint8_t> out;
//   forward::encode_hep3({.src = s, .dst = d, .ip_protocol = 17, .ts_us = t,
//                         .payload_type = decode::kHepPayloadSip, .payload = sip}, out);
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "decode/net.hpp"

namespace sipscope::forward {

inline constexpr uint8_t kHepPayloadRtcp = 5;  // chunk 11 value for RTCP (HEP3 spec)
// Largest HEP3 packet: its total length is a u16.
inline constexpr size_t kMaxHep3Size = 65'535;

struct HepMessage {
  decode::Endpoint src;
  decode::Endpoint dst;
  uint8_t ip_protocol = 17;  // original transport: 17 UDP, 6 TCP/WS, 22 TLS, 132 SCTP
  int64_t ts_us = 0;         // capture time, µs since the epoch
  uint8_t payload_type = 1;  // decode::kHepPayloadSip or kHepPayloadRtcp
  std::span<const uint8_t> payload;
};

struct HepIdentity {
  uint32_t capture_id = 0;     // chunk 12, the agent id Homer shows
  std::string_view password;   // chunk 14 when not empty
  std::string_view node_name;  // chunk 19 when not empty
};

// IP protocol number HEP carries for a SIP transport: WS and WSS run over TCP; TLS is 22,
// the value captagent and Kamailio write (decode/hep reads it back as TLS).
[[nodiscard]] uint8_t hep_ip_protocol(decode::Transport t);

// Replaces `out` with the HEP3 packet (out's capacity is reused: no allocation once it is
// large enough). False, `out` empty, when the packet would exceed kMaxHep3Size or the two
// addresses are not of one IP version.
[[nodiscard]] bool encode_hep3(const HepMessage& message, const HepIdentity& identity,
                               std::vector<uint8_t>& out);

}  // namespace sipscope::forward
