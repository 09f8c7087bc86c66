#include "decode/sdp/sdp.hpp"

#include "decode/text.hpp"

namespace sipscope::decode::sdp {
namespace {

using text::is_alpha;
using text::parse_uint;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Splits on runs of SP (RFC 8866 uses exactly one SP; senders that pad are tolerated).
// Returns the number of fields found, at most `max`; `rest` receives what follows field
// max-1 when there are more.
size_t split(std::string_view s, std::string_view* fields, size_t max,
             std::string_view* rest = nullptr) {
  size_t n = 0;
  size_t i = 0;
  if (rest) *rest = {};
  while (i < s.size() && n < max) {
    while (i < s.size() && s[i] == ' ') ++i;
    if (i >= s.size()) break;
    const size_t b = i;
    while (i < s.size() && s[i] != ' ') ++i;
    fields[n++] = s.substr(b, i - b);
  }
  if (rest) *rest = trim(s.substr(i));
  return n;
}

// c=<nettype> <addrtype> <connection-address>; the address loses its /ttl and /count
// suffixes (RFC 8866 §5.7) so it can be compared with packet addresses.
bool parse_connection(std::string_view v, Connection& c) {
  std::string_view f[3];
  std::string_view rest;
  if (split(v, f, 3, &rest) != 3 || !rest.empty()) return false;
  const std::string_view addr = f[2].substr(0, f[2].find('/'));
  if (addr.empty()) return false;
  c.present = true;
  c.net_type = f[0];
  c.addr_type = f[1];
  c.address = addr;
  return true;
}

bool parse_origin(std::string_view v, Origin& o) {
  std::string_view f[6];
  std::string_view rest;
  if (split(v, f, 6, &rest) != 6 || !rest.empty()) return false;
  o = {f[0], f[1], f[2], f[3], f[4], f[5]};
  return true;
}

// m=<media> <port>[/<number of ports>] <proto> <fmt> ...  (RFC 8866 §5.14)
bool parse_media_line(std::string_view v, Media& m) {
  std::string_view f[3];
  std::string_view rest;
  if (split(v, f, 3, &rest) != 3) return false;
  m.media = f[0];
  const size_t slash = f[1].find('/');
  if (!parse_uint<uint16_t>(f[1].substr(0, slash), 65535, m.port)) return false;
  m.port_count = 1;
  if (slash != std::string_view::npos &&
      (!parse_uint<uint16_t>(f[1].substr(slash + 1), 65535, m.port_count) || m.port_count == 0))
    return false;
  m.proto = f[2];
  // RFC 8866 asks for at least one fmt; "m=audio 0 RTP/AVP" with none is still a clear
  // rejected stream, so it is kept rather than failing the whole body.
  std::string_view fmt;
  while (split(rest, &fmt, 1, &rest) == 1) m.formats.push_back(fmt);
  return true;
}

Direction direction_of(std::string_view attr) {
  if (attr == "sendrecv") return Direction::sendrecv;
  if (attr == "sendonly") return Direction::sendonly;
  if (attr == "recvonly") return Direction::recvonly;
  if (attr == "inactive") return Direction::inactive;
  return Direction::unspecified;
}

// a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]
bool parse_rtpmap(std::string_view v, RtpMap& r) {
  std::string_view f[2];
  std::string_view rest;
  if (split(v, f, 2, &rest) != 2 || !rest.empty()) return false;
  if (!parse_uint<int>(f[0], 127, r.payload_type)) return false;
  const size_t s1 = f[1].find('/');
  if (s1 == std::string_view::npos || s1 == 0) return false;
  r.encoding = f[1].substr(0, s1);
  const std::string_view after = f[1].substr(s1 + 1);
  const size_t s2 = after.find('/');
  if (!parse_uint<uint32_t>(after.substr(0, s2), UINT32_MAX, r.clock_rate)) return false;
  r.channels = s2 == std::string_view::npos ? std::string_view{} : after.substr(s2 + 1);
  return true;
}

void parse_attribute(std::string_view v, Session& s, Media* m) {
  const size_t colon = v.find(':');
  const std::string_view name = v.substr(0, colon);
  const std::string_view value =
      colon == std::string_view::npos ? std::string_view{} : trim(v.substr(colon + 1));
  if (const Direction d = direction_of(name); d != Direction::unspecified) {
    (m ? m->direction : s.direction) = d;
    return;
  }
  if (m == nullptr) return;  // the remaining attributes are media-level only
  if (name == "rtpmap") {
    RtpMap r;
    if (parse_rtpmap(value, r)) m->rtpmaps.push_back(r);
  } else if (name == "fmtp") {
    std::string_view f[1];
    std::string_view rest;
    Fmtp fm;
    if (split(value, f, 1, &rest) == 1 && parse_uint<int>(f[0], 127, fm.payload_type)) {
      fm.params = rest;
      m->fmtps.push_back(fm);
    }
  } else if (name == "ptime") {
    // Some stacks write "20.0"; the integer part is what matters for packetisation.
    (void)parse_uint<uint32_t>(value.substr(0, value.find('.')), 100000, m->ptime_ms);
  } else if (name == "rtcp") {
    // a=rtcp:<port> [<nettype> <addrtype> <connection-address>]  (RFC 3605)
    std::string_view f[1];
    if (split(value, f, 1) == 1) (void)parse_uint<uint16_t>(f[0], 65535, m->rtcp_port);
  } else if (name == "rtcp-mux") {  // RFC 5761
    m->rtcp_mux = true;
  }
}

// Resets a Media for reuse while keeping the capacity of its vectors.
void reset(Media& m) {
  m.media = m.proto = {};
  m.port = 0;
  m.port_count = 1;
  m.formats.clear();
  m.connection = {};
  m.rtpmaps.clear();
  m.fmtps.clear();
  m.ptime_ms = 0;
  m.direction = Direction::unspecified;
  m.rtcp_port = 0;
  m.rtcp_mux = false;
}

}  // namespace

std::string_view sdp_error_name(SdpError e) {
  switch (e) {
    case SdpError::ok:
      return "ok";
    case SdpError::empty:
      return "empty";
    case SdpError::bad_line:
      return "bad_line";
    case SdpError::bad_version:
      return "bad_version";
    case SdpError::bad_origin:
      return "bad_origin";
    case SdpError::bad_connection:
      return "bad_connection";
    case SdpError::bad_media:
      return "bad_media";
    case SdpError::too_many_media:
      return "too_many_media";
  }
  return "unknown";
}

std::string_view direction_name(Direction d) {
  switch (d) {
    case Direction::unspecified:
      return "unspecified";
    case Direction::sendrecv:
      return "sendrecv";
    case Direction::sendonly:
      return "sendonly";
    case Direction::recvonly:
      return "recvonly";
    case Direction::inactive:
      return "inactive";
  }
  return "unknown";
}

const Connection& Media::effective_connection(const Session& s) const {
  return connection.present ? connection : s.connection;
}

Direction Media::effective_direction(const Session& s) const {
  // RFC 3264 §5.1 / RFC 8866 §6.7: media-level overrides session-level; default sendrecv.
  if (direction != Direction::unspecified) return direction;
  if (s.direction != Direction::unspecified) return s.direction;
  return Direction::sendrecv;
}

const RtpMap* Media::rtpmap(int payload_type) const {
  for (const auto& r : rtpmaps)
    if (r.payload_type == payload_type) return &r;
  return nullptr;
}

void Session::clear() {
  version = -1;
  origin = {};
  session_name = {};
  connection = {};
  timing = {};
  direction = Direction::unspecified;
  media.clear();
}

SdpError parse_sdp(std::string_view body, Session& out, std::string_view* line_out) {
  // Media entries are reused in place (not destroyed) so that a steady stream of similar
  // offers parses without allocating; the tail is dropped at the end.
  size_t used_media = 0;
  const auto finish = [&](SdpError e, std::string_view line) {
    out.media.resize(used_media);
    if (e != SdpError::ok && line_out) *line_out = line;
    return e;
  };
  out.version = -1;
  out.origin = {};
  out.session_name = {};
  out.connection = {};
  out.timing = {};
  out.direction = Direction::unspecified;

  bool seen_version = false;
  Media* current = nullptr;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t lf = body.find('\n', pos);
    if (lf == std::string_view::npos) lf = body.size();
    const std::string_view line = trim(body.substr(pos, lf - pos));
    pos = lf + 1;
    if (line.empty()) continue;  // blank lines (often a trailing CRLF pair) carry nothing
    if (line.size() < 2 || !is_alpha(line[0]) || line[1] != '=')
      return finish(SdpError::bad_line, line);
    const char type = line[0];
    const std::string_view value = line.substr(2);

    if (!seen_version) {
      // RFC 8866 §5: v= comes first and the only defined version is 0.
      if (type != 'v' || trim(value) != "0") return finish(SdpError::bad_version, line);
      seen_version = true;
      out.version = 0;
      continue;
    }
    switch (type) {
      case 'o':
        if (!parse_origin(value, out.origin)) return finish(SdpError::bad_origin, line);
        break;
      case 's':
        out.session_name = value;
        break;
      case 't':
        if (out.timing.empty()) out.timing = value;
        break;
      case 'c':
        if (!parse_connection(value, current ? current->connection : out.connection))
          return finish(SdpError::bad_connection, line);
        break;
      case 'm': {
        if (used_media == kMaxMedia) return finish(SdpError::too_many_media, line);
        if (used_media == out.media.size()) out.media.emplace_back();
        current = &out.media[used_media++];
        reset(*current);
        if (!parse_media_line(value, *current)) return finish(SdpError::bad_media, line);
        break;
      }
      case 'a':
        parse_attribute(value, out, current);
        break;
      default:
        break;  // i= u= e= p= b= z= k= r= and unknown types: not needed here
    }
  }
  if (!seen_version) return finish(SdpError::empty, {});
  return finish(SdpError::ok, {});
}

}  // namespace sipscope::decode::sdp
