#include "decode/tcp_stream.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace sipscope::decode {
namespace {

struct Recorder : StreamSink {
  struct Msg {
    uint64_t frame = 0;
    std::string src, dst, bytes;
    Transport transport{};
    bool whole = false;
  };
  struct Anom {
    uint64_t frame = 0;
    AnomalyKind kind{};
    std::string detail, src, dst;
  };
  std::vector<Msg> msgs;
  std::vector<Anom> anomalies;
  void on_message(const StreamMessage& m) override {
    msgs.push_back({m.frame.number, m.src.to_string(), m.dst.to_string(), std::string(m.bytes),
                    m.transport, m.whole});
  }
  void on_anomaly(const StreamAnomaly& a) override {
    anomalies.push_back(
        {a.frame.number, a.kind, std::string(a.detail), a.src.to_string(), a.dst.to_string()});
  }
  [[nodiscard]] size_t count(AnomalyKind k) const {
    size_t n = 0;
    for (const auto& a : anomalies) n += a.kind == k ? 1 : 0;
    return n;
  }
};

const std::string kInvite =
    "INVITE sip:bob@example.com SIP/2.0\r\n"
    "Via: SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bK1\r\n"
    "Call-ID: c1\r\n"
    "CSeq: 1 INVITE\r\n"
    "Content-Length: 14\r\n"
    "\r\n"
    "v=0\r\no=- 1 1\r\n";
const std::string kTrying =
    "SIP/2.0 100 Trying\r\n"
    "Call-ID: c1\r\n"
    "CSeq: 1 INVITE\r\n"
    "Content-Length: 0\r\n"
    "\r\n";
const std::string kBye =
    "BYE sip:bob@example.com SIP/2.0\r\n"
    "Call-ID: c1\r\n"
    "CSeq: 2 BYE\r\n"
    "l: 0\r\n"
    "\r\n";

const Endpoint kClient{IpAddress::v4({192, 0, 2, 10}), 40000};
const Endpoint kServer{IpAddress::v4({198, 51, 100, 20}), 5060};

// Builds segments of one connection; the payload strings live in `store` so the spans
// stay valid while a test feeds them.
struct Conn {
  TcpStreams& streams;
  Endpoint client = kClient;
  Endpoint server = kServer;
  uint32_t client_isn = 1000;
  uint32_t server_isn = 5000;
  uint64_t frame = 0;
  int64_t ts = 1'700'000'000'000'000;

