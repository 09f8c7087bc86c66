#include "cli/pipeline.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <thread>
#include <utility>

#include "correlate/hep_agents.hpp"
#include "correlate/media/media_tracker.hpp"
#include "decode/hep.hpp"
#include "decode/rtcp.hpp"

namespace sipscope::cli {
namespace {

// Forwards decoder output to the call tracker, and SIP (with the calls.id the tracker gave
// it) plus every non-SIP UDP datagram to the media tracker.
class TrackerFeed final : public decode::PacketSink {
 public:
  TrackerFeed(correlate::CallTracker& tracker, correlate::media::MediaTracker& media,
              forward::HepSender* hep, bool hep_rtcp)
      : tracker_(tracker), media_(media), hep_(hep), hep_rtcp_(hep_rtcp) {}
  void on_sip(const decode::SipEvent& event) override {
    // Another HEP agent's report of a message already seen: a sighting, not a message.
    if (!event.hep_agent.empty() && agents_.sighting(event)) return;
    tracker_.on_sip(event);
    media_.on_sip(event, tracker_.last_call_id());
    if (hep_ != nullptr) {
      const std::string_view raw = event.message->bytes();
      hep_->send({event.src, event.dst, forward::hep_ip_protocol(event.transport),
                  event.frame.ts_us, decode::kHepPayloadSip,
                  std::span(reinterpret_cast<const uint8_t*>(raw.data()), raw.size())});
    }
  }
  void on_anomaly(const decode::AnomalyEvent& event) override { tracker_.on_anomaly(event); }
  void on_udp(const decode::UdpDatagram& datagram) override {
    media_.on_udp(datagram);
    if (hep_rtcp_ && decode::rtcp::is_valid_compound(datagram.payload)) {
      hep_->send({datagram.src, datagram.dst, forward::hep_ip_protocol(decode::Transport::udp),
                  datagram.frame.ts_us, forward::kHepPayloadRtcp, datagram.payload});
    }
  }

  [[nodiscard]] const correlate::HepAgents& hep_agents() const { return agents_; }

 private:
  correlate::CallTracker& tracker_;
  correlate::media::MediaTracker& media_;
  forward::HepSender* hep_;
  bool hep_rtcp_;
  correlate::HepAgents agents_;
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
    a.kind = c.status == "empty" ? decode::AnomalyKind::capture_empty
                                 : decode::AnomalyKind::capture_truncated;
    a.detail = c.error;
    store.on_anomaly(std::move(a));
  }
}

int64_t wall_clock_us() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

// Packets wait in the kernel buffer a little before we read them: live capture time
// follows the wall clock at least this far behind, so no buffered packet is older than
// "now". Further behind when the last frame's time was (HEP: an agent's clock, or a
// capture replayed as HEP), so calls do not expire while their messages are arriving.
constexpr int64_t kLiveClockLagUs = 1'000'000;
// When the source has nothing waiting, only a packet between the kernel and our poll can
// be older than now: capture time then follows this close behind.
constexpr int64_t kLiveIdleLagUs = 100'000;

// Live: after a stop, packets the kernel had already captured are still read, without
// waiting for more and for at most this long (a full ring takes a few ms).
constexpr auto kStopDrain = std::chrono::milliseconds(100);

}  // namespace

