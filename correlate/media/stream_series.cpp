#include "correlate/media/stream_series.hpp"

#include <algorithm>

namespace sipscope::correlate::media {

void StreamSeries::next_interval(int64_t ts_us, int64_t expected, uint64_t late) {
  if (!started_) {
    started_ = true;
    first_us_ = ts_us;
    open_.start_us = ts_us;
    expected_mark_ = expected;
    late_mark_ = late;
    return;
  }
  close(expected, late);
  open_.start_us = slot_start(ts_us);
  // After a halving the new slot may be the one the last closed interval was merged into.
  if (!closed_.empty() && closed_.back().start_us == open_.start_us) {
    open_ = closed_.back();
    closed_.pop_back();
  }
}

void StreamSeries::end_packet(int64_t gap_us, bool jitter_known, double jitter_ms, bool duplicate) {
  ++open_.packets;
  if (duplicate) ++open_.duplicates;
  if (gap_us >= 0) open_.max_delta = std::max(open_.max_delta, static_cast<float>(gap_us / 1e3));
  if (jitter_known) {
    open_.jitter_end = static_cast<float>(jitter_ms);
    open_.jitter_max = std::max(open_.jitter_max, open_.jitter_end);
  }
}

void StreamSeries::close(int64_t expected, uint64_t late) {
  open_.expected += static_cast<int32_t>(expected - expected_mark_);
  open_.late += static_cast<uint32_t>(late - late_mark_);
  if (open_.packets > 0) {
    // The one allocation of the series, at its first closed interval (stream warm-up).
    if (closed_.capacity() == 0) closed_.reserve(kMaxSamples);
    closed_.push_back(open_);
    if (closed_.size() == kMaxSamples) halve_resolution();
  }
  open_ = Sample{};
  expected_mark_ = expected;
  late_mark_ = late;
}

void StreamSeries::halve_resolution() {
  interval_us_ *= 2;
  size_t kept = 0;
  for (size_t i = 0; i < closed_.size(); ++i) {
    Sample s = closed_[i];
    s.start_us = slot_start(s.start_us);
    if (kept > 0 && closed_[kept - 1].start_us == s.start_us) {
      merge(closed_[kept - 1], s);
    } else {
      closed_[kept++] = s;
    }
  }
  closed_.resize(kept);  // shrinking keeps the capacity: no allocation
}

int64_t StreamSeries::slot_start(int64_t ts_us) const {
  if (ts_us <= first_us_) return first_us_;
  return first_us_ + (ts_us - first_us_) / interval_us_ * interval_us_;
}

void StreamSeries::merge(Sample& into, const Sample& later) {
  into.packets += later.packets;
  into.duplicates += later.duplicates;
  into.expected += later.expected;
  into.late += later.late;
  if (later.jitter_end >= 0) into.jitter_end = later.jitter_end;
  into.jitter_max = std::max(into.jitter_max, later.jitter_max);
  into.max_delta = std::max(into.max_delta, later.max_delta);
}

StreamSampleRecord StreamSeries::record(const Sample& s, int64_t interval_us) {
  StreamSampleRecord r;
  r.start_us = s.start_us;
  r.interval_ms = interval_us / 1000;
  r.packets = s.packets;
  r.expected = s.expected;
  r.lost = r.expected - (r.packets - s.duplicates);
  r.late_discards = s.late;
  if (s.jitter_end >= 0) r.jitter_ms = s.jitter_end;
  if (s.jitter_max >= 0) r.jitter_max_ms = s.jitter_max;
  if (s.max_delta >= 0) r.max_delta_ms = s.max_delta;
  return r;
}

void StreamSeries::emit(int64_t expected, uint64_t late,
                        std::vector<StreamSampleRecord>& out) const {
  if (!started_) return;
  out.reserve(out.size() + closed_.size() + 1);
  for (const Sample& s : closed_) out.push_back(record(s, interval_us_));
  Sample last = open_;
  last.expected += static_cast<int32_t>(expected - expected_mark_);
  last.late += static_cast<uint32_t>(late - late_mark_);
  if (last.packets > 0) out.push_back(record(last, interval_us_));
}

}  // namespace sipscope::correlate::media
