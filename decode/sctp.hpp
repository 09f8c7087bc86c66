// SCTP (RFC 9260) as far as SIP over SCTP (RFC 4168) needs it: the 12-byte common header
// (§3.1), the chunk list (§3.2: type, flags, length without padding, padded to 4 bytes),
// DATA chunks (§3.3.1: U/B/E flags, TSN, stream id, stream sequence, PPID) and I-DATA
// chunks (RFC 8260 §2.1: MID and FSN instead of SSN/TSN ordering). RFC 4168 §5 maps one
// SIP message to one SCTP user message; a user message larger than the path MTU is split
// into fragments (B = first, E = last) with consecutive TSNs (RFC 9260 §6.9), or for
// I-DATA consecutive FSNs under one MID. Several DATA chunks may be bundled in a packet.
//
//   SctpPacket p;
//   if (decode_sctp(ip.payload, p) != SctpError::ok) ...;
//   SctpChunkReader chunks(p.chunks);
//   SctpChunk c;
//   while (chunks.next(c) == SctpError::ok) {
//     SctpData d;
//     if (is_data_chunk(c.type) && decode_data_chunk(c, d) == SctpError::ok) ...;
//   }
//
// SctpReassembler puts fragmented user messages back together: bounded in fragments and
// bytes (SctpLimits), expired by capture time; fragments are found by hash and a
// time-ordered index makes expiry and eviction cost what they drop, and every message that never
// completes is reported to an SctpDropSink (nothing vanishes silently).
//
// Views (chunks, payloads) point into the input bytes. A reassembled message returned by
// SctpReassembler::add() is valid until its next add() call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <span>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "decode/anomaly.hpp"
#include "decode/frame.hpp"
#include "decode/net.hpp"

#include "decode/view_guard.hpp"

namespace sipscope::decode {

inline constexpr size_t kSctpCommonHeaderSize = 12;
inline constexpr uint8_t kSctpChunkData = 0;    // RFC 9260 §3.3.1
inline constexpr uint8_t kSctpChunkIData = 64;  // RFC 8260 §2.1

enum class SctpError : uint8_t {
  ok,
  end,        // no more chunks (SctpChunkReader::next only)
  truncated,  // truncated_sctp: common header or a chunk cut short
  bad_chunk,  // sctp_bad_chunk: chunk length < 4, or a DATA chunk shorter than its header
};

struct SctpPacket {
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  uint32_t verification_tag = 0;
  std::span<const uint8_t> chunks;  // everything after the common header
};

struct SctpChunk {
  uint8_t type = 0;
  uint8_t flags = 0;
  std::span<const uint8_t> value;  // chunk value, without header and padding
};

struct SctpData {
  bool i_data = false;
  bool unordered = false;  // U flag
  bool begin = false;      // B flag: first fragment
  bool end = false;        // E flag: last fragment
  uint32_t tsn = 0;
  uint16_t stream = 0;
  uint16_t ssn = 0;   // DATA only
  uint32_t mid = 0;   // I-DATA only
  uint32_t fsn = 0;   // I-DATA only; 0 for the B fragment (whose field holds the PPID)
  uint32_t ppid = 0;  // DATA, and the B fragment of I-DATA
  std::span<const uint8_t> payload;
};

[[nodiscard]] SctpError decode_sctp(std::span<const uint8_t> data, SctpPacket& out);
template <TemporaryBuffer T>
SctpError decode_sctp(T&&, SctpPacket&) = delete;  // views into a temporary

class SctpChunkReader {
 public:
  explicit SctpChunkReader(std::span<const uint8_t> chunks) : rest_(chunks) {}
  // A temporary byte vector would die before next() reads it.
  explicit SctpChunkReader(std::vector<uint8_t>&&) = delete;
  explicit SctpChunkReader(const std::vector<uint8_t>&&) = delete;
  // ok and `out` filled, end when no bytes are left, or an error (reading stops there).
  [[nodiscard]] SctpError next(SctpChunk& out);

