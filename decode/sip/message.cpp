#include "decode/sip/message.hpp"

#include "decode/text.hpp"

#include <algorithm>

namespace sipscope::decode::sip {
namespace {

using text::is_alpha;
using text::is_digit;
using text::is_token_char;
using text::is_wsp;

// A stream peer announcing more than this is treated as hostile rather than waited for:
// SIP messages are kilobytes, and a framer must not buffer without bound.
constexpr int64_t kMaxContentLength = int64_t{16} << 20;

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_token_char);
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

bool contains_ci(std::string_view s, std::string_view needle) {
  if (needle.size() > s.size()) return false;
  for (size_t i = 0; i + needle.size() <= s.size(); ++i)
    if (iequals(s.substr(i, needle.size()), needle)) return true;
  return false;
}

// SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT (§25.1). Any version number is accepted here:
// rejecting SIP/7.0 with 505 is the application's job (RFC 4475 §3.1.2.16, badvers).
bool is_sip_version(std::string_view v) {
  if (!starts_with_ci(v, "SIP/")) return false;
  v.remove_prefix(4);
  const size_t dot = v.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == v.size()) return false;
  return std::all_of(v.begin(), v.begin() + static_cast<ptrdiff_t>(dot), is_digit) &&
         std::all_of(v.begin() + static_cast<ptrdiff_t>(dot) + 1, v.end(), is_digit);
}

std::string_view trim_wsp(std::string_view s) {
  while (!s.empty() && is_wsp(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_wsp(s.back())) s.remove_suffix(1);
  return s;
}

// One line of `data` starting at `pos`: content without the line terminator, and the
// offset just past the terminator. CRLF is the norm; a bare LF is accepted because some
// stacks (and resiprocate's own test messages) send it.
struct Line {
  std::string_view text;
  size_t next = 0;
  bool complete = false;
  bool stray_cr = false;  // ended in CR CR LF: the extra CRs are dropped from `text`
};

Line read_line(std::string_view data, size_t pos) {
  const size_t lf = data.find('\n', pos);
  if (lf == std::string_view::npos) return {data.substr(pos), data.size(), false};
  size_t end = lf;
  while (end > pos && data[end - 1] == '\r') --end;
  return {data.substr(pos, end - pos), lf + 1, true, lf - end > 1};
}

// Request-URI must at least look like an absolute URI (scheme ":" ...). This is what rejects
// "<sip:...>" (RFC 4475 §3.1.2.7, ltgtruri) and scheme-less targets.
bool plausible_uri(std::string_view u) {
  if (u.empty() || !is_alpha(u.front())) return false;
  for (size_t i = 1; i < u.size(); ++i) {
    const char c = u[i];
    if (c == ':') return true;
    if (!(is_alpha(c) || is_digit(c) || c == '+' || c == '-' || c == '.')) return false;
  }
  return false;
}

// Splits a start line on runs of SP. Multiple SP and trailing SP are invalid per RFC 3261,
// but RFC 4475 §3.1.2.9 (lwsstart) and §3.1.2.10 (trws) allow a liberal element to accept
// them; a passive analyzer wants to see such messages, so they are accepted.
size_t split_sp(std::string_view line, std::string_view* parts, size_t max_parts) {
  size_t n = 0;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    if (i >= line.size()) break;
    const size_t b = i;
    while (i < line.size() && line[i] != ' ') ++i;
    if (n == max_parts) return max_parts + 1;
    parts[n++] = line.substr(b, i - b);
  }
  return n;
}

}  // namespace

std::string_view parse_error_name(ParseError e) {
  switch (e) {
    case ParseError::ok:
      return "ok";
    case ParseError::not_sip:
      return "not_sip";
    case ParseError::bad_start_line:
      return "bad_start_line";
    case ParseError::bad_header_line:
      return "bad_header_line";
    case ParseError::headers_unterminated:
      return "headers_unterminated";
    case ParseError::too_many_headers:
      return "too_many_headers";
    case ParseError::bad_content_length:
      return "bad_content_length";
    case ParseError::body_truncated:
      return "body_truncated";
  }
  return "unknown";
}

const Header* Message::find(HeaderId id) const& {
  for (const auto& h : headers_)
    if (h.id == id) return &h;
  return nullptr;
}

std::string_view Message::header_value(HeaderId id) const {
  const Header* h = find(id);
  return h ? h->value : std::string_view{};
}

const Header* Message::find(std::string_view name) const& {
  // A known name also matches its compact form ("Call-ID" finds "i: ...").
  const HeaderId id = lookup_header(name);
  if (id != HeaderId::other) return find(id);
  for (const auto& h : headers_)
    if (h.id == HeaderId::other && iequals(h.name, name)) return &h;
  return nullptr;
}

