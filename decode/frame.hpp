// One captured frame as decode/ receives it from capture/ (or from a test's byte literal).
// `data` is a view into the capture library's buffer: valid only until the next frame is
// read. Everything decode/ returns that points into it has the same lifetime.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace sipscope::decode {

// Link types are the LINKTYPE_/DLT_ numbers of tcpdump.org/linktypes.html as libpcap's
// pcap_datalink() reports them.
namespace link_type {
inline constexpr int kNull = 0;  // BSD loopback, host-order 4-byte family
inline constexpr int kEthernet = 1;
inline constexpr int kRawDlt = 12;     // DLT_RAW on Linux (LINKTYPE_RAW 101 maps here)
inline constexpr int kRawDltBsd = 14;  // DLT_RAW on OpenBSD
inline constexpr int kRaw = 101;       // LINKTYPE_RAW
inline constexpr int kLoop = 108;      // OpenBSD loopback, network-order family
inline constexpr int kLinuxSll = 113;
inline constexpr int kIpv4 = 228;
inline constexpr int kIpv6 = 229;
inline constexpr int kLinuxSll2 = 276;
}  // namespace link_type

// Where a frame came from: enough to point a user at it in Wireshark.
struct FrameRef {
  uint32_t capture_id = 0;  // captures.id of the file
  uint64_t number = 0;      // 1-based frame number within that file
  int64_t ts_us = 0;        // capture timestamp, microseconds since the Unix epoch
};

// The frames whose bytes make up one reassembled message (IP fragments, TCP segments, SCTP
// fragments), as FrameRef::number values of one capture. Fixed capacity so reassembly never
// allocates for it: past kMaxMessageFrames the last slot is overwritten, so the list keeps
// the first pieces and the completing frame.
inline constexpr size_t kMaxMessageFrames = 32;

struct FrameList {
  std::array<uint64_t, kMaxMessageFrames> numbers{};
  size_t size = 0;

  void clear() { size = 0; }
  void add(uint64_t n) {
    if (size > 0 && numbers[size - 1] == n) return;
    if (size == kMaxMessageFrames) {
      numbers[size - 1] = n;
      return;
    }
    numbers[size++] = n;
  }
  void add(std::span<const uint64_t> ns) {
    for (const uint64_t n : ns) add(n);
  }
  // Ascending, each frame once (pieces can arrive out of order, or twice).
  void normalize() {
    std::sort(numbers.begin(), numbers.begin() + static_cast<std::ptrdiff_t>(size));
    size = static_cast<size_t>(
        std::unique(numbers.begin(), numbers.begin() + static_cast<std::ptrdiff_t>(size)) -
        numbers.begin());
  }
  [[nodiscard]] std::span<const uint64_t> view() const { return {numbers.data(), size}; }
};

struct Frame {
  FrameRef ref;
  int link_type = link_type::kEthernet;
  uint32_t wire_length = 0;  // original length on the wire (>= data.size())
  std::span<const uint8_t> data;
};

}  // namespace sipscope::decode
