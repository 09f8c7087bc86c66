// Helpers for the media tests: RTP datagram bytes (RFC 3550 §5.1 layout), SIP messages with
// SDP bodies turned into SipEvents, and a RecordSink keeping streams, RTCP rows and
// diagnostics in vectors.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "correlate/media/media_tracker.hpp"
#include "correlate/records.hpp"
#include "decode/decoder.hpp"
#include "decode/sip/message.hpp"

namespace sipscope::correlate::media::test {

inline decode::Endpoint ep(std::array<uint8_t, 4> ip, uint16_t port) {
  return decode::Endpoint{decode::IpAddress::v4(ip), port};
}

inline std::vector<uint8_t> rtp_bytes(uint8_t pt, uint16_t seq, uint32_t ts, uint32_t ssrc,
                                      bool marker = false,
                                      std::vector<uint8_t> payload = {0xd5, 0xd5, 0xd5, 0xd5}) {
  std::vector<uint8_t> v = {0x80, static_cast<uint8_t>((marker ? 0x80 : 0) | pt),
                            static_cast<uint8_t>(seq >> 8), static_cast<uint8_t>(seq)};
  for (uint32_t x : {ts, ssrc}) {
    v.push_back(static_cast<uint8_t>(x >> 24));
    v.push_back(static_cast<uint8_t>(x >> 16));
    v.push_back(static_cast<uint8_t>(x >> 8));
    v.push_back(static_cast<uint8_t>(x));
  }
  v.insert(v.end(), payload.begin(), payload.end());
  return v;
}

struct Sink : RecordSink {
  std::vector<StreamRecord> streams;
  std::vector<RtcpRecord> rtcp;
  std::vector<DiagnosticRecord> diagnostics;
  std::vector<AnomalyRecord> anomalies;
  std::vector<CallLinkRecord> links;
  void on_call(CallRecord, std::vector<MessageRecord>) override {}
  void on_call_link(CallLinkRecord l) override { links.push_back(std::move(l)); }
  void on_message(MessageRecord) override {}
  void on_anomaly(AnomalyRecord a) override { anomalies.push_back(std::move(a)); }
  void on_stream(StreamRecord s) override { streams.push_back(std::move(s)); }
  void on_rtcp(RtcpRecord r) override { rtcp.push_back(std::move(r)); }
  void on_diagnostic(DiagnosticRecord d) override { diagnostics.push_back(std::move(d)); }

  const StreamRecord* stream(uint32_t ssrc, uint16_t dst_port) const {
    for (const auto& s : streams)
      if (s.ssrc == ssrc && s.dst_port == dst_port) return &s;
    return nullptr;
  }
  size_t count_anomaly(decode::AnomalyKind kind) const {
    size_t n = 0;
    for (const auto& a : anomalies) n += a.kind == kind ? 1 : 0;
    return n;
  }
  size_t count_diag(DiagnosticKind kind) const {
    size_t n = 0;
    for (const auto& d : diagnostics) n += d.kind == kind ? 1 : 0;
    return n;
  }
};

// "v=0 ... m=audio PORT RTP/AVP FMTS" with optional extra attribute lines.
inline std::string sdp(const std::string& ip, uint16_t port, const std::string& fmts,
                       const std::string& extra = "") {
  return "v=0\r\no=- 1 1 IN IP4 " + ip + "\r\ns=-\r\nc=IN IP4 " + ip + "\r\nt=0 0\r\nm=audio " +
         std::to_string(port) + " RTP/AVP " + fmts + "\r\n" + extra;
}

inline std::string sip_text(const std::string& start_line, const std::string& cseq,
                            const std::string& body) {
  std::string s = start_line + "\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n" +
                  "From: <sip:a@x>;tag=1\r\nTo: <sip:b@x>;tag=2\r\nCall-ID: c1\r\nCSeq: " + cseq +
                  "\r\n";
  if (!body.empty()) s += "Content-Type: application/sdp\r\n";
  s += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return s;
}

// Owns the text and the parsed message so the SipEvent's views stay valid.
struct SipFixture {
  std::string text;
  decode::sip::Message message;
  decode::SipEvent event;
  SipFixture(std::string t, decode::Endpoint src, decode::Endpoint dst, int64_t ts, uint64_t frame)
      : text(std::move(t)) {
    const auto r = decode::sip::parse_message(text, message, {.datagram = true});
    EXPECT_EQ(r.error, decode::sip::ParseError::ok) << text;
    event.frame = {1, frame, ts};
    event.src = src;
    event.dst = dst;
    event.message = &message;
  }
};

inline constexpr int64_t kT0 = 1'700'000'000'000'000;
inline const decode::Endpoint kSipA = ep({192, 0, 2, 1}, 5060);
inline const decode::Endpoint kSipB = ep({192, 0, 2, 2}, 5060);
inline const decode::Endpoint kMediaA = ep({192, 0, 2, 1}, 4000);
inline const decode::Endpoint kMediaB = ep({192, 0, 2, 2}, 6000);

// A MediaTracker fed with SIP text and UDP datagrams built in the test, frames numbered
// from 1 in the order given.
struct Harness {
  Sink sink;
  MediaTracker tracker{sink, {}};
  uint64_t frame = 0;

  void sip(const std::string& text, decode::Endpoint src, decode::Endpoint dst, int64_t ts,
           std::optional<int64_t> call_id) {
    SipFixture f(text, src, dst, ts, ++frame);
    tracker.on_sip(f.event, call_id);
  }
  void udp(decode::Endpoint src, decode::Endpoint dst, const std::vector<uint8_t>& bytes,
           int64_t ts) {
    decode::UdpDatagram d{{1, ++frame, ts}, src, dst, bytes};
    tracker.advance(ts);
    tracker.on_udp(d);
  }
  // PCMU packets seq [from, to) of `ssrc`, timestamp seq * 160, every 20 ms from kT0 +
  // 100 ms, `skip` left out (lost), each sent `copies` times 10 us apart.
  void paced(decode::Endpoint src, decode::Endpoint dst, uint32_t ssrc, int from, int to,
             int skip = -1, int copies = 1) {
    for (int i = from; i < to; ++i) {
      if (i == skip) continue;
      const auto bytes =
          rtp_bytes(0, static_cast<uint16_t>(i), static_cast<uint32_t>(i) * 160u, ssrc);
      for (int c = 0; c < copies; ++c) udp(src, dst, bytes, kT0 + 100'000 + i * 20'000 + c * 10);
    }
  }
  // Offer from A (PCMU + opus/48000 as 96 + telephone-event 101), answer from B.
  void offer_answer(int64_t call_id, int64_t ts) {
    sip(sip_text("INVITE sip:b@x SIP/2.0", "1 INVITE",
                 sdp("192.0.2.1", 4000, "0 96 101",
                     "a=rtpmap:96 opus/48000/2\r\na=rtpmap:101 "
                     "telephone-event/8000\r\n")),
        kSipA, kSipB, ts, call_id);
    sip(sip_text("SIP/2.0 200 OK", "1 INVITE",
                 sdp("192.0.2.2", 6000, "0 96 101",
                     "a=rtpmap:96 opus/48000/2\r\na=rtpmap:101 "
                     "telephone-event/8000\r\n")),
        kSipB, kSipA, ts + 1000, call_id);
  }
};

}  // namespace sipscope::correlate::media::test
