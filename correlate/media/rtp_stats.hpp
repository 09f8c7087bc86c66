// Per-stream RTP statistics, updated once per packet with no allocation:
//
// - SequenceStats: RFC 3550 Appendix A.1 (update_seq) and A.3 (expected, lost) with
//   MAX_DROPOUT 3000 and MAX_MISORDER 100, but without the probation period: every packet
//   is counted from the first one. A sequence restart (two consecutive packets after a jump
//   larger than MAX_DROPOUT) keeps the totals of the previous run, so `expected` and `lost`
//   cover the whole stream. Duplicates are recognised inside a 64-packet window below the
//   highest sequence number; other packets older than the highest are out of order.
//   lost = expected - (packets - duplicates): A.3 counts every packet received, so a
//   capture that holds each packet twice (`-i any`, overlapping files) would show negative
//   loss; a packet whose sequence number already arrived (A.1) is a duplicate, not loss.
// - TransitStats: interarrival jitter J += (|D| - J)/16 (RFC 3550 §6.4.1, A.8) in ms using
//   the payload clock rate, computed the way Wireshark 4.0's RTP stream analysis does, so
//   the numbers can be checked against tshark's: D compares the arrival time with the
//   previous packet's arrival plus the RTP timestamp advance since the last packet that had
//   a known clock rate (RFC 4733 events and unknown payloads advance the arrival reference
//   but not the timestamp one). Max and mean jitter and the max delta are taken over
//   "regular" packets only: not the first, not marker packets, not comfort noise or the
//   packet after it, not packets whose timestamp is before the first packet's (those are
//   "out of time sequence" and do not touch jitter or delta at all; a packet reordered
//   after the first is regular and its D counts, as in tshark).
//   docs/media.md has the definitions.
//
//   SequenceStats seq; TransitStats t;
//   seq.update(h.sequence);  t.update(ts_us, h.timestamp, h.payload_type, h.marker, 8000);
#pragma once

#include <cstdint>

namespace sipscope::correlate::media {

class SequenceStats {
 public:
  // Returns what the packet was.
  enum class Kind : uint8_t { first, in_order, gap, duplicate, out_of_order, jump, restart };
  Kind update(uint16_t seq);

  [[nodiscard]] uint64_t packets() const { return packets_; }
  [[nodiscard]] int64_t expected() const;
  [[nodiscard]] int64_t lost() const {
    return expected() - static_cast<int64_t>(packets_ - duplicates_);
  }
  [[nodiscard]] uint64_t duplicates() const { return duplicates_; }
  [[nodiscard]] uint64_t out_of_order() const { return out_of_order_; }
  [[nodiscard]] uint64_t wraps() const { return cycles_ >> 16; }
  [[nodiscard]] uint64_t restarts() const { return restarts_; }
  // Loss bursts: runs of consecutive missing sequence numbers seen as forward gaps.
  [[nodiscard]] uint64_t loss_bursts() const { return bursts_; }
  [[nodiscard]] uint64_t max_burst() const { return max_burst_; }

  static constexpr uint16_t kMaxDropout = 3000;  // RFC 3550 A.1
  static constexpr uint16_t kMaxMisorder = 100;  // RFC 3550 A.1

 private:
  bool started_ = false;
  uint16_t max_seq_ = 0;
  uint64_t cycles_ = 0;  // shifted count of wraps, as in A.1
  uint32_t base_seq_ = 0;
  uint32_t bad_seq_ = 0x10001;   // RTP_SEQ_MOD + 1: "no bad sequence pending"
  int64_t expected_before_ = 0;  // expected packets of runs before a restart
  uint64_t window_ = 0;          // bit i: max_seq_ - i was received
  uint64_t packets_ = 0, duplicates_ = 0, out_of_order_ = 0, restarts_ = 0;
  uint64_t bursts_ = 0, max_burst_ = 0;

  void init(uint16_t seq);
};

class TransitStats {
 public:
  // clock_rate 0 = unknown (or a telephone-event packet): no jitter from this packet.
  void update(int64_t arrival_us, uint32_t rtp_timestamp, uint8_t payload_type, bool marker,
              uint32_t clock_rate);

  [[nodiscard]] bool has_jitter() const { return jitter_known_; }
  [[nodiscard]] double jitter_ms() const { return jitter_; }  // current estimate
  [[nodiscard]] double mean_jitter_ms() const { return mean_jitter_; }
  [[nodiscard]] double max_jitter_ms() const { return max_jitter_; }
  [[nodiscard]] bool has_delta() const { return regular_ > 0; }
  [[nodiscard]] double max_delta_ms() const { return max_delta_; }
  [[nodiscard]] double mean_delta_ms() const { return delta_sum_ / static_cast<double>(regular_); }
  [[nodiscard]] uint64_t packets() const { return total_; }

 private:
  uint64_t total_ = 0;    // packets seen before the current one (Wireshark's total_nr)
  uint64_t regular_ = 0;  // packets that entered max/mean
  int64_t first_us_ = 0;
  double last_time_ms_ = 0;     // arrival of the previous packet, ms since the first
  uint32_t last_clock_ts_ = 0;  // RTP timestamp of the last packet with a known clock rate
  uint32_t first_ts_ = 0;       // RTP timestamp of the first packet ("time sequence")
  double jitter_ = 0, max_jitter_ = 0, mean_jitter_ = 0;
  double delta_ = 0, max_delta_ = 0, delta_sum_ = 0;
  uint8_t prev_pt_ = 255;
  bool jitter_known_ = false;
};

}  // namespace sipscope::correlate::media
