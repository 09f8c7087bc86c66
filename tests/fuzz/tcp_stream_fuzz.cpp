// TCP stream reassembly, SIP framing and WebSocket frames (decode/tcp_stream.hpp,
// sip_framing.hpp, websocket.hpp) with tiny limits so gaps, evictions, buffer limits and
// expiry are reached. Input: segments [u8 control][u16 relative seq][u16 length][bytes];
// control bit 0 = direction, bits 1-3 = FIN/SYN/RST, bits 4-5 = connection, bits 6-7 =
// capture-time step. Traps if framing consumes more than it was given, a message is
// empty, or anything is still buffered after finish().
#include <algorithm>
#include <span>
#include <string_view>

#include "decode/sip_framing.hpp"
#include "decode/tcp_stream.hpp"
#include "decode/websocket.hpp"
#include "tests/fuzz/targets.hpp"

namespace sipscope::fuzz {
namespace {

struct Sink : decode::StreamSink {
  void on_message(const decode::StreamMessage& m) override {
    if (m.bytes.empty()) __builtin_trap();
    n += m.bytes.size();
  }
  void on_anomaly(const decode::StreamAnomaly& a) override { n += a.detail.size(); }
  size_t n = 0;
};

}  // namespace

int tcp_stream_one_input(const uint8_t* data, size_t size) {
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  const decode::FrameResult r = decode::frame_sip(all);
  if (r.consumed > size || r.message_offset > r.consumed) __builtin_trap();
  decode::WsFrameHeader h;
  if (decode::parse_ws_frame_header({data, size}, h) == decode::WsParse::complete &&
      h.header_length > size) {
    __builtin_trap();
  }

  Sink sink;
  decode::TcpStreams streams(sink, {.max_connections = 3,
                                    .max_connection_bytes = 2048,
                                    .max_total_bytes = 4096,
                                    .gap_timeout_us = 50'000,
                                    .idle_timeout_us = 400'000});
  static constexpr uint16_t kPorts[4] = {5060, 5061, 8080, 443};
  decode::FrameRef frame{1, 0, 1'000'000};
  size_t pos = 0;
  while (pos < size) {
    const uint8_t control = data[pos++];
    uint16_t seq = 0;
    size_t len = 0;
    if (size - pos >= 4) {
      seq = static_cast<uint16_t>((data[pos] << 8) | data[pos + 1]);
      len = std::min<size_t>((size_t{data[pos + 2]} << 8) | data[pos + 3], size - pos - 4);
      pos += 4;
    } else {
      len = size - pos;
    }
    decode::TcpSegment s;
    const bool reverse = (control & 1) != 0;
    const int conn = (control >> 4) & 3;
    const decode::Endpoint client{decode::IpAddress::v4({10, 0, 0, 1}),
                                  static_cast<uint16_t>(40000 + conn)};
    const decode::Endpoint server{decode::IpAddress::v4({10, 0, 0, 2}), kPorts[conn]};
    s.src = reverse ? server : client;
    s.dst = reverse ? client : server;
    s.seq = (reverse ? 700000u : 100000u) + seq;
    s.flags = static_cast<uint8_t>(((control >> 1) & 1 ? decode::tcp_flag::kFin : 0) |
                                   ((control >> 2) & 1 ? decode::tcp_flag::kSyn : 0) |
                                   ((control >> 3) & 1 ? decode::tcp_flag::kRst : 0));
    s.payload = {data + pos, len};
    pos += len;
    frame.number++;
    frame.ts_us += int64_t{(control >> 6) & 3} * 30'000;
    s.frame = frame;
    streams.expire(frame.ts_us);
    streams.on_segment(s);
  }
  streams.finish();
  if (streams.connections() != 0 || streams.buffered_bytes() != 0) __builtin_trap();
  return sink.n == 0xdeadbeef ? 1 : 0;
}

}  // namespace sipscope::fuzz

SIPSCOPE_FUZZ_TARGET(tcp_stream)
