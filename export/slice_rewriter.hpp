// The slice rewriter of redact_slice (export/pcap_slice.hpp), shared by its parts: byte
// helpers, the TCP stream and IP fragment bookkeeping, and the Rewriter class whose methods
// live in slice_link_ip.cpp (link, IP, tunnels), slice_ip_extras.cpp (IPv4 options, IPv6
// extension headers), slice_transport.cpp (UDP, SCTP, RTCP, checksums), slice_fragments.cpp
// (refragmentation), slice_tcp.cpp (TCP re-sequencing) and slice_payload.cpp (SIP, WebSocket, HEP
// payloads). Internal to export/.
//
// Each layer parses its header with the decoders of decode/, rewrites its payload
// recursively into a new buffer and then writes its own header with the new length and
// checksum, so a change of size anywhere inside is carried out to the link layer.
// Two passes: the first (scan) collects IP fragments and TCP segments, which need the
// other frames of their datagram or stream; the second rewrites.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "decode/ip.hpp"
#include "decode/sip/message.hpp"
#include "decode/websocket.hpp"
#include "export/pcap_slice.hpp"
#include "export/redact.hpp"

namespace sipscope::export_::slice {

using Bytes = std::vector<uint8_t>;
using Span = std::span<const uint8_t>;

constexpr int kMaxDepth = 8;  // nested tunnels followed; deeper content is blanked

inline uint16_t be16(const uint8_t* p) {
  return static_cast<uint16_t>((p[0] << 8) | p[1]);
}
inline uint32_t be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
inline void set16(uint8_t* p, size_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
inline void set32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}
inline std::string_view chars(Span s) {
  return {reinterpret_cast<const char*>(s.data()), s.size()};
}
inline Bytes bytes_of(std::string_view s) {
  return {s.begin(), s.end()};
}
inline void append(Bytes& out, Span s) {
  out.insert(out.end(), s.begin(), s.end());
}
inline bool sniff_sip(std::string_view s) {
  while (!s.empty() && (s.front() == '\r' || s.front() == '\n')) s.remove_prefix(1);
  return decode::sip::looks_like_sip(s);
}
inline bool istarts(std::string_view s, std::string_view p) {
  if (s.size() < p.size()) return false;
  for (size_t i = 0; i < p.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) !=
        std::tolower(static_cast<unsigned char>(p[i])))
      return false;
  }
  return true;
}

// Content-Length of a SIP head (RFC 3261 §20.14, compact form "l"); 0 when absent.
size_t content_length(std::string_view head);

struct IpCtx {
  bool v6 = false;
  Span orig_src, orig_dst;  // addresses as captured (flow keys)
  Span new_src, new_dst;    // pseudonyms (checksum pseudo-headers)
};

// Pseudo-header sum: RFC 768 / RFC 793 (IPv4), RFC 8200 §8.1 (IPv6).
uint16_t transport_checksum(const IpCtx& c, uint8_t proto, Span segment);

// ---- TCP streams: old byte offsets -> redacted byte offsets ---------------------------

struct Unit {
  int64_t old_start = 0, old_end = 0, new_start = 0, new_end = 0;
};

struct Piece {  // contiguous bytes of one direction present in the slice
  int64_t old_start = 0, old_end = 0, new_start = 0;
  Bytes in, out;
  std::vector<Unit> units;
};

struct Direction {
  bool have_base = false;
  uint32_t base = 0;  // sequence number of relative offset 0
  std::vector<std::pair<int64_t, Bytes>> segments;
  std::vector<Piece> pieces;

  [[nodiscard]] int64_t rel(uint32_t seq) const { return static_cast<int32_t>(seq - base); }

  // Monotone: unit boundaries map exactly, offsets inside a unit proportionally, offsets
  // outside the slice's bytes shift by the size change of everything before them.
  [[nodiscard]] int64_t map(int64_t x) const;
  [[nodiscard]] const Piece* piece_of(int64_t s, int64_t e) const;
};

