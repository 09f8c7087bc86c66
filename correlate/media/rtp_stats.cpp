#include "correlate/media/rtp_stats.hpp"

#include <algorithm>
#include <cmath>

namespace sipscope::correlate::media {

namespace {
constexpr uint32_t kSeqMod = 1U << 16;
constexpr bool is_cn(uint8_t pt) {
  return pt == 13 || pt == 19;  // RFC 3389 CN and the old RFC 1890 reserved CN value
}
}  // namespace

void SequenceStats::init(uint16_t seq) {
  base_seq_ = seq;
  max_seq_ = seq;
  bad_seq_ = kSeqMod + 1;
  cycles_ = 0;
  window_ = 1;
}

int64_t SequenceStats::expected() const {
  if (!started_) return 0;
  return expected_before_ + static_cast<int64_t>(cycles_ + max_seq_) -
         static_cast<int64_t>(base_seq_) + 1;
}

SequenceStats::Kind SequenceStats::update(uint16_t seq) {
  ++packets_;
  if (!started_) {
    started_ = true;
    init(seq);
    return Kind::first;
  }
  const auto udelta = static_cast<uint16_t>(seq - max_seq_);
  if (udelta == 0) {
    ++duplicates_;
    return Kind::duplicate;
  }
  if (udelta < kMaxDropout) {
    // In order, with a permissible gap (A.1).
    if (seq < max_seq_) cycles_ += kSeqMod;
    max_seq_ = seq;
    window_ = udelta >= 64 ? 1 : (window_ << udelta) | 1;
    bad_seq_ = kSeqMod + 1;
    if (udelta == 1) return Kind::in_order;
    ++bursts_;
    if (udelta - 1U > max_burst_) max_burst_ = udelta - 1U;
    return Kind::gap;
  }
  if (udelta <= kSeqMod - kMaxMisorder) {
    // A very large jump. A.1 restarts the sequence when the next packet continues the jump;
    // the totals of the run so far are kept (no probation, every packet counts).
    if (seq == bad_seq_) {
      // The jump packet (seq - 1) was counted in packets_ but in no run: start the new run
      // at it so it is expected too.
      expected_before_ += static_cast<int64_t>(cycles_ + max_seq_) - base_seq_ + 1;
      init(static_cast<uint16_t>(seq - 1));
      max_seq_ = seq;
      window_ = 0b11;
      ++restarts_;
      return Kind::restart;
    }
    bad_seq_ = (seq + 1U) & (kSeqMod - 1);
    return Kind::jump;
  }
  // Older than the highest seen: duplicate inside the window, otherwise late/reordered.
  const auto behind = static_cast<uint16_t>(max_seq_ - seq);
  if (behind < 64) {
    const uint64_t bit = uint64_t{1} << behind;
    if ((window_ & bit) != 0) {
      ++duplicates_;
      return Kind::duplicate;
    }
    window_ |= bit;
  }
  ++out_of_order_;
  return Kind::out_of_order;
}

void TransitStats::update(int64_t arrival_us, uint32_t ts, uint8_t pt, bool marker,
                          uint32_t clock_rate) {
  if (total_ == 0) {
    first_us_ = arrival_us;
    last_time_ms_ = 0;
    first_ts_ = ts;
    last_clock_ts_ = ts;
    prev_pt_ = pt;
    total_ = 1;
    return;
  }
  const double now_ms = static_cast<double>(arrival_us - first_us_) / 1000.0;
  const bool follows_cn = is_cn(prev_pt_);
  prev_pt_ = pt;
  // Wireshark 4.0's "in time sequence": the timestamp is not before the first packet's
  // (modulo 2^32, within half the range). A packet before it (a late first packet, a
  // timestamp reset) leaves jitter, delta and the arrival reference alone and is not
  // regular; a packet merely reordered after the first still counts.
  const bool in_time_sequence = static_cast<int32_t>(ts - first_ts_) >= 0;
  if (in_time_sequence) {
    delta_ = now_ms - last_time_ms_;
    if (clock_rate != 0) {
      // Timestamp advance since the last clocked packet, signed across 32-bit wraps.
      const double nominal_ms = static_cast<double>(static_cast<int32_t>(ts - last_clock_ts_)) /
                                (static_cast<double>(clock_rate) / 1000.0);
      const double d = std::fabs(now_ms - (last_time_ms_ + nominal_ms));
      jitter_ = (15.0 * jitter_ + d) / 16.0;
      last_clock_ts_ = ts;
      jitter_known_ = true;
    }
  }
  if (in_time_sequence && !marker && !is_cn(pt) && !follows_cn) {
    max_delta_ = std::max(max_delta_, delta_);
    delta_sum_ += delta_;
    if (clock_rate != 0) {
      // Running mean over total_ (packets before this one), as Wireshark 4.0 computes it.
      const auto n = static_cast<double>(total_);
      max_jitter_ = std::max(max_jitter_, jitter_);
      mean_jitter_ = (mean_jitter_ * (n - 1) + jitter_) / n;
    }
    ++regular_;
  }
  if (in_time_sequence) last_time_ms_ = now_ms;
  ++total_;
}

}  // namespace sipscope::correlate::media
