// Text of SIP messages (RFC 3261 §7) and SDP bodies (RFC 4566, offer/answer per RFC 3264)
// as the generator writes them. The builder only formats: which headers a message
// carries (Via stack, tags, Route/Record-Route) is decided by the Call script in call.hpp.
// render() always writes Content-Length (RFC 3261 §20.14, mandatory over UDP here) and
// Content-Type when there is a body, with CRLF line ends.
//
//   SipMessage m{"OPTIONS sip:gw@example.net SIP/2.0"};
//   m.add("Via", "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1234");
//   std::string bytes = m.render();
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net.hpp"

namespace sipscope::gen {

struct SipMessage {
  std::string start_line;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string content_type;
  std::string body;

  void add(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
  [[nodiscard]] std::string render() const;
};

// Standard reason phrase for the codes the scenarios use (RFC 3261 §21).
[[nodiscard]] std::string_view reason_phrase(int code);

// RFC 3551 static payload type name for 0 (PCMU), 8 (PCMA), 9 (G722), 18 (G729).
[[nodiscard]] std::string_view codec_name(int payload_type);

// Audio session offering/answering `payload_types` (first preferred) plus
// telephone-event/8000 as 101, 20 ms ptime, `direction` (sendrecv, sendonly, recvonly);
// `null_address` writes the RFC 2543 hold connection c=IN IP4 0.0.0.0 (IP6 ::).
[[nodiscard]] std::string sdp_body(std::string_view user, std::uint64_t session_id,
                                   std::uint64_t version, const Endpoint& media,
                                   std::span<const int> payload_types,
                                   std::string_view direction = "sendrecv",
                                   bool null_address = false);

}  // namespace sipscope::gen
