#include "decode/sdp/sdp.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace sipscope::decode::sdp {
namespace {

std::string crlf(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

// RFC 3264 §10.1, Alice's offer.
const std::string kOffer = crlf(
    "v=0\n"
    "o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com\n"
    "s=\n"
    "c=IN IP4 host.atlanta.example.com\n"
    "t=0 0\n"
    "m=audio 49170 RTP/AVP 0 8 97\n"
    "a=rtpmap:0 PCMU/8000\n"
    "a=rtpmap:8 PCMA/8000\n"
    "a=rtpmap:97 iLBC/8000\n"
    "m=video 51372 RTP/AVP 31 32\n"
    "a=rtpmap:31 H261/90000\n"
    "a=rtpmap:32 MPV/90000\n");

// RFC 4566 §5 example (multicast c= with TTL, session-level recvonly, unknown i= u= e=).
const std::string kSeminar = crlf(
    "v=0\n"
    "o=jdoe 2890844526 2890842807 IN IP4 10.47.16.5\n"
    "s=SDP Seminar\n"
    "i=A Seminar on the session description protocol\n"
    "u=http://www.example.com/seminars/sdp.pdf\n"
    "e=j.doe@example.com (Jane Doe)\n"
    "c=IN IP4 224.2.17.12/127\n"
    "t=2873397496 2873404696\n"
    "a=recvonly\n"
    "m=audio 49170 RTP/AVP 0\n"
    "m=video 51372 RTP/AVP 99\n"
    "a=rtpmap:99 h263-1998/90000\n");

TEST(Sdp, Rfc3264Offer) {
  Session s;
  ASSERT_EQ(parse_sdp(kOffer, s), SdpError::ok);
  EXPECT_EQ(s.version, 0);
  EXPECT_EQ(s.origin.username, "alice");
  EXPECT_EQ(s.origin.session_id, "2890844526");
  EXPECT_EQ(s.origin.session_version, "2890844526");
  EXPECT_EQ(s.origin.net_type, "IN");
  EXPECT_EQ(s.origin.addr_type, "IP4");
  EXPECT_EQ(s.origin.address, "host.atlanta.example.com");
  EXPECT_EQ(s.session_name, "");
  EXPECT_EQ(s.timing, "0 0");
  ASSERT_TRUE(s.connection.present);
  EXPECT_EQ(s.connection.address, "host.atlanta.example.com");
  ASSERT_EQ(s.media.size(), 2u);
  const Media& a = s.media[0];
  EXPECT_EQ(a.media, "audio");
  EXPECT_EQ(a.port, 49170);
  EXPECT_EQ(a.port_count, 1);
  EXPECT_EQ(a.proto, "RTP/AVP");
  ASSERT_EQ(a.formats.size(), 3u);
  EXPECT_EQ(a.formats[0], "0");
  EXPECT_EQ(a.formats[2], "97");
  ASSERT_EQ(a.rtpmaps.size(), 3u);
  const RtpMap* ilbc = a.rtpmap(97);
  ASSERT_NE(ilbc, nullptr);
  EXPECT_EQ(ilbc->encoding, "iLBC");
  EXPECT_EQ(ilbc->clock_rate, 8000u);
  EXPECT_EQ(ilbc->channels, "");
  EXPECT_EQ(a.rtpmap(96), nullptr);
  EXPECT_FALSE(a.connection.present);
  EXPECT_EQ(a.effective_connection(s).address, "host.atlanta.example.com");
  EXPECT_EQ(a.effective_direction(s), Direction::sendrecv);  // nothing said: sendrecv
  const Media& v = s.media[1];
  EXPECT_EQ(v.media, "video");
  EXPECT_EQ(v.port, 51372);
  EXPECT_EQ(v.rtpmap(32)->encoding, "MPV");
  EXPECT_EQ(v.rtpmap(32)->clock_rate, 90000u);
}

TEST(Sdp, Rfc4566SeminarExample) {
  Session s;
  ASSERT_EQ(parse_sdp(kSeminar, s), SdpError::ok);
  EXPECT_EQ(s.session_name, "SDP Seminar");
  EXPECT_EQ(s.connection.address, "224.2.17.12");  // "/127" TTL stripped
  EXPECT_EQ(s.timing, "2873397496 2873404696");
  EXPECT_EQ(s.direction, Direction::recvonly);
  ASSERT_EQ(s.media.size(), 2u);
  // Media without a direction attribute inherit the session-level one (RFC 3264 §5.1).
  EXPECT_EQ(s.media[0].direction, Direction::unspecified);
  EXPECT_EQ(s.media[0].effective_direction(s), Direction::recvonly);
  EXPECT_EQ(s.media[1].rtpmap(99)->encoding, "h263-1998");
}

TEST(Sdp, MediaLevelConnectionAndDirectionOverride) {
  const std::string body = crlf(
      "v=0\n"
      "o=- 1 2 IN IP4 192.0.2.1\n"
      "s=-\n"
      "c=IN IP4 192.0.2.1\n"
      "t=0 0\n"
      "a=sendonly\n"
      "m=audio 4000 RTP/AVP 0\n"
      "c=IN IP4 198.51.100.7\n"
      "a=inactive\n"
      "m=audio 4002 RTP/AVP 0\n");
  Session s;
  ASSERT_EQ(parse_sdp(body, s), SdpError::ok);
  ASSERT_EQ(s.media.size(), 2u);
  EXPECT_EQ(s.media[0].effective_connection(s).address, "198.51.100.7");
  EXPECT_EQ(s.media[0].effective_direction(s), Direction::inactive);
  EXPECT_EQ(s.connection.address, "192.0.2.1");
  EXPECT_EQ(s.media[1].effective_connection(s).address, "192.0.2.1");
  EXPECT_EQ(s.media[1].effective_direction(s), Direction::sendonly);
}

TEST(Sdp, Ipv6ConnectionAndLfLineEnds) {
  // RFC 5118 §4.6 style, with bare LF line ends; RFC 8866 §5.7 IP6 multicast "/count".
  const std::string body =
      "v=0\n"
      "o=assistant 971731711378798081 0 IN IP6 2001:db8::20\n"
      "s=Live video feed\n"
      "c=IN IP6 2001:db8::20\n"
      "t=0 0\n"
      "m=audio 6000 RTP/AVP 0\n"
      "m=video 6024 RTP/AVP 96\n"
      "c=IN IP6 FF1E:03AD::7F2E:172A:1E24/3\n"
      "a=rtpmap:96 H264/90000\n";
  Session s;
  ASSERT_EQ(parse_sdp(body, s), SdpError::ok);
  EXPECT_EQ(s.origin.addr_type, "IP6");
  EXPECT_EQ(s.connection.addr_type, "IP6");
  EXPECT_EQ(s.connection.address, "2001:db8::20");
  ASSERT_EQ(s.media.size(), 2u);
  EXPECT_EQ(s.media[0].effective_connection(s).address, "2001:db8::20");
  EXPECT_EQ(s.media[1].effective_connection(s).address, "FF1E:03AD::7F2E:172A:1E24");
}

TEST(Sdp, RtpmapFmtpPtimeRtcpMux) {
  const std::string body = crlf(
      "v=0\n"
      "o=- 1 1 IN IP4 192.0.2.5\n"
      "s=-\n"
      "c=IN IP4 192.0.2.5\n"
      "t=0 0\n"
      "m=audio 5004/2 RTP/SAVPF 111 0 101\n"
      "a=rtpmap:111 opus/48000/2\n"
      "a=fmtp:111 minptime=10;useinbandfec=1\n"
      "a=rtpmap:101 telephone-event/8000\n"
      "a=fmtp:101 0-16\n"
      "a=ptime:20\n"
      "a=rtcp:5005 IN IP4 192.0.2.5\n"
      "a=rtcp-mux\n"
      "a=x-unknown:whatever\n"
      "a=rtpmap:bad line\n"
      "b=AS:64\n");
  Session s;
  ASSERT_EQ(parse_sdp(body, s), SdpError::ok);
  ASSERT_EQ(s.media.size(), 1u);
  const Media& m = s.media[0];
  EXPECT_EQ(m.port, 5004);
  EXPECT_EQ(m.port_count, 2);
  EXPECT_EQ(m.proto, "RTP/SAVPF");
  ASSERT_EQ(m.rtpmaps.size(), 2u);  // the malformed rtpmap is skipped
  EXPECT_EQ(m.rtpmap(111)->encoding, "opus");
  EXPECT_EQ(m.rtpmap(111)->clock_rate, 48000u);
  EXPECT_EQ(m.rtpmap(111)->channels, "2");
  EXPECT_EQ(m.rtpmap(101)->encoding, "telephone-event");
  ASSERT_EQ(m.fmtps.size(), 2u);
  EXPECT_EQ(m.fmtps[0].payload_type, 111);
  EXPECT_EQ(m.fmtps[0].params, "minptime=10;useinbandfec=1");
  EXPECT_EQ(m.fmtps[1].payload_type, 101);
  EXPECT_EQ(m.fmtps[1].params, "0-16");
  EXPECT_EQ(m.ptime_ms, 20u);
  EXPECT_EQ(m.rtcp_port, 5005);
  EXPECT_TRUE(m.rtcp_mux);
}

TEST(Sdp, Errors) {
  Session s;
  std::string_view bad;
  EXPECT_EQ(parse_sdp("", s), SdpError::empty);
  EXPECT_EQ(parse_sdp("\r\n\r\n", s), SdpError::empty);
  EXPECT_EQ(parse_sdp("o=- 1 1 IN IP4 1.2.3.4\r\n", s), SdpError::bad_version);
  EXPECT_EQ(parse_sdp("v=1\r\n", s), SdpError::bad_version);
  EXPECT_EQ(parse_sdp("v=0\r\nthis is not sdp\r\n", s, &bad), SdpError::bad_line);
  EXPECT_EQ(bad, "this is not sdp");
  EXPECT_EQ(parse_sdp("v=0\r\no=only three fields\r\n", s), SdpError::bad_origin);
  EXPECT_EQ(parse_sdp("v=0\r\nc=IN IP4\r\n", s, &bad), SdpError::bad_connection);
  EXPECT_EQ(bad, "c=IN IP4");
  for (std::string_view m : {"m=audio\r\n", "m=audio 49170\r\n", "m=audio x RTP/AVP 0\r\n",
                             "m=audio 70000 RTP/AVP 0\r\n", "m=audio 5000/0 RTP/AVP 0\r\n",
                             "m=audio 5000/ RTP/AVP 0\r\n", "m= \r\n"}) {
    const std::string body = "v=0\r\n" + std::string(m);
    EXPECT_EQ(parse_sdp(body, s, &bad), SdpError::bad_media) << m;
  }
  std::string many = "v=0\r\n";
  for (size_t i = 0; i <= kMaxMedia; ++i) many += "m=audio 1 RTP/AVP 0\r\n";
  EXPECT_EQ(parse_sdp(many, s), SdpError::too_many_media);
  EXPECT_EQ(sdp_error_name(SdpError::bad_media), "bad_media");
  EXPECT_EQ(direction_name(Direction::sendonly), "sendonly");
}

TEST(Sdp, ReuseDropsPreviousMedia) {
  Session s;
  ASSERT_EQ(parse_sdp(kOffer, s), SdpError::ok);
  const std::string one = crlf("v=0\nm=audio 9 RTP/AVP 8\n");
  ASSERT_EQ(parse_sdp(one, s), SdpError::ok);
  ASSERT_EQ(s.media.size(), 1u);
  EXPECT_EQ(s.media[0].port, 9);
  EXPECT_TRUE(s.media[0].rtpmaps.empty());  // nothing left over from the offer
  ASSERT_EQ(s.media[0].formats.size(), 1u);
  EXPECT_EQ(s.media[0].formats[0], "8");
  EXPECT_FALSE(s.connection.present);
  EXPECT_EQ(s.origin.username, "");
  s.clear();
  EXPECT_TRUE(s.media.empty());
  EXPECT_EQ(s.version, -1);
}

TEST(Sdp, RandomInputsNeverCrash) {
  std::mt19937 rng(8866);
  const std::string alphabet = "vocstma=:/ \r\n0123456789INIP46rtpmapfmtp.-";
  Session s;
  std::string buf;
  for (int iter = 0; iter < 5000; ++iter) {
    buf.clear();
    if (iter % 2 == 0) {
      buf = kOffer.substr(0, rng() % (kOffer.size() + 1));
      for (int k = 0; k < 3 && !buf.empty(); ++k)
        buf[rng() % buf.size()] = alphabet[rng() % alphabet.size()];
    } else {
      const size_t len = rng() % 200;
      for (size_t i = 0; i < len; ++i) buf += static_cast<char>(rng() & 0xff);
    }
    std::string_view line;
    (void)parse_sdp(buf, s, &line);
    for (const Media& m : s.media) {
      for (auto f : m.formats) {
        ASSERT_GE(f.data(), buf.data());
        ASSERT_LE(f.data() + f.size(), buf.data() + buf.size());
      }
    }
  }
}

}  // namespace
}  // namespace sipscope::decode::sdp
