// Issue 5 "Cost": the RTP path allocates nothing per packet. This executable replaces the
// global operator new/delete with counting versions (counting_allocator.cpp), warms a
// MediaTracker up (SDP bindings, the streams' first packets, the first idle sweeps), then
// feeds many thousands of RTP packets on those streams and asserts that not one
// allocation happened.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "correlate/media/media_tracker.hpp"
#include "decode/sip/message.hpp"
#include "tests/media_alloc/counting_allocator.hpp"

namespace sipscope::correlate::media {
namespace {

struct NullSink : RecordSink {
  void on_call(CallRecord, std::vector<MessageRecord>) override {}
  void on_message(MessageRecord) override {}
  void on_anomaly(AnomalyRecord) override {}
};

decode::Endpoint ep(uint8_t last, uint16_t port) {
  return {decode::IpAddress::v4({192, 0, 2, last}), port};
}

void put_rtp(std::vector<uint8_t>& b, uint8_t pt, uint16_t seq, uint32_t ts, uint32_t ssrc) {
  b.assign(12 + 160, 0xd5);
  b[0] = 0x80;
  b[1] = pt;
  b[2] = static_cast<uint8_t>(seq >> 8);
  b[3] = static_cast<uint8_t>(seq);
  for (int i = 0; i < 4; ++i) {
    b[4 + i] = static_cast<uint8_t>(ts >> (24 - 8 * i));
    b[8 + i] = static_cast<uint8_t>(ssrc >> (24 - 8 * i));
  }
}

TEST(MediaAlloc, RtpPathAllocatesNothingAfterWarmUp) {
  NullSink sink;
  MediaTracker tracker(sink, {});
  constexpr int kCalls = 8;
  // Each call: offer from .1 (port 4000+2i), answer from .2 (port 6000+2i), PCMA + opus.
  std::vector<std::string> texts;
  for (int i = 0; i < kCalls; ++i) {
    for (int side = 0; side < 2; ++side) {
      const std::string ip = side == 0 ? "192.0.2.1" : "192.0.2.2";
      const int port = (side == 0 ? 4000 : 6000) + 2 * i;
      const std::string body = "v=0\r\no=- 1 1 IN IP4 " + ip + "\r\ns=-\r\nc=IN IP4 " + ip +
                               "\r\nt=0 0\r\nm=audio " + std::to_string(port) +
                               " RTP/AVP 8 96\r\na=rtpmap:96 opus/48000/2\r\n";
      texts.push_back(std::string(side == 0 ? "INVITE sip:b@x SIP/2.0" : "SIP/2.0 200 OK") +
                      "\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK" + std::to_string(i) +
                      "\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>;tag=2\r\nCall-ID: c" +
                      std::to_string(i) + "\r\nCSeq: 1 INVITE\r\nContent-Type: application/sdp" +
                      "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
    }
  }
  const int64_t t0 = 1'700'000'000'000'000;
  decode::sip::Message msg;
  uint64_t frame = 0;
  for (size_t k = 0; k < texts.size(); ++k) {
    ASSERT_EQ(decode::sip::parse_message(texts[k], msg, {.datagram = true}).error,
              decode::sip::ParseError::ok);
    decode::SipEvent ev;
    ev.frame = {1, ++frame, t0};
    ev.src = k % 2 == 0 ? ep(1, 5060) : ep(2, 5060);
    ev.dst = k % 2 == 0 ? ep(2, 5060) : ep(1, 5060);
    ev.message = &msg;
    tracker.on_sip(ev, static_cast<int64_t>(k / 2 + 1));
  }

  std::vector<uint8_t> buf;
  buf.reserve(256);
  auto send = [&](int i, int dir, int n, int64_t ts) {
    const auto src = dir == 0 ? ep(1, static_cast<uint16_t>(4000 + 2 * i))
                              : ep(2, static_cast<uint16_t>(6000 + 2 * i));
    const auto dst = dir == 0 ? ep(2, static_cast<uint16_t>(6000 + 2 * i))
                              : ep(1, static_cast<uint16_t>(4000 + 2 * i));
    // Every 50th packet lost, every 70th duplicated, to walk the loss/duplicate branches.
    if (n % 50 == 49) return;
    put_rtp(buf, dir == 0 ? 8 : 96, static_cast<uint16_t>(n), static_cast<uint32_t>(n * 160),
            static_cast<uint32_t>(0x1000 + i * 2 + dir));
    decode::UdpDatagram d{{1, ++frame, ts}, src, dst, buf};
    tracker.advance(ts);
    tracker.on_udp(d);
    if (n % 70 == 69) tracker.on_udp(d);
  };
  int n = 0;
  auto round = [&](int packets) {
    for (int p = 0; p < packets; ++p, ++n)
      for (int i = 0; i < kCalls; ++i)
        for (int dir = 0; dir < 2; ++dir) send(i, dir, n, t0 + 100'000 + n * 20'000 + dir * 3'000);
  };
  round(200);  // warm-up: streams created, sweeps and vectors at their working size
  const uint64_t before = test::g_allocations.load();
  ASSERT_GT(before, 0U) << "the counting operator new is not in use";
  // 16 streams x 14 000 packets (minus losses) = ~220 000 packets over 280 s: past the 256
  // one-second intervals of the streams' time series, so their merging runs too.
  round(14'000);
  const uint64_t after = test::g_allocations.load();
  EXPECT_EQ(after - before, 0U) << "allocations on the RTP path after warm-up";
  tracker.finish();
  EXPECT_EQ(tracker.stats().streams, 16U);
  EXPECT_GT(tracker.stats().rtp_packets, 200'000U);
}

}  // namespace
}  // namespace sipscope::correlate::media
