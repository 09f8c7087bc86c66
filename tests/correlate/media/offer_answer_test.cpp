// Offer/answer codec sets (RFC 3264 §5, §6) from SDP text written here.
#include "correlate/media/offer_answer.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sipscope::correlate::media {
namespace {

AudioCodecs codecs_of(const std::string& media) {
  static std::string text;  // the Session views into it
  text = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n" + media;
  decode::sdp::Session s;
  EXPECT_EQ(decode::sdp::parse_sdp(text, s), decode::sdp::SdpError::ok);
  return audio_codecs(s);
}

TEST(OfferAnswer, NamesFromRtpmapStaticTableOrNumberWithoutEventsAndNoise) {
  // PT 0 and 18 by the RFC 3551 table, 96 by its rtpmap (case folded), 97 has no rtpmap,
  // 101 (telephone-event) and 13 (CN) carry no speech.
  const auto c = codecs_of(
      "m=audio 4000 RTP/AVP 0 18 96 97 101 13\r\na=rtpmap:96 OPUS/48000/2\r\n"
      "a=rtpmap:101 telephone-event/8000\r\n");
  EXPECT_EQ(c.names, (std::vector<std::string>{"pcmu", "g729", "opus", "pt97"}));
  EXPECT_TRUE(c.has_audio);
  EXPECT_FALSE(c.all_rejected);
}

TEST(OfferAnswer, NoCommonCodec) {
  const auto offer = codecs_of("m=audio 4000 RTP/AVP 0 8 101\r\n");
  EXPECT_TRUE(no_common_codec(offer, codecs_of("m=audio 6000 RTP/AVP 18\r\n")));
  EXPECT_FALSE(no_common_codec(offer, codecs_of("m=audio 6000 RTP/AVP 8 101\r\n")));
  // An answer naming PCMA through a dynamic type still shares it.
  EXPECT_FALSE(
      no_common_codec(offer, codecs_of("m=audio 6000 RTP/AVP 96\r\na=rtpmap:96 pcma/8000\r\n")));
  // Only events in the answer: nothing to compare.
  EXPECT_FALSE(no_common_codec(offer, codecs_of("m=audio 6000 RTP/AVP 101\r\n")));
}

TEST(OfferAnswer, AnswerRejectingEveryAudioStream) {
  const auto offer = codecs_of("m=audio 4000 RTP/AVP 0\r\n");
  const auto rejected = codecs_of("m=audio 0 RTP/AVP 0\r\n");
  EXPECT_TRUE(rejected.all_rejected);
  EXPECT_TRUE(no_common_codec(offer, rejected));
  EXPECT_EQ(codec_list(rejected), "audio rejected (port 0)");
  // One of two audio streams declined: the other still carries PCMU.
  EXPECT_FALSE(
      no_common_codec(offer, codecs_of("m=audio 6000 RTP/AVP 0\r\nm=audio 0 RTP/AVP 0\r\n")));
  // A video-only answer has no audio to judge.
  EXPECT_FALSE(no_common_codec(offer, codecs_of("m=video 6002 RTP/AVP 31\r\n")));
}

}  // namespace
}  // namespace sipscope::correlate::media