 private:
  std::span<const uint8_t> rest_;
};

[[nodiscard]] constexpr bool is_data_chunk(uint8_t type) {
  return type == kSctpChunkData || type == kSctpChunkIData;
}
[[nodiscard]] SctpError decode_data_chunk(const SctpChunk& chunk, SctpData& out);

[[nodiscard]] AnomalyKind sctp_error_anomaly(SctpError e);  // for truncated / bad_chunk

// ---- reassembly of fragmented user messages --------------------------------------------

struct SctpFlow {
  Endpoint src;
  Endpoint dst;
  uint32_t verification_tag = 0;
  auto operator<=>(const SctpFlow&) const = default;
};

enum class SctpDropReason : uint8_t { expired, evicted, unfinished, oversized };

struct SctpDroppedMessage {
  SctpDropReason reason = SctpDropReason::expired;
  SctpFlow flow;
  FrameRef first_frame;  // frame of the oldest fragment dropped
  size_t fragments = 0;
  size_t bytes = 0;
};

class SctpDropSink {
 public:
  virtual ~SctpDropSink() = default;
  virtual void on_sctp_dropped(const SctpDroppedMessage& d) = 0;
};

// The one place the SCTP reassembly bounds live.
struct SctpLimits {
  // Default 1024 fragments held in all associations. At the limit every fragment of the
  // association whose fragment is oldest is dropped: SctpDropReason::evicted, recorded as
  // sctp_fragment_table_full.
  size_t max_fragments = 1024;
  // Default 4 MiB held in all associations; at the limit as for max_fragments.
  size_t max_total_bytes = size_t{4} << 20;
  // Default 1 MiB for one reassembled user message. A fragment or message over it is
  // dropped: SctpDropReason::oversized (sctp_message_oversized).
  size_t max_message_bytes = size_t{1} << 20;
  // Default 30 s of capture time after a fragment arrived. Past it the fragment is dropped
  // by expire(): SctpDropReason::expired (sctp_fragments_incomplete).
  int64_t expiry_us = 30'000'000;
};

class SctpReassembler {
 public:
  enum class AddResult : uint8_t { pending, complete, duplicate };

  explicit SctpReassembler(SctpDropSink& drops, SctpLimits limits = {})
      : drops_(drops), limits_(limits) {}
  // add() hands out views into buffers this object owns: not copyable.
  SctpReassembler(const SctpReassembler&) = delete;
  SctpReassembler& operator=(const SctpReassembler&) = delete;

  // Drops (reason expired) fragments older than the expiry time.
  void expire(int64_t now_us);
  // `d` must be a fragment (not both B and E). On complete, `message` is the whole user
  // message (valid until the next add()).
  [[nodiscard]] AddResult add(const SctpFlow& flow, const SctpData& d, const FrameRef& frame,
                              std::span<const uint8_t>& message);
  // Drops (reason unfinished) everything held: end of input.
  void finish();
  // After add() returned complete: the frames of the message's fragments, ascending.
  // Valid until the next add().
  [[nodiscard]] std::span<const uint64_t> message_frames() const { return message_frames_.view(); }

  [[nodiscard]] size_t fragments() const { return table_.size(); }
  [[nodiscard]] size_t buffered_bytes() const { return total_bytes_; }

 private:
  // One fragment's identity: the message it belongs to and its place in it. DATA fragments
  // of one stream share mid 0 and are told apart by consecutive TSNs (RFC 9260 §6.9);
  // I-DATA fragments by MID and FSN (RFC 8260 §2.1).
  struct Key {
    SctpFlow flow;
    bool i_data = false;
    bool unordered = false;
    uint16_t stream = 0;
    uint32_t mid = 0;
    uint32_t seq = 0;  // TSN (DATA) or FSN (I-DATA)
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const noexcept;
  };
  struct FlowHash {
    size_t operator()(const SctpFlow& f) const noexcept;
  };
  // (arrival capture time, arrival number): oldest first, ties in arrival order.
  using Age = std::pair<int64_t, uint64_t>;
  struct Fragment {
    bool begin = false;
    bool end = false;
    FrameRef frame;
    std::vector<uint8_t> bytes;
    std::map<Age, Key>::iterator age;  // entry in by_age_
    std::list<Key>::iterator in_flow;  // entry in the flow's list in flows_
  };
  using Table = std::unordered_map<Key, Fragment, KeyHash>;

  bool try_complete(Table::iterator anchor, std::span<const uint8_t>& message);
  void remove(Table::iterator it);
  // Reports and erases every fragment of `flow` (one report).
  void drop_flow(SctpFlow flow, SctpDropReason reason);

  SctpDropSink& drops_;
  SctpLimits limits_;
  Table table_;
  std::map<Age, Key> by_age_;                                     // every fragment, oldest first
  std::unordered_map<SctpFlow, std::list<Key>, FlowHash> flows_;  // arrival order per flow
  uint64_t arrivals_ = 0;
  std::vector<uint8_t> message_;      // last reassembled message
  FrameList message_frames_;          // ... and the frames of its fragments
  std::vector<Table::iterator> run_;  // scratch: a message's fragments in sequence order
  size_t total_bytes_ = 0;
};

}  // namespace sipscope::decode
