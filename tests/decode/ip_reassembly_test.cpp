#include "decode/ip_reassembly.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <vector>

namespace sipscope::decode {
namespace {

using Bytes = std::vector<uint8_t>;

struct Drops : FragmentDropSink {
  std::vector<DroppedFragments> dropped;
  void on_dropped(const DroppedFragments& d) override { dropped.push_back(d); }
};

// 24 bytes 0..23: three 8-byte fragments.
Bytes datagram() {
  Bytes b(24);
  std::iota(b.begin(), b.end(), uint8_t{0});
  return b;
}

IpFragment frag(const Bytes& data, uint32_t offset, size_t len, bool more, uint32_t id = 7) {
  IpFragment f;
  f.version = 4;
  f.src = IpAddress::v4({192, 0, 2, 1});
  f.dst = IpAddress::v4({192, 0, 2, 2});
  f.protocol = 17;
  f.id = id;
  f.offset = offset;
  f.more = more;
  f.payload = std::span<const uint8_t>(data).subspan(offset, len);
  return f;
}

FrameRef at(int64_t ts_us, uint64_t number = 1) {
  return FrameRef{1, number, ts_us};
}

Bytes as_bytes(std::span<const uint8_t> s) {
  return Bytes(s.begin(), s.end());
}

using R = IpReassembler::AddResult;

TEST(IpReassembly, InOrder) {
  Drops drops;
  IpReassembler r(drops);
  const Bytes d = datagram();
  std::span<const uint8_t> out;
  EXPECT_EQ(r.add(frag(d, 0, 8, true), at(0), out), R::pending);
  EXPECT_EQ(r.add(frag(d, 8, 8, true), at(1), out), R::pending);
  ASSERT_EQ(r.add(frag(d, 16, 8, false), at(2), out), R::complete);
  EXPECT_EQ(as_bytes(out), d);
  EXPECT_EQ(r.open_sets(), 0u);
  EXPECT_EQ(r.buffered_bytes(), 0u);
  r.finish();
  EXPECT_TRUE(drops.dropped.empty());
}

TEST(IpReassembly, ReversedAndDuplicated) {
  Drops drops;
  IpReassembler r(drops);
  const Bytes d = datagram();
  std::span<const uint8_t> out;
  EXPECT_EQ(r.add(frag(d, 16, 8, false), at(0), out), R::pending);
  EXPECT_EQ(r.add(frag(d, 16, 8, false), at(0), out), R::pending);  // exact duplicate
  EXPECT_EQ(r.add(frag(d, 8, 8, true), at(0), out), R::pending);
  EXPECT_EQ(r.add(frag(d, 8, 8, true), at(0), out), R::pending);
  ASSERT_EQ(r.add(frag(d, 0, 8, true), at(0), out), R::complete);
  EXPECT_EQ(as_bytes(out), d);
}

TEST(IpReassembly, OverlapFirstReceivedBytesWin) {
  Drops drops;
  IpReassembler r(drops);
  const Bytes d = datagram();
  Bytes other(24, 0xee);  // a conflicting copy of the same range
  std::span<const uint8_t> out;
  EXPECT_EQ(r.add(frag(d, 8, 8, true), at(0), out), R::pending);
  // [0, 24) overlaps [8, 16): only [0, 8) and [16, 24) may come from it.
  ASSERT_EQ(r.add(frag(other, 0, 24, false), at(0), out), R::complete);
  Bytes expected(24, 0xee);
  for (size_t i = 8; i < 16; ++i) expected[i] = d[i];
  EXPECT_EQ(as_bytes(out), expected);
}

TEST(IpReassembly, BytesPastTheLastFragmentAreIgnored) {
  Drops drops;
  IpReassembler r(drops);
  const Bytes d = datagram();
  std::span<const uint8_t> out;
  EXPECT_EQ(r.add(frag(d, 0, 24, true), at(0), out), R::pending);   // overruns the real end
  ASSERT_EQ(r.add(frag(d, 8, 8, false), at(0), out), R::complete);  // says: 16 bytes in all
  EXPECT_EQ(as_bytes(out), Bytes(d.begin(), d.begin() + 16));
  EXPECT_EQ(r.buffered_bytes(), 0u);
}

TEST(IpReassembly, DifferentIdsAreDifferentSets) {
  Drops drops;
  IpReassembler r(drops);
  const Bytes d = datagram();
  std::span<const uint8_t> out;
  EXPECT_EQ(r.add(frag(d, 0, 8, true, 1), at(0), out), R::pending);
  EXPECT_EQ(r.add(frag(d, 8, 16, false, 2), at(0), out), R::pending);
  EXPECT_EQ(r.open_sets(), 2u);
  r.finish();
  ASSERT_EQ(drops.dropped.size(), 2u);
  EXPECT_EQ(drops.dropped[0].reason, DropReason::unfinished);
  EXPECT_EQ(drops.dropped[0].id, 1u);
  EXPECT_EQ(drops.dropped[0].bytes_received, 8u);
  EXPECT_EQ(drops.dropped[1].id, 2u);
  EXPECT_EQ(drops.dropped[1].bytes_received, 16u);
  EXPECT_EQ(r.open_sets(), 0u);
  EXPECT_EQ(r.buffered_bytes(), 0u);
}

TEST(IpReassembly, ExpiryByCaptureTime) {
  Drops drops;
  IpReassembler r(drops,
                  {.max_open_sets = 4096, .max_total_bytes = 1 << 20, .expiry_us = 30'000'000});
  const Bytes d = datagram();
  std::span<const uint8_t> out;
  EXPECT_EQ(r.add(frag(d, 0, 8, true), at(1'000'000, 5), out), R::pending);
  r.expire(31'000'000);  // exactly 30 s later: still open
  EXPECT_TRUE(drops.dropped.empty());
  r.expire(31'000'001);
  ASSERT_EQ(drops.dropped.size(), 1u);
  EXPECT_EQ(drops.dropped[0].reason, DropReason::expired);
  EXPECT_EQ(drops.dropped[0].first_frame.number, 5u);
  EXPECT_EQ(drops.dropped[0].fragments, 1u);
  // The rest of the datagram now starts a new set that cannot complete.
  EXPECT_EQ(r.add(frag(d, 8, 16, false), at(31'000'002), out), R::pending);
}

TEST(IpReassembly, TableFullEvictsTheOldest) {
  Drops drops;
  IpReassembler r(drops, {.max_open_sets = 2, .max_total_bytes = 1 << 20, .expiry_us = 30'000'000});
  const Bytes d = datagram();
  std::span<const uint8_t> out;
  EXPECT_EQ(r.add(frag(d, 0, 8, true, 1), at(0), out), R::pending);
  EXPECT_EQ(r.add(frag(d, 0, 8, true, 2), at(0), out), R::pending);
  EXPECT_EQ(r.add(frag(d, 0, 8, true, 3), at(0), out), R::pending);
  ASSERT_EQ(drops.dropped.size(), 1u);
  EXPECT_EQ(drops.dropped[0].reason, DropReason::evicted);
  EXPECT_EQ(drops.dropped[0].id, 1u);
  EXPECT_EQ(r.open_sets(), 2u);
  // Set 2 still completes.
  EXPECT_EQ(r.add(frag(d, 8, 16, false, 2), at(0), out), R::complete);
}

TEST(IpReassembly, ByteBudgetEvictsOtherSets) {
  Drops drops;
  IpReassembler r(drops, {.max_open_sets = 16, .max_total_bytes = 30, .expiry_us = 30'000'000});
  const Bytes d = datagram();
  std::span<const uint8_t> out;
  EXPECT_EQ(r.add(frag(d, 0, 16, true, 1), at(0), out), R::pending);  // 16 bytes held
  EXPECT_EQ(r.add(frag(d, 0, 16, true, 2), at(0), out), R::pending);  // 32 > 30: set 1 goes
  ASSERT_EQ(drops.dropped.size(), 1u);
  EXPECT_EQ(drops.dropped[0].id, 1u);
  EXPECT_EQ(drops.dropped[0].reason, DropReason::evicted);
  EXPECT_EQ(r.buffered_bytes(), 16u);
  EXPECT_EQ(r.add(frag(d, 16, 8, false, 2), at(0), out), R::complete);
}

// Issue 12: a flood of first fragments whose rest never comes. The table holds at most
// max_open_sets sets whatever the flood's length; each set over the bound evicts the
// oldest (so the evicted ids are 0, 1, 2, ... in order), and expiry later drops exactly
// the sets still open.
TEST(IpReassembly, NeverCompletingFloodStaysBounded) {
  constexpr uint32_t kFlood = 40'000;
  Drops drops;
  const ReassemblyLimits limits;  // defaults: 4096 sets
  IpReassembler r(drops, limits);
  const Bytes d = datagram();
  std::span<const uint8_t> out;
  size_t peak = 0;
  for (uint32_t id = 0; id < kFlood; ++id) {
    ASSERT_EQ(r.add(frag(d, 0, 8, true, id), at(id, id + 1), out), R::pending);
    peak = std::max(peak, r.open_sets());
  }
  EXPECT_EQ(peak, limits.max_open_sets);
  EXPECT_EQ(r.open_sets(), limits.max_open_sets);
  EXPECT_EQ(r.buffered_bytes(), limits.max_open_sets * 8);
  ASSERT_EQ(drops.dropped.size(), kFlood - limits.max_open_sets);
  for (size_t i = 0; i < drops.dropped.size(); ++i) {
    ASSERT_EQ(drops.dropped[i].reason, DropReason::evicted);
    ASSERT_EQ(drops.dropped[i].id, i);
  }
  // The survivors are the newest 4096: all expire 30 s after the last one arrived.
  r.expire(kFlood - 1 + limits.expiry_us + 1);
  EXPECT_EQ(r.open_sets(), 0u);
  EXPECT_EQ(r.buffered_bytes(), 0u);
  EXPECT_EQ(drops.dropped.size(), size_t{kFlood});
  EXPECT_EQ(drops.dropped.back().reason, DropReason::expired);
  EXPECT_EQ(drops.dropped.back().id, kFlood - 1);
}

// Expiry follows capture time, not arrival order: a merged capture may step back in time.
TEST(IpReassembly, ExpiryOrderFollowsCaptureTime) {
  Drops drops;
  IpReassembler r(drops, {.max_open_sets = 16, .max_total_bytes = 1 << 20, .expiry_us = 10});
  const Bytes d = datagram();
  std::span<const uint8_t> out;
  EXPECT_EQ(r.add(frag(d, 0, 8, true, 1), at(100), out), R::pending);
  EXPECT_EQ(r.add(frag(d, 0, 8, true, 2), at(50), out), R::pending);  // earlier time
  r.expire(61);  // only set 2 is older than 10 us
  ASSERT_EQ(drops.dropped.size(), 1u);
  EXPECT_EQ(drops.dropped[0].id, 2u);
  EXPECT_EQ(r.open_sets(), 1u);
}

TEST(IpReassembly, OversizedFragmentIsRefused) {
  Drops drops;
  IpReassembler r(drops);
  const Bytes big(16, 1);
  IpFragment f = frag(big, 0, 16, false);
  f.offset = 65528;  // 65528 + 16 > 65535
  std::span<const uint8_t> out;
  EXPECT_EQ(r.add(f, at(0), out), R::oversized);
  EXPECT_EQ(r.open_sets(), 0u);
}

TEST(IpReassembly, BuffersAreReusedAfterTheFrame) {
  Drops drops;
  IpReassembler r(drops);
  const Bytes d = datagram();
  std::span<const uint8_t> out;
  for (int round = 0; round < 3; ++round) {
    r.begin_frame();
    EXPECT_EQ(r.add(frag(d, 0, 8, true), at(0), out), R::pending);
    ASSERT_EQ(r.add(frag(d, 8, 16, false), at(0), out), R::complete);
    EXPECT_EQ(as_bytes(out), d);  // valid until the next begin_frame()
  }
}

}  // namespace
}  // namespace sipscope::decode
