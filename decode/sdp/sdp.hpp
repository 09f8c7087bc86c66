// SDP parser (RFC 8866, formerly RFC 4566) for the lines a SIP/RTP analyzer needs:
// v= o= s= c= t= m= and the a= attributes rtpmap, fmtp, ptime, rtcp, rtcp-mux and the
// direction attributes (RFC 3264 §5.1: sendrecv, sendonly, recvonly, inactive).
//
// Views point into the body passed to parse_sdp(). The Session object is reusable: its
// vectors keep their capacity between calls.
//
//   sdp::Session s;
//   if (sdp::parse_sdp(body, s) == sdp::SdpError::ok)
//     for (auto& m : s.media) use(m.port, m.effective_connection(s).address);
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "decode/view_guard.hpp"

namespace sipscope::decode::sdp {

enum class SdpError : uint8_t {
  ok,
  empty,
  bad_line,     // a line that is not "<letter>=<value>"
  bad_version,  // v= missing or not 0 as the first line
  bad_origin,
  bad_connection,  // c= not "IN IP4|IP6 address"
  bad_media,       // m= not "<media> <port>[/<n>] <proto> <fmt>..."
  too_many_media,
};

[[nodiscard]] std::string_view sdp_error_name(SdpError e);

enum class Direction : uint8_t { unspecified, sendrecv, sendonly, recvonly, inactive };
[[nodiscard]] std::string_view direction_name(Direction d);

struct Connection {
  bool present = false;
  std::string_view net_type;   // "IN"
  std::string_view addr_type;  // "IP4" / "IP6"
  std::string_view address;    // without /ttl or /count suffixes
};

struct Origin {
  std::string_view username, session_id, session_version, net_type, addr_type, address;
};

struct RtpMap {
  int payload_type = -1;
  std::string_view encoding;  // "PCMU", "opus", "telephone-event"
  uint32_t clock_rate = 0;
  std::string_view channels;  // "" when absent
};

struct Fmtp {
  int payload_type = -1;
  std::string_view params;
};

struct Media {
  std::string_view media;  // "audio", "video", "image", ...
  uint16_t port = 0;
  uint16_t port_count = 1;
  std::string_view proto;  // "RTP/AVP", "RTP/SAVP", "udptl", ...
  std::vector<std::string_view> formats;
  Connection connection;  // media-level c=, present=false when absent
  std::vector<RtpMap> rtpmaps;
  std::vector<Fmtp> fmtps;
  uint32_t ptime_ms = 0;  // 0 when absent
  Direction direction = Direction::unspecified;
  uint16_t rtcp_port = 0;  // a=rtcp port, 0 when absent
  bool rtcp_mux = false;

  // Media-level c= if present, else the session-level one.
  [[nodiscard]] const Connection& effective_connection(const struct Session& s) const;
  // Media direction, falling back to the session-level attribute, then sendrecv.
  [[nodiscard]] Direction effective_direction(const struct Session& s) const;
  [[nodiscard]] const RtpMap* rtpmap(int payload_type) const;
};

struct Session {
  int version = -1;
  Origin origin;
  std::string_view session_name;
  Connection connection;                         // session-level c=
  std::string_view timing;                       // t= value
  Direction direction = Direction::unspecified;  // session-level attribute
  std::vector<Media> media;

  void clear();
};

inline constexpr size_t kMaxMedia = 32;

// Parses an SDP body. Lines may end in CRLF or bare LF. Unknown lines and attributes are
// skipped (RFC 8866 §5: parsers ignore what they do not understand). On error, `line`
// (if given) receives the offending line.
[[nodiscard]] SdpError parse_sdp(std::string_view body, Session& out,
                                 std::string_view* line = nullptr);
template <TemporaryBuffer T>
SdpError parse_sdp(T&&, Session&, std::string_view* = nullptr) = delete;  // views into a temporary

}  // namespace sipscope::decode::sdp
