// RTP packets per second through the media path (issue 5 "Cost"). Measures, never fails.
//
//   rtp_bench                 synthetic: 64 SDP-announced streams x 50 000 packets, fed to
//                             correlate::media::MediaTracker directly (the per-packet cost
//                             of RTP parsing, stream lookup and statistics alone)
//   rtp_bench CAPTURE...      the whole decode path: libpcap -> Decoder -> MediaTracker
//                             (SIP is parsed and its SDP bound, calls are not tracked)
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "capture/pcap_reader.hpp"
#include "correlate/media/media_tracker.hpp"
#include "decode/decoder.hpp"

namespace {

using namespace sipscope;
using Clock = std::chrono::steady_clock;

struct NullSink : correlate::RecordSink {
  uint64_t streams = 0;
  void on_call(correlate::CallRecord, std::vector<correlate::MessageRecord>) override {}
  void on_message(correlate::MessageRecord) override {}
  void on_anomaly(correlate::AnomalyRecord) override {}
  void on_stream(correlate::StreamRecord) override { ++streams; }
};

// SIP is handed to the media tracker with one call id per Call-ID hash (no call tracker).
struct Feed : decode::PacketSink {
  correlate::media::MediaTracker& media;
  explicit Feed(correlate::media::MediaTracker& m) : media(m) {}
  void on_sip(const decode::SipEvent& ev) override {
    const auto id = ev.message->header_value(decode::sip::HeaderId::call_id);
    media.on_sip(ev, static_cast<int64_t>(std::hash<std::string_view>{}(id) >> 1));
  }
  void on_anomaly(const decode::AnomalyEvent&) override {}
  void on_udp(const decode::UdpDatagram& d) override { media.on_udp(d); }
};

void report(const char* what, uint64_t packets, double seconds, uint64_t streams) {
  std::printf("%s: %llu RTP packets, %llu streams, %.3f s, %.0f RTP packets/s\n", what,
              static_cast<unsigned long long>(packets), static_cast<unsigned long long>(streams),
              seconds, static_cast<double>(packets) / seconds);
}

int synthetic() {
  NullSink sink;
  correlate::media::MediaTracker media(sink, {});
  constexpr int kStreams = 64;
  constexpr int kPackets = 50'000;
  std::vector<uint8_t> buf(12 + 160, 0xd5);
  const int64_t t0 = 1'700'000'000'000'000;
  const auto start = Clock::now();
  uint64_t frame = 0;
  for (int n = 0; n < kPackets; ++n) {
    for (int s = 0; s < kStreams; ++s) {
      buf[0] = 0x80;
      buf[1] = 0;
      buf[2] = static_cast<uint8_t>(n >> 8);
      buf[3] = static_cast<uint8_t>(n);
      const uint32_t ts = static_cast<uint32_t>(n) * 160;
      for (int i = 0; i < 4; ++i) {
        buf[4 + i] = static_cast<uint8_t>(ts >> (24 - 8 * i));
        buf[8 + i] = static_cast<uint8_t>(s >> (24 - 8 * i));
      }
      const int64_t now = t0 + n * 20'000 + s;
      decode::UdpDatagram d{
          {1, ++frame, now},
          {decode::IpAddress::v4({10, 0, 0, 1}), static_cast<uint16_t>(20000 + 2 * s)},
          {decode::IpAddress::v4({10, 0, 0, 2}), 30000},
          buf};
      media.advance(now);
      media.on_udp(d);
    }
  }
  media.finish();
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  report("synthetic", media.stats().rtp_packets, secs, sink.streams);
  return 0;
}

int captures(const std::vector<std::string>& paths) {
  NullSink sink;
  correlate::media::MediaTracker media(sink, {});
  Feed feed(media);
  decode::Decoder decoder(feed);
  capture::MergedReader input(paths, 1);
  decode::Frame frame;
  const auto start = Clock::now();
  while (input.next(frame)) {
    decoder.on_frame(frame);
    media.advance(frame.ref.ts_us);
  }
  decoder.finish();
  media.finish();
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  report("capture (decode + media)", media.stats().rtp_packets, secs, sink.streams);
  std::printf("frames: %llu\n", static_cast<unsigned long long>(decoder.stats().frames));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc < 2) return synthetic();
    return captures(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rtp_bench: %s\n", e.what());
    return 2;
  }
}
