// Media findings that real captures got wrong (issue 14): a 488 to a request that carries
// no offer, an offer rejected by its 488 (RFC 3264 §8), duplicated packets.
#include <gtest/gtest.h>

#include "tests/correlate/media/media_test_support.hpp"

namespace sipscope::correlate::media {
namespace {

using test::Harness;
using test::kMediaA;
using test::kMediaB;
using test::kSipA;
using test::kSipB;
using test::kT0;

TEST(MediaFindings, A488ToReferOrNotifyIsNoCodecMismatch) {
  // RFC 3264 §5: only INVITE, UPDATE (RFC 3311) and PRACK (RFC 3262) carry offers. A 488 to
  // a REFER ("Transfer impossible", corpus heplify_erspan_sip_ipv4_udp frame 118) or to a
  // NOTIFY refuses the request, not a codec; a PRACK without SDP offered nothing either.
  Harness h;
  h.offer_answer(1, kT0);
  for (const char* cseq : {"2 REFER", "3 NOTIFY", "4 PRACK", "5 MESSAGE"})
    h.sip(test::sip_text("SIP/2.0 488 Transfer impossible", cseq, ""), kSipB, kSipA,
          kT0 + 1'000'000, 1);
  EXPECT_EQ(h.sink.count_diag(DiagnosticKind::codec_mismatch), 0U);
  // The same 488 to a re-INVITE's offer is one.
  h.sip(test::sip_text("INVITE sip:b@x SIP/2.0", "6 INVITE", test::sdp("192.0.2.1", 4000, "0")),
        kSipA, kSipB, kT0 + 2'000'000, 1);
  h.sip(test::sip_text("SIP/2.0 488 Not Acceptable Here", "6 INVITE", ""), kSipB, kSipA,
        kT0 + 2'010'000, 1);
  EXPECT_EQ(h.sink.count_diag(DiagnosticKind::codec_mismatch), 1U);
}

TEST(MediaFindings, A488ToAnUpdateOrAPrackWithSdpIsACodecMismatch) {
  for (const std::string method : {"UPDATE", "PRACK"}) {
    Harness h;
    h.offer_answer(1, kT0);
    h.sip(test::sip_text(method + " sip:b@x SIP/2.0", "2 " + method,
                         test::sdp("192.0.2.1", 4000, "18")),
          kSipA, kSipB, kT0 + 1'000'000, 1);
    h.sip(test::sip_text("SIP/2.0 488 Not Acceptable Here", "2 " + method, ""), kSipB, kSipA,
          kT0 + 1'010'000, 1);
    EXPECT_EQ(h.sink.count_diag(DiagnosticKind::codec_mismatch), 1U) << method;
  }
}

// "v=0 ... m=image PORT udptl t38" at `ip` (a T.38 fax re-INVITE, RFC 3362).
std::string t38_sdp(const std::string& ip, uint16_t port) {
  return "v=0\r\no=- 1 2 IN IP4 " + ip + "\r\ns=-\r\nc=IN IP4 " + ip + "\r\nt=0 0\r\nm=image " +
         std::to_string(port) + " udptl t38\r\n";
}

// Audio B -> A, sequence numbers [from, to), 20 ms apart from kT0 + 100 ms.
void audio_to_a(Harness& h, int from, int to) {
  h.paced(kMediaB, kMediaA, 0xb, from, to);
}

TEST(MediaFindings, AudioToAnAddressOfferedForT38CountsUntilTheOfferIsAccepted) {
  // Corpus heplify_FAX-Call-t38-CA-TDM-SIP-FB-1: re-INVITE CSeq 3 (frame 3100) offers
  // m=image on the address that receives the audio; RTP seq 1832..1837 (frames 3106-3123)
  // keeps coming until the 488 (3114) and the audio re-INVITE (3124). RFC 3264 §8: the
  // session changes only with the answer; a rejected offer leaves it as it was. Here:
  // packets 0-4 before the offer, 5-7 while it is pending, 8-9 after its 488: ten packets
  // received, ten expected, none lost.
  Harness h;
  h.offer_answer(1, kT0);
  audio_to_a(h, 0, 5);
  h.sip(test::sip_text("INVITE sip:b@x SIP/2.0", "2 INVITE", t38_sdp("192.0.2.1", 4000)), kSipA,
        kSipB, kT0 + 195'000, 1);
  audio_to_a(h, 5, 8);
  h.sip(test::sip_text("SIP/2.0 488 Not Acceptable Here", "2 INVITE", ""), kSipB, kSipA,
        kT0 + 255'000, 1);
  audio_to_a(h, 8, 10);
  h.tracker.finish();
  const auto* s = h.sink.stream(0xb, 4000);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->packets, 10);
  EXPECT_EQ(s->expected, 10);
  EXPECT_EQ(s->lost, 0);

  // Accepted (200 with the image answer): the address is T.38 from then on, not RTP.
  Harness a;
  a.offer_answer(1, kT0);
  audio_to_a(a, 0, 5);
  a.sip(test::sip_text("INVITE sip:b@x SIP/2.0", "2 INVITE", t38_sdp("192.0.2.1", 4000)), kSipA,
        kSipB, kT0 + 195'000, 1);
  audio_to_a(a, 5, 7);
  a.sip(test::sip_text("SIP/2.0 200 OK", "2 INVITE", t38_sdp("192.0.2.2", 6000)), kSipB, kSipA,
        kT0 + 235'000, 1);
  audio_to_a(a, 7, 10);
  a.tracker.finish();
  const auto* t = a.sink.stream(0xb, 4000);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->packets, 7);  // 0-6: before the answer
}

TEST(MediaFindings, EveryPacketCapturedTwiceIsDuplicatesNotNegativeLoss) {
  // A `-i any` capture: each RTP packet twice, 10 us apart. 60 packets sent (seq 0..59),
  // seq 30 lost on the wire: 59 distinct arrive, each twice = 118 captured. RFC 3550 A.1:
  // a sequence number already received is a duplicate (59); expected 60 (A.3); lost =
  // 60 - (118 - 59) = 1, not 60 - 118 = -58. One duplicate_packets anomaly names the
  // first copy (frame 4: frames 1-2 are the SDP, 3 the first packet).
  Harness h;
  h.offer_answer(1, kT0);
  h.paced(kMediaA, kMediaB, 0xd, 0, 60, /*skip=*/30, /*copies=*/2);
  h.tracker.finish();
  const auto* s = h.sink.stream(0xd, 6000);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->packets, 118);
  EXPECT_EQ(s->duplicates, 59);
  EXPECT_EQ(s->expected, 60);
  EXPECT_EQ(s->lost, 1);
  int64_t lost = 0;
  for (const auto& x : s->samples) lost += x.lost;
  EXPECT_EQ(lost, 1);  // the samples add up to the stream
  ASSERT_EQ(h.sink.count_anomaly(decode::AnomalyKind::duplicate_packets), 1U);
  for (const auto& a : h.sink.anomalies) {
    if (a.kind != decode::AnomalyKind::duplicate_packets) continue;
    EXPECT_EQ(a.frame, 4U);
    EXPECT_EQ(a.call_id, 1);
    EXPECT_NE(a.detail.find("59 RTP packet(s)"), std::string::npos) << a.detail;
  }
  // The same stream captured once scores the same MOS: duplicates are no impairment.
  Harness once;
  once.offer_answer(1, kT0);
  once.paced(kMediaA, kMediaB, 0xd, 0, 60, /*skip=*/30);
  once.tracker.finish();
  const auto* o = once.sink.stream(0xd, 6000);
  ASSERT_NE(o, nullptr);
  ASSERT_TRUE(o->mos.has_value() && s->mos.has_value());
  EXPECT_NEAR(*s->mos, *o->mos, 1e-9);
  EXPECT_EQ(once.sink.count_anomaly(decode::AnomalyKind::duplicate_packets), 0U);
}

TEST(MediaFindings, B2buaLegsAnnouncingTheSameAddressesShareTheirMedia) {
  // An Asterisk passing SDP through (issue 14): leg 1 (A <-> B2BUA, call 1) and leg 2
  // (B2BUA <-> B, call 2) both negotiate A's 192.0.2.1:4000 and B's 192.0.2.2:6000, leg 2's
  // SDP last. 60 packets flow each way between those addresses. Both legs negotiated that
  // media: neither is told no_rtp or one_way_audio; the streams are not split at leg 2's
  // SDP (one row per direction); the legs are linked `shared_media` (call 2 -> call 1).
  Harness h;
  const decode::Endpoint b2bua = test::ep({192, 0, 2, 9}, 5060);
  // Leg 1: A offers its 4000; the B2BUA answers with B's 6000. Leg 2: the B2BUA offers A's
  // 4000 to B; B answers its 6000.
  h.sip(test::sip_text("INVITE sip:b@x SIP/2.0", "1 INVITE", test::sdp("192.0.2.1", 4000, "0")),
        kSipA, b2bua, kT0, 1);
  h.sip(test::sip_text("SIP/2.0 200 OK", "1 INVITE", test::sdp("192.0.2.2", 6000, "0")), b2bua,
        kSipA, kT0 + 1000, 1);
  h.sip(test::sip_text("INVITE sip:b@x SIP/2.0", "1 INVITE", test::sdp("192.0.2.1", 4000, "0")),
        b2bua, kSipB, kT0 + 200, 2);
  h.sip(test::sip_text("SIP/2.0 200 OK", "1 INVITE", test::sdp("192.0.2.2", 6000, "0")), kSipB,
        b2bua, kT0 + 800, 2);
  h.paced(kMediaA, kMediaB, 0xa, 0, 60);
  h.paced(kMediaB, kMediaA, 0xb, 0, 60);
  h.tracker.finish();
  ASSERT_EQ(h.sink.streams.size(), 2U);
  for (const auto& s : h.sink.streams) {
    EXPECT_EQ(s.packets, 60);
    EXPECT_TRUE(s.call_id == 1 || s.call_id == 2);
  }
  EXPECT_EQ(h.sink.count_diag(DiagnosticKind::no_rtp), 0U);
  EXPECT_EQ(h.sink.count_diag(DiagnosticKind::one_way_audio), 0U);
  ASSERT_EQ(h.sink.links.size(), 1U);
  EXPECT_EQ(h.sink.links[0].call_id, 2);
  EXPECT_EQ(h.sink.links[0].linked_call_id, 1);
  EXPECT_EQ(h.sink.links[0].reason, "shared_media");
}

TEST(MediaFindings, AnAddressReusedAfterTheByeIsNotShared) {
  // The next call on a port the previous one released (its BYE seen) owns it from its SDP
  // on (docs/media.md): no sharing, no link, the stream split by time.
  Harness h;
  h.offer_answer(1, kT0);
  h.sip(test::sip_text("BYE sip:b@x SIP/2.0", "2 BYE", ""), kSipA, kSipB, kT0 + 50'000, 1);
  h.offer_answer(2, kT0 + 60'000);
  h.paced(kMediaA, kMediaB, 0xa, 0, 10);
  h.tracker.finish();
  EXPECT_TRUE(h.sink.links.empty());
  ASSERT_EQ(h.sink.streams.size(), 1U);
  EXPECT_EQ(h.sink.streams[0].call_id, 2);
}

TEST(MediaFindings, CallsSetUpOneAfterAnotherOnFixedPortsAreNotShared) {
  // SIPp behind a proxy (samples/kamailio): every call announces the same 4000, relayed by
  // the proxy (another host). Calls 200 ms apart (the overlap scenario) are not one call's
  // legs: a B2BUA relays within kShareWindowUs (100 ms). A call answered 486 is over: the
  // next call's announcement 50 ms later is port reuse too.
  const decode::Endpoint proxy = test::ep({192, 0, 2, 9}, 5060);
  auto offer = [](Harness& h, decode::Endpoint from, int64_t at, int64_t call) {
    h.sip(test::sip_text("INVITE sip:b@x SIP/2.0", "1 INVITE", test::sdp("192.0.2.1", 4000, "0")),
          from, kSipB, at, call);
  };
  Harness h;
  offer(h, kSipA, kT0, 1);
  offer(h, proxy, kT0 + 2'000, 1);  // the proxy's copy: the same call
  offer(h, kSipA, kT0 + 200'000, 2);
  h.tracker.finish();
  EXPECT_TRUE(h.sink.links.empty());

  Harness f;
  offer(f, proxy, kT0, 1);
  f.sip(test::sip_text("SIP/2.0 486 Busy Here", "1 INVITE", ""), kSipB, proxy, kT0 + 10'000, 1);
  offer(f, kSipA, kT0 + 60'000, 2);
  f.tracker.finish();
  EXPECT_TRUE(f.sink.links.empty());
}

}  // namespace
}  // namespace sipscope::correlate::media
