// The packet pipeline of decode/: link layer -> IP -> UDP -> SIP recognition and parsing.
// Feed frames in capture order; the Decoder calls the sink for every SIP message and for
// every anomaly. It keeps one reused Message, so steady-state decoding allocates nothing.
//
//   struct MySink : decode::PacketSink { ... };
//   decode::Decoder d(sink);
//   for (auto& f : frames) d.on_frame(f);
//
// The views inside SipEvent (message fields, raw bytes) point into the frame's data and
// are valid only during the callback.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "decode/anomaly.hpp"
#include "decode/frame.hpp"
#include "decode/net.hpp"
#include "decode/sip/message.hpp"

namespace sipscope::decode {

struct SipEvent {
  FrameRef frame;
  Endpoint src;
  Endpoint dst;
  Transport transport = Transport::udp;
  const sip::Message* message = nullptr;  // parsed message; message->bytes() is the raw text
};

struct AnomalyEvent {
  FrameRef frame;
  AnomalyKind kind{};
  std::string_view detail;  // human-readable specifics; valid during the callback only
  bool has_flow = false;
  Endpoint src;
  Endpoint dst;
};

// Non-SIP UDP payload (RTP/RTCP candidates for the Media issue). Valid during callback.
struct UdpDatagram {
  FrameRef frame;
  Endpoint src;
  Endpoint dst;
  std::span<const uint8_t> payload;
};

class PacketSink {
 public:
  virtual ~PacketSink() = default;
  virtual void on_sip(const SipEvent& event) = 0;
  virtual void on_anomaly(const AnomalyEvent& event) = 0;
  virtual void on_udp(const UdpDatagram& /*datagram*/) {}
};

struct DecoderStats {
  uint64_t frames = 0;
  uint64_t ip_packets = 0;
  uint64_t udp_datagrams = 0;
  uint64_t sip_messages = 0;
  uint64_t anomalies = 0;
};

class Decoder {
 public:
  explicit Decoder(PacketSink& sink) : sink_(sink) {}
  void on_frame(const Frame& frame);
  [[nodiscard]] const DecoderStats& stats() const { return stats_; }

 private:
  PacketSink& sink_;
  sip::Message message_;  // reused for every SIP message
  DecoderStats stats_;
  std::string detail_;    // reused buffer for AnomalyEvent::detail (anomalies are rare)
  // implementation helpers are free functions in the .cpp files (link.cpp, ip.cpp ...)
};

}  // namespace sipscope::decode
