// HEP, the Homer Encapsulation Protocol: capture agents (captagent, heplify, Kamailio and
// OpenSIPS sipcapture/siptrace, sngrep -H, FreeSWITCH, Asterisk res_hep) copy each SIP
// message they see into a HEP packet, usually UDP to port 9060, together with the
// ORIGINAL addresses, ports, transport and capture time. A capture of that traffic holds
// the SIP the agent saw, not the SIP between the agent and the collector.
//
// Versions (https://github.com/sipcapture/HEP, docs/HEP3_Network_Protocol_Specification):
// - v1/v2: 8-byte header {u8 version, u8 length, u8 family, u8 protocol, u16 sport,
//   u16 dport} (network order), then the IPv4 (2x4) or IPv6 (2x16) addresses; the length
//   byte is the size of those two parts. v2 then adds `struct hep_timehdr {u32 tv_sec;
//   u32 tv_usec; u16 captid;}`, written by the senders as a raw C struct: 12 bytes with
//   padding, in the sender's byte order (little-endian in practice; Kamailio's receiver
//   reads it with to_le()). The SIP payload is the rest of the datagram.
// - v3: "HEP3", u16 total length, then chunks {u16 vendor, u16 type, u16 length incl.
//   this 6-byte header}, all network order. Vendor 0 types: 1 family, 2 IP protocol,
//   3/4 IPv4 src/dst, 5/6 IPv6 src/dst, 7/8 ports, 9/10 time sec/usec, 11 payload
//   protocol (1 = SIP), 12 capture agent id, 15 payload, 16 gzip payload, 17 correlation
//   id, 14 auth key, 19 node name. Other vendors' chunks and unknown types are skipped.
//
// Detection is by content on any UDP/TCP port: "HEP3", or a v1/v2 header whose version,
// length byte and family agree (looks_like_hep()).
//
//   HepPacket hep;
//   if (looks_like_hep(udp.payload) && decode_hep(udp.payload, hep) == HepError::ok &&
//       hep.payload_type == kHepPayloadSip) analyse(hep.payload, hep.src, hep.dst, ...);
//
// Every view in HepPacket points into the input bytes and lives as long as they do.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "decode/anomaly.hpp"
#include "decode/net.hpp"

#include "decode/view_guard.hpp"

namespace sipscope::decode {

inline constexpr uint16_t kHepPort = 9060;          // customary collector port
inline constexpr uint8_t kHepPayloadSip = 1;        // chunk 11 value for SIP
inline constexpr size_t kHepV3HeaderSize = 6;       // "HEP3" + total length
inline constexpr size_t kHepChunkHeaderSize = 6;    // vendor, type, length
inline constexpr size_t kHepV2TimeHeaderSize = 12;  // sizeof(struct hep_timehdr) with padding

enum class HepError : uint8_t {
  ok,
  truncated,            // hep_truncated: fewer bytes than a header/length field announces
  bad_chunk,            // hep_bad_chunk: chunk length < 6, wrong size for its type
  unsupported_version,  // hep_unsupported_version: not 1, 2 or 3; or an unknown family
  missing_field,        // hep_bad_chunk too: v3 without addresses, ports or payload
};

struct HepPacket {
  uint8_t version = 0;       // 1, 2 or 3
  uint8_t ip_protocol = 0;   // original transport: 17 UDP, 6 TCP, 132 SCTP (0 if absent)
  uint8_t payload_type = 0;  // v3 chunk 11 (kHepPayloadSip ...); v1/v2: always SIP
  Endpoint src;
  Endpoint dst;
  bool has_time = false;  // v2 time header, or v3 chunk 9 present
  uint32_t ts_sec = 0;
  uint32_t ts_usec = 0;
  uint32_t capture_id = 0;
  bool compressed = false;  // payload is the gzip body of chunk 16, not decoded here
  std::span<const uint8_t> payload;
  std::string_view correlation_id;  // v3 chunk 17, empty if absent
  std::string_view auth_key;        // v3 chunk 14 (password), empty if absent
  std::string_view node_name;       // v3 chunk 19 (capture node name), empty if absent
  size_t size = 0;                  // bytes of this HEP packet (v3: the total length field)

  // Capture time in µs since the epoch; meaningful only if has_time.
  [[nodiscard]] int64_t ts_us() const {
    return static_cast<int64_t>(ts_sec) * 1'000'000 + static_cast<int64_t>(ts_usec);
  }
};

// Cheap content sniff, no full decode: "HEP3", or version 1/2 with a length byte of 16
// (IPv4, family 2) or 40 (IPv6, family 10).
[[nodiscard]] bool looks_like_hep(std::span<const uint8_t> data);

// Decodes one HEP packet at the start of `data`. For v3 the packet may be followed by
// more bytes (HEP over TCP sends packets back to back): out.size says where it ends.
[[nodiscard]] HepError decode_hep(std::span<const uint8_t> data, HepPacket& out);
template <TemporaryBuffer T>
HepError decode_hep(T&&, HepPacket&) = delete;  // views into a temporary

[[nodiscard]] AnomalyKind hep_error_anomaly(HepError e);  // for e != ok
[[nodiscard]] std::string_view hep_error_name(HepError e);

}  // namespace sipscope::decode
