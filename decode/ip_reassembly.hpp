// IP fragment reassembly: IPv4 (RFC 791 §3.2, MF flag and fragment offset) and IPv6
// (RFC 8200 §4.5, fragment extension header).
//
// Fragments are grouped by (IP version, source, destination, protocol, identification).
// They may arrive in any order and be duplicated. Overlaps are resolved by the "first"
// policy (as Linux and the BSDs do for IPv4): bytes already received are never replaced,
// a later fragment only fills the gaps, so the result does not depend on timing. A set is
// complete once the last fragment (MF = 0) fixed the length and every byte before it has
// arrived. Bytes a fragment carries past that length are ignored.
//
// Limits (memory is bounded whatever the input): kMaxOpenSets open sets, kMaxDatagram
// bytes per datagram (a fragment ending later is refused: add() returns oversized), and
// kMaxTotalBytes buffered in all. When a new set does not fit, the oldest open set is
// evicted (reason evicted). Sets expire kExpiryUs of capture time after their first fragment. Every
// set that never completes is handed to the DropSink (expired, evicted, or flushed by finish()), so
// nothing disappears silently.
//
//   IpReassembler r(drops);
//   std::span<const uint8_t> datagram;
//   r.expire(frame.ref.ts_us);
//   if (r.add(fragment, frame.ref, datagram) == AddResult::complete) decode(datagram);
//   ...
//   r.finish();
//
// Buffers are pooled: a completed datagram's buffer is returned to the pool by the next
// begin_frame(), so the span returned by add() is valid until then; steady state does not
// allocate per fragment.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "decode/frame.hpp"
#include "decode/net.hpp"

namespace sipscope::decode {

struct IpFragment {
  uint8_t version = 4;
  IpAddress src;
  IpAddress dst;
  uint8_t protocol = 0;
  uint32_t id = 0;
  uint32_t offset = 0;  // bytes
  bool more = false;
  std::span<const uint8_t> payload;  // fragment data (after all IP headers)
};

enum class DropReason : uint8_t { expired, evicted, unfinished };

struct DroppedFragments {
  DropReason reason = DropReason::expired;
  FrameRef first_frame;  // the frame of the set's first fragment
  uint8_t version = 4;
  IpAddress src;
  IpAddress dst;
  uint8_t protocol = 0;
  uint32_t id = 0;
  size_t bytes_received = 0;
  size_t fragments = 0;
};

class FragmentDropSink {
 public:
  virtual ~FragmentDropSink() = default;
  virtual void on_dropped(const DroppedFragments& d) = 0;
};

struct ReassemblyLimits {
  size_t max_open_sets = 4096;
  size_t max_total_bytes = size_t{64} << 20;
  int64_t expiry_us = 30'000'000;
};

inline constexpr size_t kMaxDatagram = 65535;

class IpReassembler {
 public:
  enum class AddResult : uint8_t { pending, complete, oversized };

  explicit IpReassembler(FragmentDropSink& drops, ReassemblyLimits limits = {})
      : drops_(drops), limits_(limits) {}
  // add() hands out views into buffers this object owns: not copyable.
  IpReassembler(const IpReassembler&) = delete;
  IpReassembler& operator=(const IpReassembler&) = delete;

  // Releases the buffers of datagrams completed during the previous frame.
  void begin_frame();
  // Drops (reason expired) every set whose first fragment is older than the expiry time.
  void expire(int64_t now_us);
  // On complete, `datagram` is the reassembled upper-layer payload.
  [[nodiscard]] AddResult add(const IpFragment& f, const FrameRef& frame,
                              std::span<const uint8_t>& datagram);
  // Drops (reason unfinished) every open set: end of input.
  void finish();
  // After add() returned complete: the frames of the datagram's fragments, in arrival
  // order, the completing frame last. Valid until the next add().
  [[nodiscard]] std::span<const uint64_t> completed_frames() const {
    return completed_frames_.view();
  }

  [[nodiscard]] size_t open_sets() const { return sets_.size(); }
  [[nodiscard]] size_t buffered_bytes() const { return total_bytes_; }

 private:
  struct Set {
    uint8_t version = 4;
    IpAddress src;
    IpAddress dst;
    uint8_t protocol = 0;
    uint32_t id = 0;
    FrameRef first_frame;
    size_t total = 0;  // datagram length, known once the last fragment arrived
    bool have_last = false;
    size_t received = 0;  // distinct bytes held
    size_t fragments = 0;
    FrameList frames;                                  // frames that contributed fragments
    std::vector<uint8_t> data;                         // from the pool
    std::vector<std::pair<size_t, size_t>> intervals;  // held [begin, end), sorted, merged
  };

  static constexpr size_t kNone = ~size_t{0};
  [[nodiscard]] size_t find(const IpFragment& f) const;  // index or kNone
  size_t open(const IpFragment& f, const FrameRef& frame);
  void drop(size_t index, DropReason reason);
  void recycle(std::vector<uint8_t>&& buffer);
  void recycle_intervals(std::vector<std::pair<size_t, size_t>>&& intervals);
  static void fill(Set& s, size_t begin, std::span<const uint8_t> bytes);

  FragmentDropSink& drops_;
  ReassemblyLimits limits_;
  std::vector<Set> sets_;  // oldest first
  std::vector<std::vector<uint8_t>> pool_;
  std::vector<std::vector<std::pair<size_t, size_t>>> interval_pool_;
  int64_t oldest_ts_us_ = 0;  // lower bound of the open sets' first-fragment times
  std::vector<std::vector<uint8_t>> completed_;  // handed out during the current frame
  size_t total_bytes_ = 0;
  FrameList completed_frames_;
};

}  // namespace sipscope::decode
