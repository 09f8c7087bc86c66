#include "sip_builder.hpp"

namespace sipscope::gen {

std::string SipMessage::render() const {
  std::string out;
  out.reserve(512 + body.size());
  out += start_line;
  out += "\r\n";
  for (const auto& [name, value] : headers) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  if (!body.empty()) {
    out += "Content-Type: ";
    out += content_type.empty() ? "application/sdp" : content_type;
    out += "\r\n";
  }
  out += "Content-Length: ";
  out += std::to_string(body.size());
  out += "\r\n\r\n";
  out += body;
  return out;
}

std::string_view reason_phrase(int code) {
  switch (code) {
    case 100:
      return "Trying";
    case 180:
      return "Ringing";
    case 183:
      return "Session Progress";
    case 200:
      return "OK";
    case 202:
      return "Accepted";
    case 302:
      return "Moved Temporarily";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 407:
      return "Proxy Authentication Required";
    case 408:
      return "Request Timeout";
    case 480:
      return "Temporarily Unavailable";
    case 486:
      return "Busy Here";
    case 487:
      return "Request Terminated";
    case 500:
      return "Server Internal Error";
    case 503:
      return "Service Unavailable";
    case 600:
      return "Busy Everywhere";
    case 603:
      return "Decline";
    default:
      return "Unknown";
  }
}

std::string_view codec_name(int payload_type) {
  switch (payload_type) {
    case 0:
      return "PCMU";
    case 8:
      return "PCMA";
    case 9:
      return "G722";
    case 18:
      return "G729";
    case 96:  // the generator's one dynamic payload type (rtpmap iLBC/8000, RFC 3952)
      return "iLBC";
    default:
      return "";
  }
}

std::string sdp_body(std::string_view user, std::uint64_t session_id, std::uint64_t version,
                     const Endpoint& media, std::span<const int> payload_types,
                     std::string_view direction, bool null_address) {
  // Built with append() only: GCC 12 reports a false -Wrestrict on chained operator+.
  const std::string family = media.ip.v6 ? "IP6" : "IP4";
  std::string s;
  s.append("v=0\r\n");
  s.append("o=").append(user).append(" ").append(std::to_string(session_id)).append(" ");
  s.append(std::to_string(version)).append(" IN ").append(family).append(" ");
  s.append(media.ip.text).append("\r\n");
  s.append("s=sipscope-gen\r\n");
  std::string connection = media.ip.text;
  if (null_address) connection = media.ip.v6 ? "::" : "0.0.0.0";
  s.append("c=IN ").append(family).append(" ").append(connection).append("\r\n");
  s.append("t=0 0\r\n");
  s.append("m=audio ").append(std::to_string(media.port)).append(" RTP/AVP");
  for (int pt : payload_types) s.append(" ").append(std::to_string(pt));
  s.append(" 101\r\n");
  for (int pt : payload_types) {
    s.append("a=rtpmap:").append(std::to_string(pt)).append(" ").append(codec_name(pt));
    s.append("/8000\r\n");
  }
  s += "a=rtpmap:101 telephone-event/8000\r\n";
  s += "a=fmtp:101 0-16\r\n";
  s += "a=ptime:20\r\n";
  s.append("a=").append(direction).append("\r\n");
  return s;
}

}  // namespace sipscope::gen