struct Fragment {
  size_t frame = 0;
  size_t at = 0;  // offset of its IP header in the frame
  size_t header_length = 0;
  uint32_t offset = 0;
  bool more = false;
  bool v6 = false;
  uint8_t protocol = 0;
  Bytes header;  // IP header (IPv6: through the Fragment header), as captured
  Bytes payload;
};

class Rewriter {
 public:
  explicit Rewriter(Redactor& r) : r_(r) {}

  void scan(std::vector<SliceFrame>& frames);
  Bytes frame(const SliceFrame& f, size_t override_at = SIZE_MAX, const Bytes* override = nullptr);
  std::map<std::string, std::vector<Fragment>>& fragments() { return fragments_; }
  // A complete datagram's fragments: reassembled, redacted, cut again. Returns one
  // (template fragment index, IP packet) per output fragment.
  std::vector<std::pair<size_t, Bytes>> refragment(const std::vector<Fragment>& fs);

 private:
  // ---- link layer (slice_link_ip.cpp)
  void mac_at(Bytes& b, size_t at);
  void rewrite_link_addresses(int link_type, Bytes& head);
  static void fix_pppoe_length(Bytes& head, size_t packet_size);
  void blank_or_mac(Bytes& b, size_t at, size_t len);
  Bytes ethernet(Span data, int depth);

  // ---- IP and tunnels (slice_link_ip.cpp)
  Bytes ip(Span in, int depth);
  void rewrite_ip_addresses(uint8_t* a, bool v6);
  void rewrite_one_ip(uint8_t* a, bool v6);
  static void finish_ip(Bytes& head, bool v6, size_t payload_size);
  Bytes transport(uint8_t proto, Span p, const IpCtx& c, int depth);
  Bytes gre(Span p, int depth);

  // ---- IPv4 options, IPv6 extension headers (slice_ip_extras.cpp)
  // The header `head` (addresses already rewritten) past its fixed part.
  void redact_header_extras(Bytes& head, bool v6);
  void redact_ipv6_extensions(Bytes& head);
  void redact_routing_header(uint8_t* h, size_t total);

  // ---- fragments (slice_fragments.cpp)
  Bytes fragment_packet(const Fragment& f, size_t offset, bool more, const Bytes& payload);

  // ---- UDP, RTCP, SCTP (slice_transport.cpp)
  Bytes udp(Span p, const IpCtx& c, int depth);
  Bytes udp_payload(const decode::UdpHeader& u, int depth);
  static bool looks_like_rtcp(Span p);
  Bytes rtcp(Span p);
  void sdes(Span pkt, Bytes& out);
  Bytes sctp(Span p);

  // ---- TCP (slice_tcp.cpp)
  static std::string flow_key(const IpCtx& c, Span tcp_header);
  static std::string reverse_key(const IpCtx& c, Span tcp_header);
  Bytes tcp(Span p, const IpCtx& c);
  Bytes units_alone(Span payload);
  void build_pieces(Direction& d);

  // ---- payloads (slice_payload.cpp)
  Bytes sip(std::string_view text);
  Bytes text_of(std::string_view text);
  Bytes unit(Span data, bool& ws, size_t& used);
  Bytes ws_message(Span data, const decode::WsFrameHeader& first, size_t& used);
  Bytes ws_frame(Span frame, const decode::WsFrameHeader& h, uint8_t first_byte = 0);
  Bytes hep(Span p, size_t& used);

  Redactor& r_;
  bool scanning_ = false;
  bool frame_sip_ = false;
  size_t frame_index_ = 0;
  const uint8_t* base_ = nullptr;
  size_t override_at_ = SIZE_MAX;
  const Bytes* override_ = nullptr;
  std::map<std::string, Direction> flows_;
  std::map<std::string, std::vector<Fragment>> fragments_;
};

}  // namespace sipscope::export_::slice