  void send(bool from_client, uint32_t rel_seq, std::string_view data, uint8_t flags = 0,
            int64_t advance_us = 1000) {
    TcpSegment s;
    s.frame = FrameRef{1, ++frame, ts += advance_us};
    s.src = from_client ? client : server;
    s.dst = from_client ? server : client;
    s.seq = (from_client ? client_isn : server_isn) + rel_seq;
    s.flags = flags;
    s.payload = {reinterpret_cast<const uint8_t*>(data.data()), data.size()};
    streams.on_segment(s);
  }
  // Client data at stream offset `off` (relative sequence numbers start at 1 after SYN).
  void c(size_t off, std::string_view data, uint8_t flags = 0) {
    send(true, static_cast<uint32_t>(off + 1), data, flags);
  }
  void s(size_t off, std::string_view data, uint8_t flags = 0) {
    send(false, static_cast<uint32_t>(off + 1), data, flags);
  }
  void handshake() {
    send(true, 0, "", tcp_flag::kSyn);
    send(false, 0, "", tcp_flag::kSyn);
  }
};

TEST(TcpStream, ThreeMessagesInOneSegment) {
  Recorder rec;
  TcpStreams streams(rec);
  Conn conn{streams};
  conn.handshake();
  conn.c(0, kInvite + kTrying + kBye);
  ASSERT_EQ(rec.msgs.size(), 3u);
  EXPECT_EQ(rec.msgs[0].bytes, kInvite);
  EXPECT_EQ(rec.msgs[1].bytes, kTrying);
  EXPECT_EQ(rec.msgs[2].bytes, kBye);
  EXPECT_EQ(rec.msgs[0].frame, 3u);
  EXPECT_EQ(rec.msgs[0].src, "192.0.2.10:40000");
  EXPECT_EQ(rec.msgs[0].dst, "198.51.100.20:5060");
  EXPECT_EQ(rec.msgs[0].transport, Transport::tcp);
  EXPECT_TRUE(rec.anomalies.empty());
}

TEST(TcpStream, OneMessageInFiveSegments) {
  Recorder rec;
  TcpStreams streams(rec);
  Conn conn{streams};
  conn.handshake();
  const size_t step = kInvite.size() / 5 + 1;
  for (size_t off = 0; off < kInvite.size(); off += step) {
    EXPECT_TRUE(rec.msgs.empty());
    conn.c(off, std::string_view(kInvite).substr(off, step));
  }
  ASSERT_EQ(rec.msgs.size(), 1u);
  EXPECT_EQ(rec.msgs[0].bytes, kInvite);
  EXPECT_EQ(rec.msgs[0].frame, 7u);  // 2 handshake frames + 5 data frames: the last completes
  EXPECT_TRUE(rec.anomalies.empty());
}

TEST(TcpStream, ReorderedSegments) {
  Recorder rec;
  TcpStreams streams(rec);
  Conn conn{streams};
  conn.handshake();
  const std::string all = kInvite + kBye;
  // Thirds sent as 3, 1, 2 (frames 3, 4, 5): both messages are complete at frame 5.
  const size_t t = all.size() / 3;
  conn.c(2 * t, std::string_view(all).substr(2 * t));
  conn.c(0, std::string_view(all).substr(0, t));
  EXPECT_TRUE(rec.msgs.empty());
  conn.c(t, std::string_view(all).substr(t, t));
  ASSERT_EQ(rec.msgs.size(), 2u);
  EXPECT_EQ(rec.msgs[0].bytes, kInvite);
  EXPECT_EQ(rec.msgs[1].bytes, kBye);
  EXPECT_EQ(rec.msgs[1].frame, 5u);
  EXPECT_TRUE(rec.anomalies.empty());
}

TEST(TcpStream, ReorderedFirstSegmentAfterSyn) {
  Recorder rec;
  TcpStreams streams(rec);
  Conn conn{streams};
  conn.handshake();
  // The second half arrives first; it does not look like SIP, but the SYN made the
  // connection known so it is held until the start arrives.
  const size_t half = kInvite.size() / 2;
  conn.c(half, std::string_view(kInvite).substr(half));
  conn.c(0, std::string_view(kInvite).substr(0, half));
  ASSERT_EQ(rec.msgs.size(), 1u);
  EXPECT_EQ(rec.msgs[0].bytes, kInvite);
}

TEST(TcpStream, RetransmissionIsNotDuplicated) {
  Recorder rec;
  TcpStreams streams(rec);
  Conn conn{streams};
  conn.handshake();
  conn.c(0, kInvite);
  conn.c(0, kInvite);  // retransmitted whole
  conn.c(kInvite.size(), kBye);
  conn.c(kInvite.size(), kBye);
  ASSERT_EQ(rec.msgs.size(), 2u);
  EXPECT_EQ(rec.msgs[1].bytes, kBye);
  EXPECT_TRUE(rec.anomalies.empty());
}

TEST(TcpStream, OverlapFirstReceivedBytesWin) {
  Recorder rec;
  TcpStreams streams(rec);
  Conn conn{streams};
  conn.handshake();
  // Out-of-order piece [20, end) arrives first; then a segment [0, 40) whose bytes 20..39
  // differ. The first-received copy (the real message) must win.
  std::string forged = kInvite.substr(0, 40);
  for (size_t i = 20; i < 40; ++i) forged[i] = 'X';
  conn.c(20, std::string_view(kInvite).substr(20));
  conn.c(0, forged);
  ASSERT_EQ(rec.msgs.size(), 1u);
  EXPECT_EQ(rec.msgs[0].bytes, kInvite);
  // And in order: retransmitted overlapping bytes with other content are ignored.
  conn.c(kInvite.size() - 5, "XXXXX" + kBye);
  ASSERT_EQ(rec.msgs.size(), 2u);
  EXPECT_EQ(rec.msgs[1].bytes, kBye);
}

TEST(TcpStream, KeepAlivesAreSkipped) {
  Recorder rec;
  TcpStreams streams(rec);
  Conn conn{streams};
  conn.handshake();
  // RFC 5626 §3.5.1: the client pings with CRLFCRLF, the server pongs with CRLF.
  conn.c(0, "\r\n\r\n");
  conn.s(0, "\r\n");
  conn.c(4, kInvite + "\r\n\r\n");
  conn.s(2, kTrying);
  conn.c(4 + kInvite.size() + 4, kBye);
  ASSERT_EQ(rec.msgs.size(), 3u);
  EXPECT_EQ(rec.msgs[0].bytes, kInvite);
  EXPECT_EQ(rec.msgs[1].bytes, kTrying);
  EXPECT_EQ(rec.msgs[1].src, "198.51.100.20:5060");
  EXPECT_EQ(rec.msgs[2].bytes, kBye);
  EXPECT_TRUE(rec.anomalies.empty());
}

TEST(TcpStream, CaptureStartingMidStreamResynchronises) {
  Recorder rec;
  TcpStreams streams(rec);
  Conn conn{streams};
  // No SYN: the first segment holds the tail of an earlier message, then a full one.
  const std::string tail = "ody of an earlier message\r\n";
  conn.c(100, tail + kInvite.substr(0, 30));
  conn.c(100 + tail.size() + 30, kInvite.substr(30) + kBye);
  ASSERT_EQ(rec.msgs.size(), 2u);
  EXPECT_EQ(rec.msgs[0].bytes, kInvite);
  EXPECT_EQ(rec.msgs[1].bytes, kBye);
  ASSERT_EQ(rec.count(AnomalyKind::sip_stream_resync), 1u);
  EXPECT_NE(rec.anomalies[0].detail.find(std::to_string(tail.size()) + " bytes"),
            std::string::npos);
}

TEST(TcpStream, MidStreamContinuationIsIgnoredUntilSipAppears) {
  Recorder rec;
  TcpStreams streams(rec);
  Conn conn{streams};
  conn.c(100, "no sip here, just bytes\r\n");
  EXPECT_EQ(streams.connections(), 0u);  // not tracked at all
  conn.c(125, kInvite);
  ASSERT_EQ(rec.msgs.size(), 1u);
  EXPECT_TRUE(rec.anomalies.empty());
}

TEST(TcpStream, LostSegmentIsAGapThenFramingResumes) {
  Recorder rec;
  TcpLimits limits;
  limits.gap_timeout_us = 2'000'000;
  TcpStreams streams(rec, limits);
  Conn conn{streams};
  conn.handshake();
  // INVITE split in 3; the middle segment is never captured. The BYE after it must
  // still come out, and the gap must say how many bytes were lost.
  const size_t a = 30;
  const size_t b = 70;
  conn.c(0, kInvite.substr(0, a));
  conn.c(b, kInvite.substr(b) + kBye);
  EXPECT_TRUE(rec.msgs.empty());
  // 3 s later (past the 2 s gap timeout) anything on the connection settles it.
  conn.send(false, 1, "", 0, 3'000'000);
  ASSERT_EQ(rec.msgs.size(), 1u);
  EXPECT_EQ(rec.msgs[0].bytes, kBye);
  EXPECT_EQ(rec.msgs[0].frame, 4u);  // the segment that carried it
  ASSERT_EQ(rec.count(AnomalyKind::tcp_gap), 1u);
  EXPECT_EQ(rec.anomalies[0].detail.substr(0, 9), std::to_string(b - a) + " bytes ");
  EXPECT_NE(rec.anomalies[0].detail.find("30 bytes of an unfinished message"), std::string::npos);
  EXPECT_EQ(rec.anomalies[0].frame, 4u);
}

TEST(TcpStream, GapStillOpenAtFinishIsReported) {
  Recorder rec;
  TcpStreams streams(rec);
  Conn conn{streams};
  conn.handshake();
  conn.c(0, kInvite);
  conn.c(kInvite.size() + 10, kBye);  // 10 bytes missing before the BYE
  ASSERT_EQ(rec.msgs.size(), 1u);
  streams.finish();
  ASSERT_EQ(rec.msgs.size(), 2u);
  EXPECT_EQ(rec.msgs[1].bytes, kBye);
  ASSERT_EQ(rec.count(AnomalyKind::tcp_gap), 1u);
  EXPECT_EQ(rec.anomalies[0].detail.substr(0, 9), "10 bytes ");
  EXPECT_EQ(streams.connections(), 0u);
}

TEST(TcpStream, GapByExpireSweep) {
  Recorder rec;
  TcpLimits limits;
  limits.gap_timeout_us = 1'000'000;
  TcpStreams streams(rec, limits);
  Conn conn{streams};
  conn.handshake();
  conn.c(0, kInvite);
  conn.c(kInvite.size() + 10, kBye);
  streams.expire(conn.ts + 5'000'000);  // other traffic moves capture time on
  ASSERT_EQ(rec.msgs.size(), 2u);
  EXPECT_EQ(rec.count(AnomalyKind::tcp_gap), 1u);
}

TEST(TcpStream, FinInsideAMessageIsTruncation) {
  Recorder rec;
  TcpStreams streams(rec);
  Conn conn{streams};
  conn.handshake();
  conn.c(0, kBye + kInvite.substr(0, 50), tcp_flag::kFin);
  ASSERT_EQ(rec.msgs.size(), 1u);
  ASSERT_EQ(rec.count(AnomalyKind::sip_stream_truncated), 1u);
  EXPECT_EQ(rec.anomalies[0].detail.substr(0, 9), "50 bytes ");
  // A clean FIN in the other direction adds nothing; the connection is then closed and
  // a late retransmission is not decoded again.
  conn.s(0, kTrying, tcp_flag::kFin);
  ASSERT_EQ(rec.msgs.size(), 2u);
  conn.s(0, kTrying);
  EXPECT_EQ(rec.msgs.size(), 2u);
  EXPECT_EQ(rec.anomalies.size(), 1u);
}

TEST(TcpStream, FinWaitsForMissingBytes) {
  Recorder rec;
  TcpStreams streams(rec);
  Conn conn{streams};
  conn.handshake();
  const size_t half = kInvite.size() / 2;
  conn.c(half, kInvite.substr(half), tcp_flag::kFin);
  conn.c(0, kInvite.substr(0, half));
  ASSERT_EQ(rec.msgs.size(), 1u);
  EXPECT_TRUE(rec.anomalies.empty());
}

TEST(TcpStream, RstFlushesAndReportsPartialMessage) {
  Recorder rec;
  TcpStreams streams(rec);
  Conn conn{streams};
  conn.handshake();
  conn.c(0, kInvite.substr(0, 40));
  conn.s(0, "", tcp_flag::kRst);
  EXPECT_EQ(rec.count(AnomalyKind::sip_stream_truncated), 1u);
  EXPECT_EQ(streams.buffered_bytes(), 0u);
}

TEST(TcpStream, SynOnAClosedTupleStartsANewConnection) {
  Recorder rec;
  TcpStreams streams(rec);
  Conn conn{streams};
  conn.handshake();
  conn.c(0, kInvite, tcp_flag::kFin);
  conn.s(0, "", tcp_flag::kFin);
  conn.client_isn = 900000;
  conn.server_isn = 700000;
  conn.handshake();
  conn.c(0, kBye);
  ASSERT_EQ(rec.msgs.size(), 2u);
  EXPECT_EQ(rec.msgs[1].bytes, kBye);
}

TEST(TcpStream, SynAfterMidStreamDataStartsOver) {
  Recorder rec;
  TcpStreams streams(rec);
  Conn conn{streams};
  conn.c(500, kInvite.substr(0, 40));  // capture started mid-connection; never completed
  conn.client_isn = 123456789;
  conn.handshake();
  conn.c(0, kBye);
  ASSERT_EQ(rec.msgs.size(), 1u);
  EXPECT_EQ(rec.msgs[0].bytes, kBye);
  EXPECT_EQ(rec.count(AnomalyKind::sip_stream_truncated), 1u);
  EXPECT_EQ(rec.count(AnomalyKind::tcp_gap), 0u);
}

TEST(TcpStream, SequenceNumbersWrapAround) {
  Recorder rec;
  TcpStreams streams(rec);
  Conn conn{streams};
  conn.client_isn = 0xffffffe0u;  // the INVITE crosses 2^32
  conn.handshake();
  conn.c(0, kInvite.substr(0, 60));
  conn.c(60, kInvite.substr(60) + kBye);
  ASSERT_EQ(rec.msgs.size(), 2u);
  EXPECT_EQ(rec.msgs[0].bytes, kInvite);
}

TEST(TcpStream, NonSipConnectionIsDroppedSilently) {
  Recorder rec;
  TcpStreams streams(rec);
  Conn conn{streams};
  conn.server.port = 80;
  conn.handshake();
  conn.c(0, "GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n");
  conn.s(0, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
  conn.c(49, std::string(5000, 'x'));
  EXPECT_TRUE(rec.msgs.empty());
  EXPECT_TRUE(rec.anomalies.empty());
  EXPECT_EQ(streams.buffered_bytes(), 0u);
}

TEST(TcpStream, BufferLimitIsNamed) {
  Recorder rec;
  TcpLimits limits;
  limits.max_connection_bytes = 1024;
  TcpStreams streams(rec, limits);
  Conn conn{streams};
  conn.handshake();
  // A message announcing a 5000-byte body cannot fit in 1 KiB.
  const std::string big_head =
      "MESSAGE sip:bob@example.com SIP/2.0\r\nCall-ID: m\r\nContent-Length: 5000\r\n\r\n";
  conn.c(0, big_head);
  size_t off = big_head.size();
  for (int i = 0; i < 5; ++i, off += 1000) conn.c(off, std::string(1000, 'b'));
  conn.c(off, kBye);
  EXPECT_EQ(rec.count(AnomalyKind::tcp_buffer_limit), 1u);
  EXPECT_LE(streams.buffered_bytes(), 1024u);
  // Framing resumes with the next message after the dropped one.
  ASSERT_EQ(rec.msgs.size(), 1u);
  EXPECT_EQ(rec.msgs[0].bytes, kBye);
}

TEST(TcpStream, TotalBufferLimitIsNamed) {
  Recorder rec;
  TcpLimits limits;
  limits.max_total_bytes = 100;
  TcpStreams streams(rec, limits);
  Conn conn{streams};
  conn.handshake();
  conn.c(0, kInvite.substr(0, 120));
  EXPECT_EQ(rec.count(AnomalyKind::tcp_buffer_limit), 1u);
  EXPECT_EQ(streams.buffered_bytes(), 0u);
}

TEST(TcpStream, ConnectionTableFullEvictsLeastRecentlyUsed) {
  Recorder rec;
  TcpLimits limits;
  limits.max_connections = 2;
  TcpStreams streams(rec, limits);
  for (uint16_t port = 40000; port < 40003; ++port) {
    Conn conn{streams};
    conn.client.port = port;
    conn.handshake();
    conn.c(0, kInvite.substr(0, 50));  // each holds an unfinished message
  }
  EXPECT_EQ(streams.connections(), 2u);
  ASSERT_EQ(rec.count(AnomalyKind::tcp_connection_table_full), 1u);
  EXPECT_EQ(rec.anomalies[0].src, "192.0.2.10:40000");
}

TEST(TcpStream, IdleConnectionsExpire) {
  Recorder rec;
  TcpLimits limits;
  limits.idle_timeout_us = 10'000'000;
  TcpStreams streams(rec, limits);
  Conn conn{streams};
  conn.handshake();
  conn.c(0, kInvite.substr(0, 50));
  streams.expire(conn.ts + 5'000'000);
  EXPECT_EQ(streams.connections(), 1u);
  streams.expire(conn.ts + 11'000'000);
  EXPECT_EQ(streams.connections(), 0u);
  EXPECT_EQ(rec.count(AnomalyKind::sip_stream_truncated), 1u);
  EXPECT_EQ(streams.buffered_bytes(), 0u);
}

TEST(TcpStream, TlsOnPort5061IsReportedOncePerConnection) {
  Recorder rec;
  TcpStreams streams(rec);
  Conn conn{streams};
  conn.server.port = 5061;
  conn.handshake();
  const std::string hello("\x16\x03\x01\x00\x05hello", 10);
  conn.c(0, hello);
  conn.s(0, std::string("\x16\x03\x03\x00\x02hi", 7));
  conn.c(10, std::string("\x17\x03\x03\x00\x03"
                         "abc",
                         8));
  EXPECT_EQ(rec.count(AnomalyKind::tls_not_decoded), 1u);
  EXPECT_TRUE(rec.msgs.empty());
  // Mid-stream TLS (no SYN seen) on another connection: one more.
  Conn other{streams};
  other.server.port = 5061;
  other.client.port = 41000;
  other.c(500, std::string("\x17\x03\x03\x00\x03"
                           "abc",
                           8));
  other.c(508, std::string("\x17\x03\x03\x00\x03"
                           "abc",
                           8));
  EXPECT_EQ(rec.count(AnomalyKind::tls_not_decoded), 2u);
}

// ---- WebSocket (RFC 7118) ------------------------------------------------------------

const std::string kWsRequest =
    "GET / HTTP/1.1\r\n"
    "Host: sip-ws.example.com\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Protocol: sip\r\n"
    "Sec-WebSocket-Version: 13\r\n"
    "\r\n";
const std::string kWsResponse =
    "HTTP/1.1 101 Switching Protocols\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
    "Sec-WebSocket-Protocol: sip\r\n"
    "\r\n";

// RFC 6455 §5.2 frame; `key` non-null = masked (client to server, §5.3).
std::string ws_frame(uint8_t first_byte, std::string_view payload, const uint8_t* key = nullptr) {
  std::string f;
  f += static_cast<char>(first_byte);
  const uint8_t mask_bit = key != nullptr ? 0x80 : 0;
  if (payload.size() < 126) {
    f += static_cast<char>(mask_bit | payload.size());
  } else {
    f += static_cast<char>(mask_bit | 126);
    f += static_cast<char>(payload.size() >> 8);
    f += static_cast<char>(payload.size() & 0xff);
  }
  if (key != nullptr) f.append(reinterpret_cast<const char*>(key), 4);
  for (size_t i = 0; i < payload.size(); ++i) {
    f += static_cast<char>(payload[i] ^ (key != nullptr ? key[i % 4] : 0));
  }
  return f;
}

const uint8_t kKey[4] = {0x37, 0xfa, 0x21, 0x3d};

TEST(TcpStream, WebSocketMaskedAndUnmaskedFrames) {
  Recorder rec;
  TcpStreams streams(rec);
  Conn conn{streams};
  conn.server.port = 8080;
  conn.handshake();
  conn.c(0, kWsRequest);
  conn.s(0, kWsResponse);
  const std::string f1 = ws_frame(0x81, kInvite, kKey);
  conn.c(kWsRequest.size(), f1);
  conn.s(kWsResponse.size(), ws_frame(0x81, kTrying));
  conn.c(kWsRequest.size() + f1.size(), ws_frame(0x82, kBye, kKey));  // binary opcode
  ASSERT_EQ(rec.msgs.size(), 3u);
  EXPECT_EQ(rec.msgs[0].bytes, kInvite);
  EXPECT_EQ(rec.msgs[0].transport, Transport::ws);
  EXPECT_EQ(rec.msgs[1].bytes, kTrying);
  EXPECT_EQ(rec.msgs[1].src, "198.51.100.20:8080");
  EXPECT_EQ(rec.msgs[2].bytes, kBye);
  EXPECT_TRUE(rec.anomalies.empty());
}

TEST(TcpStream, WebSocketFragmentedMessageWithPingBetween) {
  Recorder rec;
  TcpStreams streams(rec);
  Conn conn{streams};
  conn.handshake();
  conn.c(0, kWsRequest);
  conn.s(0, kWsResponse);
  // Text frame without FIN, a ping (control frames may interleave, §5.4), then the
  // continuation with FIN; all in segments cut at odd places.
  const std::string stream = ws_frame(0x01, kInvite.substr(0, 50), kKey) +
                             ws_frame(0x89, "ping", kKey) +
                             ws_frame(0x80, kInvite.substr(50), kKey) + ws_frame(0x8a, "", kKey);
  size_t off = kWsRequest.size();
  for (size_t i = 0; i < stream.size(); i += 33, off += 33) conn.c(off, stream.substr(i, 33));
  ASSERT_EQ(rec.msgs.size(), 1u);
  EXPECT_EQ(rec.msgs[0].bytes, kInvite);
  EXPECT_TRUE(rec.anomalies.empty());
}

TEST(TcpStream, WebSocketMessageWithoutContentLengthIsWhole) {
  Recorder rec;
  TcpStreams streams(rec);
  Conn conn{streams};
  conn.handshake();
  conn.c(0, kWsRequest);
  const std::string msg = "MESSAGE sip:b@example.com SIP/2.0\r\nCall-ID: w\r\n\r\nhello";
  conn.c(kWsRequest.size(), ws_frame(0x81, msg, kKey));
  ASSERT_EQ(rec.msgs.size(), 1u);
  EXPECT_EQ(rec.msgs[0].bytes, msg);
  EXPECT_TRUE(rec.msgs[0].whole);
}

TEST(TcpStream, WebSocketSeenWithoutItsHandshake) {
  Recorder rec;
  TcpStreams streams(rec);
  Conn conn{streams};
  conn.server.port = 8443;
  // The capture started after the upgrade: frames carrying SIP are recognised as such.
  const std::string f = ws_frame(0x81, kInvite, kKey);
  conn.c(5000, f);
  conn.s(7000, std::string("\x81\x05", 2) + "hello");  // not SIP: skipped, framing kept
  conn.s(7007, ws_frame(0x81, kTrying));
  conn.c(5000 + f.size(), ws_frame(0x81, kBye, kKey));
  ASSERT_EQ(rec.msgs.size(), 3u);
  EXPECT_EQ(rec.msgs[0].bytes, kInvite);
  EXPECT_EQ(rec.msgs[1].bytes, kTrying);
  EXPECT_EQ(rec.msgs[2].bytes, kBye);
  EXPECT_EQ(rec.msgs[2].transport, Transport::ws);
}

TEST(TcpStream, WebSocketBadFrameIsNamed) {
  Recorder rec;
  TcpStreams streams(rec);
  Conn conn{streams};
  conn.handshake();
  conn.c(0, kWsRequest);
  conn.c(kWsRequest.size(), std::string("\xc1\x05hello", 7));  // RSV1: compressed
  EXPECT_EQ(rec.count(AnomalyKind::ws_bad_frame), 1u);
}

TEST(TcpStream, RandomSegmentsNeverCrash) {
  std::mt19937 rng(11);
  const std::string pieces[] = {kInvite,
                                kTrying,
                                kBye,
                                "\r\n\r\n",
                                kWsRequest,
                                kWsResponse,
                                ws_frame(0x81, kBye, kKey),
                                "garbage\r\n",
                                std::string("\x16\x03\x01\x00\x01x", 6)};
  for (int round = 0; round < 200; ++round) {
    Recorder rec;
    TcpLimits limits;
    limits.max_connection_bytes = 2048;
    limits.max_connections = 4;
    limits.max_total_bytes = 4096;
    TcpStreams streams(rec, limits);
    std::string stream;
    while (stream.size() < 3000) stream += pieces[rng() % std::size(pieces)];
    for (int i = 0; i < 300; ++i) {
      Conn conn{streams};
      conn.client.port = static_cast<uint16_t>(40000 + rng() % 6);
      conn.server.port = rng() % 2 == 0 ? 5060 : 5061;
      conn.ts += static_cast<int64_t>(rng() % 100'000'000);
      const size_t off = rng() % stream.size();
      const size_t len = std::min<size_t>(rng() % 400, stream.size() - off);
      const auto flags = static_cast<uint8_t>(rng() % 16 == 0 ? rng() % 8 : 0);
      conn.send(rng() % 2 == 0, static_cast<uint32_t>(off + (rng() % 8 == 0 ? rng() : 1)),
                std::string_view(stream).substr(off, len), flags);
      if (rng() % 50 == 0) streams.expire(conn.ts + static_cast<int64_t>(rng() % 400'000'000));
      ASSERT_LE(streams.connections(), 4u);
    }
    streams.finish();
    EXPECT_EQ(streams.buffered_bytes(), 0u);
    for (const auto& m : rec.msgs) EXPECT_FALSE(m.bytes.empty());
  }
}

}  // namespace
}  // namespace sipscope::decode
