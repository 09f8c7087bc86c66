#include "decode/sip_framing.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace sipscope::decode {
namespace {

// 14 body bytes: "v=0\r\no=- 1 1\r\n" is 4 + 10 = 14 (counted by hand).
const std::string kInvite =
    "INVITE sip:bob@example.com SIP/2.0\r\n"
    "Via: SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bK1\r\n"
    "Call-ID: c1\r\n"
    "CSeq: 1 INVITE\r\n"
    "Content-Length: 14\r\n"
    "\r\n"
    "v=0\r\no=- 1 1\r\n";

// Compact form `l` (RFC 3261 §7.3.3) with surrounding whitespace and a 4-byte body.
const std::string kOkCompact =
    "SIP/2.0 200 OK\r\n"
    "i: c1\r\n"
    "l :  4 \r\n"
    "\r\n"
    "abcd";

// No Content-Length: on a stream the body is empty (RFC 3261 §18.3 makes the header
// mandatory on streams; sipscope takes its absence as 0).
const std::string kAckNoLength =
    "ACK sip:bob@example.com SIP/2.0\r\n"
    "Call-ID: c1\r\n"
    "\r\n";

TEST(SipFraming, CompleteMessageWithBody) {
  const FrameResult r = frame_sip(kInvite);
  EXPECT_EQ(r.status, FrameStatus::complete);
  EXPECT_EQ(r.consumed, kInvite.size());
  EXPECT_EQ(r.message_offset, 0u);
  EXPECT_TRUE(r.has_content_length);
}

TEST(SipFraming, CompactContentLength) {
  const FrameResult r = frame_sip(kOkCompact + "SIP/2.0 ");
  EXPECT_EQ(r.status, FrameStatus::complete);
  EXPECT_EQ(r.consumed, kOkCompact.size());
}

TEST(SipFraming, MissingContentLengthMeansNoBody) {
  const FrameResult r = frame_sip(kAckNoLength + "trailing");
  EXPECT_EQ(r.status, FrameStatus::complete);
  EXPECT_EQ(r.consumed, kAckNoLength.size());
  EXPECT_FALSE(r.has_content_length);
}

TEST(SipFraming, ThreeMessagesBackToBack) {
  const std::string all = kInvite + kOkCompact + kAckNoLength;
  std::string_view rest = all;
  const size_t sizes[] = {kInvite.size(), kOkCompact.size(), kAckNoLength.size()};
  for (size_t expected : sizes) {
    const FrameResult r = frame_sip(rest);
    ASSERT_EQ(r.status, FrameStatus::complete);
    EXPECT_EQ(r.consumed, expected);
    rest.remove_prefix(r.consumed);
  }
  EXPECT_TRUE(rest.empty());
}

TEST(SipFraming, KeepAlivesAreSkipped) {
  // RFC 5626 §3.5.1: CRLFCRLF ping, CRLF pong.
  FrameResult r = frame_sip("\r\n\r\n");
  EXPECT_EQ(r.status, FrameStatus::need_more);
  EXPECT_EQ(r.consumed, 4u);
  r = frame_sip("\r\n" + kInvite);
  EXPECT_EQ(r.status, FrameStatus::complete);
  EXPECT_EQ(r.message_offset, 2u);
  EXPECT_EQ(r.consumed, 2 + kInvite.size());
}

TEST(SipFraming, EveryProperPrefixNeedsMore) {
  for (size_t n = 0; n < kInvite.size(); ++n) {
    const FrameResult r = frame_sip(std::string_view(kInvite).substr(0, n));
    EXPECT_EQ(r.status, FrameStatus::need_more) << "prefix " << n;
    EXPECT_LE(r.consumed, n);
  }
}

TEST(SipFraming, NeededIsKnownOnceTheHeadersEnd) {
  const size_t headers = kInvite.size() - 14;
  const FrameResult r = frame_sip(std::string_view(kInvite).substr(0, headers + 3));
  EXPECT_EQ(r.status, FrameStatus::need_more);
  EXPECT_EQ(r.needed, kInvite.size());
}

TEST(SipFraming, Errors) {
  FrameResult r = frame_sip("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.status, FrameStatus::error);
  EXPECT_EQ(r.error, FrameError::not_sip);
  EXPECT_EQ(r.consumed, 0u);

  r = frame_sip("\x16\x03\x01\x02");  // a TLS record cannot start a start line
  EXPECT_EQ(r.error, FrameError::not_sip);

  r = frame_sip("OPTIONS sip:a SIP/2.0\r\nContent-Length: 12x\r\n\r\n");
  EXPECT_EQ(r.error, FrameError::bad_content_length);

  r = frame_sip("OPTIONS sip:a SIP/2.0\r\nContent-Length: 99999999999\r\n\r\n");
  EXPECT_EQ(r.error, FrameError::bad_content_length);

  std::string huge = "OPTIONS sip:a SIP/2.0\r\n";
  while (huge.size() <= kMaxFramedHeaders) huge += "X-Pad: 0123456789012345678901234567890\r\n";
  r = frame_sip(huge);
  EXPECT_EQ(r.status, FrameStatus::error);
  EXPECT_EQ(r.error, FrameError::headers_too_long);
}

TEST(SipFraming, FindSipStartAfterGarbage) {
  const std::string junk = "dy of a previous message\r\nmore body\r\n";
  EXPECT_EQ(find_sip_start(junk + kInvite), junk.size());
  EXPECT_EQ(find_sip_start(kInvite), 0u);
  // Starting inside a line skips to the next line start.
  EXPECT_EQ(find_sip_start(kInvite + kOkCompact, 1), kInvite.size());
  EXPECT_EQ(find_sip_start(junk), std::string_view::npos);
  EXPECT_EQ(last_line_start("abc\r\nINVITE sip:x SIP/2"), 5u);
  EXPECT_EQ(last_line_start("abc"), 0u);
}

// The stated invariant: consumed <= input size, for every prefix of real messages and for
// random bytes, and the message lies inside the consumed bytes.
TEST(SipFraming, ConsumedNeverExceedsInput) {
  const std::string all = "\r\n" + kInvite + kOkCompact + "\r\n\r\n" + kAckNoLength;
  for (size_t n = 0; n <= all.size(); ++n) {
    const std::string_view in = std::string_view(all).substr(0, n);
    const FrameResult r = frame_sip(in);
    ASSERT_LE(r.consumed, in.size());
    ASSERT_LE(r.message_offset, r.consumed);
  }
  std::mt19937 rng(7);
  const std::string alphabet = "\r\n :lL0123456789SIP/2.INVITEContent-Length\x01\xff";
  for (int i = 0; i < 20000; ++i) {
    std::string in;
    const size_t len = rng() % 120;
    for (size_t k = 0; k < len; ++k) in += alphabet[rng() % alphabet.size()];
    if (i % 3 == 0) in = kInvite.substr(0, rng() % kInvite.size()) + in;
    const FrameResult r = frame_sip(in);
    ASSERT_LE(r.consumed, in.size());
    ASSERT_LE(r.message_offset, r.consumed);
    if (r.status == FrameStatus::complete) {
      ASSERT_GT(r.consumed, r.message_offset);
    }
    ASSERT_LE(find_sip_start(in) == std::string_view::npos ? 0 : find_sip_start(in), in.size());
  }
}

}  // namespace
}  // namespace sipscope::decode
