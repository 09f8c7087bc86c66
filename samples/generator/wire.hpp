// How a scenario's SIP messages travel: UDP (the default, written by the Scheduler as is),
// TCP (RFC 793: 3-way handshake, sequence/acknowledgement numbers, one connection per
// pair of SIP endpoints), SCTP (RFC 4960: one DATA chunk per message, no INIT/INIT-ACK),
// or HEP v2/v3 (Homer encapsulation: each message sent by a capture agent to a collector
// over UDP, with the original addresses, ports and timestamp in the HEP header/chunks).
// apply_transport() turns Emission::sip into Emission::wire accordingly, applying each
// message's Damage (TCP segmentation pathologies, SCTP bundling), and rewrites the Via
// transport token and Contact ";transport=" parameter (RFC 3261 §18, §20.42) so the text
// matches the transport.
//
//   WireConfig w; w.transport = Transport::kTcp;
//   apply_transport(w, emission, truth);  // before Scheduler::add(std::move(emission))
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "pcap_writer.hpp"
#include "timeline.hpp"
#include "truth.hpp"

namespace sipscope::gen {

enum class Transport { kUdp, kTcp, kSctp };

struct WireConfig {
  Transport transport = Transport::kUdp;
  int hep = 0;            // 0: none, 2 or 3: HEP version
  std::uint16_t mtu = 0;  // IP fragmentation (0: none)
  Tunnel tunnel = Tunnel::kNone;
};

[[nodiscard]] bool parse_transport(std::string_view s, Transport& out);
[[nodiscard]] std::string_view transport_name(Transport t);  // "UDP", "TCP", "SCTP"

// HEP capture agent and collector (RFC 5737 would be nicer, but HEP setups live in
// private space; these are the addresses the samples document).
inline constexpr const char* kHepAgent = "10.0.0.99";
inline constexpr const char* kHepCollector = "10.0.0.100";
inline constexpr std::uint16_t kHepPort = 9060;
// Delay between a message on the wire and its HEP copy reaching the collector.
inline constexpr std::int64_t kHepDelayUs = 250;

// Moves e.sip into e.wire for TCP/SCTP/HEP (UDP: leaves e.sip alone) and updates the
// truth's per-call transport. HEP also drops the RTP: an agent mirrors signalling only.
void apply_transport(const WireConfig& cfg, Emission& e, Truth& truth);

// CRC32c (Castagnoli), as SCTP uses it (RFC 4960 Appendix B).
[[nodiscard]] std::uint32_t crc32c(const std::uint8_t* p, std::size_t n);

}  // namespace sipscope::gen
