// Time-ordered emission of everything a scenario sends.
//
// Scripts do not write packets directly: they append SIP datagrams and RTP stream
// descriptions (RtpSpec: one SSRC, start time, packet count, losses, jitter) to an
// Emission. The Scheduler merges any number of emissions into one capture in timestamp
// order with a heap of lazy sources, so an RTP stream of 100k packets costs one small
// object and a million-packet capture is streamed, never held in memory. Ties keep the
// order in which sources were added, which makes output deterministic.
//
//   Scheduler s(writer);
//   s.add(std::move(emission));
//   s.at(t, [](Scheduler& s) { s.add(next_call()); });  // spawn more work later
//   s.run();
#pragma once

#include <cstdint>
#include <functional>
#include <queue>
#include <string>
#include <vector>

#include "net.hpp"
#include "pcap_writer.hpp"
#include "truth.hpp"

namespace sipscope::gen {

// Deliberate damage to one SIP message on the wire (pathology scenarios; wire.hpp).
enum class Damage : std::uint8_t {
  kNone,
  kFragReorder,         // IP fragments in reverse order
  kFragDuplicate,       // first IP fragment sent twice
  kFragDrop,            // second IP fragment lost: the message never completes
  kTcpSplit,            // three segments: cut inside the headers and inside the body
  kTcpReorder,          // two segments, the second sent first
  kTcpOverlap,          // two segments overlapping by 40 bytes
  kTcpRetrans,          // whole segment sent again 1 ms later (same sequence number)
  kTcpPackWithNext,     // held and sent in one segment with the next message that way
  kTcpGap,              // three segments, the middle one not captured
  kTcpTailOnly,         // only the second half is captured (capture starts mid-stream)
  kSctpBundleWithNext,  // DATA chunk bundled with the next message's in one packet
};

struct SipPacket {
  std::int64_t ts_us = 0;
  Endpoint src, dst;
  std::string text;
  Damage damage = Damage::kNone;
};

// A finished transport payload (TCP segment, SCTP packet, HEP datagram) for write_ip().
struct WirePacket {
  std::int64_t ts_us = 0;
  Address src, dst;
  std::uint8_t proto = 17;
  std::vector<std::uint8_t> l4;
};

// One RTP stream (RFC 3550 §5.1): packet i carries seq0+i, ts0+(i+paused slots)*samples,
// and is sent at slot_time(i) + jitter(i); indices in `drop` are never sent (loss). The
// impairments below are all off by default, so older scenarios keep their bytes; packets
// reach the capture in arrival order (rtp_plan.hpp), whatever they do to the order.
struct RtpSpec {
  Endpoint src, dst;
  std::uint32_t ssrc = 0;
  std::uint8_t payload_type = 0;
  std::uint16_t seq0 = 0;  // may sit just below 65535: the sequence wraps
  std::uint32_t ts0 = 0;
  std::int64_t start_us = 0;
  std::uint32_t count = 0;
  std::uint32_t interval_us = 20000;
  std::uint32_t samples_per_packet = 160;
  std::uint32_t payload_bytes = 160;
  std::vector<std::uint32_t> drop;  // sorted, interior indices only
  std::uint32_t jitter_us = 0;      // send delay drawn in [0, jitter_us); > interval reorders
  std::uint64_t jitter_seed = 0;
  std::vector<std::uint32_t> duplicate;  // sorted: sent twice, the copy dup_delay_us later
  std::uint32_t dup_delay_us = 2000;
  // Packet `index` held back until 1 ms after packet index+after was sent (reordering).
  struct Late {
    std::uint32_t index = 0, after = 1;
  };
  std::vector<Late> late;
  // The sender pauses `slots` packet times before packet `index` (silence suppression,
  // or the held side of a hold): sequence numbers continue, the RTP timestamp jumps by the
  // pause, and `index` starts a talkspurt with the marker bit (RFC 3551 §4.1). Sorted.
  struct Pause {
    std::uint32_t index = 0, slots = 0;
  };
  std::vector<Pause> pauses;

  // Nominal send time of packet i (no delay), and the time it is really sent.
  [[nodiscard]] std::int64_t slot_time(std::uint32_t i) const;
  [[nodiscard]] std::int64_t send_time(std::uint32_t i) const;
  [[nodiscard]] std::int64_t arrival_time(std::uint32_t i) const;  // send_time or late
  [[nodiscard]] std::uint32_t rtp_timestamp(std::uint32_t i) const;
  [[nodiscard]] bool marker(std::uint32_t i) const;
  // Truth for this stream: RFC 3550 Appendix A counters over the packets in the order they
  // reach the capture (RtpPlan), first and last arrival times.
  [[nodiscard]] StreamTruth truth() const;

 private:
  [[nodiscard]] std::uint32_t paused_before(std::uint32_t i) const;
};

struct Emission {
  std::vector<SipPacket> sip;
  std::vector<RtpSpec> rtp;
  std::vector<WirePacket> wire;  // filled by apply_transport() from `sip`
};

class Scheduler {
 public:
  explicit Scheduler(PcapWriter& writer) : writer_(writer) {}
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void add(Emission&& e);
  void at(std::int64_t ts_us, std::function<void(Scheduler&)> fn);
  void run();
  [[nodiscard]] std::int64_t last_ts_us() const { return last_ts_; }

  class Source;

 private:
  struct Entry {
    std::int64_t ts;
    std::uint64_t order;
    Source* src;
    bool operator>(const Entry& o) const { return ts != o.ts ? ts > o.ts : order > o.order; }
  };
  void push(Source* s);

  PcapWriter& writer_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap_;
  std::uint64_t order_ = 0;
  std::int64_t last_ts_ = 0;
};

}  // namespace sipscope::gen
