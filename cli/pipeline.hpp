// The analysis pipeline wired end to end: capture frames -> decode -> correlate -> store.
// cli/ is the only module that knows all of them. `analyze` (files) and `capture` (live
// interfaces) both run it: the frame source differs, the path does not.
#pragma once

#include <csignal>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "capture/frame_source.hpp"
#include "capture/pcap_reader.hpp"
#include "correlate/call_tracker.hpp"
#include "correlate/media/media_tracker.hpp"
#include "decode/decoder.hpp"
#include "forward/hep_sender.hpp"
#include "store/record_writer.hpp"
#include "store/store.hpp"

namespace sipscope::cli {

struct PipelineCounts {
  uint64_t frames = 0;
  uint64_t sip_messages = 0;
  uint64_t calls = 0;
  size_t open_calls = 0;
};

struct PipelineOptions {
  correlate::Limits limits;
  correlate::media::MediaLimits media_limits;
  // Called with running counts about twice a second of wall time (live: once a second,
  // right after the commit). May be empty.
  std::function<void(const PipelineCounts&)> progress;
  // Live capture: each wall second the rows of every open call that changed are stored
  // (Store::upsert_open_call, Store::replace_open_call_rows: its transactions, dialogs and
  // diagnostics as they stand) with its new messages and the transaction committed;
  // capture time follows the wall clock while no packet comes, so calls still expire on a
  // quiet network; a stop is seen within capture::kPollMs, then what the source has
  // buffered is read (FrameSource::stop_waiting), and one last tick stores what changed
  // (the open calls are not flushed one by one: CallTracker::finish_open).
  bool live = false;
  // Live: also given every open-call row stored in a tick, and whether the call has RTP
  // streams still open (not yet stored) (may be empty).
  std::function<void(const correlate::CallRecord&, bool streams_open)> on_open_call;
  // Receives the trackers' records instead of the writer (it must forward them to it),
  // on the pipeline thread.
  correlate::RecordSink* sink = nullptr;
  // --hep-send: every decoded SIP message (and RTCP when hep_rtcp) is also forwarded.
  forward::HepSender* hep = nullptr;
  bool hep_rtcp = false;
};

struct PipelineResult {
  std::vector<capture::CaptureInfo> captures;
  decode::DecoderStats decoder;
  correlate::TrackerStats tracker;
  bool interrupted = false;
  int64_t last_ts_us = 0;
  // Live: frees the trackers' open state while the caller closes the store; joined when
  // the result is destroyed (or by the caller).
  std::jthread cleanup;
};

// Reads every frame of `input` into the writer's store: this thread reads, decodes and
// correlates, the writer's thread writes (store/record_writer.hpp). Stops early (results
// kept, captures marked interrupted) when `stop` becomes non-zero; every open call is then
// flushed as it stands and the captures finished. The writer is finished on return (later
// store calls through it are made on the caller's thread); an exception of the store is
// thrown here.
PipelineResult run_pipeline(capture::FrameSource& input, store::RecordWriter& writer,
                            const PipelineOptions& options, const volatile std::sig_atomic_t& stop);

// The same for files, with analyze's arguments (a writer thread of its own).
PipelineResult run_pipeline(capture::FrameSource& input, store::Store& store,
                            correlate::Limits limits, const volatile std::sig_atomic_t& stop,
                            const std::function<void(const PipelineCounts&)>& progress,
                            correlate::media::MediaLimits media_limits = {},
                            forward::HepSender* hep = nullptr, bool hep_rtcp = false);

}  // namespace sipscope::cli
