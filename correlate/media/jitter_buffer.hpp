// The adaptive de-jitter buffer the MOS model assumes (docs/media.md "Jitter buffer model"):
// which packets a receiver's playout buffer of `depth_ms` would discard as late.
//
// A packet's transit is arrival − RTP timestamp / clock rate (ms; its absolute value means
// nothing, differences between packets are delay variation). The buffer plays out relative
// to an anchor: the smallest transit over the current and the previous window of capture
// time (a sliding minimum over the last 1–2 windows), so it follows a path or clock whose
// delay drifts or steps. A packet whose transit exceeds the anchor by more than the depth
// is late. The buffer re-anchors at this packet's transit (windows restarted) when
// `resync_after` consecutive packets were late (an under-run: a real adaptive buffer grows
// its delay) and at a talkspurt start (marker bit, RFC 3551 §4.1: playout is re-planned
// there). No allocation; a few doubles per stream.
//
//   JitterBufferModel jb;  // defaults: 60 ms, 1 s windows, resync after 3 late packets
//   if (jb.update(arrival_us, transit_ms, marker)) ++late;
#pragma once

#include <algorithm>
#include <cstdint>

namespace sipscope::correlate::media {

class JitterBufferModel {
 public:
  struct Params {
    double depth_ms = 60.0;
    int64_t window_us = 1'000'000;
    uint32_t resync_after = 3;
  };
  JitterBufferModel() = default;
  explicit JitterBufferModel(Params p) : p_(p) {}

  // True when the packet is late (the buffer discards it).
  bool update(int64_t arrival_us, double transit_ms, bool marker) {
    if (!started_ || marker) {
      restart(arrival_us, transit_ms);
      return false;
    }
    if (arrival_us - window_start_us_ >= p_.window_us) {
      // A new window (after a silence, the last window that saw packets is the previous).
      previous_min_ = current_min_;
      current_min_ = transit_ms;
      window_start_us_ = arrival_us;
    } else {
      current_min_ = std::min(current_min_, transit_ms);
    }
    const double anchor = std::min(previous_min_, current_min_);
    if (transit_ms - anchor <= p_.depth_ms) {
      late_run_ = 0;
      return false;
    }
    if (++late_run_ >= p_.resync_after) restart(arrival_us, transit_ms);
    return true;
  }

 private:
  void restart(int64_t arrival_us, double transit_ms) {
    started_ = true;
    previous_min_ = current_min_ = transit_ms;
    window_start_us_ = arrival_us;
    late_run_ = 0;
  }

  Params p_;
  bool started_ = false;
  double previous_min_ = 0, current_min_ = 0;
  int64_t window_start_us_ = 0;
  uint32_t late_run_ = 0;
};

}  // namespace sipscope::correlate::media
