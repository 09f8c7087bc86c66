// SCTP common header, chunk walk, DATA/I-DATA chunks and the fragment reassembler (small
// limits so eviction and oversize paths are reached). Input: a sequence of SCTP packets,
// each [u8 time step][u16 length][bytes].
#include <algorithm>
#include <span>

#include "decode/sctp.hpp"
#include "tests/fuzz/targets.hpp"

namespace sipscope::fuzz {
namespace {

struct CountingDrops : decode::SctpDropSink {
  void on_sctp_dropped(const decode::SctpDroppedMessage& d) override { n += d.fragments; }
  size_t n = 0;
};

}  // namespace

int sctp_one_input(const uint8_t* data, size_t size) {
  CountingDrops drops;
  decode::SctpReassembler reassembler(
      drops,
      {.max_fragments = 16, .max_total_bytes = 4096, .max_message_bytes = 2048, .expiry_us = 5000});
  decode::FrameRef frame{1, 0, 0};
  size_t pos = 0;
  size_t sum = 0;
  while (pos < size) {
    const uint8_t step = data[pos++];
    size_t len = size - pos;
    if (len >= 2) {
      len = std::min<size_t>((size_t{data[pos]} << 8) | data[pos + 1], len - 2);
      pos += 2;
    }
    const std::span<const uint8_t> packet(data + pos, len);
    pos += len;
    frame.number++;
    frame.ts_us += step * 100;
    reassembler.expire(frame.ts_us);
    decode::SctpPacket p;
    if (decode::decode_sctp(packet, p) != decode::SctpError::ok) continue;
    decode::SctpChunkReader chunks(p.chunks);
    decode::SctpChunk chunk;
    while (chunks.next(chunk) == decode::SctpError::ok) {
      decode::SctpData d;
      if (!decode::is_data_chunk(chunk.type) ||
          decode::decode_data_chunk(chunk, d) != decode::SctpError::ok) {
        continue;
      }
      if (d.begin && d.end) {
        sum += d.payload.size();
        continue;
      }
      const decode::SctpFlow flow{{}, {}, p.verification_tag};
      std::span<const uint8_t> message;
      if (reassembler.add(flow, d, frame, message) ==
          decode::SctpReassembler::AddResult::complete) {
        for (uint8_t b : message) sum += b;
      }
    }
  }
  reassembler.finish();
  if (reassembler.fragments() != 0 || reassembler.buffered_bytes() != 0) __builtin_trap();
  return sum + drops.n == 0xdeadbeef ? 1 : 0;
}

}  // namespace sipscope::fuzz

SIPSCOPE_FUZZ_TARGET(sctp)
