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
// bytes, expired by capture time, and every message that never completes is reported to
// an SctpDropSink (nothing vanishes silently).
//
// Views (chunks, payloads) point into the input bytes. A reassembled message returned by
// SctpReassembler::add() is valid until its next add() call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
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
  template <TemporaryBuffer T>
  explicit SctpChunkReader(T&&) = delete;  // would read a dead temporary
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

struct SctpLimits {
  size_t max_fragments = 1024;                 // held in all associations
  size_t max_total_bytes = size_t{4} << 20;    // held in all associations
  size_t max_message_bytes = size_t{1} << 20;  // one reassembled user message
  int64_t expiry_us = 30'000'000;              // capture time after a fragment arrived
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

  [[nodiscard]] size_t fragments() const { return fragments_.size(); }
  [[nodiscard]] size_t buffered_bytes() const { return total_bytes_; }

 private:
  struct Fragment {
    SctpFlow flow;
    bool i_data = false;
    bool unordered = false;
    uint16_t stream = 0;
    uint32_t mid = 0;
    uint32_t seq = 0;  // TSN (DATA) or FSN (I-DATA)
    bool begin = false;
    bool end = false;
    FrameRef frame;
    std::vector<uint8_t> bytes;
  };
  [[nodiscard]] bool same_message(const Fragment& a, const Fragment& b) const;
  [[nodiscard]] size_t find(const Fragment& like, uint32_t seq) const;  // index or npos
  bool try_complete(size_t end_index, std::span<const uint8_t>& message);
  // Reports and erases every fragment matching `pred`, grouped by flow.
  template <typename Pred>
  void drop_if(Pred pred, SctpDropReason reason);

  static constexpr size_t kNpos = ~size_t{0};
  SctpDropSink& drops_;
  SctpLimits limits_;
  std::vector<Fragment> fragments_;  // arrival order
  std::vector<uint8_t> message_;     // last reassembled message
  FrameList message_frames_;         // ... and the frames of its fragments
  std::vector<size_t> picked_;       // scratch: indexes of a message's fragments
  size_t total_bytes_ = 0;
};

}  // namespace sipscope::decode
