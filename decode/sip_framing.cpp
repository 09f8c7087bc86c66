#include "decode/sip_framing.hpp"

#include "decode/text.hpp"

#include "decode/sip/message.hpp"

namespace sipscope::decode {
namespace {

using sip::iequals;
using text::is_token_char;  // a start line begins with one (method or "SIP/")
using text::is_wsp;

// Content-Length = 1*DIGIT (§20.14), surrounding whitespace allowed.
bool parse_length(std::string_view v, size_t& out) {
  while (!v.empty() && is_wsp(v.front())) v.remove_prefix(1);
  while (!v.empty() && (is_wsp(v.back()) || v.back() == '\r')) v.remove_suffix(1);
  if (v.empty()) return false;
  size_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<size_t>(c - '0');
    if (n > kMaxFramedBody) return false;
  }
  out = n;
  return true;
}

FrameResult fail(FrameError e, size_t keep_alive) {
  FrameResult r;
  r.status = FrameStatus::error;
  r.error = e;
  r.consumed = keep_alive;
  return r;
}

FrameResult need_more(size_t keep_alive, size_t needed = 0) {
  FrameResult r;
  r.consumed = keep_alive;
  r.needed = needed;
  return r;
}

}  // namespace

std::string_view frame_error_name(FrameError e) {
  switch (e) {
    case FrameError::none:
      return "none";
    case FrameError::not_sip:
      return "not_sip";
    case FrameError::bad_content_length:
      return "bad_content_length";
    case FrameError::headers_too_long:
      return "headers_too_long";
  }
  return "unknown";
}

FrameResult frame_sip(std::string_view data) {
  // RFC 5626 §3.5.1 keep-alives (CRLF CRLF ping, CRLF pong) and RFC 3261 §7.5 CRLFs
  // before a start line are not messages.
  size_t start = 0;
  while (start < data.size() && (data[start] == '\r' || data[start] == '\n')) ++start;
  if (start == data.size()) return need_more(start);

  size_t lf = data.find('\n', start);
  if (lf == std::string_view::npos) {
    // An unfinished start line: wait, unless it already cannot be one.
    if (!is_token_char(data[start]) || data.size() - start > kMaxFramedHeaders) {
      return fail(FrameError::not_sip, start);
    }
    for (size_t i = start; i < data.size(); ++i) {
      const auto u = static_cast<unsigned char>(data[i]);
      if ((u < 0x20 && data[i] != '\t' && data[i] != '\r') || u == 0x7f) {
        return fail(FrameError::not_sip, start);
      }
    }
    return need_more(start);
  }
  if (!sip::looks_like_sip(data.substr(start, lf - start))) {
    return fail(FrameError::not_sip, start);
  }

  size_t pos = lf + 1;
  size_t content_length = 0;
  bool have_length = false;
  for (;;) {
    if (pos - start > kMaxFramedHeaders) return fail(FrameError::headers_too_long, start);
    lf = data.find('\n', pos);
    if (lf == std::string_view::npos) {
      if (data.size() - start > kMaxFramedHeaders) {
        return fail(FrameError::headers_too_long, start);
      }
      return need_more(start);
    }
    std::string_view line = data.substr(pos, lf - pos);
    pos = lf + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // end of the header section
    if (is_wsp(line.front()) || have_length) continue;
    size_t i = 0;
    while (i < line.size() && is_token_char(line[i])) ++i;
    const std::string_view name = line.substr(0, i);
    while (i < line.size() && is_wsp(line[i])) ++i;
    if (i >= line.size() || line[i] != ':') continue;  // parse_message reports it
    if (!iequals(name, "content-length") && !iequals(name, "l")) continue;
    // The first Content-Length frames the message; parse_message rejects disagreeing
    // repeats (RFC 4475 §3.3.9) after framing.
    if (!parse_length(line.substr(i + 1), content_length)) {
      return fail(FrameError::bad_content_length, start);
    }
    have_length = true;
  }
  if (pos - start > kMaxFramedHeaders) return fail(FrameError::headers_too_long, start);

  const size_t end = pos + content_length;  // stream mode: no Content-Length = no body
  if (end > data.size()) return need_more(start, end);
  FrameResult r;
  r.status = FrameStatus::complete;
  r.consumed = end;
  r.message_offset = start;
  r.has_content_length = have_length;
  return r;
}

size_t find_sip_start(std::string_view data, size_t from) {
  size_t pos = from;
  if (pos > data.size()) return std::string_view::npos;
  if (pos > 0 && data[pos - 1] != '\n') {
    const size_t lf = data.find('\n', pos);
    if (lf == std::string_view::npos) return std::string_view::npos;
    pos = lf + 1;
  }
  while (pos < data.size()) {
    if (sip::looks_like_sip(data.substr(pos))) return pos;
    const size_t lf = data.find('\n', pos);
    if (lf == std::string_view::npos) break;
    pos = lf + 1;
  }
  return std::string_view::npos;
}

size_t last_line_start(std::string_view data) {
  const size_t lf = data.rfind('\n');
  return lf == std::string_view::npos ? 0 : lf + 1;
}

}  // namespace sipscope::decode
