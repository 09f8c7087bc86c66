// The packets one RtpSpec (timeline.hpp) puts on the wire, in arrival (capture) order, and
// an independent RFC 3550 Appendix A.1/A.3 sequence counter over them.
//
// RtpPlan is the single source of "what was sent": the Scheduler's RTP source writes the
// packets it yields and RtpSpec::truth() counts the same packets, so the truth describes
// the capture, not the script. Packets leave in time order even when an impairment delays
// one past its successors (jitter larger than the interval, an explicit late packet, a
// duplicate): a small heap holds the packets planned but not yet due, bounded by the
// largest delay, so a long stream still costs a few entries. Ties keep (index, copy) order.
//
//   RtpPlan plan(spec);
//   while (const RtpPlan::Packet* p = plan.front()) { write(*p); plan.pop(); }
//
// SeqCounter follows docs/media.md "Sequence statistics" (A.1 with MAX_DROPOUT 3000,
// MAX_MISORDER 100, every packet counted): it is written here on purpose, apart from
// sipscope's correlate/media, so the truth does not share the analyzer's bugs. A jump the
// A.1 algorithm would resynchronise on is a scenario bug: it throws.
#pragma once

#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

namespace sipscope::gen {

struct RtpSpec;

class RtpPlan {
 public:
  struct Packet {
    std::int64_t ts_us = 0;
    std::uint32_t index = 0;
    bool copy = false;  // the second send of a duplicated index
    bool operator>(const Packet& o) const {
      if (ts_us != o.ts_us) return ts_us > o.ts_us;
      return index != o.index ? index > o.index : copy > o.copy;
    }
  };

  explicit RtpPlan(const RtpSpec& spec);  // `spec` must outlive the plan
  // The next packet to arrive, nullptr when the stream is over.
  [[nodiscard]] const Packet* front();
  void pop() { pending_.pop(); }

 private:
  void plan(std::uint32_t i);

  const RtpSpec& spec_;
  std::priority_queue<Packet, std::vector<Packet>, std::greater<>> pending_;
  std::uint32_t next_ = 0;  // first index not yet planned
};

class SeqCounter {
 public:
  void update(std::uint16_t seq);
  [[nodiscard]] std::uint64_t packets() const { return packets_; }
  [[nodiscard]] std::int64_t expected() const;
  [[nodiscard]] std::uint64_t duplicates() const { return duplicates_; }
  [[nodiscard]] std::uint64_t out_of_order() const { return out_of_order_; }

 private:
  std::uint64_t packets_ = 0, duplicates_ = 0, out_of_order_ = 0;
  std::int64_t base_ = -1;  // extended sequence number of the first packet
  std::int64_t highest_ = 0;
  std::uint64_t seen_ = 0;  // bit k: highest_ - k received (k < 64)
};

// What tshark 4.0 prints as "Lost" in `-z rtp,streams` for the same packets, for the
// cross-check (samples/check_sample.py). It is not RFC 3550: expected runs from the first to
// the LAST packet's sequence number (not the highest), plus 65536 per cycle; a cycle is
// counted when a number below the first one arrives while no cycle is open, and one above
// the first closes it, both only for packets whose RTP timestamp is not older than the first
// packet's (ui/tap-rtp-analysis.c rtppacket_analyse, 4.0 branch). So a reordered last
// packet, or a pre-wrap packet arriving after the wrap, moves tshark's count. The generator
// keeps RTP timestamps below 2^31 + stream length, so they never wrap here.
class TsharkLost {
 public:
  void update(std::uint16_t seq, std::uint32_t timestamp);
  [[nodiscard]] std::int64_t lost() const;

 private:
  bool started_ = false, under_ = false;
  std::uint32_t first_ts_ = 0;
  std::uint16_t start_ = 0, stop_ = 0;
  std::int64_t cycles_ = 0, total_ = 0;
};

}  // namespace sipscope::gen
