#include "decode/rtcp.hpp"

#include <algorithm>

#include "decode/byte_reader.hpp"

namespace sipscope::decode::rtcp {

std::string_view rtcp_error_name(RtcpError e) {
  switch (e) {
    case RtcpError::ok:
      return "ok";
    case RtcpError::end:
      return "end";
    case RtcpError::truncated:
      return "truncated";
    case RtcpError::bad_version:
      return "bad_version";
    case RtcpError::bad_packet_type:
      return "bad_packet_type";
    case RtcpError::bad_body:
      return "bad_body";
  }
  return "unknown";
}

namespace {

std::string_view chars(std::span<const uint8_t> s) {
  return {reinterpret_cast<const char*>(s.data()), s.size()};
}

bool read_block(ByteReader& r, ReportBlock& b) {
  uint32_t word = 0;
  if (!r.read_u32(b.ssrc) || !r.read_u32(word) || !r.read_u32(b.highest_seq) ||
      !r.read_u32(b.jitter) || !r.read_u32(b.lsr) || !r.read_u32(b.dlsr))
    return false;
  b.fraction_lost = static_cast<uint8_t>(word >> 24);
  uint32_t lost = word & 0x00ffffff;
  if ((lost & 0x00800000) != 0) lost |= 0xff000000;  // sign-extend the 24-bit field
  b.cumulative_lost = static_cast<int32_t>(lost);
  return true;
}

bool read_sender(ByteReader& r, SenderInfo& s) {
  return r.read_u32(s.ntp_msw) && r.read_u32(s.ntp_lsw) && r.read_u32(s.rtp_timestamp) &&
         r.read_u32(s.packet_count) && r.read_u32(s.octet_count);
}

bool read_blocks(ByteReader& r, Packet& p) {
  for (uint8_t i = 0; i < p.count; ++i) {
    if (!read_block(r, p.blocks[i])) return false;
    p.block_count = static_cast<uint8_t>(i + 1);
  }
  return true;
}

void read_sdes(ByteReader r, Packet& p) {
  // First chunk only: SSRC, then items (type, length, text) until a 0 type.
  if (p.count == 0 || !r.read_u32(p.ssrc)) return;
  for (;;) {
    uint8_t item = 0;
    uint8_t len = 0;
    if (!r.read_u8(item) || item == 0 || !r.read_u8(len)) return;
    std::span<const uint8_t> text;
    if (!r.subspan(len, text)) return;
    if (item == 1) {  // CNAME
      p.cname = chars(text);
      return;
    }
  }
}

void read_xr(ByteReader r, Packet& p) {
  if (!r.read_u32(p.ssrc)) return;
  for (;;) {
    uint8_t bt = 0;
    uint8_t specific = 0;
    uint16_t words = 0;
    if (!r.read_u8(bt) || !r.read_u8(specific) || !r.read_u16(words)) return;
    std::span<const uint8_t> body;
    if (!r.subspan(size_t{words} * 4, body)) return;
    if (bt != 7 || p.has_voip_metrics) continue;
    ByteReader b(body);
    VoipMetrics& v = p.voip;
    uint8_t reserved = 0;
    if (!b.read_u32(v.ssrc) || !b.read_u8(v.loss_rate) || !b.read_u8(v.discard_rate) ||
        !b.read_u8(v.burst_density) || !b.read_u8(v.gap_density) || !b.read_u16(v.burst_duration) ||
        !b.read_u16(v.gap_duration) || !b.read_u16(v.round_trip_delay) ||
        !b.read_u16(v.end_system_delay) || !b.read_u8(v.signal_level) ||
        !b.read_u8(v.noise_level) || !b.read_u8(v.rerl) || !b.read_u8(v.gmin) ||
        !b.read_u8(v.r_factor) || !b.read_u8(v.ext_r_factor) || !b.read_u8(v.mos_lq) ||
        !b.read_u8(v.mos_cq) || !b.read_u8(v.rx_config) || !b.read_u8(reserved) ||
        !b.read_u16(v.jb_nominal) || !b.read_u16(v.jb_maximum) || !b.read_u16(v.jb_abs_max))
      continue;
    p.has_voip_metrics = true;
  }
}

}  // namespace

RtcpError CompoundReader::next(Packet& out) {
  if (pos_ >= data_.size()) return RtcpError::end;
  ByteReader r(data_.subspan(pos_));
  uint8_t b0 = 0;
  uint8_t pt = 0;
  uint16_t length = 0;
  if (!r.read_u8(b0) || !r.read_u8(pt) || !r.read_u16(length)) return RtcpError::truncated;
  if ((b0 >> 6) != 2) return RtcpError::bad_version;
  if (pt < 192 || pt > 223) return RtcpError::bad_packet_type;
  std::span<const uint8_t> body;
  if (!r.subspan(size_t{length} * 4, body)) return RtcpError::truncated;
  pos_ += 4 + size_t{length} * 4;

  out = Packet{};
  out.packet_type = pt;
  out.count = b0 & 0x1f;
  out.padding = (b0 & 0x20) != 0;
  if (out.padding && !body.empty()) {
    const uint8_t n = body.back();
    if (n == 0 || n > body.size()) return RtcpError::bad_body;
    body = body.first(body.size() - n);
  }
  out.body = body;
  ByteReader b(body);
  switch (pt) {
    case type::kSr:
      out.has_sender_info = true;
      if (!b.read_u32(out.ssrc) || !read_sender(b, out.sender) || !read_blocks(b, out))
        return RtcpError::bad_body;
      break;
    case type::kRr:
      if (!b.read_u32(out.ssrc) || !read_blocks(b, out)) return RtcpError::bad_body;
      break;
    case type::kSdes:
      read_sdes(b, out);
      break;
    case type::kBye: {
      // SC SSRCs, then an optional length-prefixed reason.
      for (uint8_t i = 0; i < out.count; ++i) {
        uint32_t s = 0;
        if (!b.read_u32(s)) return RtcpError::bad_body;
        if (i == 0) out.ssrc = s;
      }
      uint8_t len = 0;
      std::span<const uint8_t> reason;
      if (b.read_u8(len) && b.subspan(len, reason)) out.bye_reason = chars(reason);
      break;
    }
    case type::kApp: {
      std::span<const uint8_t> name;
      if (!b.read_u32(out.ssrc) || !b.subspan(4, name)) return RtcpError::bad_body;
      out.app_name = chars(name);
      break;
    }
    case type::kXr:
      read_xr(b, out);
      break;
    default:
      (void)b.read_u32(out.ssrc);
      break;
  }
  return RtcpError::ok;
}

std::string_view packet_type_name(uint8_t packet_type) {
  switch (packet_type) {
    case type::kSr:
      return "SR";
    case type::kRr:
      return "RR";
    case type::kSdes:
      return "SDES";
    case type::kBye:
      return "BYE";
    case type::kApp:
      return "APP";
    case type::kXr:
      return "XR";
    default:
      return {};
  }
}

bool is_valid_compound(std::span<const uint8_t> datagram) {
  size_t pos = 0;
  while (pos < datagram.size()) {
    const auto rest = datagram.subspan(pos);
    if (pos > 0 && rest.size() < 4 &&
        std::all_of(rest.begin(), rest.end(), [](uint8_t b) { return b == 0; }))
      return true;
    ByteReader r(rest);
    uint8_t b0 = 0;
    uint8_t pt = 0;
    uint16_t length = 0;
    if (!r.read_u8(b0) || !r.read_u8(pt) || !r.read_u16(length)) return false;
    if ((b0 >> 6) != 2 || pt < 192 || pt > 223) return false;
    pos += 4 + size_t{length} * 4;
  }
  return pos == datagram.size() && !datagram.empty();
}

double rtt_ms(uint32_t arrival, uint32_t lsr, uint32_t dlsr) {
  if (lsr == 0) return -1;                    // no SR received yet (RFC 3550 §6.4.1)
  const uint32_t rtt = arrival - lsr - dlsr;  // modular 16.16 seconds
  if (rtt > 0x80000000U) return -1;           // negative: clocks disagree
  return static_cast<double>(rtt) * 1000.0 / 65536.0;
}

}  // namespace sipscope::decode::rtcp