size_t Message::count(HeaderId id) const {
  return static_cast<size_t>(std::count_if(headers_.begin(), headers_.end(),
                                           [id](const Header& h) { return h.id == id; }));
}

void Message::clear() {
  method_ = request_uri_ = version_ = reason_ = body_ = bytes_ = {};
  status_code_ = 0;
  content_length_ = -1;
  leniency_ = 0;
  headers_.clear();  // keeps capacity: no allocation on the next parse
}

namespace {

ParseError parse_start_line(std::string_view line, std::string_view& method, std::string_view& uri,
                            std::string_view& version, int& code, std::string_view& reason) {
  if (starts_with_ci(line, "SIP/")) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase (§7.2); Reason-Phrase may be
    // empty (RFC 4475 §3.1.1.13, noreason), and some stacks omit the SP before it.
    const size_t sp = line.find(' ');
    if (sp == std::string_view::npos || !is_sip_version(line.substr(0, sp)))
      return ParseError::bad_start_line;
    std::string_view rest = line.substr(sp + 1);
    if (rest.size() < 3 || !is_digit(rest[0]) || !is_digit(rest[1]) || !is_digit(rest[2]))
      return ParseError::bad_start_line;
    if (rest.size() > 3 && rest[3] != ' ') return ParseError::bad_start_line;  // bigcode
    const int c = (rest[0] - '0') * 100 + (rest[1] - '0') * 10 + (rest[2] - '0');
    if (c < 100 || c > 699) return ParseError::bad_start_line;
    version = line.substr(0, sp);
    code = c;
    reason = rest.size() > 3 ? rest.substr(4) : std::string_view{};
    return ParseError::ok;
  }
  // Request-Line = Method SP Request-URI SP SIP-Version (§7.1)
  std::string_view parts[3];
  const size_t n = split_sp(line, parts, 3);
  if (n == 3 && is_token(parts[0]) && is_sip_version(parts[2])) {
    // Embedded LWS in the Request-URI (RFC 4475 §3.1.2.8, lwsruri) gives n > 3 and is
    // rejected below.
    if (!plausible_uri(parts[1])) return ParseError::bad_start_line;
    method = parts[0];
    uri = parts[1];
    version = parts[2];
    code = 0;
    return ParseError::ok;
  }
  return contains_ci(line, "SIP/") ? ParseError::bad_start_line : ParseError::not_sip;
}

// Content-Length = 1*DIGIT (§20.14). Leading zeros are legal (RFC 4475 wsinv uses them).
bool parse_length(std::string_view v, int64_t& out) {
  v = trim_wsp(v);
  if (v.empty()) return false;
  int64_t n = 0;
  for (char c : v) {
    if (!is_digit(c)) return false;
    n = n * 10 + (c - '0');
    if (n > kMaxContentLength) return false;
  }
  out = n;
  return true;
}

}  // namespace

