// Per-stream time series for charts (docs/media.md "Time series"): the packets of one RTP
// stream are cut into intervals of capture time (1 s at first) and each interval keeps its
// packet count, the growth of RFC 3550 A.3 `expected` (so interval loss = expected -
// packets, as an RTCP receiver computes its fraction lost, duplicates not counted as received),
// late discards of the MOS jitter-buffer model, the jitter estimate J at its end, the largest J and
// the largest arrival gap.
//
// Bounded and allocation-free per packet: the buffer of closed intervals is reserved once,
// when the first interval closes (kMaxSamples entries); when it is full, neighbouring
// intervals are merged two by two and the interval length doubles, so a stream of any
// duration keeps at most kMaxSamples rows. Intervals without packets have no row.
//
//   StreamSeries s;
//   per packet: s.begin_packet(ts, seq, late);  update the stats;
//               s.end_packet(gap_us, transit.has_jitter(), transit.jitter_ms());
//   at the end: s.emit(seq.expected(), late, out);
#pragma once

#include <cstdint>
#include <vector>

#include "correlate/media/rtp_stats.hpp"
#include "correlate/records.hpp"

namespace sipscope::correlate::media {

class StreamSeries {
 public:
  static constexpr size_t kMaxSamples = 256;
  static constexpr int64_t kFirstIntervalUs = 1'000'000;

  // Before the packet's statistics are updated: closes the open interval when the packet
  // falls beyond it. seq/late: the stream's statistics so far (without this packet).
  void begin_packet(int64_t ts_us, const SequenceStats& seq, uint64_t late) {
    if (started_ && ts_us < open_.start_us + interval_us_) return;  // the common case
    next_interval(ts_us, seq.expected(), late);
  }
  // After the update: gap_us = arrival gap to the previous packet (< 0 for the first);
  // duplicate: its sequence number had already arrived (not received twice for loss).
  void end_packet(int64_t gap_us, bool jitter_known, double jitter_ms, bool duplicate = false);

  // Appends the closed intervals and the open one (expected/late: the final totals).
  void emit(int64_t expected, uint64_t late, std::vector<StreamSampleRecord>& out) const;

  [[nodiscard]] int64_t interval_us() const { return interval_us_; }

 private:
  struct Sample {
    int64_t start_us = 0;
    uint32_t packets = 0;
    uint32_t duplicates = 0;
    int32_t expected = 0;
    uint32_t late = 0;
    float jitter_end = -1;  // < 0: unknown
    float jitter_max = -1;
    float max_delta = -1;
  };

  std::vector<Sample> closed_;
  Sample open_;
  int64_t first_us_ = 0;
  int64_t interval_us_ = kFirstIntervalUs;
  int64_t expected_mark_ = 0;  // totals when the open interval started
  uint64_t late_mark_ = 0;
  bool started_ = false;

  void next_interval(int64_t ts_us, int64_t expected, uint64_t late);
  void close(int64_t expected, uint64_t late);
  void halve_resolution();
  [[nodiscard]] int64_t slot_start(int64_t ts_us) const;
  static void merge(Sample& into, const Sample& later);
  static StreamSampleRecord record(const Sample& s, int64_t interval_us);
};

}  // namespace sipscope::correlate::media
