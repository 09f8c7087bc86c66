// SDP offer/answer -> media association (docs/states.md "media stream"; RFC 3264 §5, §8).
// Each SDP body announces, per m-line, the transport address where its sender wants to
// receive RTP (c= + m= port) and RTCP (rtcp-mux RFC 5761, a=rtcp RFC 3605, else port+1
// per RFC 3550 §11). Every announced address is bound to the call whose message carried it;
// a later SDP naming the same address (re-INVITE, UPDATE, 183, or a new call reusing the
// port) replaces the binding, so port reuse is resolved by time.
//
// Bindings own copies of what they keep (payload map, codec names): SDP views die with the
// SIP message. Lookup by endpoint never allocates.
//
//   SdpBindings b;
//   b.announce(call_id, sip_event, session, now);   // after parse_sdp()
//   const Binding* x = b.find(packet.dst);
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "decode/frame.hpp"
#include "decode/net.hpp"
#include "decode/sdp/sdp.hpp"

namespace sipscope::correlate::media {

struct PayloadInfo {
  uint8_t payload_type = 0;
  uint32_t clock_rate = 0;      // 0 = unknown
  std::array<char, 24> name{};  // NUL-terminated encoding name
  [[nodiscard]] std::string_view encoding() const { return name.data(); }
};

struct Binding {
  int64_t call_id = 0;
  int64_t since_us = 0;  // time of the SDP that made it
  uint64_t frame = 0;    // frame of that SDP
  uint32_t capture_id = 0;
  bool rtcp = false;           // the RTCP address of an m-line (not rtcp-mux)
  bool hold = false;           // sendonly / inactive / recvonly announced
  bool non_rtp = false;        // m= proto is not RTP (udptl T.38, TCP/MSRP ...)
  decode::Endpoint announcer;  // SIP source of the SDP (one side of the call)
  uint8_t payload_count = 0;
  std::array<PayloadInfo, 16> payloads{};  // m= formats with rtpmap info, first 16

  [[nodiscard]] const PayloadInfo* payload(uint8_t pt) const;
};

// Parses "IP4 a.b.c.d" / "IP6 x::y" connection addresses; false if not an address
// (FQDN or garbage).
[[nodiscard]] bool parse_connection_address(std::string_view addr_type, std::string_view text,
                                            decode::IpAddress& out);

// What an SDP told about holds and codecs, for the diagnostics.
struct AnnounceResult {
  int bound = 0;      // RTP addresses bound
  bool hold = false;  // a=sendonly/inactive or c=0.0.0.0 on an audio m-line
  bool null_address = false;
};

class SdpBindings {
 public:
  AnnounceResult announce(int64_t call_id, const decode::FrameRef& frame,
                          const decode::Endpoint& announcer, const decode::sdp::Session& s);
  [[nodiscard]] const Binding* find(const decode::Endpoint& ep) const {
    auto it = map_.find(ep);
    return it == map_.end() ? nullptr : &it->second;
  }
  // A binding on the same port (any address), for symmetric-RTP / NAT latching checks.
  [[nodiscard]] const Binding* find_port(uint16_t port, decode::Endpoint* where) const;
  // Forgets bindings made before `before_us` (bounded memory; called rarely).
  void expire(int64_t before_us);
  [[nodiscard]] size_t size() const { return map_.size(); }

 private:
  std::unordered_map<decode::Endpoint, Binding, decode::EndpointHash> map_;
  std::unordered_multimap<uint16_t, decode::Endpoint> by_port_;
};

}  // namespace sipscope::correlate::media
