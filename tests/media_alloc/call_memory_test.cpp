// Issue 12 "Memory": what one open call costs, measured with the counting allocator
// (counting_allocator.cpp): live heap bytes of the CallTracker and the MediaTracker after
// the first INVITE (with an SDP offer) of each of many calls, per call. The INVITE itself is
// not held: a file's messages go to the sink as they arrive (Limits::messages_wait_for_row).
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "correlate/call_tracker.hpp"
#include "correlate/media/media_tracker.hpp"
#include "decode/sip/message.hpp"
#include "tests/media_alloc/counting_allocator.hpp"

namespace sipscope::correlate {
namespace {

struct NullSink : RecordSink {
  void on_call(CallRecord, std::vector<MessageRecord>) override {}
  void on_message(MessageRecord) override {}
  void on_anomaly(AnomalyRecord) override {}
};

// A softphone's INVITE: the headers every UA sends, and an SDP offer (PCMU, PCMA,
// telephone-event).
std::string invite(int i) {
  const std::string n = std::to_string(i);
  const std::string body =
      "v=0\r\no=- 3" + n + " 1 IN IP4 10.1.0.5\r\ns=-\r\nc=IN IP4 10.1." + std::to_string(i / 200) +
      "." + std::to_string(i % 200 + 1) +
      "\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n"
      "a=fmtp:101 0-16\r\na=sendrecv\r\n";
  return "INVITE sip:2" + n +
         "@example.com SIP/2.0\r\n"
         "Via: SIP/2.0/UDP 10.1.0.5:5060;branch=z9hG4bK-" +
         n +
         "-a1b2c3;rport\r\n"
         "Max-Forwards: 70\r\n"
         "From: \"Alice " +
         n + "\" <sip:1" + n + "@example.com>;tag=f" + n +
         "x9\r\n"
         "To: <sip:2" +
         n +
         "@example.com>\r\n"
         "Call-ID: " +
         n +
         "-7f3a9c2e@10.1.0.5\r\n"
         "CSeq: 1 INVITE\r\n"
         "Contact: <sip:1" +
         n +
         "@10.1.0.5:5060>\r\n"
         "User-Agent: softphone 1.0\r\n"
         "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO, REFER, NOTIFY\r\n"
         "Content-Type: application/sdp\r\n"
         "Content-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

TEST(CallMemory, OpenCallWithItsFirstInviteStaysWithinTheBound) {
  NullSink sink;
  CallTracker calls(sink, {});
  media::MediaTracker media(sink, {});
  constexpr int kCalls = 2000;
  std::vector<std::string> texts;
  int64_t invite_bytes = 0;
  for (int i = 0; i < kCalls; ++i) {
    texts.push_back(invite(i));
    invite_bytes += static_cast<int64_t>(texts.back().size());
  }
  decode::sip::Message msg;
  const int64_t t0 = 1'700'000'000'000'000;
  const int64_t before = test::g_live_bytes.load();
  for (int i = 0; i < kCalls; ++i) {
    ASSERT_EQ(decode::sip::parse_message(texts[i], msg, {.datagram = true}).error,
              decode::sip::ParseError::ok);
    decode::SipEvent ev;
    ev.frame = {1, static_cast<uint64_t>(i + 1), t0 + i * 1000};
    ev.src = {decode::IpAddress::v4({10, 1, 0, 5}), 5060};
    ev.dst = {decode::IpAddress::v4({10, 2, 0, 9}), 5060};
    ev.message = &msg;
    calls.on_sip(ev);
    media.on_sip(ev, calls.last_call_id());
  }
  const int64_t per_call = (test::g_live_bytes.load() - before) / kCalls;
  std::printf("open call: %lld bytes of heap with its first INVITE (%lld bytes, not held)\n",
              static_cast<long long>(per_call), static_cast<long long>(invite_bytes / kCalls));
  EXPECT_EQ(calls.stats().open_calls, static_cast<size_t>(kCalls));
  // Measured 3,860 bytes in all (4,900 while the INVITE's record and text were held until
  // the call ended: 4,301 beside its 599 bytes of text); issue 12 asks for 1 KB: not there
  // yet (docs/limits.md "Memory per structure").
  EXPECT_LE(per_call, 3900);
}

}  // namespace
}  // namespace sipscope::correlate
