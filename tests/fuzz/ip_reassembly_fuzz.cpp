// IP fragment reassembly on its own (the link_ip target reaches it only behind valid IP
// headers). Input: fragments [u8 control][u16 offset/8][u16 length][bytes] with control
// bits 0-1 = datagram id (4 flows), bit 2 = more fragments, bit 3 = IPv6, bits 4-7 =
// capture-time step. Small limits reach eviction, byte budget and expiry. Traps when a
// completed datagram is larger than kMaxDatagram, when its frame list is empty or does
// not end with the completing frame, or when anything is still held after finish().
#include <algorithm>
#include <cstdlib>
#include <span>

#include "decode/ip_reassembly.hpp"
#include "tests/fuzz/targets.hpp"

namespace sipscope::fuzz {
namespace {

// Keeps the reads of every datagram byte observable to the optimiser.
volatile size_t g_sink = 0;

struct CountingDrops : decode::FragmentDropSink {
  void on_dropped(const decode::DroppedFragments& d) override { n += d.fragments; }
  size_t n = 0;
};

}  // namespace

int ip_reassembly_one_input(const uint8_t* data, size_t size) {
  CountingDrops drops;
  decode::IpReassembler reassembler(
      drops, {.max_open_sets = 3, .max_total_bytes = 8192, .expiry_us = 4000});
  decode::FrameRef frame{1, 0, 0};
  const uint8_t a4[4] = {192, 0, 2, 1};
  const uint8_t b4[4] = {192, 0, 2, 2};
  size_t pos = 0;
  size_t sum = 0;
  while (pos + 5 <= size) {
    const uint8_t control = data[pos];
    const uint32_t offset8 = (uint32_t{data[pos + 1]} << 8) | data[pos + 2];
    size_t len = (size_t{data[pos + 3]} << 8) | data[pos + 4];
    pos += 5;
    len = std::min(len, size - pos);
    decode::IpFragment f;
    f.version = (control & 0x08) != 0 ? 6 : 4;
    f.src = decode::IpAddress::v4(a4);
    f.dst = decode::IpAddress::v4(b4);
    f.protocol = 17;
    f.id = control & 0x03;
    f.more = (control & 0x04) != 0;
    f.offset = offset8 * 8;
    f.payload = std::span<const uint8_t>(data + pos, len);
    pos += len;
    frame.number++;
    frame.ts_us += (control >> 4) * 500;
    reassembler.begin_frame();
    reassembler.expire(frame.ts_us);
    std::span<const uint8_t> datagram;
    if (reassembler.add(f, frame, datagram) == decode::IpReassembler::AddResult::complete) {
      if (datagram.size() > decode::kMaxDatagram) std::abort();
      const auto frames = reassembler.completed_frames();
      if (frames.empty() || frames.back() != frame.number) std::abort();
      for (uint8_t b : datagram) sum += b;
    }
  }
  reassembler.finish();
  if (reassembler.open_sets() != 0 || reassembler.buffered_bytes() != 0) std::abort();
  g_sink = sum;
  return 0;
}

}  // namespace sipscope::fuzz

SIPSCOPE_FUZZ_TARGET(ip_reassembly)
