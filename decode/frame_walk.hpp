// Internal to decode/: FrameWalk, one frame's walk down the stack (link, IP and its
// fragments, tunnels, UDP/TCP/SCTP, HEP) into SIP events and named anomalies, and the SIP
// flaw reports it shares with Decoder's stream reporter. Layers: frame_walk.cpp; HEP, SIP
// delivery and anomaly reports: frame_walk_sip.cpp.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "decode/decoder.hpp"
#include "decode/hep.hpp"
#include "decode/ip.hpp"
#include "decode/sip/message.hpp"
#include "decode/text.hpp"
#include "decode/tunnel.hpp"

namespace sipscope::decode::detail {

using text::append_excerpt;
using text::append_uint;
using text::as_chars;

// RFC 3261 §7.5: CRLFs before the start line are ignored (parse_message skips them too);
// the content sniff must look past them.
bool sniff_sip(std::string_view s);
// A header cut short (the anomalies that a snap length can cause).
bool is_truncation(AnomalyKind k);
AnomalyKind sip_error_anomaly(sip::ParseError e);

inline constexpr uint8_t kAllFlaws = 0xff;
inline constexpr size_t kMaxHepNodeName = 64;  // bytes of a HEP node name kept in the agent label
// Flaws noted in every parse mode (the others only come from datagram leniency).
inline constexpr uint8_t kLineFlaws = sip::kLenientStrayCr | sip::kLenientSipVersion;

// A message accepted despite a flaw is delivered and the flaw named: for each leniency bit
// in `mask`, fills `detail` and calls report(kind).
template <typename Report>
void report_flaws(const sip::Message& m, std::string_view text, std::string& detail, uint8_t mask,
                  Report&& report) {
  const uint8_t bits = m.leniency() & mask;
  if ((bits & sip::kLenientUnterminatedHeaders) != 0) {
    detail.clear();
    detail += "no empty line after the headers; accepted with an empty body: ";
    append_excerpt(detail, text);
    report(AnomalyKind::sip_headers_unterminated);
  }
  if ((bits & sip::kLenientBadContentLength) != 0) {
    detail.clear();
    detail += "Content-Length unusable; body taken as the rest of the datagram (";
    append_uint(detail, m.body().size());
    detail += " bytes): ";
    append_excerpt(detail, text);
    report(AnomalyKind::sip_bad_content_length);
  }
  if ((bits & sip::kLenientStrayCr) != 0) {
    // Name the first offending line.
    const size_t cr = text.find("\r\r");
    const size_t line = cr == std::string_view::npos ? 0 : text.rfind('\n', cr) + 1;
    detail.clear();
    detail += "line ends in CR CR LF; stray CR dropped: ";
    append_excerpt(detail, text.substr(line));
    report(AnomalyKind::sip_bad_line_end);
  }
  if ((bits & sip::kLenientSipVersion) != 0) {
    detail.clear();
    detail += "SIP-Version is not SIP/2.0 (RFC 3261 §7.1): ";
    append_excerpt(detail, text);
    report(AnomalyKind::sip_bad_version);
  }
}

// One frame's walk down the stack. Holds references to the Decoder's state so the
// public class stays free of private helper declarations.
class FrameWalk {
 public:
  FrameWalk(const Frame& frame, PacketSink& sink, sip::Message& message, DecoderStats& stats,
            std::string& detail, IpReassembler& reassembler, SctpReassembler& sctp,
            TcpStreams& streams)
      : frame_(frame),
        sink_(sink),
        message_(message),
        stats_(stats),
        detail_(detail),
        reassembler_(reassembler),
        sctp_(sctp),
        streams_(streams),
        ref_(frame.ref) {
    frames_.add(frame.ref.number);
  }

  void run();
  [[nodiscard]] int64_t clock_us() const { return clock_us_; }

 private:
  // `depth`: tunnels entered so far.
  void walk_ip(std::span<const uint8_t> data, bool v6, int depth);
  // True when the fragment completed a datagram: ip_.payload is then the whole datagram.
  bool reassemble();
  void dispatch(int depth);
  void on_gre(int depth);
  void enter(InnerKind kind, std::span<const uint8_t> payload, int depth);
  void on_udp(int depth);
  // Segments go to per-connection stream reassembly (decode/tcp_stream.hpp), which frames
  // SIP (and SIP over WebSocket) and calls back Decoder::StreamReporter.
  void on_tcp();

  // ---- SIP over SCTP (RFC 4168) -------------------------------------------------------

  void on_sctp();

  // ---- HEP (decode/hep.hpp) -----------------------------------------------------------

  // False when a v1/v2 look-alike is not HEP after all (the datagram is then other UDP);
  // "HEP3" is unambiguous, so its errors are reported.
  bool on_hep(std::span<const uint8_t> data);
  // HEP over TCP: packets back to back in the stream. Only packets wholly inside this
  // segment are decoded (no stream reassembly for HEP yet); the rest is reported.
  void on_hep_segment(std::span<const uint8_t> data);
  void report_hep_error(HepError e, size_t bytes);
  // The inner SIP is analysed as the capture agent saw it: original addresses, ports,
  // transport and capture time; the frame number stays the outer frame's.
  void deliver_hep(const HepPacket& hep);
  static Transport hep_transport(uint8_t ip_protocol);
  // One SCTP user message or one HEP payload: a whole SIP message (RFC 4168 §5), or for
  // HEP of TCP traffic possibly several back to back. Non-SIP payloads (SIGTRAN, Diameter)
  // are valid traffic that is not ours and are skipped.
  void deliver_sip(std::string_view text, Transport t);
  void deliver_datagram(const sip::ParseResult& r, std::string_view text, Transport t);
  // A datagram message accepted by the lenient rules is delivered and also flagged.
  void report_leniency(std::string_view text);
  void report_sip_error(sip::ParseError e, std::string_view text);
  void emit_sip(Transport t);
  void set_ports(uint16_t src, uint16_t dst) {
    src_.port = src;
    dst_.port = dst;
  }

  [[nodiscard]] bool snap_cut() const { return frame_.data.size() < frame_.wire_length; }

  void begin_detail() { detail_.clear(); }

  // A header cut short because the capture's snap length cut the frame is not malformed
  // traffic: it is reported as frame_truncated, naming the layer.
  void report(AnomalyKind kind);

  const Frame& frame_;
  PacketSink& sink_;
  sip::Message& message_;
  DecoderStats& stats_;
  std::string& detail_;
  IpReassembler& reassembler_;
  SctpReassembler& sctp_;
  TcpStreams& streams_;
  FrameRef ref_;      // frame_.ref, with the capture time of a HEP packet while decoding its SIP
  FrameList frames_;  // frames of the datagram being walked: this one and its IP fragments'
  int64_t clock_us_ = frame_.ref.ts_us;  // see Decoder::clock_us()
  IpPacket ip_;
  Endpoint src_;
  Endpoint dst_;
  bool has_flow_ = false;
  std::string hep_agent_;  // agent of the HEP packet being delivered ("" outside HEP)
};

}  // namespace sipscope::decode::detail
