// What the analysis pipeline reads frames from: the offline reader (capture/pcap_reader.hpp)
// and live interfaces (capture/live_source.hpp) both implement it, so `analyze` and
// `capture` share one pipeline (cli/pipeline.hpp).
//
//   decode::Frame f;
//   for (;;) {
//     const auto got = source.next(f);                 // f.data valid until the next call
//     if (got == FrameSource::Next::end) break;
//     if (got == FrameSource::Next::frame) decoder.on_frame(f);
//     // Next::idle: a live source saw no packet for a short while (<= 200 ms)
//   }
#pragma once

#include <string>
#include <vector>

#include "decode/frame.hpp"

namespace sipscope::capture {

struct CaptureInfo;

class FrameSource {
 public:
  enum class Next { frame, idle, end };
  virtual ~FrameSource() = default;
  // The next frame (`out` filled), idle (no frame yet; a live source returns within
  // 200 ms so the caller can check for a stop), or end of input.
  [[nodiscard]] virtual Next pull(decode::Frame& out) = 0;
  // One entry per input (file or interface), in argument order.
  [[nodiscard]] virtual std::vector<CaptureInfo> captures() const = 0;
  // The run was stopped by a signal before the input ended.
  virtual void mark_interrupted() = 0;
  // Live sources: from now on pull() returns idle at once instead of waiting for packets,
  // so a stop reads what is already buffered and no more. Files never wait.
  virtual void stop_waiting() {}
};

}  // namespace sipscope::capture
