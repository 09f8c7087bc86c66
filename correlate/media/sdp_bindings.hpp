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
// Bounded: at most `max_bindings` addresses; at the bound the oldest announcement is
// forgotten (counted in evicted(); the media tracker records sdp_binding_table_full).
// expire() and eviction walk an age list from its old end, so they cost what they forget.
//
//   SdpBindings b;
//   b.announce(call_id, sip_event, session, now);   // after parse_sdp()
//   const Binding* x = b.find(packet.dst);
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <list>
#include <map>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "decode/frame.hpp"
#include "decode/net.hpp"
#include "decode/sdp/sdp.hpp"

namespace sipscope::correlate::media {

struct PayloadInfo {
  uint8_t payload_type = 0;
  uint32_t clock_rate = 0;      // 0 = unknown
  std::array<char, 24> name{};  // NUL-terminated encoding name
  [[nodiscard]] std::string_view encoding() const& { return name.data(); }
  std::string_view encoding() const&& = delete;  // a view into a dead temporary
};

inline constexpr size_t kMaxShared = 3;

struct Binding {
  int64_t call_id = 0;
  // Other open calls that announced this address too (B2BUA legs, docs/media.md "Media
  // shared by call legs"); 0 = empty.
  std::array<int64_t, kMaxShared> shared{};
  int64_t since_us = 0;  // time of the SDP that made it
  uint64_t frame = 0;    // frame of that SDP
  uint32_t capture_id = 0;
  bool rtcp = false;           // the RTCP address of an m-line (not rtcp-mux)
  bool hold = false;           // sendonly / inactive / recvonly announced
  bool non_rtp = false;        // m= proto is not RTP (udptl T.38, TCP/MSRP ...)
  decode::Endpoint announcer;  // SIP source of the SDP (one side of the call)
  // m= formats with rtpmap info, first 16 (RTP bindings only: an RTCP one needs none).
  std::vector<PayloadInfo> payloads;

  [[nodiscard]] const PayloadInfo* payload(uint8_t pt) const;
  [[nodiscard]] bool shared_with(int64_t id) const {
    return std::find(shared.begin(), shared.end(), id) != shared.end();
  }
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
  int evicted = 0;  // bindings forgotten to stay within the bound
};

class SdpBindings {
 public:
  explicit SdpBindings(size_t max_bindings = 400'000) : max_(std::max<size_t>(max_bindings, 1)) {}
  // Entries hold iterators into this object's by_age_ and by_port_: not copyable.
  SdpBindings(const SdpBindings&) = delete;
  SdpBindings& operator=(const SdpBindings&) = delete;

  // `bound` (optional) receives every address bound, RTP and RTCP; `replaced` (optional)
  // the binding each of them had before, when it had one.
  AnnounceResult announce(int64_t call_id, const decode::FrameRef& frame,
                          const decode::Endpoint& announcer, const decode::sdp::Session& s,
                          std::vector<decode::Endpoint>* bound = nullptr,
                          std::vector<std::pair<decode::Endpoint, Binding>>* replaced = nullptr);
  // Puts back a binding an offer replaced (the offer was rejected, RFC 3264 §8), if the
  // address is still bound to that call.
  void restore(const decode::Endpoint& ep, const Binding& before);
  // The call bound at `ep` shares it with `call_id` and the calls in `also`.
  void share(const decode::Endpoint& ep, int64_t call_id,
             const std::array<int64_t, kMaxShared>& also);
  [[nodiscard]] const Binding* find(const decode::Endpoint& ep) const {
    auto it = map_.find(ep);
    return it == map_.end() ? nullptr : &it->second.binding;
  }
  // A binding on the same port (any address), for symmetric-RTP / NAT latching checks.
  [[nodiscard]] const Binding* find_port(uint16_t port, decode::Endpoint* where) const;
  // Forgets bindings made before `before_us`: the oldest first, stopping at the first younger.
  void expire(int64_t before_us);
  // Forgets `ep` if it is still bound to `call_id` (the call's media entry has expired).
  void forget(int64_t call_id, const decode::Endpoint& ep);
  [[nodiscard]] size_t size() const { return map_.size(); }
  [[nodiscard]] uint64_t evicted() const { return evicted_; }

 private:
  using PortIndex = std::multimap<uint16_t, decode::Endpoint>;
  struct Entry {
    Binding binding;
    std::list<decode::Endpoint>::iterator age;  // its place in by_age_
    PortIndex::iterator port;                   // its place in by_port_
  };
  using Map = std::unordered_map<decode::Endpoint, Entry, decode::EndpointHash>;
  void put(const decode::Endpoint& ep, const Binding& value, AnnounceResult& r,
           std::vector<std::pair<decode::Endpoint, Binding>>* replaced = nullptr);
  void erase(Map::iterator it);

  size_t max_;
  uint64_t evicted_ = 0;
  Map map_;
  std::list<decode::Endpoint> by_age_;  // by announcement time, oldest first
  PortIndex by_port_;  // node-based: an entry erases its own node, no scan of the port
};

}  // namespace sipscope::correlate::media
