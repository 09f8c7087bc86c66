#include "cli/pipeline.hpp"

#include <chrono>

#include "correlate/media/media_tracker.hpp"

namespace sipscope::cli {
namespace {

// Forwards decoder output to the call tracker, and SIP (with the calls.id the tracker gave
// it) plus every non-SIP UDP datagram to the media tracker.
class TrackerFeed final : public decode::PacketSink {
 public:
  TrackerFeed(correlate::CallTracker& tracker, correlate::media::MediaTracker& media)
      : tracker_(tracker), media_(media) {}
  void on_sip(const decode::SipEvent& event) override {
    tracker_.on_sip(event);
    media_.on_sip(event, tracker_.last_call_id());
  }
  void on_anomaly(const decode::AnomalyEvent& event) override { tracker_.on_anomaly(event); }
  void on_udp(const decode::UdpDatagram& datagram) override { media_.on_udp(datagram); }

 private:
  correlate::CallTracker& tracker_;
  correlate::media::MediaTracker& media_;
};

// A file that ended early is itself an anomaly of the input, kept beside the others.
void record_capture_problems(const std::vector<capture::CaptureInfo>& captures,
                             store::Store& store) {
  for (const auto& c : captures) {
    if (c.status != "truncated" && c.status != "empty") continue;
    correlate::AnomalyRecord a;
    a.capture_id = c.capture_id;
    a.frame = c.packets;
    a.ts_us = c.last_us;
    a.kind = std::string(decode::anomaly_name(c.status == "empty"
                                                  ? decode::AnomalyKind::capture_empty
                                                  : decode::AnomalyKind::capture_truncated));
    a.detail = c.error;
    store.on_anomaly(std::move(a));
  }
}

}  // namespace

PipelineResult run_pipeline(capture::MergedReader& input, store::Store& store,
                            correlate::Limits limits, const volatile std::sig_atomic_t& stop,
                            const std::function<void(const PipelineCounts&)>& progress,
                            correlate::media::MediaLimits media_limits) {
  correlate::CallTracker tracker(store, limits);
  correlate::media::MediaTracker media(store, media_limits);
  TrackerFeed feed(tracker, media);
  decode::Decoder decoder(feed);
  PipelineResult result;

  using Clock = std::chrono::steady_clock;
  auto next_progress = Clock::now() + std::chrono::milliseconds(500);
  decode::Frame frame;
  while (input.next(frame)) {
    decoder.on_frame(frame);
    // The frame's time, or the HEP capture time of the SIP inside it (decode/hep.hpp).
    tracker.advance(decoder.clock_us());
    media.advance(decoder.clock_us());
    result.last_ts_us = std::max(result.last_ts_us, decoder.clock_us());
    if ((decoder.stats().frames & 0x3fff) == 0) {
      if (stop != 0) {
        result.interrupted = true;
        input.mark_interrupted();
        break;
      }
      if (progress && Clock::now() >= next_progress) {
        progress({decoder.stats().frames, decoder.stats().sip_messages, tracker.stats().calls});
        next_progress = Clock::now() + std::chrono::milliseconds(500);
      }
    }
  }
  if (stop != 0 && !result.interrupted) {
    result.interrupted = true;
    input.mark_interrupted();
  }
  decoder.finish();  // fragment sets and streams still open become anomalies
  tracker.finish(result.last_ts_us);
  media.finish();
  result.captures = input.captures();
  record_capture_problems(result.captures, store);
  for (const auto& c : result.captures) {
    store.finish_capture({c.capture_id, c.link_type, c.first_us, c.last_us, c.packets, c.status,
                          c.identity.size, c.identity.mtime_us, c.identity.sha256});
  }
  store.commit();
  result.decoder = decoder.stats();
  result.tracker = tracker.stats();
  return result;
}

}  // namespace sipscope::cli
