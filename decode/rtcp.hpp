// RTCP compound packet parser (RFC 3550 §6: SR §6.4.1, RR §6.4.2, SDES §6.5, BYE §6.6,
// APP §6.7; RFC 3611 XR with the VoIP Metrics Report Block, block type 7, §4.7).
// A datagram holds several RTCP packets back to back (§6.1); CompoundReader walks them.
// Packets of other types (RTPFB/PSFB feedback ...) are returned with their header only.
//
// Views (cname, bye reason, raw body) point into the datagram and live as long as it.
// No allocation: report blocks go into a fixed array (RC is 5 bits, at most 31).
//
//   decode::rtcp::CompoundReader r(udp_payload);
//   decode::rtcp::Packet p;
//   while (r.next(p) == decode::rtcp::RtcpError::ok) use(p);
//   // r.next() returns `end` after the last packet, another error on malformed input.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace sipscope::decode::rtcp {

enum class RtcpError : uint8_t {
  ok,
  end,              // no more packets
  truncated,        // header or length field runs past the datagram
  bad_version,      // version is not 2
  bad_packet_type,  // not in the RTCP range 192..223 (RFC 5761 §4)
  bad_body,         // body shorter than its fields (report count, sender info ...)
};
[[nodiscard]] std::string_view rtcp_error_name(RtcpError e);

namespace type {
inline constexpr uint8_t kSr = 200;
inline constexpr uint8_t kRr = 201;
inline constexpr uint8_t kSdes = 202;
inline constexpr uint8_t kBye = 203;
inline constexpr uint8_t kApp = 204;
inline constexpr uint8_t kXr = 207;
}  // namespace type

struct SenderInfo {
  uint32_t ntp_msw = 0, ntp_lsw = 0, rtp_timestamp = 0, packet_count = 0, octet_count = 0;
};

struct ReportBlock {
  uint32_t ssrc = 0;
  uint8_t fraction_lost = 0;    // fixed point /256
  int32_t cumulative_lost = 0;  // 24-bit signed (RFC 3550 §6.4.1)
  uint32_t highest_seq = 0;     // extended highest sequence number received
  uint32_t jitter = 0;          // timestamp units
  uint32_t lsr = 0;             // middle 32 bits of the last SR's NTP time
  uint32_t dlsr = 0;            // 1/65536 s
};

// RFC 3611 §4.7 VoIP Metrics Report Block. 127 in r_factor/mos = unavailable.
struct VoipMetrics {
  uint32_t ssrc = 0;
  uint8_t loss_rate = 0, discard_rate = 0, burst_density = 0, gap_density = 0;
  uint16_t burst_duration = 0, gap_duration = 0, round_trip_delay = 0, end_system_delay = 0;
  uint8_t signal_level = 0, noise_level = 0, rerl = 0, gmin = 0;
  uint8_t r_factor = 127, ext_r_factor = 127, mos_lq = 127, mos_cq = 127;
  uint8_t rx_config = 0;
  uint16_t jb_nominal = 0, jb_maximum = 0, jb_abs_max = 0;
};

struct Packet {
  uint8_t packet_type = 0;
  uint8_t count = 0;  // RC / SC / subtype field
  bool padding = false;
  uint32_t ssrc = 0;  // sender SSRC (SR/RR/APP/XR), first chunk/source (SDES/BYE)
  bool has_sender_info = false;
  SenderInfo sender;
  uint8_t block_count = 0;
  std::array<ReportBlock, 31> blocks{};
  std::string_view cname;       // SDES: CNAME of the first chunk
  std::string_view bye_reason;  // BYE: optional reason
  std::string_view app_name;    // APP: 4 ASCII bytes
  bool has_voip_metrics = false;
  VoipMetrics voip;
  std::span<const uint8_t> body;  // everything after the 4-byte header
};

class CompoundReader {
 public:
  explicit CompoundReader(std::span<const uint8_t> datagram) : data_(datagram) {}
  // A temporary byte vector would die before next() reads it.
  explicit CompoundReader(std::vector<uint8_t>&&) = delete;
  explicit CompoundReader(const std::vector<uint8_t>&&) = delete;
  [[nodiscard]] RtcpError next(Packet& out);

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

// RFC 3550 Appendix A.2: every packet has version 2 and an RTCP type, and the length fields
// add up to the datagram (up to 3 zero octets after the last packet are tolerated: a phone
// in corpus heplify_rtp_rtcp_sip.pcap pads so, and tshark reads it). SRTCP (RFC 3711 §3.4:
// encrypted body, E flag + index and an authentication tag after it) and damaged datagrams
// fail; their content is not to be read.
[[nodiscard]] bool is_valid_compound(std::span<const uint8_t> datagram);

// "SR", "RR", "SDES", "BYE", "APP", "XR"; empty for other types.
[[nodiscard]] std::string_view packet_type_name(uint8_t packet_type);

// NTP middle 32 bits (LSR) and DLSR to a round-trip time in ms at arrival time `arrival`
// (also middle-32 NTP units), RFC 3550 §6.4.1: A - LSR - DLSR. Negative / absent -> < 0.
[[nodiscard]] double rtt_ms(uint32_t arrival_ntp_mid32, uint32_t lsr, uint32_t dlsr);

}  // namespace sipscope::decode::rtcp
