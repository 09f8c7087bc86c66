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
// SCTP DATA/I-DATA chunks (decode/sctp.hpp) carry SIP with transport SCTP; fragmented
// user messages are reassembled, and those that never complete become
// sctp_fragments_incomplete / sctp_fragment_table_full / sctp_message_oversized.
// HEP v1/v2/v3 (decode/hep.hpp) is recognised by content on any UDP or TCP port: its SIP
// is reported with the original addresses, ports and transport from the HEP header and
// FrameRef::ts_us set to the HEP capture time (the frame number stays the outer frame's).
// Fragment sets that never complete are anomalies: ip_fragments_incomplete (expired after
// ReassemblyLimits::expiry_us of capture time, or open at finish()) and
// ip_fragment_table_full (evicted); the anomaly points at the set's first fragment.
//
// TCP segments go to per-connection stream reassembly (decode/tcp_stream.hpp): SIP over
// TCP is framed by Content-Length across segments, SIP over WebSocket (RFC 7118) after the
// HTTP upgrade; a message is reported with the frame that completed it. Lost segments,
// streams ending inside a message, buffer and table limits and TLS on 5061 are named
// anomalies (tcp_gap, sip_stream_truncated, sip_stream_resync, tcp_buffer_limit,
// tcp_connection_table_full, tls_not_decoded, ws_bad_frame).
//
// The views inside SipEvent (message fields, raw bytes) point into the frame's data (or,
// for TCP and WebSocket, into the stream's reassembly buffer) and are valid only during
// the callback.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "decode/anomaly.hpp"
#include "decode/frame.hpp"
#include "decode/ip_reassembly.hpp"
#include "decode/net.hpp"
#include "decode/sctp.hpp"
#include "decode/sip/message.hpp"
#include "decode/tcp_stream.hpp"

namespace sipscope::decode {

struct SipEvent {
  FrameRef frame;
  Endpoint src;
  Endpoint dst;
  Transport transport = Transport::udp;
  const sip::Message* message = nullptr;  // parsed message; message->bytes() is the raw text
  // Every frame whose bytes are part of the message (IP fragments, TCP segments, SCTP
  // fragments), ascending, frame.number included; just frame.number for a plain datagram.
  // Outer frame numbers for tunnelled and HEP-carried SIP. Valid during the callback only.
  std::span<const uint64_t> frames;
  // SIP carried in HEP: the sending agent, "CAPTURE_ID" or "CAPTURE_ID/NODE_NAME" (HEP3
  // chunks 12 and 19; v2 captid); empty otherwise. Valid during the callback only.
  std::string_view hep_agent{};
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
  explicit Decoder(PacketSink& sink, ReassemblyLimits limits = {}, TcpLimits tcp_limits = {})
      : sink_(sink),
        drops_(*this),
        reassembler_(drops_, limits),
        sctp_(drops_),
        stream_reporter_(*this),
        streams_(stream_reporter_, tcp_limits) {}
  // Members refer to each other (drops_ and stream_reporter_ to *this, the reassemblers
  // to them) and message_ views the stream buffers: not copyable.
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;
  void on_frame(const Frame& frame);
  // End of input: every IP fragment set still open becomes an ip_fragments_incomplete
  // anomaly. Call once after the last frame (on_frame may be called again afterwards).
  // TCP streams (decode/tcp_stream.hpp) still open are flushed: a hole becomes tcp_gap,
  // a partial message sip_stream_truncated.
  void finish();
  [[nodiscard]] const DecoderStats& stats() const { return stats_; }
  // The capture time correlation should advance to after the last on_frame(): the frame's
  // time, or the HEP capture time of the SIP it carried (a replayed HEP trace is recorded
  // long after its messages were captured).
  [[nodiscard]] int64_t clock_us() const { return clock_us_; }

 private:
  struct DropReporter : FragmentDropSink, SctpDropSink {
    explicit DropReporter(Decoder& d) : decoder(d) {}
    void on_dropped(const DroppedFragments& d) override;
    void on_sctp_dropped(const SctpDroppedMessage& d) override;
    Decoder& decoder;
  };

  // Parses the messages TCP/WebSocket reassembly frames and reports its anomalies.
  struct StreamReporter : StreamSink {
    explicit StreamReporter(Decoder& d) : decoder(d) {}
    void on_message(const StreamMessage& m) override;
    void on_anomaly(const StreamAnomaly& a) override;
    Decoder& decoder;
  };

  PacketSink& sink_;
  DropReporter drops_;
  IpReassembler reassembler_;
  SctpReassembler sctp_;  // fragmented SCTP user messages (SIP over SCTP, RFC 4168)
  StreamReporter stream_reporter_;
  TcpStreams streams_;    // SIP over TCP and WebSocket: per-connection reassembly
  sip::Message message_;  // reused for every SIP message
  DecoderStats stats_;
  std::string detail_;  // reused buffer for AnomalyEvent::detail (anomalies are rare)
  int64_t clock_us_ = 0;
  // implementation helpers are free functions in the .cpp files (link.cpp, ip.cpp ...)
};

}  // namespace sipscope::decode