ParseResult parse_message(std::string_view data, Message& out, ParseOptions options) {
  out.clear();
  ParseResult result;

  // §7.5: implementations SHOULD ignore any CRLFs before the start line (keep-alives on
  // streams, RFC 5626 §3.5.1).
  size_t start = 0;
  while (start < data.size() && (data[start] == '\r' || data[start] == '\n')) ++start;

  const Line first = read_line(data, start);
  if (!first.complete) {
    // Not finished yet. Report garbage now rather than asking a stream framer to wait for
    // a line end: a start line begins with a token char (method or "SIP/") and never
    // holds control characters other than HTAB.
    const bool garbage =
        (start < data.size() && !is_token_char(data[start])) ||
        std::any_of(first.text.begin(), first.text.end(), [](char c) {
          return (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\r') || c == 0x7f;
        });
    result.error = garbage ? ParseError::not_sip : ParseError::headers_unterminated;
    return result;
  }
  result.error = parse_start_line(first.text, out.method_, out.request_uri_, out.version_,
                                  out.status_code_, out.reason_);
  if (result.error != ParseError::ok) {
    out.clear();
    return result;
  }
  if (first.stray_cr) out.leniency_ |= kLenientStrayCr;
  // §7.1: SIP-Version is case-insensitive; anything but 2.0 is accepted and flagged.
  if (!iequals(out.version_, "SIP/2.0")) out.leniency_ |= kLenientSipVersion;

  const bool lenient = options.datagram && options.lenient;
  size_t pos = first.next;
  bool terminated = false;
  while (pos < data.size()) {
    Line line = read_line(data, pos);
    if (!line.complete) {
      if (!lenient) break;
      // The datagram ends inside this header line: take it as the last one.
      if (!line.text.empty() && line.text.back() == '\r') line.text.remove_suffix(1);
      if (line.text.empty()) break;
    }
    pos = line.next;
    if (line.stray_cr) out.leniency_ |= kLenientStrayCr;
    if (line.text.empty()) {
      terminated = true;
      break;
    }
    if (is_wsp(line.text.front())) {
      // Continuation (§7.3.1): the previous value view is extended over the fold.
      if (out.headers_.empty()) {
        result.error = ParseError::bad_header_line;
        break;
      }
      const std::string_view more = trim_wsp(line.text);
      if (more.empty()) continue;
      Header& h = out.headers_.back();
      const char* b = h.value.empty() ? more.data() : h.value.data();
      const char* e = more.data() + more.size();
      h.value = std::string_view(b, static_cast<size_t>(e - b));
      continue;
    }
    size_t i = 0;
    while (i < line.text.size() && is_token_char(line.text[i])) ++i;
    const std::string_view name = line.text.substr(0, i);
    while (i < line.text.size() && is_wsp(line.text[i])) ++i;
    if (name.empty() || i >= line.text.size() || line.text[i] != ':') {
      result.error = ParseError::bad_header_line;
      break;
    }
    if (out.headers_.size() >= kMaxHeaders) {
      result.error = ParseError::too_many_headers;
      break;
    }
    out.headers_.push_back(Header{lookup_header(name), name, trim_wsp(line.text.substr(i + 1))});
  }
  if (result.error == ParseError::ok && !terminated) {
    if (lenient) {
      out.leniency_ |= kLenientUnterminatedHeaders;
      pos = data.size();  // no body: the headers used the whole datagram
    } else {
      result.error = ParseError::headers_unterminated;
    }
  }
  if (result.error != ParseError::ok) {
    out.clear();
    return result;
  }
  const size_t body_start = pos;

  // Several Content-Length lines that disagree make the framing ambiguous (RFC 4475
  // §3.3.9, mcl01): refuse rather than guess. Identical repeats are harmless.
  for (const Header& h : out.headers_) {
    if (h.id != HeaderId::content_length) continue;
    int64_t n = 0;
    if (!parse_length(h.value, n) || (out.content_length_ >= 0 && n != out.content_length_)) {
      if (lenient) {
        out.leniency_ |= kLenientBadContentLength;
        out.content_length_ = -1;  // framing falls back to the datagram boundary
        break;
      }
      out.clear();
      result.error = ParseError::bad_content_length;
      return result;
    }
    out.content_length_ = n;
  }

  size_t end = body_start;
  if ((out.leniency_ & kLenientUnterminatedHeaders) != 0) {
    // Headers ran to the end: whatever Content-Length says, there is no body.
  } else if (out.content_length_ >= 0) {
    const auto len = static_cast<size_t>(out.content_length_);
    if (len > data.size() - body_start && options.partial_body) {
      out.leniency_ |= kLenientPartialBody;
      end = data.size();
    } else if (len > data.size() - body_start) {
      out.clear();
      result.error = ParseError::body_truncated;
      return result;
    } else {
      end = body_start + len;
    }
  } else if (options.datagram) {
    end = data.size();  // §18.3: the body is the rest of the datagram
  }
  out.body_ = data.substr(body_start, end - body_start);
  out.bytes_ = data.substr(start, end - start);
  result.consumed = end;
  return result;
}

// Any SIP-Version (§7.1 grammar) is recognised, as parse_message accepts it: a message
// with another version is kept and flagged rather than taken for non-SIP traffic.
bool looks_like_sip(std::string_view data) {
  const size_t lf = data.find('\n');
  std::string_view line = data.substr(0, lf == std::string_view::npos ? data.size() : lf);
  while (!line.empty() && line.back() == '\r') line.remove_suffix(1);

  const size_t sp = line.find(' ');
  if (sp != std::string_view::npos && is_sip_version(line.substr(0, sp))) {
    return line.size() >= sp + 4 && is_digit(line[sp + 1]) && is_digit(line[sp + 2]) &&
           is_digit(line[sp + 3]);
  }
  size_t i = 0;
  while (i < line.size() && is_token_char(line[i])) ++i;
  if (i == 0 || i >= line.size() || line[i] != ' ') return false;
  // Tolerate trailing SP (RFC 4475 trws) the same way parse_message does.
  while (!line.empty() && line.back() == ' ') line.remove_suffix(1);
  const size_t last_sp = line.rfind(' ');
  return last_sp > i && is_sip_version(line.substr(last_sp + 1));
}

}  // namespace sipscope::decode::sip
