#include "correlate/sip_summary.hpp"

#include <gtest/gtest.h>

#include <string>

#include "decode/sip/message.hpp"
#include "tests/correlate/test_support.hpp"

namespace sipscope::correlate {
namespace {

namespace sip = decode::sip;
using test::kA;
using test::kB;

// RFC 3261 §24.2 style INVITE (compact Call-ID form "i" on purpose).
constexpr std::string_view kInvite =
    "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n"
    "Via: SIP/2.0/UDP bigbox3.site3.atlanta.example.com;branch=z9hG4bK77ef4c2312983.1\r\n"
    "To: Bob <sip:bob@biloxi.example.com>\r\n"
    "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
    "i: a84b4c76e66710@pc33.atlanta.example.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Content-Length: 0\r\n\r\n";

constexpr std::string_view kRinging =
    "SIP/2.0 180 Ringing\r\n"
    "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n"
    "To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n"
    "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Content-Length: 0\r\n\r\n";

decode::SipEvent event(const sip::Message& m, int64_t ts = 5) {
  decode::SipEvent ev;
  ev.frame = {3, 42, ts};
  ev.src = kA;
  ev.dst = kB;
  ev.transport = decode::Transport::tcp;
  ev.message = &m;
  return ev;
}

TEST(SipSummaryTest, RequestFields) {
  sip::Message m;
  ASSERT_EQ(sip::parse_message(kInvite, m).error, sip::ParseError::ok);
  const SipSummary s = summarize(m);
  EXPECT_TRUE(s.is_request);
  EXPECT_EQ(s.method, "INVITE");
  EXPECT_EQ(s.call_id, "a84b4c76e66710@pc33.atlanta.example.com");
  EXPECT_TRUE(s.has_cseq);
  EXPECT_EQ(s.cseq, 314159u);
  EXPECT_EQ(s.cseq_method, "INVITE");
  EXPECT_EQ(s.from_uri, "sip:alice@atlanta.example.com");
  EXPECT_EQ(s.from_tag, "1928301774");
  EXPECT_EQ(s.to_uri, "sip:bob@biloxi.example.com");
  EXPECT_FALSE(s.has_to_tag);
  EXPECT_EQ(s.via_branch, "z9hG4bK776asdhds");  // the top Via only
}

TEST(SipSummaryTest, ResponseFields) {
  sip::Message m;
  ASSERT_EQ(sip::parse_message(kRinging, m).error, sip::ParseError::ok);
  const SipSummary s = summarize(m);
  EXPECT_FALSE(s.is_request);
  EXPECT_EQ(s.status_code, 180);
  EXPECT_TRUE(s.has_to_tag);
  EXPECT_EQ(s.to_tag, "a6c85cf");
}

TEST(SipSummaryTest, MessageRecordCopiesEveryColumn) {
  sip::Message m;
  ASSERT_EQ(sip::parse_message(kRinging, m).error, sip::ParseError::ok);
  const auto ev = event(m, 1234);
  const MessageRecord r = make_message_record(ev, summarize(m));
  EXPECT_FALSE(r.call_id.has_value());
  EXPECT_EQ(r.capture_id, 3u);
  EXPECT_EQ(r.frame, 42u);
  EXPECT_EQ(r.ts_us, 1234);
  EXPECT_EQ(r.src_ip, "192.0.2.10");
  EXPECT_EQ(r.src_port, 5060);
  EXPECT_EQ(r.dst_ip, "192.0.2.30");
  EXPECT_EQ(r.transport, decode::Transport::tcp);
  EXPECT_FALSE(r.method.has_value());
  EXPECT_EQ(r.status_code, 180);
  EXPECT_EQ(r.reason, "Ringing");
  EXPECT_EQ(r.cseq, 314159);
  EXPECT_EQ(r.cseq_method, "INVITE");
  EXPECT_EQ(r.sip_call_id, "a84b4c76e66710@pc33.atlanta.example.com");
  EXPECT_EQ(r.raw, kRinging);
}

TEST(SipSummaryTest, MissingCallIdAndCSeqStayEmpty) {
  const std::string text =
      "OPTIONS sip:x@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKa\r\n"
      "From: <sip:y@example.com>;tag=1\r\nTo: <sip:x@example.com>\r\nContent-Length: 0\r\n\r\n";
  sip::Message m;
  ASSERT_EQ(sip::parse_message(text, m).error, sip::ParseError::ok);
  const SipSummary s = summarize(m);
  EXPECT_TRUE(s.call_id.empty());
  EXPECT_FALSE(s.has_cseq);
  const MessageRecord r = make_message_record(event(m), s);
  EXPECT_FALSE(r.cseq.has_value());
  EXPECT_FALSE(r.cseq_method.has_value());
  EXPECT_EQ(r.method, "OPTIONS");
}

TEST(SipSummaryTest, RetransmissionKeySameForCopiesDifferentOtherwise) {
  sip::Message a, b;
  ASSERT_EQ(sip::parse_message(kInvite, a).error, sip::ParseError::ok);
  const std::string copy(kInvite);
  ASSERT_EQ(sip::parse_message(copy, b).error, sip::ParseError::ok);
  const auto key_a = retransmission_key(event(a, 1), summarize(a));
  EXPECT_EQ(key_a, retransmission_key(event(b, 2), summarize(b)));  // time does not matter

  auto other_hop = event(b);
  other_hop.src = kB;
  other_hop.dst = kA;
  EXPECT_NE(key_a, retransmission_key(other_hop, summarize(b)));

  std::string next_cseq(kInvite);
  next_cseq.replace(next_cseq.find("314159"), 6, "314160");
  ASSERT_EQ(sip::parse_message(next_cseq, b).error, sip::ParseError::ok);
  EXPECT_NE(key_a, retransmission_key(event(b), summarize(b)));
}

}  // namespace
}  // namespace sipscope::correlate
