// export/tcp_renumber.hpp on hand-built Ethernet/IPv4/TCP frames (RFC 791, RFC 793 §3.1)
// with correct checksums: the kept segments of a direction follow each other once the
// bytes left out of the slice are taken out of the sequence space, the other direction's
// acknowledgements move with them, a hole already in the capture stays, and the TCP
// checksum is still right (verified over the RFC 793 pseudo-header).
#include "export/tcp_renumber.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sipscope::export_ {
namespace {

constexpr uint8_t kA[4] = {192, 0, 2, 1};
constexpr uint8_t kB[4] = {192, 0, 2, 2};

void put16(std::vector<uint8_t>& f, size_t at, uint32_t v) {
  f[at] = static_cast<uint8_t>(v >> 8);
  f[at + 1] = static_cast<uint8_t>(v);
}
void put32(std::vector<uint8_t>& f, size_t at, uint32_t v) {
  put16(f, at, v >> 16);
  put16(f, at + 2, v & 0xFFFF);
}
uint32_t get32(const std::vector<uint8_t>& f, size_t at) {
  return (uint32_t{f[at]} << 24) | (uint32_t{f[at + 1]} << 16) | (uint32_t{f[at + 2]} << 8) |
         f[at + 3];
}

// Sum of the IPv4 pseudo-header of a TCP segment of `length` bytes.
uint32_t pseudo_sum(const std::vector<uint8_t>& f, size_t length) {
  uint32_t sum = 0;
  for (size_t i = 26; i < 34; i += 2) sum += (uint32_t{f[i]} << 8) | f[i + 1];
  return sum + 6 + static_cast<uint32_t>(length);
}

// A→B (or B→A) TCP segment, port 5060 <-> 40000, flags ACK|PSH, checksums right.
SliceFrame segment(bool from_a, uint32_t seq, uint32_t ack, size_t payload_size) {
  std::vector<uint8_t> f(14 + 20 + 20 + payload_size, 0);
  f[12] = 0x08;  // IPv4
  f[14] = 0x45;
  put16(f, 16, 40 + payload_size);
  f[22] = 64;
  f[23] = 6;
  for (int i = 0; i < 4; ++i) {
    f[26 + i] = from_a ? kA[i] : kB[i];
    f[30 + i] = from_a ? kB[i] : kA[i];
  }
  put16(f, 24, internet_checksum(std::span(f).subspan(14, 20)));
  put16(f, 34, from_a ? 40000 : 5060);
  put16(f, 36, from_a ? 5060 : 40000);
  put32(f, 38, seq);
  put32(f, 42, ack);
  f[46] = 0x50;
  f[47] = 0x18;
  put16(f, 48, 65535);
  for (size_t i = 0; i < payload_size; ++i) f[54 + i] = static_cast<uint8_t>('a' + i % 26);
  const auto tcp = std::span(f).subspan(34);
  put16(f, 50, internet_checksum(tcp, pseudo_sum(f, tcp.size())));
  return {0, 1, static_cast<uint32_t>(f.size()), true, f};
}

bool checksum_ok(const SliceFrame& s) {
  const auto tcp = std::span(s.data).subspan(34);
  return internet_checksum(tcp, pseudo_sum(s.data, tcp.size())) == 0;
}

// A→B: [0,100) kept, [100,250) another call's, [250,300) kept; B→A acknowledges 300.
struct Stream {
  SliceFrame first = segment(true, 1000, 5000, 100);
  SliceFrame other = segment(true, 1100, 5000, 150);
  SliceFrame third = segment(true, 1250, 5000, 50);
  SliceFrame reply = segment(false, 5000, 1300, 20);
};

TEST(TcpRenumber, LeftOutBytesLeaveTheSequenceSpace) {
  Stream s;
  TcpStreams streams;
  for (const auto* f : {&s.first, &s.other, &s.third, &s.reply}) {
    streams.see(f->link_type, f->data);
  }
  std::vector<SliceFrame> slice = {s.first, s.third, s.reply};
  streams.renumber(slice);
  EXPECT_EQ(get32(slice[0].data, 38), 1000U);
  EXPECT_EQ(get32(slice[1].data, 38), 1100U);  // 1250 - 150 left out
  EXPECT_EQ(get32(slice[2].data, 42), 1150U);  // ack 1300 - 150
  EXPECT_EQ(get32(slice[2].data, 38), 5000U);  // nothing of B→A left out
  for (const auto& f : slice) EXPECT_TRUE(checksum_ok(f));
  EXPECT_EQ(slice[1].data.size(), s.third.data.size());  // only the numbers change
  EXPECT_TRUE(
      std::equal(slice[1].data.begin() + 54, slice[1].data.end(), s.third.data.begin() + 54));
}

TEST(TcpRenumber, AHoleOfTheCaptureStays) {
  Stream s;
  TcpStreams streams;
  for (const auto* f : {&s.first, &s.third, &s.reply}) streams.see(f->link_type, f->data);
  std::vector<SliceFrame> slice = {s.first, s.third, s.reply};
  const auto before = slice;
  streams.renumber(slice);
  for (size_t i = 0; i < slice.size(); ++i) EXPECT_EQ(slice[i].data, before[i].data) << i;
}

TEST(TcpRenumber, EverySegmentKeptChangesNothing) {
  Stream s;
  TcpStreams streams;
  std::vector<SliceFrame> slice = {s.first, s.other, s.third, s.reply};
  for (const auto& f : slice) streams.see(f.link_type, f.data);
  const auto before = slice;
  streams.renumber(slice);
  for (size_t i = 0; i < slice.size(); ++i) EXPECT_EQ(slice[i].data, before[i].data) << i;
}

TEST(TcpRenumber, SequenceNumbersWrapAround) {
  // The same stream starting 120 bytes before 2^32.
  const uint32_t base = 0xFFFFFFFFU - 119U;
  const SliceFrame first = segment(true, base, 5000, 100);
  const SliceFrame other = segment(true, base + 100, 5000, 150);
  const SliceFrame third = segment(true, base + 250, 5000, 50);
  TcpStreams streams;
  for (const auto* f : {&first, &other, &third}) streams.see(f->link_type, f->data);
  std::vector<SliceFrame> slice = {first, third};
  streams.renumber(slice);
  EXPECT_EQ(get32(slice[1].data, 38), base + 100U);
  EXPECT_TRUE(checksum_ok(slice[1]));
}

}  // namespace
}  // namespace sipscope::export_
