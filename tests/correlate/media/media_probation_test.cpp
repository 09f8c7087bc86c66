// RTP probation (RFC 3550 A.1, MIN_SEQUENTIAL = 2) and RTCP validation (A.2) for addresses
// no SDP announced, from hand-built packets: a stream needs two packets of one SSRC with
// consecutive sequence numbers and a plausible timestamp advance, and then counts both.
#include <gtest/gtest.h>

#include <vector>

#include "correlate/media/media_tracker.hpp"
#include "tests/correlate/media/media_test_support.hpp"

namespace sipscope::correlate::media {
namespace {

using test::ep;

constexpr int64_t kT0 = 1'700'000'000'000'000;
const decode::Endpoint kSrc = ep({198, 51, 100, 1}, 40000);
const decode::Endpoint kDst = ep({198, 51, 100, 2}, 40002);

struct Harness {
  test::Sink sink;
  MediaTracker tracker{sink, {}};
  uint64_t frame = 0;
  void udp(const std::vector<uint8_t>& bytes, int64_t ts, decode::Endpoint src = kSrc,
           decode::Endpoint dst = kDst) {
    decode::UdpDatagram d{{1, ++frame, ts}, src, dst, bytes};
    tracker.advance(ts);
    tracker.on_udp(d);
  }
};

// UDP whose first byte looks like RTP version 2 with a new "SSRC" and "sequence" per
// packet (encrypted or random payloads): on port 4500 (ESP in UDP, RFC 3948) and on high
// ports, no stream, not even for the candidates still waiting when the input ends.
class RtpLookalikes : public ::testing::TestWithParam<uint16_t> {};

TEST_P(RtpLookalikes, OnePacketLookalikesMakeNoStream) {
  Harness h;
  const decode::Endpoint src = ep({198, 51, 100, 1}, GetParam());
  const decode::Endpoint dst = ep({198, 51, 100, 2}, GetParam());
  for (uint32_t i = 0; i < 200; ++i) {
    std::vector<uint8_t> esp = {static_cast<uint8_t>(0x80 | (i & 0x3f)),
                                static_cast<uint8_t>(i * 7), 0x12, 0x34};
    for (int b = 0; b < 4; ++b) esp.push_back(static_cast<uint8_t>((i * 2654435761U) >> (8 * b)));
    for (int b = 0; b < 4; ++b) esp.push_back(static_cast<uint8_t>((i * 40503U + 17) >> (8 * b)));
    esp.resize(64, 0xa5);
    h.udp(esp, kT0 + i * 1000, src, dst);
  }
  EXPECT_EQ(h.tracker.open().streams, 0U);
  h.tracker.finish();
  EXPECT_TRUE(h.sink.streams.empty());
  EXPECT_EQ(h.tracker.stats().rtp_packets, 0U);
}

INSTANTIATE_TEST_SUITE_P(Ports, RtpLookalikes, ::testing::Values(4500, 40000));

TEST(RtpProbation, ALonePacketAtTheEndOfTheInputIsAStream) {
  // A capture holding one RTP packet (corpus asterisk-testsuite_ssrc1.pcap): tshark lists
  // it, and nothing contradicts it.
  Harness h;
  h.udp(test::rtp_bytes(0, 59907, 537569634, 0x273aab), kT0);
  h.tracker.finish();
  ASSERT_EQ(h.sink.streams.size(), 1U);
  EXPECT_EQ(h.sink.streams[0].packets, 1);
}

TEST(RtpProbation, TwoSequentialPacketsMakeAStreamCountingBoth) {
  Harness h;
  // Packet 1 (seq 1000), packet 2 (seq 1001, +160 units 20 ms later): the stream exists
  // from packet 1 on; then 8 more, one lost (seq 1005).
  for (uint16_t i = 0; i < 10; ++i) {
    if (i == 5) continue;
    h.udp(test::rtp_bytes(0, static_cast<uint16_t>(1000 + i), 160u * i, 0x77), kT0 + i * 20'000);
  }
  h.tracker.finish();
  ASSERT_EQ(h.sink.streams.size(), 1U);
  const auto& s = h.sink.streams[0];
  EXPECT_EQ(s.packets, 9);
  EXPECT_EQ(s.expected, 10);
  EXPECT_EQ(s.lost, 1);
  EXPECT_EQ(s.first_frame, 1U);
  EXPECT_EQ(s.first_us, kT0);
  EXPECT_EQ(s.association, StreamAssociation::orphan);
  EXPECT_EQ(h.tracker.stats().rtp_packets, 9U);
}

TEST(RtpProbation, OutOfSequenceRestartsTheProbation) {
  Harness h;
  h.udp(test::rtp_bytes(0, 10, 0, 0x55), kT0);             // held
  h.udp(test::rtp_bytes(0, 12, 320, 0x55), kT0 + 40'000);  // not seq + 1: held instead
  h.udp(test::rtp_bytes(0, 13, 480, 0x55), kT0 + 60'000);  // follows 12: stream from 12
  h.tracker.finish();
  ASSERT_EQ(h.sink.streams.size(), 1U);
  EXPECT_EQ(h.sink.streams[0].packets, 2);
  EXPECT_EQ(h.sink.streams[0].first_frame, 2U);
}

TEST(RtpProbation, ImplausibleTimestampJumpIsNoStream) {
  Harness h;
  // Consecutive sequence numbers but the timestamp leaps by 2^31 units in 20 ms.
  h.udp(test::rtp_bytes(0, 10, 0, 0x66), kT0);
  h.udp(test::rtp_bytes(0, 11, 0x7fffffffU, 0x66), kT0 + 20'000);
  EXPECT_EQ(h.tracker.open().streams, 0U);
  EXPECT_EQ(h.tracker.stats().rtp_packets, 0U);
}

TEST(RtcpValidation, InvalidCompoundBetweenUnannouncedAddressesDoesNotCount) {
  Harness h;
  // SRTCP-like: an SR header whose length does not match the datagram (A.2 fails).
  std::vector<uint8_t> bad = {0x81, 200, 0, 12, 0x1e, 0xda, 0xa6, 0xcf};
  bad.resize(66, 0x5a);
  h.udp(bad, kT0);
  // A valid RR with no report block (RFC 3550 §6.4.2: length 1, 8 bytes).
  h.udp({0x80, 201, 0, 1, 0x00, 0x00, 0x00, 0x42}, kT0 + 1000);
  h.tracker.finish();
  ASSERT_EQ(h.sink.rtcp.size(), 1U);
  EXPECT_EQ(h.sink.rtcp[0].packet_type, 201);  // RFC 3550 §6.4.2: RR
  EXPECT_EQ(h.sink.rtcp[0].sender_ssrc, 0x42U);
}

}  // namespace
}  // namespace sipscope::correlate::media
