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
// Limits (memory is bounded whatever the input, see ReassemblyLimits): open sets, bytes
// in all, and kMaxDatagram bytes per datagram (a fragment ending later is refused: add()
// returns oversized). Sets are found by hash; a time-ordered index (first-fragment time)
// makes expiry and eviction cost what they drop, never a walk of the table. When a new
// set does not fit, the oldest open set is evicted (reason evicted). Every set that never
// completes is handed to the DropSink (expired, evicted, or flushed by finish()), so
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
#include <map>
#include <span>
#include <unordered_map>
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

// The one place the IP reassembly bounds live (filled from options in cli/).
struct ReassemblyLimits {
  // Default 4096 open fragment sets. At the limit the set with the oldest first fragment is
  // evicted in O(1): DropReason::evicted, recorded as ip_fragment_table_full.
  size_t max_open_sets = 4096;
  // Default 64 MiB buffered in all sets. At the limit the oldest other sets are evicted
  // until the new bytes fit: DropReason::evicted (ip_fragment_table_full).
  size_t max_total_bytes = size_t{64} << 20;
  // Default 30 s of capture time after a set's first fragment. Past it the set is dropped
  // by expire(): DropReason::expired (ip_fragments_incomplete).
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
  // RFC 791 §3.2 / RFC 8200 §4.5: the fields that name one datagram's fragments.
  struct Key {
    uint8_t version = 4;
    IpAddress src;
    IpAddress dst;
    uint8_t protocol = 0;
    uint32_t id = 0;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const noexcept;
  };
  // (first-fragment capture time, arrival number): oldest first, ties in arrival order.
  using Age = std::pair<int64_t, uint64_t>;

  struct Set {
    FrameRef first_frame;
    size_t total = 0;  // datagram length, known once the last fragment arrived
    bool have_last = false;
    size_t received = 0;  // distinct bytes held
    size_t fragments = 0;
    FrameList frames;                                  // frames that contributed fragments
    std::vector<uint8_t> data;                         // from the pool
    std::vector<std::pair<size_t, size_t>> intervals;  // held [begin, end), sorted, merged
    std::map<Age, Key>::iterator age;                  // this set's entry in by_age_
  };
  using Table = std::unordered_map<Key, Set, KeyHash>;

  Table::iterator open(const Key& key, const FrameRef& frame);
  void drop(Table::iterator it, DropReason reason);
  void recycle(std::vector<uint8_t>&& buffer);
  void recycle_intervals(std::vector<std::pair<size_t, size_t>>&& intervals);
  static void fill(Set& s, size_t begin, std::span<const uint8_t> bytes);

  FragmentDropSink& drops_;
  ReassemblyLimits limits_;
  Table sets_;
  std::map<Age, Key> by_age_;  // every open set, oldest first fragment first
  uint64_t arrivals_ = 0;
  std::vector<std::vector<uint8_t>> pool_;
  std::vector<std::vector<std::pair<size_t, size_t>>> interval_pool_;
  std::vector<std::vector<uint8_t>> completed_;  // handed out during the current frame
  size_t total_bytes_ = 0;
  FrameList completed_frames_;
};

}  // namespace sipscope::decode
