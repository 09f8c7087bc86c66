// RTCP packet builder for the generator (RFC 3550 §6: SR §6.4.1, RR §6.4.2, SDES §6.5,
// BYE §6.6, APP §6.7; RFC 3611 XR §2 with the Receiver Reference Time block §4.4 and the
// VoIP Metrics block §4.7). A Compound appends packets back to back into one datagram
// (§6.1): the caller decides the order (SR/RR first, then SDES, then BYE/APP/XR).
//
// Also the RFC 3550 Appendix A.3 receiver arithmetic the scenarios need to fill report
// blocks from what they sent: NTP timestamps and the middle 32 bits used as LSR.
//
//   rtcp::Compound c;
//   c.sr(ssrc, rtcp::ntp_from_unix_us(t), rtp_ts, packets, octets, {block});
//   c.sdes_cname(ssrc, "alice@192.0.2.10");
//   std::string datagram = c.bytes();  // one UDP payload
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sipscope::gen::rtcp {

struct Ntp {
  std::uint32_t msw = 0, lsw = 0;  // seconds since 1900, fraction of a second / 2^32
};
// Unix time (us) -> NTP (RFC 5905 era 0); the fraction is rounded down.
[[nodiscard]] Ntp ntp_from_unix_us(std::int64_t unix_us);
// The middle 32 bits (RFC 3550 §6.4.1 LSR).
[[nodiscard]] inline std::uint32_t mid32(Ntp n) {
  return (n.msw << 16) | (n.lsw >> 16);
}

struct ReportBlock {
  std::uint32_t ssrc = 0;
  std::uint8_t fraction_lost = 0;    // lost_interval * 256 / expected_interval
  std::int32_t cumulative_lost = 0;  // signed 24 bits on the wire
  std::uint32_t highest_seq = 0;     // extended highest sequence number received
  std::uint32_t jitter = 0;          // timestamp units
  std::uint32_t lsr = 0, dlsr = 0;   // middle 32 bits of the last SR; 1/65536 s since
};

// RFC 3611 §4.7, every field as on the wire (127 = unavailable for the R/MOS octets).
struct VoipMetrics {
  std::uint32_t ssrc = 0;
  std::uint8_t loss_rate = 0, discard_rate = 0, burst_density = 0, gap_density = 0;
  std::uint16_t burst_duration = 0, gap_duration = 0, round_trip_delay = 0, end_system_delay = 0;
  std::int8_t signal_level = 127, noise_level = 127;
  std::uint8_t rerl = 127, gmin = 16;
  std::uint8_t r_factor = 127, ext_r_factor = 127, mos_lq = 127, mos_cq = 127;
  std::uint8_t rx_config = 0;
  std::uint16_t jb_nominal = 0, jb_maximum = 0, jb_abs_max = 0;
};

class Compound {
 public:
  void sr(std::uint32_t ssrc, Ntp ntp, std::uint32_t rtp_ts, std::uint32_t packets,
          std::uint32_t octets, const std::vector<ReportBlock>& blocks);
  void rr(std::uint32_t ssrc, const std::vector<ReportBlock>& blocks);
  void sdes_cname(std::uint32_t ssrc, std::string_view cname);
  void bye(std::uint32_t ssrc, std::string_view reason);
  void app(std::uint32_t ssrc, std::uint8_t subtype, std::string_view name4,
           std::string_view data);  // data padded to 32 bits
  // XR: a Receiver Reference Time block (§4.4) then a VoIP Metrics block (§4.7).
  void xr(std::uint32_t ssrc, Ntp reference_time, const VoipMetrics& v);

  [[nodiscard]] const std::string& bytes() const { return out_; }

 private:
  // Header (V=2, count, type) with the length patched in by end().
  std::size_t begin(std::uint8_t count, std::uint8_t type);
  void end(std::size_t start);
  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u16(std::uint16_t v);
  void u32(std::uint32_t v);
  void block(const ReportBlock& b);

  std::string out_;
};

}  // namespace sipscope::gen::rtcp
