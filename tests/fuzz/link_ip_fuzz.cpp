// Link + IP + transport + SIP/SCTP/HEP decoding through the real pipeline entry,
// Decoder::on_frame, over a short sequence of frames so that stateful parts (IP fragment
// and SCTP reassembly, expiry) are exercised too.
// Input: byte 0 picks the link type; then frames, each [u8 time step][u16 length][bytes]
// (a short last frame takes what is left).
#include <algorithm>
#include <array>
#include <string_view>

#include "decode/decoder.hpp"
#include "tests/fuzz/targets.hpp"

namespace sipscope::fuzz {
namespace {

// Touches every view the sink receives, so reading out of bounds shows up under ASan.
struct TouchingSink : decode::PacketSink {
  void on_sip(const decode::SipEvent& e) override {
    sum += e.message->bytes().size() + e.message->method().size() + e.message->body().size();
    for (const auto& h : e.message->headers()) sum += h.name.size() + h.value.size();
    for (char c : e.message->bytes()) sum += static_cast<unsigned char>(c);
  }
  void on_anomaly(const decode::AnomalyEvent& e) override {
    sum += e.detail.size() + decode::anomaly_name(e.kind).size();
  }
  void on_udp(const decode::UdpDatagram& d) override {
    for (uint8_t b : d.payload) sum += b;
  }
  size_t sum = 0;
};

constexpr std::array<int, 11> kLinkTypes = {decode::link_type::kEthernet,
                                            decode::link_type::kRaw,
                                            decode::link_type::kRawDlt,
                                            decode::link_type::kLinuxSll,
                                            decode::link_type::kLinuxSll2,
                                            decode::link_type::kNull,
                                            decode::link_type::kLoop,
                                            decode::link_type::kIpv4,
                                            decode::link_type::kIpv6,
                                            decode::link_type::kRawDltBsd,
                                            147 /* unsupported */};

}  // namespace

int link_ip_one_input(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  TouchingSink sink;
  decode::Decoder decoder(sink,
                          {.max_open_sets = 8, .max_total_bytes = 1 << 16, .expiry_us = 1000});
  const int link = kLinkTypes[data[0] % kLinkTypes.size()];
  size_t pos = 1;
  decode::Frame frame;
  frame.link_type = link;
  frame.ref.capture_id = 1;
  while (pos < size) {
    const uint8_t step = data[pos++];
    size_t len = size - pos;
    if (len >= 2) {
      len = std::min<size_t>((size_t{data[pos]} << 8) | data[pos + 1], len - 2);
      pos += 2;
    }
    frame.ref.number++;
    frame.ref.ts_us += step * 100;
    frame.data = {data + pos, len};
    // The high bit of the step says the snap length cut this frame.
    frame.wire_length = static_cast<uint32_t>(len + ((step & 0x80) != 0 ? 100 : 0));
    decoder.on_frame(frame);
    pos += len;
  }
  decoder.finish();
  return sink.sum == 0xdeadbeef ? 1 : 0;  // keeps the touching from being optimised away
}

}  // namespace sipscope::fuzz

SIPSCOPE_FUZZ_TARGET(link_ip)
