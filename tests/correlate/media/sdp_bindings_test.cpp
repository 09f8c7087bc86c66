// SDP -> address bindings (RFC 3264 offer/answer, RFC 5761 rtcp-mux, RFC 3605 a=rtcp).
#include "correlate/media/sdp_bindings.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tests/correlate/media/media_test_support.hpp"

namespace sipscope::correlate::media {
namespace {

using test::ep;

decode::sdp::Session parse(const std::string& text) {
  decode::sdp::Session s;
  EXPECT_EQ(decode::sdp::parse_sdp(text, s), decode::sdp::SdpError::ok);
  return s;
}

TEST(SdpBindings, RtpAndRtcpAddressesPerMline) {
  // Two m-lines: audio with rtpmap (port+1 RTCP), video with rtcp-mux; a third rejected.
  const std::string text = test::sdp("192.0.2.5", 4000, "0 96", "a=rtpmap:96 opus/48000/2\r\n") +
                           "m=video 5000 RTP/AVP 97\r\na=rtcp-mux\r\nm=audio 0 RTP/AVP 0\r\n";
  const std::string storage = text;  // views must outlive parse
  const auto s = parse(storage);
  SdpBindings b;
  const auto r = b.announce(7, {1, 10, 1000}, ep({192, 0, 2, 1}, 5060), s);
  EXPECT_EQ(r.bound, 2);
  EXPECT_FALSE(r.hold);
  const Binding* audio = b.find(ep({192, 0, 2, 5}, 4000));
  ASSERT_NE(audio, nullptr);
  EXPECT_EQ(audio->call_id, 7);
  EXPECT_FALSE(audio->rtcp);
  ASSERT_NE(audio->payload(96), nullptr);
  EXPECT_EQ(audio->payload(96)->encoding(), "opus");
  EXPECT_EQ(audio->payload(96)->clock_rate, 48000U);
  ASSERT_NE(audio->payload(0), nullptr);  // static: RFC 3551 table
  EXPECT_EQ(audio->payload(0)->encoding(), "PCMU");
  EXPECT_EQ(audio->payload(0)->clock_rate, 8000U);
  const Binding* rtcp = b.find(ep({192, 0, 2, 5}, 4001));
  ASSERT_NE(rtcp, nullptr);
  EXPECT_TRUE(rtcp->rtcp);
  EXPECT_EQ(b.find(ep({192, 0, 2, 5}, 5001)), nullptr);  // rtcp-mux: no port+1
  EXPECT_EQ(b.find(ep({192, 0, 2, 5}, 0)), nullptr);
}

TEST(SdpBindings, ExplicitRtcpPortAndIpv6) {
  const std::string text =
      "v=0\r\no=- 1 1 IN IP6 2001:db8::1\r\ns=-\r\nc=IN IP6 2001:db8::1\r\nt=0 0\r\n"
      "m=audio 6000 RTP/AVP 8\r\na=rtcp:6100\r\n";
  const auto s = parse(text);
  SdpBindings b;
  (void)b.announce(1, {1, 1, 1}, ep({192, 0, 2, 1}, 5060), s);
  decode::IpAddress ip;
  ASSERT_TRUE(parse_connection_address("IP6", "2001:db8::1", ip));
  EXPECT_NE(b.find({ip, 6000}), nullptr);
  ASSERT_NE(b.find({ip, 6100}), nullptr);
  EXPECT_TRUE(b.find({ip, 6100})->rtcp);
  EXPECT_EQ(b.find({ip, 6001}), nullptr);
}

TEST(SdpBindings, LaterAnnouncementWinsAndHoldIsReported) {
  const std::string t1 = test::sdp("192.0.2.5", 4000, "0");
  const std::string t2 = test::sdp("192.0.2.5", 4000, "0", "a=sendonly\r\n");
  const std::string t3 = test::sdp("0.0.0.0", 4000, "0");
  SdpBindings b;
  (void)b.announce(1, {1, 1, 100}, ep({192, 0, 2, 1}, 5060), parse(t1));
  const auto r2 = b.announce(2, {1, 5, 500}, ep({192, 0, 2, 1}, 5060), parse(t2));
  EXPECT_TRUE(r2.hold);
  EXPECT_EQ(b.find(ep({192, 0, 2, 5}, 4000))->call_id, 2);  // port reuse: newest call
  const auto r3 = b.announce(2, {1, 6, 600}, ep({192, 0, 2, 1}, 5060), parse(t3));
  EXPECT_TRUE(r3.hold);
  EXPECT_TRUE(r3.null_address);
  EXPECT_EQ(r3.bound, 0);
}

TEST(SdpBindings, NonRtpProtoIsMarked) {
  const std::string t =
      "v=0\r\no=- 1 1 IN IP4 192.0.2.5\r\ns=-\r\nc=IN IP4 192.0.2.5\r\n"
      "t=0 0\r\nm=image 4000 udptl t38\r\n";
  SdpBindings b;
  (void)b.announce(1, {1, 1, 1}, ep({192, 0, 2, 1}, 5060), parse(t));
  ASSERT_NE(b.find(ep({192, 0, 2, 5}, 4000)), nullptr);
  EXPECT_TRUE(b.find(ep({192, 0, 2, 5}, 4000))->non_rtp);
}

}  // namespace
}  // namespace sipscope::correlate::media
