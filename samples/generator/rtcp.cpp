#include "rtcp.hpp"

namespace sipscope::gen::rtcp {

namespace {
// Seconds from 1900-01-01 (NTP era 0) to 1970-01-01 (RFC 5905 §6).
constexpr std::int64_t kNtpUnixOffset = 2208988800LL;
}  // namespace

Ntp ntp_from_unix_us(std::int64_t unix_us) {
  const std::int64_t s = unix_us / 1000000;
  const std::int64_t us = unix_us % 1000000;
  Ntp n;
  n.msw = static_cast<std::uint32_t>(s + kNtpUnixOffset);
  n.lsw = static_cast<std::uint32_t>((static_cast<std::uint64_t>(us) << 32) / 1000000);
  return n;
}

void Compound::u16(std::uint16_t v) {
  u8(static_cast<std::uint8_t>(v >> 8));
  u8(static_cast<std::uint8_t>(v));
}

void Compound::u32(std::uint32_t v) {
  u16(static_cast<std::uint16_t>(v >> 16));
  u16(static_cast<std::uint16_t>(v));
}

std::size_t Compound::begin(std::uint8_t count, std::uint8_t type) {
  const std::size_t start = out_.size();
  u8(static_cast<std::uint8_t>(0x80 | (count & 0x1f)));
  u8(type);
  u16(0);
  return start;
}

void Compound::end(std::size_t start) {
  while ((out_.size() - start) % 4 != 0) u8(0);
  // Length in 32-bit words minus one (§6.4.1), i.e. the words after the header.
  const auto words = static_cast<std::uint16_t>((out_.size() - start) / 4 - 1);
  out_[start + 2] = static_cast<char>(words >> 8);
  out_[start + 3] = static_cast<char>(words & 0xff);
}

void Compound::block(const ReportBlock& b) {
  u32(b.ssrc);
  u8(b.fraction_lost);
  const auto lost = static_cast<std::uint32_t>(b.cumulative_lost) & 0x00ffffffU;
  u8(static_cast<std::uint8_t>(lost >> 16));
  u16(static_cast<std::uint16_t>(lost));
  u32(b.highest_seq);
  u32(b.jitter);
  u32(b.lsr);
  u32(b.dlsr);
}

void Compound::sr(std::uint32_t ssrc, Ntp ntp, std::uint32_t rtp_ts, std::uint32_t packets,
                  std::uint32_t octets, const std::vector<ReportBlock>& blocks) {
  const std::size_t s = begin(static_cast<std::uint8_t>(blocks.size()), 200);
  u32(ssrc);
  u32(ntp.msw);
  u32(ntp.lsw);
  u32(rtp_ts);
  u32(packets);
  u32(octets);
  for (const auto& b : blocks) block(b);
  end(s);
}

void Compound::rr(std::uint32_t ssrc, const std::vector<ReportBlock>& blocks) {
  const std::size_t s = begin(static_cast<std::uint8_t>(blocks.size()), 201);
  u32(ssrc);
  for (const auto& b : blocks) block(b);
  end(s);
}

void Compound::sdes_cname(std::uint32_t ssrc, std::string_view cname) {
  const std::size_t s = begin(1, 202);
  u32(ssrc);
  u8(1);  // CNAME
  u8(static_cast<std::uint8_t>(cname.size()));
  out_.append(cname.substr(0, 255));
  // The item list ends with at least one null octet, then pads to 32 bits (§6.5).
  u8(0);
  end(s);
}

void Compound::bye(std::uint32_t ssrc, std::string_view reason) {
  const std::size_t s = begin(1, 203);
  u32(ssrc);
  if (!reason.empty()) {
    u8(static_cast<std::uint8_t>(reason.size()));
    out_.append(reason.substr(0, 255));
  }
  end(s);
}

void Compound::app(std::uint32_t ssrc, std::uint8_t subtype, std::string_view name4,
                   std::string_view data) {
  const std::size_t s = begin(subtype, 204);
  u32(ssrc);
  for (std::size_t i = 0; i < 4; ++i)
    u8(i < name4.size() ? static_cast<std::uint8_t>(name4[i]) : ' ');
  out_.append(data);
  end(s);
}

void Compound::xr(std::uint32_t ssrc, Ntp reference_time, const VoipMetrics& v) {
  const std::size_t s = begin(0, 207);
  u32(ssrc);
  // Receiver Reference Time Report Block: BT=4, reserved, length 2 words.
  u8(4);
  u8(0);
  u16(2);
  u32(reference_time.msw);
  u32(reference_time.lsw);
  // VoIP Metrics Report Block: BT=7, reserved, length 8 words.
  u8(7);
  u8(0);
  u16(8);
  u32(v.ssrc);
  u8(v.loss_rate);
  u8(v.discard_rate);
  u8(v.burst_density);
  u8(v.gap_density);
  u16(v.burst_duration);
  u16(v.gap_duration);
  u16(v.round_trip_delay);
  u16(v.end_system_delay);
  u8(static_cast<std::uint8_t>(v.signal_level));
  u8(static_cast<std::uint8_t>(v.noise_level));
  u8(v.rerl);
  u8(v.gmin);
  u8(v.r_factor);
  u8(v.ext_r_factor);
  u8(v.mos_lq);
  u8(v.mos_cq);
  u8(v.rx_config);
  u8(0);  // reserved
  u16(v.jb_nominal);
  u16(v.jb_maximum);
  u16(v.jb_abs_max);
  end(s);
}

}  // namespace sipscope::gen::rtcp
