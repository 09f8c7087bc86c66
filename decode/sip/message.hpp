// Zero-copy SIP message parser (RFC 3261 §7, §20, §25).
//
// parse_message() fills a reusable Message whose fields are string_views into the input
// buffer: they stay valid exactly as long as that buffer does. The Message keeps its
// header vector between calls, so steady-state parsing allocates nothing.
//
//   sip::Message msg;
//   auto r = sip::parse_message(bytes, msg, {.datagram = true});
//   if (r.error == sip::ParseError::ok) use(msg.method(), msg.header_value(HeaderId::call_id));
//
// Header names match case-insensitively and compact forms resolve to the same HeaderId
// (see headers.hpp). Folded continuation lines are part of the value view (use
// unfold() to get a clean copy). Repeated header lines are kept in order; comma-separated
// values are split on demand with for_each_value() (fields.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "decode/sip/headers.hpp"

#include "decode/view_guard.hpp"

namespace sipscope::decode::sip {

enum class ParseError : uint8_t {
  ok,
  not_sip,               // first line is neither a request line nor a status line
  bad_start_line,        // looks like SIP (SIP/2.0 present) but the line is malformed
  bad_header_line,       // header line without ':' or with an invalid name
  headers_unterminated,  // no empty line before the end of the input (stream: need more)
  too_many_headers,      // more than kMaxHeaders header lines
  bad_content_length,    // Content-Length not a number or absurdly large
  body_truncated,        // Content-Length says more than the input holds (stream: need more)
};

[[nodiscard]] std::string_view parse_error_name(ParseError e);

struct ParseOptions {
  // true for UDP/SCTP datagrams: a missing Content-Length means "body = rest of the
  // datagram" (RFC 3261 §18.3). false for streams: missing Content-Length means 0.
  bool datagram = true;
  // Datagram mode only (ignored for streams, whose framer relies on need-more answers):
  // "never lose a message" (RFC 3261 §18.3, RFC 4475 §1 spirit). A header section that
  // runs to the end of the datagram without an empty line is accepted with an empty body
  // (Message::leniency() has kLenientUnterminatedHeaders); a Content-Length that is not a
  // number, too large, or given twice with different values is ignored and the body is
  // the rest of the datagram (kLenientBadContentLength, content_length() == -1).
  bool lenient = false;
  // A body shorter than Content-Length is taken as it is (kLenientPartialBody) instead of
  // body_truncated: for a reader of one piece of a message its transport cut (redaction of
  // an SCTP DATA fragment), never for framing.
  bool partial_body = false;
};

// Bits of Message::leniency(): which lenient rule accepted it. The first two apply under
// ParseOptions::lenient only; the others in every mode (a passive analyzer keeps the message
// and the caller names the flaw).
inline constexpr uint8_t kLenientUnterminatedHeaders = 0x01;
inline constexpr uint8_t kLenientBadContentLength = 0x02;
// A line ended in CR CR LF (more than one CR before the LF): the extra CRs are not part of
// the line, so a Call-ID value does not keep a stray CR.
inline constexpr uint8_t kLenientStrayCr = 0x04;
// The start line's SIP-Version is not SIP/2.0 (RFC 3261 §7.1; RFC 4475 §3.1.2.16 badvers).
inline constexpr uint8_t kLenientSipVersion = 0x08;
// ParseOptions::partial_body accepted a body shorter than Content-Length.
inline constexpr uint8_t kLenientPartialBody = 0x10;

struct ParseResult {
  ParseError error = ParseError::ok;
  // Bytes of the message (start line .. end of body), plus any CRLFs skipped before the
  // start line; <= input size. 0 whenever error != ok.
  size_t consumed = 0;
};

inline constexpr size_t kMaxHeaders = 256;

struct Header {
  HeaderId id = HeaderId::other;
  std::string_view name;   // as written on the wire
  std::string_view value;  // leading/trailing whitespace trimmed; may contain folding
};

class Message {
 public:
  [[nodiscard]] bool is_request() const { return status_code_ == 0; }
  [[nodiscard]] std::string_view method() const { return method_; }  // "" for responses
  [[nodiscard]] std::string_view request_uri() const { return request_uri_; }
  [[nodiscard]] std::string_view version() const { return version_; }  // "SIP/2.0"
  [[nodiscard]] int status_code() const { return status_code_; }       // 0 for requests
  [[nodiscard]] std::string_view reason_phrase() const { return reason_; }

  // headers() and find() point into this object's header table: not on a temporary.
  [[nodiscard]] std::span<const Header> headers() const& { return headers_; }
  std::span<const Header> headers() const&& = delete;
  // First header line with this id, or nullptr.
  [[nodiscard]] const Header* find(HeaderId id) const&;
  const Header* find(HeaderId id) const&& = delete;
  // Value of the first header line with this id, or "" when absent.
  [[nodiscard]] std::string_view header_value(HeaderId id) const;
  // Case-insensitive lookup by full name (for headers not in the table, e.g. X-Call-ID).
  [[nodiscard]] const Header* find(std::string_view name) const&;
  const Header* find(std::string_view name) const&& = delete;
  [[nodiscard]] size_t count(HeaderId id) const;

  [[nodiscard]] std::string_view body() const { return body_; }
  [[nodiscard]] std::string_view bytes() const { return bytes_; }  // whole message
  // Content-Length as written, or -1 when the header is absent.
  [[nodiscard]] int64_t content_length() const { return content_length_; }
  // kLenient* bits: 0 for a message that parsed under the strict rules.
  [[nodiscard]] uint8_t leniency() const { return leniency_; }

  void clear();

 private:
  friend ParseResult parse_message(std::string_view, Message&, ParseOptions);
  std::string_view method_, request_uri_, version_, reason_, body_, bytes_;
  int status_code_ = 0;
  int64_t content_length_ = -1;
  uint8_t leniency_ = 0;
  std::vector<Header> headers_;
};

// Parses one message from the start of `data`.
[[nodiscard]] ParseResult parse_message(std::string_view data, Message& out,
                                        ParseOptions options = {});
template <TemporaryBuffer T>
ParseResult parse_message(T&&, Message&, ParseOptions = {}) = delete;  // views into a temporary

// Cheap content sniff: does `data` start with something that is a SIP request line
// (METHOD SP URI SP SIP/2.0) or status line (SIP/2.0 SP 3DIGIT)? Used to recognise SIP on
// any port before a full parse.
[[nodiscard]] bool looks_like_sip(std::string_view data);

}  // namespace sipscope::decode::sip