PipelineResult run_pipeline(capture::FrameSource& input, store::RecordWriter& writer,
                            const PipelineOptions& options,
                            const volatile std::sig_atomic_t& stop) {
  // Every store write goes through `writer`, in order (its thread; see record_writer.hpp).
  correlate::RecordSink& sink =
      options.sink != nullptr ? *options.sink : static_cast<correlate::RecordSink&>(writer);
  correlate::Limits limits = options.limits;
  limits.messages_wait_for_row = options.live;
  // On the heap: a live stop frees them beside the database close (PipelineResult::cleanup).
  auto tracker_owned = std::make_unique<correlate::CallTracker>(sink, limits);
  auto media_owned = std::make_unique<correlate::media::MediaTracker>(sink, options.media_limits);
  correlate::CallTracker& tracker = *tracker_owned;
  correlate::media::MediaTracker& media = *media_owned;
  TrackerFeed feed(tracker, media, options.hep, options.hep != nullptr && options.hep_rtcp);
  decode::Decoder decoder(feed);
  PipelineResult result;

  using Clock = std::chrono::steady_clock;
  const auto period = std::chrono::milliseconds(options.live ? 1000 : 500);
  auto next_tick = Clock::now() + period;
  const auto counts = [&] {
    return PipelineCounts{decoder.stats().frames, decoder.stats().sip_messages,
                          tracker.stats().calls, tracker.stats().open_calls};
  };
  // Live: an open call's rows as they stand, replacing those of the previous tick.
  const auto store_open = [&](const correlate::OpenCallRows& open) {
    writer.push<&store::Store::upsert_open_call>(open.row);
    writer.push<&store::Store::replace_open_call_rows>(open);
    if (options.on_open_call) options.on_open_call(open.row, media.has_open_streams(open.row.id));
  };
  // Files: the stop flag and the clock are looked at every 256 frames; live: every frame
  // and every idle poll, so both the stop and the one-second commit are never late.
  const uint64_t check_mask = options.live ? 0 : 0xff;
  int64_t clock_gap_us = 0;  // live: the last frame's time behind the wall clock
  bool draining = false;     // live: stopped, reading what is buffered
  auto drain_end = Clock::now();
  decode::Frame frame;
  for (;;) {
    const auto got = input.pull(frame);
    if (got == capture::FrameSource::Next::end) break;
    if (got == capture::FrameSource::Next::frame) {
      decoder.on_frame(frame);
      // The frame's time, or the HEP capture time of the SIP inside it (decode/hep.hpp).
      tracker.advance(decoder.clock_us());
      media.advance(decoder.clock_us());
      result.last_ts_us = std::max(result.last_ts_us, decoder.clock_us());
      if (options.live) clock_gap_us = wall_clock_us() - decoder.clock_us();
      if ((decoder.stats().frames & check_mask) != 0) continue;
    }
    if (draining) {
      if (got == capture::FrameSource::Next::idle || Clock::now() >= drain_end) break;
      continue;
    }
    if (stop != 0) {
      if (!options.live) break;
      draining = true;
      input.stop_waiting();
      drain_end = Clock::now() + kStopDrain;
      continue;
    }
    if (Clock::now() < next_tick) continue;
    next_tick = Clock::now() + period;
    if (options.live) {
      // Nothing waiting in the source: no older packet can still come (beyond the poll).
      const bool idle = got == capture::FrameSource::Next::idle;
      const int64_t lag_us = std::max(idle ? kLiveIdleLagUs : kLiveClockLagUs, clock_gap_us);
      const int64_t now_us = std::max(result.last_ts_us, wall_clock_us() - lag_us);
      tracker.advance(now_us);
      media.advance(now_us);
      tracker.open_calls_changed(now_us, store_open);
      writer.commit();
    }
    if (options.progress) options.progress(counts());
  }
  if (stop != 0) {
    result.interrupted = true;
    input.mark_interrupted();
  }
  decoder.finish();  // fragment sets and streams still open become anomalies
  if (options.live) {
    // The open calls are stored as of the last tick: one more tick, not a flush of each.
    tracker.finish_open(result.last_ts_us, store_open);
  } else {
    tracker.finish(result.last_ts_us);
  }
  media.finish();
  // Everything queued is written (or the writer's exception thrown here); the last rows
  // go straight to the store.
  writer.finish();
  store::Store& store = writer.store();
  for (const auto& row : feed.hep_agents().skew()) store.add_hep_skew(row);
  result.captures = input.captures();
  record_capture_problems(result.captures, store);
  for (const auto& c : result.captures) {
    store::CaptureSummary summary{c.capture_id,    c.link_type,         c.first_us,
                                  c.last_us,       c.packets,           c.status,
                                  c.identity.size, c.identity.mtime_us, c.identity.sha256,
                                  std::nullopt,    std::nullopt};
    if (c.kernel_drops) summary.kernel_drops = static_cast<int64_t>(*c.kernel_drops);
    if (c.interface_drops) summary.interface_drops = static_cast<int64_t>(*c.interface_drops);
    store.finish_capture(summary);
  }
  store.commit();
  result.decoder = decoder.stats();
  result.tracker = tracker.stats();
  if (options.live) {
    // Freeing what is open one allocation at a time costs ~7 us per open call (0.35 s at
    // 50,000): done on a thread while the caller closes the database and prints.
    result.cleanup =
        std::jthread([t = std::move(tracker_owned), m = std::move(media_owned)]() mutable {
          t.reset();
          m.reset();
        });
  }
  return result;
}

PipelineResult run_pipeline(capture::FrameSource& input, store::Store& store,
                            correlate::Limits limits, const volatile std::sig_atomic_t& stop,
                            const std::function<void(const PipelineCounts&)>& progress,
                            correlate::media::MediaLimits media_limits, forward::HepSender* hep,
                            bool hep_rtcp) {
  PipelineOptions options;
  options.limits = std::move(limits);
  options.media_limits = media_limits;
  options.progress = progress;
  options.hep = hep;
  options.hep_rtcp = hep_rtcp;
  store::RecordWriter writer(store);
  return run_pipeline(input, writer, options, stop);
}

}  // namespace sipscope::cli
