#include "decode/decoder.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "tests/decode/frame_builder.hpp"
#include "tests/decode/hep_sctp_builder.hpp"

namespace sipscope::decode {
namespace {

using test::Bytes;

// Copies what the callbacks show, since their views die with the callback.
struct Recorder : PacketSink {
  struct Sip {
    FrameRef frame;
    std::string src, dst, method, raw;
    int status = 0;
    Transport transport{};
    std::vector<uint64_t> frames;  // SipEvent::frames
  };
  struct Anomaly {
    AnomalyKind kind{};
    std::string detail;
    bool has_flow = false;
    std::string src, dst;
  };
  struct Udp {
    std::string src, dst;
    Bytes payload;
  };
  std::vector<Sip> sips;
  std::vector<Anomaly> anomalies;
  std::vector<Udp> udps;

  void on_sip(const SipEvent& e) override {
    sips.push_back({e.frame, e.src.to_string(), e.dst.to_string(), std::string(e.message->method()),
                    std::string(e.message->bytes()), e.message->status_code(), e.transport,
                    std::vector<uint64_t>(e.frames.begin(), e.frames.end())});
  }
  void on_anomaly(const AnomalyEvent& e) override {
    anomalies.push_back({e.kind, std::string(e.detail), e.has_flow,
                         e.has_flow ? e.src.to_string() : "", e.has_flow ? e.dst.to_string() : ""});
  }
  void on_udp(const UdpDatagram& d) override {
    udps.push_back(
        {d.src.to_string(), d.dst.to_string(), Bytes(d.payload.begin(), d.payload.end())});
  }
};

const std::string kInvite =
    "INVITE sip:bob@198.51.100.20:5080 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.10:5080;branch=z9hG4bK776asdhds\r\n"
    "Max-Forwards: 70\r\n"
    "To: Bob <sip:bob@example.com>\r\n"
    "From: Alice <sip:alice@example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pc33.example.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Contact: <sip:alice@192.0.2.10:5080>\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

const std::string kOk =
    "SIP/2.0 200 OK\r\n"
    "Via: SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bKnashds8\r\n"
    "To: Bob <sip:bob@example.com>;tag=a6c85cf\r\n"
    "From: Alice <sip:alice@example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710\r\n"
    "CSeq: 1 OPTIONS\r\n"
    "Content-Length: 4\r\n"
    "\r\n"
    "abcd";

Frame frame_of(const Bytes& b, int link = link_type::kEthernet) {
  Frame f;
  f.ref = FrameRef{3, 17, 1'700'000'000'123'456};
  f.link_type = link;
  f.wire_length = static_cast<uint32_t>(b.size());
  f.data = b;
  return f;
}

Bytes eth_udp(const Bytes& payload, uint16_t sport = 5080, uint16_t dport = 5080) {
  return test::ethernet(0x0800,
                        test::ipv4(test::kHostA, test::kHostB, test::udp(sport, dport, payload)));
}

Bytes eth_tcp(const Bytes& payload) {
  test::Ipv4Options o;
  o.protocol = 6;
  return test::ethernet(0x0800,
                        test::ipv4(test::kHostA, test::kHostB, test::tcp(5060, 40000, payload), o));
}

TEST(Decoder, SipInviteOverUdpOnAnyPort) {
  Recorder rec;
  Decoder d(rec);
  const Bytes f = eth_udp(test::bytes_of(kInvite));
  d.on_frame(frame_of(f));
  ASSERT_EQ(rec.sips.size(), 1u);
  const auto& s = rec.sips[0];
  EXPECT_EQ(s.method, "INVITE");
  EXPECT_EQ(s.src, "192.0.2.10:5080");
  EXPECT_EQ(s.dst, "198.51.100.20:5080");
  EXPECT_EQ(s.transport, Transport::udp);
  EXPECT_EQ(s.raw, kInvite);
  EXPECT_EQ(s.frame.capture_id, 3u);
  EXPECT_EQ(s.frame.number, 17u);
  EXPECT_EQ(s.frame.ts_us, 1'700'000'000'123'456);
  EXPECT_TRUE(rec.anomalies.empty());
  EXPECT_TRUE(rec.udps.empty());
  EXPECT_EQ(d.stats().frames, 1u);
  EXPECT_EQ(d.stats().ip_packets, 1u);
  EXPECT_EQ(d.stats().udp_datagrams, 1u);
  EXPECT_EQ(d.stats().sip_messages, 1u);
  EXPECT_EQ(d.stats().anomalies, 0u);
}

TEST(Decoder, SipOverIpv6WithExtensionsBehindVlan) {
  Recorder rec;
  Decoder d(rec);
  const Bytes hop = {17, 0, 1, 4, 0, 0, 0, 0};
  const Bytes f =
      test::ethernet(0x86dd,
                     test::ipv6(test::kHost6A, test::kHost6B, 0,
                                test::cat(hop, test::udp(5060, 5062, test::bytes_of(kOk)))),
                     {{0x8100, 42}});
  d.on_frame(frame_of(f));
  ASSERT_EQ(rec.sips.size(), 1u);
  EXPECT_EQ(rec.sips[0].status, 200);
  EXPECT_EQ(rec.sips[0].src, "[2001:db8::1]:5060");
  EXPECT_EQ(rec.sips[0].dst, "[2001:db8::2]:5062");
}

TEST(Decoder, SipOnRawAndSllLinks) {
  Recorder rec;
  Decoder d(rec);
  const Bytes ip = test::ipv4(test::kHostA, test::kHostB, test::udp(1, 2, test::bytes_of(kInvite)));
  d.on_frame(frame_of(ip, link_type::kRaw));
  Bytes sll = {0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00};
  sll = test::cat(sll, ip);
  d.on_frame(frame_of(sll, link_type::kLinuxSll));
  ASSERT_EQ(rec.sips.size(), 2u);
  EXPECT_EQ(rec.sips[1].src, "192.0.2.10:1");
}

TEST(Decoder, NonSipUdpGoesToOnUdp) {
  Recorder rec;
  Decoder d(rec);
  // An RTP header: V=2, PT 0, seq 1, ts 160, SSRC 0x11223344.
  const Bytes rtp = {0x80, 0x00, 0x00, 0x01, 0, 0, 0, 160, 0x11, 0x22, 0x33, 0x44, 0xff};
  d.on_frame(frame_of(eth_udp(rtp, 16384, 20000)));
  ASSERT_EQ(rec.udps.size(), 1u);
  EXPECT_EQ(rec.udps[0].payload, rtp);
  EXPECT_EQ(rec.udps[0].src, "192.0.2.10:16384");
  EXPECT_EQ(rec.udps[0].dst, "198.51.100.20:20000");
  EXPECT_TRUE(rec.sips.empty());
  EXPECT_TRUE(rec.anomalies.empty());
}

TEST(Decoder, KeepAlivesAreNeitherSipNorAnomalies) {
  Recorder rec;
  Decoder d(rec);
  d.on_frame(frame_of(eth_udp(test::bytes_of("\r\n\r\n"))));  // RFC 5626 §4.4.1
  d.on_frame(frame_of(eth_udp(test::bytes_of("\r\n"))));
  d.on_frame(frame_of(eth_udp(Bytes{0x00})));
  d.on_frame(frame_of(eth_udp(Bytes{})));
  EXPECT_TRUE(rec.sips.empty());
  EXPECT_TRUE(rec.anomalies.empty());
  EXPECT_EQ(rec.udps.size(), 4u);
}

TEST(Decoder, TrailingBytesAfterDatagramMessage) {
  Recorder rec;
  Decoder d(rec);
  // Content-Length: 0 then 7 bytes that are not padding.
  d.on_frame(frame_of(eth_udp(test::bytes_of(kInvite + "garbage"))));
  ASSERT_EQ(rec.sips.size(), 1u);
  EXPECT_EQ(rec.sips[0].raw, kInvite);
  ASSERT_EQ(rec.anomalies.size(), 1u);
  EXPECT_EQ(rec.anomalies[0].kind, AnomalyKind::sip_trailing_bytes);
  EXPECT_NE(rec.anomalies[0].detail.find('7'), std::string::npos);
  EXPECT_TRUE(rec.anomalies[0].has_flow);
  // Trailing CRLFs are padding, not an anomaly.
  d.on_frame(frame_of(eth_udp(test::bytes_of(kInvite + "\r\n\r\n"))));
  EXPECT_EQ(rec.sips.size(), 2u);
  EXPECT_EQ(rec.anomalies.size(), 1u);
}

TEST(Decoder, SipParseErrorsBecomeAnomaliesWithFlow) {
  Recorder rec;
  Decoder d(rec);
  // Content-Length 100 with a 4-byte body: RFC 3261 §18.3 says the message is bad.
  std::string truncated = kOk;
  truncated.replace(truncated.find("Content-Length: 4"), 17, "Content-Length: 100");
  d.on_frame(frame_of(eth_udp(test::bytes_of(truncated))));
  std::string bad_len = kOk;
  bad_len.replace(bad_len.find("Content-Length: 4"), 17, "Content-Length: x4");
  d.on_frame(frame_of(eth_udp(test::bytes_of(bad_len))));
  // Lenient datagram policy (ParseOptions::lenient): a non-numeric Content-Length does not
  // lose the message; the body is the rest of the datagram and the anomaly is still recorded.
  ASSERT_EQ(rec.sips.size(), 1u);
  EXPECT_EQ(rec.sips[0].raw, bad_len);
  ASSERT_EQ(rec.anomalies.size(), 2u);
  EXPECT_EQ(rec.anomalies[0].kind, AnomalyKind::sip_body_truncated);
  EXPECT_EQ(rec.anomalies[1].kind, AnomalyKind::sip_bad_content_length);
  EXPECT_TRUE(rec.anomalies[0].has_flow);
  EXPECT_EQ(rec.anomalies[0].src, "192.0.2.10:5080");
  EXPECT_EQ(rec.anomalies[0].dst, "198.51.100.20:5080");
  EXPECT_NE(rec.anomalies[0].detail.find("SIP/2.0 200 OK"), std::string::npos);
  EXPECT_EQ(d.stats().anomalies, 2u);
}

TEST(Decoder, TcpSegmentWithTwoMessages) {
  Recorder rec;
  Decoder d(rec);
  d.on_frame(frame_of(eth_tcp(test::bytes_of(kInvite + kOk))));
  ASSERT_EQ(rec.sips.size(), 2u);
  EXPECT_EQ(rec.sips[0].method, "INVITE");
  EXPECT_EQ(rec.sips[0].raw, kInvite);
  EXPECT_EQ(rec.sips[1].status, 200);
  EXPECT_EQ(rec.sips[1].raw, kOk);
  for (const auto& s : rec.sips) {
    EXPECT_EQ(s.transport, Transport::tcp);
    EXPECT_EQ(s.src, "192.0.2.10:5060");
    EXPECT_EQ(s.dst, "198.51.100.20:40000");
  }
  EXPECT_TRUE(rec.anomalies.empty());
}

// TCP segment of the kHostA:5060 -> kHostB:40000 connection (or the reverse) with a given
// sequence number and flags (byte 13 of the TCP header, RFC 9293 §3.1).
Bytes eth_tcp_seq(const std::string& payload, uint32_t seq, uint8_t flags = 0x18,
                  bool reverse = false) {
  test::Ipv4Options o;
  o.protocol = 6;
  Bytes seg = reverse ? test::tcp(40000, 5060, test::bytes_of(payload), seq)
                      : test::tcp(5060, 40000, test::bytes_of(payload), seq);
  seg[13] = flags;
  return test::ethernet(0x0800, reverse ? test::ipv4(test::kHostB, test::kHostA, seg, o)
                                        : test::ipv4(test::kHostA, test::kHostB, seg, o));
}

TEST(Decoder, TcpMessageAcrossSegmentsIsReassembled) {
  Recorder rec;
  Decoder d(rec);
  // INVITE + the first part of the 200 OK, then the last 2 body bytes: the 200 OK is
  // complete at the second frame, which is the frame it is reported with.
  const std::string cut = kOk.substr(0, kOk.size() - 2);
  const uint32_t seq = 1000;
  d.on_frame(frame_of(eth_tcp_seq(kInvite + cut, seq)));
  ASSERT_EQ(rec.sips.size(), 1u);
  const Bytes bytes = eth_tcp_seq("cd", seq + static_cast<uint32_t>(kInvite.size() + cut.size()));
  Frame second = frame_of(bytes);
  second.ref.number = 18;
  d.on_frame(second);
  ASSERT_EQ(rec.sips.size(), 2u);
  EXPECT_EQ(rec.sips[1].raw, kOk);
  EXPECT_EQ(rec.sips[1].frame.number, 18u);
  EXPECT_EQ(rec.sips[1].transport, Transport::tcp);
  EXPECT_TRUE(rec.anomalies.empty());
  EXPECT_EQ(d.stats().sip_messages, 2u);
}

TEST(Decoder, TcpStreamEndsInsideAMessage) {
  Recorder rec;
  Decoder d(rec);
  d.on_frame(frame_of(eth_tcp_seq("", 99, 0x02)));  // SYN
  d.on_frame(frame_of(eth_tcp_seq(kInvite.substr(0, 60), 100)));
  EXPECT_TRUE(rec.sips.empty());
  d.finish();
  ASSERT_EQ(rec.anomalies.size(), 1u);
  EXPECT_EQ(rec.anomalies[0].kind, AnomalyKind::sip_stream_truncated);
  EXPECT_TRUE(rec.anomalies[0].has_flow);
  EXPECT_EQ(rec.anomalies[0].src, "192.0.2.10:5060");
  EXPECT_EQ(rec.anomalies[0].detail.substr(0, 9), "60 bytes ");
}

TEST(Decoder, TcpLostSegmentIsAGapAtFinish) {
  Recorder rec;
  Decoder d(rec);
  d.on_frame(frame_of(eth_tcp_seq(kInvite, 100)));
  // 7 bytes never captured, then the 200 OK.
  d.on_frame(frame_of(eth_tcp_seq(kOk, 100 + static_cast<uint32_t>(kInvite.size()) + 7)));
  EXPECT_EQ(rec.sips.size(), 1u);
  d.finish();
  ASSERT_EQ(rec.sips.size(), 2u);
  EXPECT_EQ(rec.sips[1].status, 200);
  ASSERT_EQ(rec.anomalies.size(), 1u);
  EXPECT_EQ(rec.anomalies[0].kind, AnomalyKind::tcp_gap);
  EXPECT_EQ(rec.anomalies[0].detail.substr(0, 8), "7 bytes ");
}

// Issue 14: a Call-ID line ending in CR CR LF. The message is delivered with the stray CR
// dropped (Call-ID "abc", RFC 3261 §7.3.1: the line ends at CRLF) and the flaw is named
// once for the message, on UDP and on TCP alike.
TEST(Decoder, CrCrLfLineEndIsDeliveredAndNamed) {
  const std::string bye =
      "BYE sip:bob@192.0.2.4 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
      "From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: abc\r\r\nCSeq: 2 BYE\r\n"
      "Content-Length: 0\r\n\r\n";
  struct CallIds : Recorder {
    std::vector<std::string> call_ids;
    void on_sip(const SipEvent& e) override {
      Recorder::on_sip(e);
      call_ids.emplace_back(e.message->header_value(sip::HeaderId::call_id));
    }
  };
  for (bool tcp : {false, true}) {
    CallIds rec;
    Decoder d(rec);
    const Bytes f = tcp ? eth_tcp(test::bytes_of(bye)) : eth_udp(test::bytes_of(bye));
    d.on_frame(frame_of(f));
    d.finish();
    ASSERT_EQ(rec.sips.size(), 1u) << tcp;
    EXPECT_EQ(rec.call_ids[0], "abc");
    ASSERT_EQ(rec.anomalies.size(), 1u) << tcp;
    EXPECT_EQ(rec.anomalies[0].kind, AnomalyKind::sip_bad_line_end);
    EXPECT_EQ(rec.anomalies[0].detail, "line ends in CR CR LF; stray CR dropped: Call-ID: abc");
    EXPECT_TRUE(rec.anomalies[0].has_flow);
  }
}

// RFC 4475 §3.1.2.16 badvers over UDP: kept as a SIP message (not other UDP traffic) and
// named sip_bad_version.
TEST(Decoder, OtherSipVersionIsDeliveredAndNamed) {
  const std::string badvers =
      "OPTIONS sip:t.watson@example.org SIP/7.0\r\nVia: SIP/7.0/UDP c.example.com;"
      "branch=z9hG4bKkdjuw\r\nMax-Forwards: 70\r\nFrom: A. Bell <sip:a.g.bell@example.com>;"
      "tag=qweoiqpe\r\nTo: T. Watson <sip:t.watson@example.org>\r\nCall-ID: "
      "badvers01.31415@c.example.com\r\nCSeq: 1 OPTIONS\r\nl: 0\r\n\r\n";
  Recorder rec;
  Decoder d(rec);
  d.on_frame(frame_of(eth_udp(test::bytes_of(badvers))));
  ASSERT_EQ(rec.sips.size(), 1u);
  EXPECT_EQ(rec.sips[0].method, "OPTIONS");
  EXPECT_TRUE(rec.udps.empty());
  ASSERT_EQ(rec.anomalies.size(), 1u);
  EXPECT_EQ(rec.anomalies[0].kind, AnomalyKind::sip_bad_version);
}

TEST(Decoder, SipOverWebSocket) {
  Recorder rec;
  Decoder d(rec);
  const std::string request =
      "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Protocol: sip\r\nSec-WebSocket-Version: 13\r\n\r\n";
  const std::string response =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Protocol: sip\r\n\r\n";
  // Client frame: FIN + text, masked with key 01 02 03 04 (RFC 6455 §5.3), 16-bit length.
  std::string frame = "\x81";
  frame += static_cast<char>(0x80 | 126);
  frame += static_cast<char>(kInvite.size() >> 8);
  frame += static_cast<char>(kInvite.size() & 0xff);
  const char key[4] = {1, 2, 3, 4};
  frame.append(key, 4);
  for (size_t i = 0; i < kInvite.size(); ++i) frame += static_cast<char>(kInvite[i] ^ key[i % 4]);
  d.on_frame(frame_of(eth_tcp_seq("", 99, 0x02, true)));
  d.on_frame(frame_of(eth_tcp_seq(request, 100, 0x18, true)));
  d.on_frame(frame_of(eth_tcp_seq(response, 500)));
  d.on_frame(frame_of(eth_tcp_seq(frame, 100 + static_cast<uint32_t>(request.size()), 0x18, true)));
  ASSERT_EQ(rec.sips.size(), 1u);
  EXPECT_EQ(rec.sips[0].raw, kInvite);
  EXPECT_EQ(rec.sips[0].transport, Transport::ws);
  EXPECT_EQ(rec.sips[0].src, "198.51.100.20:40000");
  EXPECT_TRUE(rec.anomalies.empty());
}

TEST(Decoder, TcpKeepAliveBetweenMessagesAndNonSip) {
  Recorder rec;
  Decoder d(rec);
  d.on_frame(frame_of(eth_tcp(test::bytes_of("\r\n\r\n" + kInvite + "\r\n\r\n" + kOk))));
  EXPECT_EQ(rec.sips.size(), 2u);
  d.on_frame(frame_of(eth_tcp(test::bytes_of("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))));
  d.on_frame(frame_of(eth_tcp({})));
  EXPECT_EQ(rec.sips.size(), 2u);
  EXPECT_TRUE(rec.anomalies.empty());
}

TEST(Decoder, LoneFragmentIsHeldThenReportedAtFinish) {
  Recorder rec;
  Decoder d(rec);
  const Bytes f = test::ethernet(
      0x0800, test::ipv4(test::kHostA, test::kHostB, test::udp(5060, 5060, test::bytes_of(kInvite)),
                         {.id = 0x0102, .flags_offset = 0x2000, .options = {}}));
  d.on_frame(frame_of(f));
  EXPECT_TRUE(rec.sips.empty());
  EXPECT_TRUE(rec.udps.empty());
  EXPECT_TRUE(rec.anomalies.empty());  // still waiting for the rest
  d.finish();
  ASSERT_EQ(rec.anomalies.size(), 1u);
  EXPECT_EQ(rec.anomalies[0].kind, AnomalyKind::ip_fragments_incomplete);
  // 0x0102 = 258; UDP header 8 + INVITE bytes received.
  EXPECT_EQ(rec.anomalies[0].detail,
            "id=258 protocol=17 bytes_received=" + std::to_string(8 + kInvite.size()) +
                " fragments=1 (open at end of input)");
  EXPECT_EQ(rec.anomalies[0].src, "192.0.2.10:0");  // ports unknown without the datagram
  EXPECT_EQ(d.stats().anomalies, 1u);
}

// The UDP datagram (header + INVITE) cut at 8-byte boundaries into 3 IPv4 fragments.
std::vector<Bytes> invite_fragments(uint16_t id) {
  const Bytes dgram = test::udp(5060, 5070, test::bytes_of(kInvite));
  const size_t a = 96, b = 200;  // multiples of 8
  std::vector<Bytes> out;
  auto piece = [&](size_t from, size_t to, bool more) {
    const auto flags = static_cast<uint16_t>((more ? 0x2000 : 0) | (from / 8));
    out.push_back(test::ethernet(
        0x0800,
        test::ipv4(test::kHostA, test::kHostB, Bytes(dgram.begin() + from, dgram.begin() + to),
                   {.id = id, .flags_offset = flags, .options = {}})));
  };
  piece(0, a, true);
  piece(a, b, true);
  piece(b, dgram.size(), false);
  return out;
}

TEST(Decoder, SipInviteOverThreeIpv4Fragments) {
  for (bool reversed : {false, true}) {
    Recorder rec;
    Decoder d(rec);
    auto frags = invite_fragments(0x4242);
    if (reversed) std::swap(frags[0], frags[2]);
    for (size_t i = 0; i < frags.size(); ++i) {
      Frame f = frame_of(frags[i]);
      f.ref.number = 10 + i;
      d.on_frame(f);
    }
    ASSERT_EQ(rec.sips.size(), 1u);
    EXPECT_EQ(rec.sips[0].raw, kInvite);
    EXPECT_EQ(rec.sips[0].src, "192.0.2.10:5060");
    EXPECT_EQ(rec.sips[0].dst, "198.51.100.20:5070");
    EXPECT_EQ(rec.sips[0].frame.number, 12u);  // the frame that completed it
    d.finish();
    EXPECT_TRUE(rec.anomalies.empty());
  }
}

TEST(Decoder, FragmentSetExpiresByCaptureTime) {
  Recorder rec;
  Decoder d(rec);
  auto frags = invite_fragments(7);
  Frame f = frame_of(frags[0]);
  d.on_frame(f);
  Frame late = frame_of(frags[1]);
  late.ref.ts_us = f.ref.ts_us + 31'000'000;  // past the 30 s reassembly time
  late.ref.number = 99;
  d.on_frame(late);
  ASSERT_EQ(rec.anomalies.size(), 1u);
  EXPECT_EQ(rec.anomalies[0].kind, AnomalyKind::ip_fragments_incomplete);
  EXPECT_NE(rec.anomalies[0].detail.find("(expired)"), std::string::npos);
  // The first fragment held the first 96 bytes of the datagram.
  EXPECT_NE(rec.anomalies[0].detail.find(" bytes_received=96 "), std::string::npos);
  d.on_frame(frame_of(frags[2]));
  EXPECT_TRUE(rec.sips.empty());
}

TEST(Decoder, FragmentTableFullIsNamed) {
  Recorder rec;
  Decoder d(rec, {.max_open_sets = 1, .max_total_bytes = 1 << 20, .expiry_us = 30'000'000});
  d.on_frame(frame_of(invite_fragments(1)[0]));
  d.on_frame(frame_of(invite_fragments(2)[0]));
  ASSERT_EQ(rec.anomalies.size(), 1u);
  EXPECT_EQ(rec.anomalies[0].kind, AnomalyKind::ip_fragment_table_full);
  EXPECT_EQ(rec.anomalies[0].detail.rfind("id=1 ", 0), 0u);
}

// Issue 12: 40,000 first fragments that never complete, through the whole decoder at
// default limits: every set beyond the 4096 held is evicted as a named anomaly, the rest
// are named at the end; nothing is silently lost and nothing else is reported.
TEST(Decoder, NeverCompletingFragmentFloodIsNamed) {
  constexpr size_t kFlood = 40'000;
  const ReassemblyLimits limits;
  Recorder rec;
  Decoder d(rec);
  for (size_t i = 0; i < kFlood; ++i) {
    const Bytes first = invite_fragments(static_cast<uint16_t>(i))[0];
    Frame f = frame_of(first);
    f.ref.number = i + 1;
    d.on_frame(f);
  }
  const auto count = [&](AnomalyKind k) {
    return std::count_if(rec.anomalies.begin(), rec.anomalies.end(),
                         [&](const auto& a) { return a.kind == k; });
  };
  EXPECT_EQ(static_cast<size_t>(count(AnomalyKind::ip_fragment_table_full)),
            kFlood - limits.max_open_sets);
  EXPECT_EQ(rec.anomalies.size(), kFlood - limits.max_open_sets);
  d.finish();
  EXPECT_EQ(static_cast<size_t>(count(AnomalyKind::ip_fragments_incomplete)), limits.max_open_sets);
  EXPECT_TRUE(rec.sips.empty());
}

TEST(Decoder, Ipv6DestinationOptionsAfterTheFragmentHeader) {
  // RFC 8200 §4.5: headers after the fragment header are part of the fragmentable part.
  // Destination options (60): next 17, length 0 (8 octets), PadN filling 6 octets.
  const Bytes dest_opts = {17, 0, 1, 4, 0, 0, 0, 0};
  const Bytes dgram = test::cat(dest_opts, test::udp(5060, 5060, test::bytes_of(kInvite)));
  const Bytes first(dgram.begin(), dgram.begin() + 64);
  const Bytes second(dgram.begin() + 64, dgram.end());
  Recorder rec;
  Decoder d(rec);
  d.on_frame(
      frame_of(test::ethernet(0x86dd, test::ipv6(test::kHost6A, test::kHost6B, 44,
                                                 test::ipv6_fragment(60, 0, true, 9, first)))));
  d.on_frame(
      frame_of(test::ethernet(0x86dd, test::ipv6(test::kHost6A, test::kHost6B, 44,
                                                 test::ipv6_fragment(60, 64, false, 9, second)))));
  ASSERT_EQ(rec.sips.size(), 1u);
  EXPECT_EQ(rec.sips[0].raw, kInvite);
  EXPECT_TRUE(rec.anomalies.empty());
}

TEST(Decoder, SipOverIpv6Fragments) {
  const Bytes dgram = test::udp(5060, 5060, test::bytes_of(kInvite));
  const Bytes first(dgram.begin(), dgram.begin() + 104);
  const Bytes second(dgram.begin() + 104, dgram.end());
  Recorder rec;
  Decoder d(rec);
  // Next header 44 (fragment) -> 17 (UDP).
  const Bytes f2 =
      test::ethernet(0x86dd, test::ipv6(test::kHost6A, test::kHost6B, 44,
                                        test::ipv6_fragment(17, 104, false, 0xdeadbeef, second)));
  const Bytes f1 =
      test::ethernet(0x86dd, test::ipv6(test::kHost6A, test::kHost6B, 44,
                                        test::ipv6_fragment(17, 0, true, 0xdeadbeef, first)));
  d.on_frame(frame_of(f2));
  d.on_frame(frame_of(f1));
  ASSERT_EQ(rec.sips.size(), 1u);
  EXPECT_EQ(rec.sips[0].src, "[2001:db8::1]:5060");
  EXPECT_EQ(rec.sips[0].raw, kInvite);
  EXPECT_TRUE(rec.anomalies.empty());
}

// Outer 203.0.113.1 -> 203.0.113.2 carrying the inner kHostA -> kHostB SIP datagram.
constexpr std::array<uint8_t, 4> kOuterA = {203, 0, 113, 1};
constexpr std::array<uint8_t, 4> kOuterB = {203, 0, 113, 2};

Bytes inner_ip() {
  return test::ipv4(test::kHostA, test::kHostB, test::udp(5060, 5060, test::bytes_of(kInvite)));
}
Bytes inner_eth() {
  return test::ethernet(0x0800, inner_ip());
}
Bytes outer(uint8_t protocol, const Bytes& payload) {
  test::Ipv4Options o;
  o.protocol = protocol;
  return test::ethernet(0x0800, test::ipv4(kOuterA, kOuterB, payload, o));
}

void expect_inner_invite(const Bytes& frame, std::string_view what) {
  SCOPED_TRACE(std::string(what));
  Recorder rec;
  Decoder d(rec);
  d.on_frame(frame_of(frame));
  ASSERT_EQ(rec.sips.size(), 1u);
  EXPECT_EQ(rec.sips[0].src, "192.0.2.10:5060");
  EXPECT_EQ(rec.sips[0].dst, "198.51.100.20:5060");
  EXPECT_EQ(rec.sips[0].raw, kInvite);
  EXPECT_TRUE(rec.anomalies.empty());
}

TEST(Decoder, SipInsideEachTunnelType) {
  expect_inner_invite(outer(4, inner_ip()), "IPIP");
  expect_inner_invite(outer(41, test::ipv6(test::kHost6A, test::kHost6B, 4, inner_ip())),
                      "IPv4 in IPv6 in IPv4");
  expect_inner_invite(outer(47, test::gre(0x0800, inner_ip())), "GRE + IPv4");
  expect_inner_invite(outer(47, test::gre(0x0800, inner_ip(), {.checksum = true, .key = true})),
                      "GRE with checksum and key");
  expect_inner_invite(outer(47, test::gre(0x6558, inner_eth())), "GRE + TEB");
  expect_inner_invite(outer(47, test::gre(0x88be, inner_eth())), "ERSPAN I");
  expect_inner_invite(outer(47, test::gre(0x88be, test::erspan2(inner_eth()), {.sequence = true})),
                      "ERSPAN II");
  expect_inner_invite(
      outer(47, test::gre(0x22eb, test::erspan3(inner_eth(), false), {.sequence = true})),
      "ERSPAN III");
  expect_inner_invite(
      outer(47, test::gre(0x22eb, test::erspan3(inner_eth(), true), {.sequence = true})),
      "ERSPAN III with platform subheader");
  expect_inner_invite(outer(17, test::udp(40000, 4789, test::vxlan(inner_eth()))), "VXLAN");
}

TEST(Decoder, Sip6in4ReportsIpv6Addresses) {
  Recorder rec;
  Decoder d(rec);
  const Bytes v6 =
      test::ipv6(test::kHost6A, test::kHost6B, 17, test::udp(5060, 5060, test::bytes_of(kInvite)));
  d.on_frame(frame_of(outer(41, v6)));
  ASSERT_EQ(rec.sips.size(), 1u);
  EXPECT_EQ(rec.sips[0].src, "[2001:db8::1]:5060");
  EXPECT_EQ(rec.sips[0].dst, "[2001:db8::2]:5060");
}

TEST(Decoder, NestedTunnelDepthCap) {
  // kMaxTunnelDepth IPIP layers are followed; one more is reported.
  Bytes p = inner_ip();
  for (int i = 1; i < kMaxTunnelDepth; ++i) {
    test::Ipv4Options o;
    o.protocol = 4;
    p = test::ipv4(kOuterA, kOuterB, p, o);
  }
  expect_inner_invite(outer(4, p), "8 levels");
  test::Ipv4Options o;
  o.protocol = 4;
  Recorder rec;
  Decoder d(rec);
  d.on_frame(frame_of(outer(4, test::ipv4(kOuterA, kOuterB, p, o))));
  EXPECT_TRUE(rec.sips.empty());
  ASSERT_EQ(rec.anomalies.size(), 1u);
  EXPECT_EQ(rec.anomalies[0].kind, AnomalyKind::tunnel_too_deep);
}

TEST(Decoder, TruncatedTunnelHeadersAreNamed) {
  struct Case {
    Bytes frame;
    AnomalyKind kind;
  };
  const Case cases[] = {
      {outer(47, Bytes{0x00, 0x00, 0x08}), AnomalyKind::truncated_gre},
      {outer(47, test::gre(0x88be, Bytes{0x10, 0, 0}, {.sequence = true})),
       AnomalyKind::truncated_erspan},
      {outer(47, test::gre(0x22eb, Bytes(11, 0x00))), AnomalyKind::truncated_erspan},
      {outer(17, test::udp(40000, 4789, Bytes{0x08, 0, 0})), AnomalyKind::truncated_vxlan},
      {outer(47, test::gre(0x0806, Bytes(28, 0))), AnomalyKind::gre_unsupported_protocol},
      {outer(132, Bytes(40, 0)), AnomalyKind::sctp_bad_chunk},  // chunk length 0 < 4
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(anomaly_name(c.kind)));
    Recorder rec;
    Decoder d(rec);
    d.on_frame(frame_of(c.frame));
    EXPECT_TRUE(rec.sips.empty());
    ASSERT_EQ(rec.anomalies.size(), 1u);
    EXPECT_EQ(rec.anomalies[0].kind, c.kind);
    EXPECT_EQ(rec.anomalies[0].src.rfind("203.0.113.1:", 0), 0u);  // the outer packet's flow
  }
}

TEST(Decoder, UnterminatedDatagramIsDeliveredAndFlagged) {
  Recorder rec;
  Decoder d(rec);
  std::string cut = kInvite.substr(0, kInvite.size() - 2);  // no empty line at the end
  d.on_frame(frame_of(eth_udp(test::bytes_of(cut))));
  ASSERT_EQ(rec.sips.size(), 1u);
  EXPECT_EQ(rec.sips[0].method, "INVITE");
  ASSERT_EQ(rec.anomalies.size(), 1u);
  EXPECT_EQ(rec.anomalies[0].kind, AnomalyKind::sip_headers_unterminated);
  EXPECT_TRUE(rec.anomalies[0].has_flow);
}

TEST(Decoder, LinkAndIpAnomalies) {
  Recorder rec;
  Decoder d(rec);
  const Bytes ip = test::ipv4(test::kHostA, test::kHostB, test::udp(1, 2, {}));
  d.on_frame(frame_of(ip, 147));
  ASSERT_EQ(rec.anomalies.size(), 1u);
  EXPECT_EQ(rec.anomalies[0].kind, AnomalyKind::unsupported_link_type);
  EXPECT_EQ(rec.anomalies[0].detail, "link type 147");
  EXPECT_FALSE(rec.anomalies[0].has_flow);

  // ARP: not IP, nothing reported.
  d.on_frame(frame_of(test::ethernet(0x0806, Bytes(28, 0))));
  EXPECT_EQ(rec.anomalies.size(), 1u);

  // The IP header claims 4 more bytes than the frame holds, and the capture did not cut it.
  Bytes lying = test::ethernet(0x0800, ip);
  lying[14 + 3] += 4;
  d.on_frame(frame_of(lying));
  ASSERT_EQ(rec.anomalies.size(), 2u);
  EXPECT_EQ(rec.anomalies[1].kind, AnomalyKind::truncated_ipv4);
  EXPECT_EQ(rec.anomalies[1].src, "192.0.2.10:0");

  // UDP length field 200 in a 8-byte datagram.
  Bytes bad_udp = test::ethernet(0x0800, ip);
  bad_udp[14 + 20 + 5] = 200;
  d.on_frame(frame_of(bad_udp));
  ASSERT_EQ(rec.anomalies.size(), 3u);
  EXPECT_EQ(rec.anomalies[2].kind, AnomalyKind::bad_udp_length);
  EXPECT_EQ(rec.anomalies[2].src, "192.0.2.10:0");
}

TEST(Decoder, SnapLengthCutHeaderIsFrameTruncated) {
  Recorder rec;
  Decoder d(rec);
  const Bytes full = eth_udp(test::bytes_of(kInvite));
  Frame f = frame_of(full);
  f.data = std::span(full).first(14 + 10);  // cut inside the IPv4 header
  d.on_frame(f);
  ASSERT_EQ(rec.anomalies.size(), 1u);
  EXPECT_EQ(rec.anomalies[0].kind, AnomalyKind::frame_truncated);
  EXPECT_EQ(rec.anomalies[0].detail, "header cut by snap length in ipv4 (24 of " +
                                         std::to_string(full.size()) + " bytes captured)");
  // The same bytes with caplen == wire length: the packet itself is short.
  Frame g = frame_of(full);
  g.data = std::span(full).first(14 + 10);
  g.wire_length = 24;
  d.on_frame(g);
  ASSERT_EQ(rec.anomalies.size(), 2u);
  EXPECT_EQ(rec.anomalies[1].kind, AnomalyKind::truncated_ipv4);
  // Cut inside the payload only (snap length 96 on an RTP stream): the partial datagram
  // is still delivered, no anomaly.
  const Bytes rtp = eth_udp(Bytes(172, 0x80), 4000, 4002);
  Frame h = frame_of(rtp);
  h.data = std::span(rtp).first(96);
  d.on_frame(h);
  EXPECT_EQ(rec.anomalies.size(), 2u);
  ASSERT_EQ(rec.udps.size(), 1u);
  EXPECT_EQ(rec.udps[0].payload.size(), 96u - 14 - 20 - 8);
}

// Decoders must accept any bytes (ASan/UBSan catch out-of-bounds reads).
TEST(Decoder, RandomFramesNeverCrash) {
  Recorder rec;
  Decoder d(rec);
  std::mt19937 rng(20240611);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> len(0, 200);
  const int links[] = {link_type::kNull,
                       link_type::kEthernet,
                       link_type::kRawDlt,
                       link_type::kRawDltBsd,
                       link_type::kRaw,
                       link_type::kLoop,
                       link_type::kLinuxSll,
                       link_type::kIpv4,
                       link_type::kIpv6,
                       link_type::kLinuxSll2,
                       147};
  // Valid Ethernet/IPv4/UDP or TCP headers around a SIP-looking start line followed by
  // random bytes make part of the input reach the SIP parser.
  const Bytes start = test::bytes_of("INVITE sip:x SIP/2.0\r\nContent-Length: 5\r\n");
  Bytes buf;
  for (int link : links) {
    for (int i = 0; i < 20000; ++i) {
      buf.assign(static_cast<size_t>(len(rng)), 0);
      for (auto& b : buf) b = static_cast<uint8_t>(byte(rng));
      if (link == link_type::kEthernet && i % 8 == 4) {
        // Random bytes behind each tunnel header.
        switch ((i / 8) % 5) {
          case 0:
            buf = outer(47, test::gre(0x0800, buf));
            break;
          case 1:
            buf = outer(47, test::gre(0x22eb, buf, {.sequence = true}));
            break;
          case 2:
            buf = outer(17, test::udp(1, 4789, buf));
            break;
          case 3:
            buf = outer(4, buf);
            break;
          default:
            buf = outer(47, test::gre(0x6558, buf));
            break;
        }
      } else if (link == link_type::kEthernet && i % 4 == 1) {
        buf = eth_udp(test::cat(start, buf));
      } else if (link == link_type::kEthernet && i % 4 == 3) {
        buf = eth_tcp(test::cat(start, buf));
      } else if (i % 4 == 2 && !buf.empty()) {
        buf[0] = static_cast<uint8_t>((buf[0] & 0x0f) | (i % 8 < 4 ? 0x40 : 0x60));
      }
      Frame f = frame_of(buf, link);
      f.wire_length = static_cast<uint32_t>(buf.size() + (i % 3 == 0 ? 10 : 0));
      d.on_frame(f);
    }
  }
  EXPECT_EQ(d.stats().frames, 20000u * std::size(links));
  // The valid-header variants did reach UDP and the SIP parser.
  EXPECT_GT(d.stats().udp_datagrams, 5000u);
  EXPECT_GT(d.stats().anomalies, 0u);
}

// ---- SIP over SCTP and HEP ----------------------------------------------------------

TEST(Decoder, SipOverSctpBundledChunksAndFragmentedMessage) {
  Recorder rec;
  Decoder d(rec);
  // Two complete DATA chunks (B and E set) bundled in one packet: two messages.
  const Bytes bundled = test::cat(test::sctp_data(0x03, 1, test::bytes_of(kInvite)),
                                  test::sctp_data(0x03, 2, test::bytes_of(kOk)));
  d.on_frame(frame_of(outer(132, test::sctp(57098, 5060, bundled))));
  ASSERT_EQ(rec.sips.size(), 2u);
  EXPECT_EQ(rec.sips[0].transport, Transport::sctp);
  EXPECT_EQ(rec.sips[0].src, "203.0.113.1:57098");  // ports from the SCTP header
  EXPECT_EQ(rec.sips[0].raw, kInvite);
  EXPECT_EQ(rec.sips[1].status, 200);
  // One message in two unordered fragments (B, then E) with consecutive TSNs, in two
  // frames as in heplify_sip_sctp.pcap: delivered once, by the frame that completed it.
  const Bytes head = test::bytes_of(kInvite.substr(0, 100));
  const Bytes tail = test::bytes_of(kInvite.substr(100));
  d.on_frame(frame_of(outer(132, test::sctp(57098, 5060, test::sctp_data(0x06, 3, head)))));
  EXPECT_EQ(rec.sips.size(), 2u);
  const Bytes second = outer(132, test::sctp(57098, 5060, test::sctp_data(0x05, 4, tail)));
  Frame f2 = frame_of(second);
  f2.ref.number = 18;
  d.on_frame(f2);
  ASSERT_EQ(rec.sips.size(), 3u);
  EXPECT_EQ(rec.sips[2].raw, kInvite);
  EXPECT_EQ(rec.sips[2].frame.number, 18u);
  d.finish();
  EXPECT_TRUE(rec.anomalies.empty());
}

TEST(Decoder, SctpFragmentWithoutItsEndIsReportedAtFinish) {
  Recorder rec;
  Decoder d(rec);
  const Bytes head = test::bytes_of(kInvite.substr(0, 100));
  d.on_frame(frame_of(outer(132, test::sctp(57098, 5060, test::sctp_data(0x02, 9, head)))));
  EXPECT_TRUE(rec.anomalies.empty());
  d.finish();
  ASSERT_EQ(rec.anomalies.size(), 1u);
  EXPECT_EQ(rec.anomalies[0].kind, AnomalyKind::sctp_fragments_incomplete);
  EXPECT_EQ(rec.anomalies[0].src, "203.0.113.1:57098");
  EXPECT_TRUE(rec.sips.empty());
}

TEST(Decoder, SctpNonSipAndMalformedChunks) {
  Recorder rec;
  Decoder d(rec);
  // M3UA-like binary payload: valid SCTP, not SIP, skipped without an anomaly.
  d.on_frame(frame_of(outer(132, test::sctp(2905, 2905, test::sctp_data(0x03, 1, {1, 0, 1, 1})))));
  EXPECT_TRUE(rec.anomalies.empty());
  // Common header cut short, then a DATA chunk shorter than its 16-byte header.
  d.on_frame(frame_of(outer(132, Bytes(8, 0))));
  d.on_frame(frame_of(outer(132, test::sctp(1, 2, {0, 3, 0, 8, 0, 0, 0, 1}))));
  ASSERT_EQ(rec.anomalies.size(), 2u);
  EXPECT_EQ(rec.anomalies[0].kind, AnomalyKind::truncated_sctp);
  EXPECT_EQ(rec.anomalies[1].kind, AnomalyKind::sctp_bad_chunk);
  EXPECT_TRUE(rec.sips.empty());
}

TEST(Decoder, HepV3UsesTheOriginalAddressesTransportAndTime) {
  Recorder rec;
  Decoder d(rec);
  test::HepFields h;
  h.ip_protocol = 6;  // the agent saw the INVITE over TCP
  d.on_frame(frame_of(eth_udp(test::hep3_ipv4(test::bytes_of(kInvite), h), 40000, 9060)));
  ASSERT_EQ(rec.sips.size(), 1u);
  EXPECT_EQ(rec.sips[0].src, "10.0.0.1:5062");
  EXPECT_EQ(rec.sips[0].dst, "10.0.0.2:5060");
  EXPECT_EQ(rec.sips[0].transport, Transport::tcp);
  EXPECT_EQ(rec.sips[0].frame.ts_us, 1767261600'200000);  // chunks 9 and 10
  EXPECT_EQ(rec.sips[0].frame.number, 17u);               // the outer frame
  EXPECT_EQ(rec.sips[0].raw, kInvite);
  EXPECT_TRUE(rec.udps.empty());
  EXPECT_TRUE(rec.anomalies.empty());
  // Correlation follows the HEP time, then the next plain frame's time again.
  EXPECT_EQ(d.clock_us(), 1767261600'200000);
  d.on_frame(frame_of(eth_udp(test::bytes_of(kOk))));
  EXPECT_EQ(d.clock_us(), 1'700'000'000'123'456);
}

TEST(Decoder, HepOnAnyPortV2AndOverTcp) {
  Recorder rec;
  Decoder d(rec);
  // HEP v2 to an arbitrary port: header, IPv4 addresses, 12-byte little-endian time.
  Bytes v2 = {2, 16, 2, 17};
  test::put16(v2, 5060);
  test::put16(v2, 5070);
  v2 = test::cat(v2, {10, 1, 1, 1, 10, 2, 2, 2});
  v2 = test::cat(v2, {0xa0, 0x45, 0x56, 0x69, 0x90, 0xd0, 0x03, 0x00, 0x07, 0x00, 0, 0});
  d.on_frame(frame_of(eth_udp(test::cat(v2, test::bytes_of(kOk)), 1234, 7777)));
  ASSERT_EQ(rec.sips.size(), 1u);
  EXPECT_EQ(rec.sips[0].src, "10.1.1.1:5060");
  EXPECT_EQ(rec.sips[0].transport, Transport::udp);
  EXPECT_EQ(rec.sips[0].frame.ts_us, 1767261600'250000);  // 0x695645A0 s, 0x3D090 µs
  // Two HEP3 packets back to back in one TCP segment.
  const Bytes one = test::hep3_ipv4(test::bytes_of(kInvite));
  d.on_frame(frame_of(eth_tcp(test::cat(one, one))));
  ASSERT_EQ(rec.sips.size(), 3u);
  EXPECT_EQ(rec.sips[2].src, "10.0.0.1:5062");
  EXPECT_TRUE(rec.anomalies.empty());
}

TEST(Decoder, MalformedHepIsNamed) {
  struct Case {
    Bytes payload;
    AnomalyKind kind;
  };
  Bytes cut = test::hep3_ipv4(test::bytes_of(kInvite));
  cut.resize(cut.size() - 10);
  test::HepFields gz;
  gz.payload_chunk = 16;
  const Case cases[] = {
      {cut, AnomalyKind::hep_truncated},
      {test::hep3(test::hep_chunk(7, {1})), AnomalyKind::hep_bad_chunk},
      {test::hep3_ipv4({0x1f, 0x8b, 8, 0}, gz), AnomalyKind::hep_compressed_payload},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(anomaly_name(c.kind)));
    Recorder rec;
    Decoder d(rec);
    d.on_frame(frame_of(eth_udp(c.payload, 40000, 9060)));
    EXPECT_TRUE(rec.sips.empty());
    EXPECT_TRUE(rec.udps.empty());
    ASSERT_EQ(rec.anomalies.size(), 1u);
    EXPECT_EQ(rec.anomalies[0].kind, c.kind);
  }
  // A v1/v2 look-alike that does not decode is ordinary UDP, not an anomaly.
  Recorder rec;
  Decoder d(rec);
  d.on_frame(frame_of(eth_udp({2, 16, 2, 17, 0, 1}, 53, 53)));
  EXPECT_TRUE(rec.anomalies.empty());
  EXPECT_EQ(rec.udps.size(), 1u);
}

TEST(Decoder, SctpAndHepFramesCutAtEveryLengthNeverCrash) {
  const Bytes sctp_frame = outer(
      132, test::sctp(1, 2,
                      test::cat(test::sctp_data(0x02, 1, test::bytes_of(kInvite.substr(0, 50))),
                                test::sctp_data(0x01, 2, test::bytes_of(kInvite.substr(50))))));
  const Bytes hep_frame = eth_udp(test::hep3_ipv4(test::bytes_of(kInvite)), 1, 9060);
  for (const Bytes* full : {&sctp_frame, &hep_frame}) {
    Recorder rec;
    Decoder d(rec);
    for (size_t n = 0; n <= full->size(); ++n) {
      const Bytes cut(full->begin(), full->begin() + static_cast<std::ptrdiff_t>(n));
      d.on_frame(frame_of(cut));
    }
    d.finish();
    EXPECT_GE(rec.sips.size(), 1u);  // the uncut frame
  }
}

// SipEvent::frames lists every frame whose bytes are part of the message, ascending.
using Numbers = std::vector<uint64_t>;

TEST(DecoderFrames, PlainUdpMessageIsItsOwnFrame) {
  Recorder rec;
  Decoder d(rec);
  d.on_frame(frame_of(eth_udp(test::bytes_of(kInvite))));  // frame_of numbers it 17
  ASSERT_EQ(rec.sips.size(), 1u);
  EXPECT_EQ(rec.sips[0].frames, Numbers({17}));
}

TEST(DecoderFrames, MessageOverThreeTcpSegments) {
  Recorder rec;
  Decoder d(rec);
  // The INVITE cut into three segments (frames 20, 21, 22), then the 200 OK whole in
  // frame 23: the INVITE holds bytes of 20-22, the 200 OK of 23 only.
  const uint32_t seq = 5000;
  const std::string parts[3] = {kInvite.substr(0, 50), kInvite.substr(50, 100),
                                kInvite.substr(150)};
  uint32_t at = seq;
  for (int i = 0; i < 3; ++i) {
    const Bytes b = eth_tcp_seq(parts[i], at);
    Frame f = frame_of(b);
    f.ref.number = 20 + static_cast<uint64_t>(i);
    d.on_frame(f);
    at += static_cast<uint32_t>(parts[i].size());
  }
  const Bytes ok = eth_tcp_seq(kOk, at);
  Frame f = frame_of(ok);
  f.ref.number = 23;
  d.on_frame(f);
  ASSERT_EQ(rec.sips.size(), 2u);
  EXPECT_EQ(rec.sips[0].raw, kInvite);
  EXPECT_EQ(rec.sips[0].frame.number, 22u);
  EXPECT_EQ(rec.sips[0].frames, Numbers({20, 21, 22}));
  EXPECT_EQ(rec.sips[1].frames, Numbers({23}));
}

TEST(DecoderFrames, MessageOverThreeIpv4Fragments) {
  for (bool reversed : {false, true}) {
    Recorder rec;
    Decoder d(rec);
    auto frags = invite_fragments(0x4343);
    if (reversed) std::swap(frags[0], frags[2]);
    for (size_t i = 0; i < frags.size(); ++i) {
      Frame f = frame_of(frags[i]);
      f.ref.number = 10 + i;
      d.on_frame(f);
    }
    ASSERT_EQ(rec.sips.size(), 1u);
    EXPECT_EQ(rec.sips[0].frames, Numbers({10, 11, 12}));
  }
}

TEST(DecoderFrames, FragmentedSctpMessage) {
  Recorder rec;
  Decoder d(rec);
  const Bytes head = test::bytes_of(kInvite.substr(0, 100));
  const Bytes tail = test::bytes_of(kInvite.substr(100));
  d.on_frame(frame_of(outer(132, test::sctp(57098, 5060, test::sctp_data(0x06, 3, head)))));
  const Bytes second = outer(132, test::sctp(57098, 5060, test::sctp_data(0x05, 4, tail)));
  Frame f2 = frame_of(second);
  f2.ref.number = 18;
  d.on_frame(f2);
  ASSERT_EQ(rec.sips.size(), 1u);
  EXPECT_EQ(rec.sips[0].frames, Numbers({17, 18}));
}

}  // namespace
}  // namespace sipscope::decode
