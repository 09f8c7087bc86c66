// MediaTracker end to end from SIP/SDP events and RTP/RTCP datagrams built in the test.
#include "correlate/media/media_tracker.hpp"

#include <gtest/gtest.h>

#include "decode/rtcp.hpp"
#include "tests/correlate/media/media_test_support.hpp"

namespace sipscope::correlate::media {
namespace {

using test::ep;

using test::Harness;
using test::kMediaA;
using test::kMediaB;
using test::kSipA;
using test::kSipB;
using test::kT0;

TEST(MediaTracker, StreamsTiedToTheCallBySdp) {
  Harness h;
  h.offer_answer(42, kT0);
  for (int i = 0; i < 60; ++i) {
    if (i == 10) continue;  // one packet lost A -> B
    h.udp(kMediaA, kMediaB, test::rtp_bytes(0, static_cast<uint16_t>(100 + i), i * 160u, 0xa),
          kT0 + 100'000 + i * 20'000);
  }
  for (int i = 0; i < 60; ++i)
    h.udp(kMediaB, kMediaA, test::rtp_bytes(96, static_cast<uint16_t>(7 + i), i * 960u, 0xb),
          kT0 + 105'000 + i * 20'000);
  // RTP nobody announced: an orphan stream, kept with call_id NULL.
  for (int i = 0; i < 3; ++i)
    h.udp(ep({198, 51, 100, 1}, 30000), ep({198, 51, 100, 2}, 30002),
          test::rtp_bytes(8, static_cast<uint16_t>(i), i * 160u, 0xc), kT0 + i * 20'000);
  h.tracker.finish();

  ASSERT_EQ(h.sink.streams.size(), 3U);
  const auto* ab = h.sink.stream(0xa, 6000);
  ASSERT_NE(ab, nullptr);
  EXPECT_EQ(ab->call_id, 42);
  EXPECT_EQ(ab->association, StreamAssociation::sdp);
  EXPECT_EQ(ab->packets, 59);
  EXPECT_EQ(ab->expected, 60);
  EXPECT_EQ(ab->lost, 1);
  EXPECT_EQ(ab->codec, "PCMU");
  EXPECT_EQ(ab->clock_rate, 8000);
  ASSERT_TRUE(ab->jitter_mean_ms.has_value());
  EXPECT_NEAR(*ab->jitter_mean_ms, 0.0, 1e-9);  // perfectly paced
  EXPECT_NEAR(*ab->max_delta_ms, 40.0, 1e-9);   // across the lost packet
  ASSERT_TRUE(ab->mos.has_value());             // PCMU with 60 expected packets
  const auto* ba = h.sink.stream(0xb, 4000);
  ASSERT_NE(ba, nullptr);
  EXPECT_EQ(ba->call_id, 42);
  EXPECT_EQ(ba->codec, "opus");  // dynamic PT resolved through a=rtpmap
  EXPECT_EQ(ba->clock_rate, 48000);
  EXPECT_EQ(ba->lost, 0);
  const auto* orphan = h.sink.stream(0xc, 30002);
  ASSERT_NE(orphan, nullptr);
  EXPECT_FALSE(orphan->call_id.has_value());
  EXPECT_EQ(orphan->association, StreamAssociation::orphan);
  EXPECT_EQ(orphan->packets, 3);
  EXPECT_FALSE(orphan->mos.has_value());  // too few packets: NULL, never a default
  EXPECT_EQ(h.sink.count_diag(DiagnosticKind::one_way_audio), 0U);
  EXPECT_EQ(h.sink.count_diag(DiagnosticKind::no_rtp), 0U);
}

TEST(MediaTracker, PortReuseByALaterCallStartsANewStream) {
  Harness h;
  h.offer_answer(1, kT0);
  for (int i = 0; i < 5; ++i)
    h.udp(kMediaA, kMediaB, test::rtp_bytes(0, static_cast<uint16_t>(i), i * 160u, 0x1),
          kT0 + 10'000 + i * 20'000);
  h.offer_answer(2, kT0 + 5'000'000);  // the next call announces the same addresses
  for (int i = 5; i < 10; ++i)
    h.udp(kMediaA, kMediaB, test::rtp_bytes(0, static_cast<uint16_t>(i), i * 160u, 0x1),
          kT0 + 6'000'000 + i * 20'000);
  h.tracker.finish();
  ASSERT_EQ(h.sink.streams.size(), 2U);
  EXPECT_EQ(h.sink.streams[0].call_id, 1);
  EXPECT_EQ(h.sink.streams[0].packets, 5);
  EXPECT_EQ(h.sink.streams[1].call_id, 2);
  EXPECT_EQ(h.sink.streams[1].packets, 5);
}

TEST(MediaTracker, NatLatchingIsAttributedAndDiagnosed) {
  Harness h;
  h.offer_answer(3, kT0);
  // A sits behind NAT: its RTP comes from 203.0.113.9:4000 (announced port, other address).
  const auto natted = ep({203, 0, 113, 9}, 4000);
  for (int i = 0; i < 5; ++i)
    h.udp(natted, kMediaB, test::rtp_bytes(0, static_cast<uint16_t>(i), i * 160u, 0x5),
          kT0 + 10'000 + i * 20'000);
  for (int i = 0; i < 5; ++i)
    h.udp(kMediaB, natted, test::rtp_bytes(0, static_cast<uint16_t>(i), i * 160u, 0x6),
          kT0 + 15'000 + i * 20'000);
  h.tracker.finish();
  ASSERT_EQ(h.sink.streams.size(), 2U);
  const auto* to_b = h.sink.stream(0x5, 6000);
  ASSERT_NE(to_b, nullptr);
  EXPECT_EQ(to_b->association, StreamAssociation::sdp);  // destination is B's announced address
  const auto* to_nat = h.sink.stream(0x6, 4000);
  ASSERT_NE(to_nat, nullptr);
  EXPECT_EQ(to_nat->call_id, 3);  // the source is B's announced address
  EXPECT_EQ(to_nat->association, StreamAssociation::sdp_source);
}

TEST(MediaTracker, SymmetricRtpBehindNatIsNotOneWay) {
  // A's NAT rewrites address and port (203.0.113.9:61000, neither in the SDP); B answers
  // there (RFC 4961 symmetric RTP). Both directions belong to the call, each stream gets an
  // rtp_address_not_in_sdp finding (source, then destination, outside the SDP), and A is
  // not "one-way": it receives on its public address.
  Harness h;
  h.offer_answer(3, kT0);
  const auto natted = ep({203, 0, 113, 9}, 61000);
  for (int i = 0; i < 5; ++i) {
    h.udp(natted, kMediaB, test::rtp_bytes(0, static_cast<uint16_t>(i), i * 160u, 0x5),
          kT0 + 10'000 + i * 20'000);
    h.udp(kMediaB, natted, test::rtp_bytes(0, static_cast<uint16_t>(i), i * 160u, 0x6),
          kT0 + 15'000 + i * 20'000);
  }
  h.tracker.finish();
  ASSERT_EQ(h.sink.streams.size(), 2U);
  for (const auto& st : h.sink.streams) EXPECT_EQ(st.call_id, 3);
  EXPECT_EQ(h.sink.count_diag(DiagnosticKind::rtp_address_not_in_sdp), 2U);
  EXPECT_EQ(h.sink.count_diag(DiagnosticKind::one_way_audio), 0U);
}

TEST(MediaTracker, NatPeerWithoutAnswerIsStillOneWay) {
  // The same NAT, but B never sends back: A hears nothing.
  Harness h;
  h.offer_answer(3, kT0);
  const auto natted = ep({203, 0, 113, 9}, 61000);
  for (int i = 0; i < 5; ++i)
    h.udp(natted, kMediaB, test::rtp_bytes(0, static_cast<uint16_t>(i), i * 160u, 0x5),
          kT0 + 10'000 + i * 20'000);
  h.tracker.finish();
  EXPECT_EQ(h.sink.count_diag(DiagnosticKind::one_way_audio), 1U);
  EXPECT_EQ(h.sink.count_diag(DiagnosticKind::rtp_address_not_in_sdp), 1U);
}

TEST(MediaTracker, LatchedWhenNeitherAddressIsInTheSdp) {
  Harness h;
  h.offer_answer(4, kT0);
  const auto a_nat = ep({203, 0, 113, 9}, 4000);
  const auto b_nat = ep({203, 0, 113, 10}, 6000);
  for (int i = 0; i < 5; ++i)
    h.udp(a_nat, b_nat, test::rtp_bytes(0, static_cast<uint16_t>(i), i * 160u, 0x7),
          kT0 + 10'000 + i * 20'000);
  h.tracker.finish();
  ASSERT_EQ(h.sink.streams.size(), 1U);
  EXPECT_EQ(h.sink.streams[0].call_id, 4);
  EXPECT_EQ(h.sink.streams[0].association, StreamAssociation::latched);
  EXPECT_EQ(h.sink.count_diag(DiagnosticKind::rtp_address_not_in_sdp), 1U);
}

TEST(MediaTracker, DtmfEventsFromRfc4733Packets) {
  Harness h;
  h.offer_answer(5, kT0);
  // Digit '5': three packets with the same timestamp, last with the E bit, duration 800
  // (100 ms at 8 kHz); then digit '#'.
  const uint16_t seqs[] = {1, 2, 3, 4, 5};
  const std::vector<std::vector<uint8_t>> payloads = {{5, 10, 0x01, 0x40},
                                                      {5, 10, 0x02, 0x80},
                                                      {5, 0x8a, 0x03, 0x20},
                                                      {11, 10, 0x00, 0xa0},
                                                      {11, 0x8a, 0x01, 0x40}};
  const uint32_t ts[] = {1000, 1000, 1000, 3000, 3000};
  for (int i = 0; i < 5; ++i)
    h.udp(kMediaA, kMediaB, test::rtp_bytes(101, seqs[i], ts[i], 0x9, i == 0, payloads[i]),
          kT0 + 10'000 + i * 20'000);
  h.tracker.finish();
  ASSERT_EQ(h.sink.streams.size(), 1U);
  const auto& s = h.sink.streams[0];
  EXPECT_EQ(s.telephone_event_packets, 5);
  ASSERT_EQ(s.dtmf.size(), 2U);
  EXPECT_EQ(s.dtmf[0].digit, '5');
  EXPECT_TRUE(s.dtmf[0].ended);
  EXPECT_EQ(s.dtmf[0].volume, 10);
  ASSERT_TRUE(s.dtmf[0].duration_ms.has_value());
  EXPECT_DOUBLE_EQ(*s.dtmf[0].duration_ms, 100.0);
  EXPECT_EQ(s.dtmf[1].digit, '#');
  EXPECT_FALSE(s.jitter_mean_ms.has_value());  // events carry no audio clock
}

TEST(MediaTracker, CallDiagnostics) {
  Harness h;
  h.offer_answer(6, kT0);
  // Media only towards B: one-way audio (no RTP towards A's announced address).
  for (int i = 0; i < 5; ++i)
    h.udp(kMediaA, kMediaB, test::rtp_bytes(0, static_cast<uint16_t>(i), i * 160u, 0x1),
          kT0 + 10'000 + i * 20'000);
  h.sip(test::sip_text("BYE sip:b@x SIP/2.0", "2 BYE", ""), kSipA, kSipB, kT0 + 200'000, 6);
  h.udp(kMediaA, kMediaB, test::rtp_bytes(0, 5, 800, 0x1), kT0 + 2'000'000);   // after BYE
  h.udp(kMediaA, kMediaB, test::rtp_bytes(18, 6, 960, 0x1), kT0 + 2'020'000);  // PT 18 not in SDP
  // A second call offers and gets 488.
  h.sip(test::sip_text("INVITE sip:b@x SIP/2.0", "1 INVITE", test::sdp("192.0.2.1", 4100, "0")),
        kSipA, kSipB, kT0 + 3'000'000, 7);
  h.sip(test::sip_text("SIP/2.0 488 Not Acceptable Here", "1 INVITE", ""), kSipB, kSipA,
        kT0 + 3'010'000, 7);
  // A third call starts on hold (initial INVITE, no To-tag, sendonly).
  std::string on_hold = test::sip_text("INVITE sip:b@x SIP/2.0", "3 INVITE",
                                       test::sdp("192.0.2.1", 4200, "0", "a=sendonly\r\n"));
  on_hold.erase(on_hold.find(";tag=2"), 6);
  h.sip(on_hold, kSipA, kSipB, kT0 + 4'000'000, 8);
  h.tracker.finish();
  EXPECT_EQ(h.sink.count_diag(DiagnosticKind::one_way_audio), 1U);
  EXPECT_EQ(h.sink.count_diag(DiagnosticKind::rtp_after_bye), 1U);
  EXPECT_EQ(h.sink.count_diag(DiagnosticKind::payload_type_not_negotiated), 1U);
  EXPECT_EQ(h.sink.count_diag(DiagnosticKind::codec_mismatch), 1U);
  EXPECT_EQ(h.sink.count_diag(DiagnosticKind::hold), 1U);
  EXPECT_EQ(h.sink.count_diag(DiagnosticKind::rtp_gap),
            1U);  // 1.8 s silence before the late packet
  for (const auto& d : h.sink.diagnostics)
    EXPECT_FALSE(d.frames.empty()) << diagnostic_kind_name(d.kind);
}

TEST(MediaTracker, AnswerWithoutACommonCodecIsAMismatch) {
  // RFC 3264 §6: the answer must pick from the offer. Offer PCMU/PCMA (+ events), answer
  // G.729 only, in the 200 of the same CSeq: codec_mismatch, evidence offer and answer.
  Harness h;
  h.sip(
      test::sip_text("INVITE sip:b@x SIP/2.0", "1 INVITE", test::sdp("192.0.2.1", 4000, "0 8 101")),
      kSipA, kSipB, kT0, 9);
  h.sip(test::sip_text("SIP/2.0 200 OK", "1 INVITE", test::sdp("192.0.2.2", 6000, "18")), kSipB,
        kSipA, kT0 + 1000, 9);
  // A re-INVITE (CSeq 2) offering G.729 and answered with it is fine; the finding stays one.
  h.sip(test::sip_text("INVITE sip:b@x SIP/2.0", "2 INVITE", test::sdp("192.0.2.1", 4000, "18")),
        kSipA, kSipB, kT0 + 2000, 9);
  h.sip(test::sip_text("SIP/2.0 200 OK", "2 INVITE", test::sdp("192.0.2.2", 6000, "18")), kSipB,
        kSipA, kT0 + 3000, 9);
  h.tracker.finish();
  ASSERT_EQ(h.sink.count_diag(DiagnosticKind::codec_mismatch), 1U);
  for (const auto& d : h.sink.diagnostics) {
    if (d.kind == DiagnosticKind::codec_mismatch) {
      EXPECT_EQ(d.frames, (std::vector<uint64_t>{1, 2}));  // the offer, the answer
    }
  }
}

TEST(MediaTracker, LateOfferAnsweredInTheAck) {
  // INVITE without SDP, offer in the 200 (PCMA), answer in the ACK (PCMA): no mismatch;
  // the same with a PCMU-only ACK answer: mismatch.
  for (const char* answer : {"8", "0"}) {
    Harness h;
    h.sip(test::sip_text("INVITE sip:b@x SIP/2.0", "1 INVITE", ""), kSipA, kSipB, kT0, 9);
    h.sip(test::sip_text("SIP/2.0 200 OK", "1 INVITE", test::sdp("192.0.2.2", 6000, "8")), kSipB,
          kSipA, kT0 + 1000, 9);
    h.sip(test::sip_text("ACK sip:b@x SIP/2.0", "1 ACK", test::sdp("192.0.2.1", 4000, answer)),
          kSipA, kSipB, kT0 + 2000, 9);
    h.tracker.finish();
    EXPECT_EQ(h.sink.count_diag(DiagnosticKind::codec_mismatch),
              std::string(answer) == "0" ? 1U : 0U)
        << answer;
  }
}

TEST(MediaTracker, SsrcChangeOnTheSameAddresses) {
  Harness h;
  h.offer_answer(11, kT0);
  for (int i = 0; i < 3; ++i)
    h.udp(kMediaA, kMediaB, test::rtp_bytes(0, static_cast<uint16_t>(i), i * 160u, 0x21),
          kT0 + 10'000 + i * 20'000);
  for (int i = 0; i < 3; ++i)
    h.udp(kMediaA, kMediaB, test::rtp_bytes(0, static_cast<uint16_t>(900 + i), i * 160u, 0x22),
          kT0 + 100'000 + i * 20'000);
  h.tracker.finish();
  EXPECT_EQ(h.sink.streams.size(), 2U);
  EXPECT_EQ(h.sink.count_diag(DiagnosticKind::ssrc_change), 1U);
}

TEST(MediaTracker, NoRtpAtAll) {
  Harness h;
  h.offer_answer(9, kT0);
  // Other media in the capture (an unrelated orphan stream, past probation): this call's
  // silence means something.
  for (uint16_t i = 1; i <= 2; ++i) {
    h.udp(ep({198, 51, 100, 1}, 30000), ep({198, 51, 100, 2}, 30002),
          test::rtp_bytes(8, i, 160u * i, 0xc), kT0 + 20'000 * i);
  }
  h.tracker.finish();
  EXPECT_EQ(h.sink.count_diag(DiagnosticKind::no_rtp), 1U);
}

TEST(MediaTracker, SignallingOnlyCaptureGetsNoNoRtpFinding) {
  Harness h;
  h.offer_answer(9, kT0);
  h.tracker.finish();
  EXPECT_EQ(h.sink.count_diag(DiagnosticKind::no_rtp), 0U);
}

TEST(MediaTracker, RtcpReceiverReportStoredNextToTheStream) {
  Harness h;
  h.offer_answer(10, kT0);
  for (int i = 0; i < 5; ++i)
    h.udp(kMediaA, kMediaB, test::rtp_bytes(0, static_cast<uint16_t>(i), i * 160u, 0xa),
          kT0 + 10'000 + i * 20'000);
  // B's RR about 0xa, sent from B's RTCP port (6001) to A's (4001): fraction 32/256,
  // cumulative 3, jitter 80 units = 10 ms at 8 kHz.
  const std::vector<uint8_t> rr = {0x81, 201, 0, 7,  0, 0, 0, 0xb, 0, 0, 0, 0xa, 32, 0, 0, 3,
                                   0,    0,   0, 10, 0, 0, 0, 80,  0, 0, 0, 0,   0,  0, 0, 0};
  h.udp(ep({192, 0, 2, 2}, 6001), ep({192, 0, 2, 1}, 4001), rr, kT0 + 200'000);
  h.tracker.finish();
  ASSERT_EQ(h.sink.rtcp.size(), 1U);
  EXPECT_EQ(h.sink.rtcp[0].packet_type, decode::rtcp::type::kRr);
  EXPECT_EQ(h.sink.rtcp[0].call_id, 10);
  EXPECT_EQ(h.sink.rtcp[0].cumulative_lost, 3);
  ASSERT_TRUE(h.sink.rtcp[0].jitter_ms.has_value());
  EXPECT_DOUBLE_EQ(*h.sink.rtcp[0].jitter_ms, 10.0);
  const auto* s = h.sink.stream(0xa, 6000);
  ASSERT_NE(s, nullptr);
  EXPECT_DOUBLE_EQ(*s->rtcp_fraction_lost, 0.125);
  EXPECT_EQ(s->rtcp_cumulative_lost, 3);
  EXPECT_DOUBLE_EQ(*s->rtcp_jitter_ms, 10.0);
}

}  // namespace
}  // namespace sipscope::correlate::media

namespace sipscope::correlate::media {
namespace {

TEST(MediaTracker, HoldForwardedByEveryHopIsOneHold) {
  // The corpus capture heplify_erspan_sip_ipv4_udp: a B2BUA forwards a hold re-INVITE
  // (c=0.0.0.0) with its own o= line (frames 45 and 47). One hold, and it is an offer inside
  // the dialog: the SIP findings report it (call_hold, tests/correlate/dialog_test.cpp), so
  // the media findings add no second `hold` row. A request offering media again resumes; an
  // answer that puts the call on hold (a=inactive in the 200) is a hold only `hold` sees.
  Harness h;
  h.offer_answer(5, kT0);
  const std::string hold_a =
      "v=0\r\no=IpPhone 7 8001 IN IP4 0.0.0.0\r\ns=-\r\nc=IN IP4 "
      "0.0.0.0\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";
  const std::string hold_b =
      "v=0\r\no=- 7 8001 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 "
      "0.0.0.0\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n";
  h.sip(test::sip_text("INVITE sip:b@x SIP/2.0", "2 INVITE", hold_a), kSipA, kSipB, kT0 + 1'000'000,
        5);
  h.sip(test::sip_text("INVITE sip:b@x SIP/2.0", "10 INVITE", hold_b), ep({192, 0, 2, 9}, 5060),
        kSipB, kT0 + 1'003'000, 5);
  h.sip(test::sip_text("SIP/2.0 200 OK", "10 INVITE", test::sdp("192.0.2.2", 6000, "0")), kSipB,
        ep({192, 0, 2, 9}, 5060), kT0 + 1'006'000, 5);
  EXPECT_EQ(h.sink.count_diag(DiagnosticKind::hold), 0U);
  // Resume (sendrecv offer in a request), answered by a 200 that holds: one `hold`.
  h.sip(test::sip_text("INVITE sip:b@x SIP/2.0", "3 INVITE", test::sdp("192.0.2.1", 4000, "0")),
        kSipA, kSipB, kT0 + 2'000'000, 5);
  h.sip(test::sip_text("SIP/2.0 200 OK", "3 INVITE",
                       test::sdp("192.0.2.2", 6000, "0", "a=inactive\r\n")),
        kSipB, kSipA, kT0 + 2'010'000, 5);
  h.sip(test::sip_text("SIP/2.0 200 OK", "3 INVITE",
                       test::sdp("192.0.2.2", 6000, "0", "a=inactive\r\n")),
        ep({192, 0, 2, 9}, 5060), kSipA, kT0 + 2'012'000, 5);  // relayed: the same hold
  h.tracker.finish();
  EXPECT_EQ(h.sink.count_diag(DiagnosticKind::hold), 1U);
  for (const auto& d : h.sink.diagnostics) {
    if (d.kind == DiagnosticKind::hold) {
      EXPECT_FALSE(d.frames.empty());
    }
  }
}

TEST(MediaTracker, StreamRowCarriesItsTimeSeries) {
  // 120 packets at 20 ms (2.4 s) from kT0 + 100 ms, packet 70 lost: intervals [0, 1 s),
  // [1 s, 2 s), [2 s, 2.4 s) from the first packet hold packets 0-49, 50-99 (minus 70),
  // 100-119: 50 / 49 / 20 packets, 50 / 50 / 20 expected.
  Harness h;
  h.offer_answer(7, kT0);
  for (int i = 0; i < 120; ++i) {
    if (i == 70) continue;
    h.udp(kMediaA, kMediaB, test::rtp_bytes(0, static_cast<uint16_t>(i), i * 160u, 0x77),
          kT0 + 100'000 + i * 20'000);
  }
  h.tracker.finish();
  const auto* s = h.sink.stream(0x77, 6000);
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(s->samples.size(), 3U);
  const int64_t packets[] = {50, 49, 20};
  const int64_t expected[] = {50, 50, 20};
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(s->samples[k].start_us, kT0 + 100'000 + static_cast<int64_t>(k) * 1'000'000);
    EXPECT_EQ(s->samples[k].interval_ms, 1000);
    EXPECT_EQ(s->samples[k].packets, packets[k]);
    EXPECT_EQ(s->samples[k].expected, expected[k]);
    EXPECT_EQ(s->samples[k].lost, expected[k] - packets[k]);
  }
  EXPECT_NEAR(*s->samples[1].max_delta_ms, 40.0, 1e-3);  // across the lost packet
}

TEST(MediaTracker, RtpGapNamesTheFramesAroundIt) {
  // A 1.5 s silence between packets 4 and 5: rtp_gap with the frames on both sides; with
  // a 2 s threshold no diagnostic.
  for (const int64_t threshold_us : {1'000'000LL, 2'000'000LL}) {
    test::Sink sink;
    MediaLimits limits;
    limits.gap_threshold_us = threshold_us;
    MediaTracker tracker(sink, limits);
    uint64_t frame = 0;
    auto sip = [&](const std::string& text, decode::Endpoint src, decode::Endpoint dst) {
      test::SipFixture f(text, src, dst, kT0, ++frame);
      tracker.on_sip(f.event, 9);
    };
    sip(test::sip_text("INVITE sip:b@x SIP/2.0", "1 INVITE", test::sdp("192.0.2.1", 4000, "0")),
        kSipA, kSipB);
    sip(test::sip_text("SIP/2.0 200 OK", "1 INVITE", test::sdp("192.0.2.2", 6000, "0")), kSipB,
        kSipA);
    std::vector<uint64_t> frames;
    for (int i = 0; i < 10; ++i) {
      const auto bytes = test::rtp_bytes(0, static_cast<uint16_t>(i), i * 160u, 0x9);
      const int64_t ts = kT0 + 100'000 + i * 20'000 + (i >= 5 ? 1'500'000 : 0);
      frames.push_back(++frame);
      decode::UdpDatagram d{{1, frame, ts}, kMediaA, kMediaB, bytes};
      tracker.advance(ts);
      tracker.on_udp(d);
    }
    tracker.finish();
    if (threshold_us == 2'000'000) {
      EXPECT_EQ(sink.count_diag(DiagnosticKind::rtp_gap), 0U);
      continue;
    }
    ASSERT_EQ(sink.count_diag(DiagnosticKind::rtp_gap), 1U);
    for (const auto& d : sink.diagnostics) {
      if (d.kind != DiagnosticKind::rtp_gap) continue;
      EXPECT_EQ(d.frames, (std::vector<uint64_t>{frames[4], frames[5]}));
      EXPECT_EQ(d.ts_us, kT0 + 100'000 + 5 * 20'000 + 1'500'000);
    }
  }
}

}  // namespace
}  // namespace sipscope::correlate::media

namespace sipscope::correlate::media {
namespace {

// A relay (198.51.100.5) forwards 0xa's SR on both legs, 0.5 ms apart. Each leg's report
// pairs with the SR copy that went to its sender (RFC 3550 §6.4.1 seen from the capture
// point): B's RR 1050 ms after copy 1 with DLSR 1 s -> 50 ms; the relay's RR on the other
// leg 1020 ms after copy 2 with DLSR 1 s -> 20 ms. Pairing by SSRC alone would give B 49.5.
TEST(MediaTracker, RtcpRoundTripUsesTheSrCopyOfTheReportersLeg) {
  using test::ep;
  Harness h;
  const decode::Endpoint a = ep({192, 0, 2, 1}, 4001), b = ep({192, 0, 2, 2}, 6001);
  const decode::Endpoint relay_b = ep({198, 51, 100, 5}, 7001),
                         relay_a = ep({198, 51, 100, 5}, 7003);
  // SR from 0xa, NTP 0x00010002.00030000: middle 32 bits 0x00020003.
  const std::vector<uint8_t> sr = {0x80, 200, 0, 6, 0, 0, 0, 0xa, 0, 1, 0, 2, 0, 3,
                                   0,    0,   0, 0, 0, 0, 0, 0,   0, 5, 0, 0, 3, 0x20};
  // RR about 0xa: LSR 0x00020003, DLSR 0x00010000 = 1 s.
  auto rr = [](uint8_t sender) {
    return std::vector<uint8_t>{0x81, 201, 0, 7, 0, 0, 0, sender, 0, 0, 0, 0xa, 0, 0, 0, 0,
                                0,    0,   0, 4, 0, 0, 0, 0,      0, 2, 0, 3,   0, 1, 0, 0};
  };
  h.udp(relay_b, b, sr, kT0 + 100'000);
  h.udp(a, relay_a, sr, kT0 + 100'500);
  h.udp(relay_a, a, rr(0xc), kT0 + 1'120'500);
  h.udp(b, relay_b, rr(0xb), kT0 + 1'150'000);
  h.tracker.finish();
  std::optional<double> from_b, from_relay;
  for (const auto& r : h.sink.rtcp) {
    if (r.packet_type != decode::rtcp::type::kRr) continue;
    (r.sender_ssrc == 0xb ? from_b : from_relay) = r.rtt_ms;
  }
  ASSERT_TRUE(from_b.has_value());
  ASSERT_TRUE(from_relay.has_value());
  EXPECT_NEAR(*from_b, 50.0, 1e-9);
  EXPECT_NEAR(*from_relay, 20.0, 1e-9);
}

// An SR whose only block is about its own SSRC and echoes its own NTP time (a relay's
// copy, corpus heplify_rtp_rtcp_sip.pcap frames 1181/1183): the "round trip" would be the
// relay's forwarding delay, not a path; none is stored.
TEST(MediaTracker, RtcpBlockAboutItselfGetsNoRoundTrip) {
  using test::ep;
  Harness h;
  // SR from 0xa, NTP 0x00010002.00030000, one block about 0xa with LSR 0x00020003, DLSR 0.
  const std::vector<uint8_t> sr = {
      0x81, 200,  0, 12, 0, 0,   0, 0xa, 0, 1, 0, 2, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0,
      3,    0x20, 0, 0,  0, 0xa, 0, 0,   0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 2, 0, 3, 0, 0, 0, 0};
  h.udp(ep({198, 51, 100, 5}, 7001), ep({192, 0, 2, 2}, 6001), sr, kT0);
  h.udp(ep({198, 51, 100, 5}, 7003), ep({192, 0, 2, 1}, 4001), sr, kT0 + 500);
  h.tracker.finish();
  ASSERT_EQ(h.sink.rtcp.size(), 2U);
  for (const auto& r : h.sink.rtcp) {
    EXPECT_EQ(r.source_ssrc, 0xa);
    EXPECT_FALSE(r.rtt_ms.has_value());
  }
}

// SRTCP (RFC 3711 §3.4): the SR's body is encrypted and the E flag + index and a 10-octet
// tag follow it, so the lengths do not add up (RFC 3550 A.2). Only the clear header is kept:
// type SR, sender SSRC, no report block read from the ciphertext. Between addresses no SDP
// announced it would not count at all (media_probation_test).
TEST(MediaTracker, SrtcpKeepsOnlyTheClearHeader) {
  using test::ep;
  Harness h;
  h.sip(test::sip_text("INVITE sip:b@x SIP/2.0", "1 INVITE", test::sdp("192.168.20.1", 4000, "0")),
        ep({192, 168, 20, 1}, 5060), ep({192, 168, 20, 130}, 5060), kT0 - 1000, 1);
  std::vector<uint8_t> d = {0x81, 200, 0, 12, 0x1e, 0xda, 0xa6, 0xcf};
  for (int i = 0; i < 44; ++i) d.push_back(static_cast<uint8_t>(0x5a ^ i));  // ciphertext
  d.insert(d.end(), {0x80, 0, 0, 4, 0x2f, 0xdd, 0x49, 0xb0, 0x27, 0x0d, 0xb2, 0xaa, 0xa5, 0x14});
  h.udp(ep({192, 168, 20, 130}, 14905), ep({192, 168, 20, 1}, 4001), d, kT0);
  h.tracker.finish();
  ASSERT_EQ(h.sink.rtcp.size(), 1U);
  const auto& r = h.sink.rtcp[0];
  EXPECT_EQ(r.packet_type, decode::rtcp::type::kSr);
  EXPECT_EQ(r.sender_ssrc, 0x1edaa6cfU);
  EXPECT_FALSE(r.source_ssrc.has_value());
  EXPECT_FALSE(r.cumulative_lost.has_value());
  ASSERT_TRUE(r.detail.has_value());
  EXPECT_NE(r.detail->find("RFC 3550 A.2"), std::string::npos);
}

}  // namespace
}  // namespace sipscope::correlate::media
