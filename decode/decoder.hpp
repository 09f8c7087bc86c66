// The packet pipeline of decode/: link layer -> IP -> UDP -> SIP recognition and parsing.
// Feed frames in capture order; the Decoder calls the sink for every SIP message and for
// every anomaly. It keeps one reused Message, so steady-state decoding allocates nothing.
//
//   struct MySink : decode::PacketSink { ... };
//   decode::Decoder d(sink);
//   for (auto& f : frames) d.on_frame(f);
//   d.finish();  // end of input: reports IP fragment sets that never completed
//
// IP fragments are reassembled (decode/ip_reassembly.hpp) before any port-based decision;
// the datagram is decoded as if it had arrived in the frame that completed it. Tunnels
// (IP-in-IP, 6in4, GRE, ERSPAN I/II/III, VXLAN; decode/tunnel.hpp) are followed up to
// kMaxTunnelDepth levels; SIP events carry the innermost packet's addresses.
// Fragment sets that never complete are anomalies: ip_fragments_incomplete (expired after
// ReassemblyLimits::expiry_us of capture time, or open at finish()) and
// ip_fragment_table_full (evicted); the anomaly points at the set's first fragment.
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
#include "decode/ip_reassembly.hpp"
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

inline constexpr int kMaxTunnelDepth = 8;

class Decoder {
 public:
  explicit Decoder(PacketSink& sink, ReassemblyLimits limits = {})
      : sink_(sink), drops_(*this), reassembler_(drops_, limits) {}
  void on_frame(const Frame& frame);
  // End of input: every IP fragment set still open becomes an ip_fragments_incomplete
  // anomaly. Call once after the last frame (on_frame may be called again afterwards).
  void finish();
  [[nodiscard]] const DecoderStats& stats() const { return stats_; }

 private:
  struct DropReporter : FragmentDropSink {
    explicit DropReporter(Decoder& d) : decoder(d) {}
    void on_dropped(const DroppedFragments& d) override;
    Decoder& decoder;
  };

  PacketSink& sink_;
  DropReporter drops_;
  IpReassembler reassembler_;
  sip::Message message_;  // reused for every SIP message
  DecoderStats stats_;
  std::string detail_;  // reused buffer for AnomalyEvent::detail (anomalies are rare)
  // implementation helpers are free functions in the .cpp files (link.cpp, ip.cpp ...)
};

}  // namespace sipscope::decode
