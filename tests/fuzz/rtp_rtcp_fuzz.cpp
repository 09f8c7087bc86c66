// One UDP payload read as RTP (header, CSRCs, extension, padding, an RFC 4733 event
// payload) and as an RTCP compound (every packet CompoundReader returns, the RFC 3550 A.2
// validity check). Traps if a view leaves the datagram, a packet claims more than 31 report
// blocks, or the reader returns more packets than the datagram has 4-byte words.
#include <span>
#include <string_view>

#include "decode/rtcp.hpp"
#include "decode/rtp.hpp"
#include "tests/fuzz/targets.hpp"

namespace sipscope::fuzz {
namespace {

void check_inside(const uint8_t* data, size_t size, const uint8_t* p, size_t n) {
  if (n != 0 && (p < data || p + n > data + size)) __builtin_trap();
}

}  // namespace

int rtp_rtcp_one_input(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> datagram(data, size);
  const auto inside = [&](std::span<const uint8_t> v) {
    check_inside(data, size, v.data(), v.size());
  };
  const auto inside_text = [&](std::string_view v) {
    check_inside(data, size, reinterpret_cast<const uint8_t*>(v.data()), v.size());
  };
  size_t sum = 0;
  decode::rtp::RtpHeader h;
  if (decode::rtp::parse_rtp(datagram, h) == decode::rtp::RtpError::ok) {
    inside(h.csrcs);
    inside(h.extension_data);
    inside(h.payload);
    if (h.csrcs.size() != 4U * h.csrc_count) __builtin_trap();
    decode::rtp::TelephoneEvent ev;
    if (decode::rtp::parse_telephone_event(h.payload, ev) == decode::rtp::EventError::ok)
      sum += ev.duration + static_cast<unsigned char>(decode::rtp::dtmf_char(ev.event));
  }
  if (size >= 2) sum += decode::rtp::is_rtcp_packet_type(datagram) ? 1 : 0;

  decode::rtcp::CompoundReader reader(datagram);
  decode::rtcp::Packet p;
  size_t packets = 0;
  while (reader.next(p) == decode::rtcp::RtcpError::ok) {
    if (++packets > size / 4) __builtin_trap();
    if (p.block_count > p.blocks.size()) __builtin_trap();
    inside(p.body);
    inside_text(p.cname);
    inside_text(p.bye_reason);
    inside_text(p.app_name);
    sum += p.packet_type + decode::rtcp::packet_type_name(p.packet_type).size();
    for (size_t i = 0; i < p.block_count; ++i) sum += p.blocks[i].lsr ^ p.blocks[i].dlsr;
  }
  sum += decode::rtcp::is_valid_compound(datagram) ? 1 : 0;
  return sum == 0xdeadbeef ? 1 : 0;
}

}  // namespace sipscope::fuzz

SIPSCOPE_FUZZ_TARGET(rtp_rtcp)
