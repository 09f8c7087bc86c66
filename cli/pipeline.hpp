// The analysis pipeline wired end to end: capture frames -> decode -> correlate -> store.
// cli/ is the only module that knows all of them; live capture (later) reuses this.
#pragma once

#include <csignal>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "capture/pcap_reader.hpp"
#include "correlate/call_tracker.hpp"
#include "correlate/media/media_tracker.hpp"
#include "decode/decoder.hpp"
#include "store/store.hpp"

namespace sipscope::cli {

struct PipelineCounts {
  uint64_t frames = 0;
  uint64_t sip_messages = 0;
  uint64_t calls = 0;
};

struct PipelineResult {
  std::vector<capture::CaptureInfo> captures;
  decode::DecoderStats decoder;
  correlate::TrackerStats tracker;
  bool interrupted = false;
  int64_t last_ts_us = 0;
};

// Reads every frame of `input` into `store`. Stops early (results kept, captures marked
// interrupted) when `stop` becomes non-zero. `progress` is called about twice a second
// of wall time with running counts (may be empty).
PipelineResult run_pipeline(capture::MergedReader& input, store::Store& store,
                            correlate::Limits limits, const volatile std::sig_atomic_t& stop,
                            const std::function<void(const PipelineCounts&)>& progress,
                            correlate::media::MediaLimits media_limits = {});

}  // namespace sipscope::cli
