#include "decode/sctp.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <string>
#include <vector>

#include "tests/decode/frame_builder.hpp"
#include "tests/decode/hep_sctp_builder.hpp"

namespace sipscope::decode {
namespace {

using test::Bytes;

using test::sctp;
Bytes data_chunk(uint8_t flags, uint32_t tsn, const Bytes& payload, uint16_t sid = 0,
                 uint16_t ssn = 0) {
  return test::sctp_data(flags, tsn, payload, sid, ssn);
}

TEST(Sctp, CommonHeaderAndBundledChunks) {
  const Bytes p = sctp(57098, 5060,
                       test::cat(data_chunk(0x03, 7, test::bytes_of("abcde"), 1, 9),
                                 data_chunk(0x07, 8, test::bytes_of("xy"))));
  SctpPacket pk;
  ASSERT_EQ(decode_sctp(p, pk), SctpError::ok);
  EXPECT_EQ(pk.src_port, 57098);
  EXPECT_EQ(pk.dst_port, 5060);
  EXPECT_EQ(pk.verification_tag, 0x138d67a4u);
  SctpChunkReader r(pk.chunks);
  SctpChunk c;
  SctpData d;
  ASSERT_EQ(r.next(c), SctpError::ok);
  ASSERT_TRUE(is_data_chunk(c.type));
  ASSERT_EQ(decode_data_chunk(c, d), SctpError::ok);
  EXPECT_TRUE(d.begin && d.end);
  EXPECT_FALSE(d.unordered);
  EXPECT_EQ(d.tsn, 7u);
  EXPECT_EQ(d.stream, 1);
  EXPECT_EQ(d.ssn, 9);
  EXPECT_EQ(std::string(d.payload.begin(), d.payload.end()), "abcde");  // padding excluded
  ASSERT_EQ(r.next(c), SctpError::ok);
  ASSERT_EQ(decode_data_chunk(c, d), SctpError::ok);
  EXPECT_TRUE(d.unordered && d.begin && d.end);
  EXPECT_EQ(std::string(d.payload.begin(), d.payload.end()), "xy");
  EXPECT_EQ(r.next(c), SctpError::end);
}

TEST(Sctp, LastChunkPaddingMayBeMissing) {
  Bytes chunk = data_chunk(0x03, 1, test::bytes_of("abcde"));
  chunk.resize(16 + 5);  // drop the 3 padding bytes
  SctpChunkReader r(chunk);
  SctpChunk c;
  ASSERT_EQ(r.next(c), SctpError::ok);
  EXPECT_EQ(c.value.size(), 12u + 5u);
  EXPECT_EQ(r.next(c), SctpError::end);
}

TEST(Sctp, MalformedChunks) {
  SctpPacket pk;
  const Bytes short_header(11, 0);
  EXPECT_EQ(decode_sctp(short_header, pk), SctpError::truncated);
  SctpChunk c;
  {
    const Bytes b = {0, 0, 0, 3};
    SctpChunkReader r(b);  // length 3 < chunk header
    EXPECT_EQ(r.next(c), SctpError::bad_chunk);
    EXPECT_EQ(r.next(c), SctpError::end);  // reading stops after an error
  }
  {
    const Bytes b = {0, 3, 0, 40, 1, 2};
    SctpChunkReader r(b);  // announces 40 bytes, holds 6
    EXPECT_EQ(r.next(c), SctpError::truncated);
  }
  {
    const Bytes b = {0, 3, 0};
    SctpChunkReader r(b);
    EXPECT_EQ(r.next(c), SctpError::truncated);
  }
  // A DATA chunk shorter than its 16-byte header.
  const Bytes short_data = {0, 3, 0, 8, 0, 0, 0, 1};
  SctpChunkReader r(short_data);
  ASSERT_EQ(r.next(c), SctpError::ok);
  SctpData d;
  EXPECT_EQ(decode_data_chunk(c, d), SctpError::bad_chunk);
  EXPECT_EQ(sctp_error_anomaly(SctpError::truncated), AnomalyKind::truncated_sctp);
  EXPECT_EQ(sctp_error_anomaly(SctpError::bad_chunk), AnomalyKind::sctp_bad_chunk);
}

TEST(Sctp, IDataChunkFields) {
  // RFC 8260 §2.1: type 64, length, TSN, stream id, reserved, MID, PPID (B) or FSN.
  Bytes b = {64, 0x02};
  test::put16(b, 20 + 2);
  test::put32(b, 100);
  test::put16(b, 3);
  test::put16(b, 0);
  test::put32(b, 55);  // MID
  test::put32(b, 46);  // PPID, since B is set
  b.push_back('h');
  b.push_back('i');
  SctpChunkReader r(b);
  SctpChunk c;
  ASSERT_EQ(r.next(c), SctpError::ok);
  SctpData d;
  ASSERT_EQ(decode_data_chunk(c, d), SctpError::ok);
  EXPECT_TRUE(d.i_data);
  EXPECT_TRUE(d.begin);
  EXPECT_FALSE(d.end);
  EXPECT_EQ(d.tsn, 100u);
  EXPECT_EQ(d.stream, 3);
  EXPECT_EQ(d.mid, 55u);
  EXPECT_EQ(d.ppid, 46u);
  EXPECT_EQ(d.fsn, 0u);
  EXPECT_EQ(std::string(d.payload.begin(), d.payload.end()), "hi");
}

// ---- reassembly ----

struct Drops : SctpDropSink {
  void on_sctp_dropped(const SctpDroppedMessage& d) override { drops.push_back(d); }
  std::vector<SctpDroppedMessage> drops;
};

const SctpFlow kFlow{Endpoint{IpAddress::v4(test::kHostA), 57098},
                     Endpoint{IpAddress::v4(test::kHostB), 5060}, 0x138d67a4};

SctpData frag(bool b, bool e, uint32_t tsn, const std::string& text, bool unordered = true) {
  static std::deque<std::string> keep;  // stable addresses: payload views outlive add()
  keep.push_back(text);
  SctpData d;
  d.begin = b;
  d.end = e;
  d.unordered = unordered;
  d.tsn = tsn;
  d.payload = {reinterpret_cast<const uint8_t*>(keep.back().data()), keep.back().size()};
  return d;
}
FrameRef at(int64_t ts_us, uint64_t n = 1) {
  return FrameRef{1, n, ts_us};
}
std::string text(std::span<const uint8_t> s) {
  return {s.begin(), s.end()};
}

TEST(SctpReassembly, TwoFragmentsInEitherOrder) {
  for (bool reverse : {false, true}) {
    Drops drops;
    SctpReassembler r(drops);
    std::span<const uint8_t> m;
    const SctpData first = frag(true, false, 0, "INVITE ");
    const SctpData last = frag(false, true, 1, "sip:x");
    ASSERT_EQ(r.add(kFlow, reverse ? last : first, at(1), m), SctpReassembler::AddResult::pending);
    ASSERT_EQ(r.add(kFlow, reverse ? first : last, at(2), m), SctpReassembler::AddResult::complete);
    EXPECT_EQ(text(m), "INVITE sip:x");
    EXPECT_EQ(r.fragments(), 0u);
    EXPECT_EQ(r.buffered_bytes(), 0u);
    r.finish();
    EXPECT_TRUE(drops.drops.empty());
  }
}

TEST(SctpReassembly, DuplicateMiddleAndTsnWrap) {
  Drops drops;
  SctpReassembler r(drops);
  std::span<const uint8_t> m;
  ASSERT_EQ(r.add(kFlow, frag(true, false, 0xffffffff, "a"), at(1), m),
            SctpReassembler::AddResult::pending);
  ASSERT_EQ(r.add(kFlow, frag(false, false, 0, "b"), at(1), m),
            SctpReassembler::AddResult::pending);
  ASSERT_EQ(r.add(kFlow, frag(false, false, 0, "b"), at(1), m),
            SctpReassembler::AddResult::duplicate);
  ASSERT_EQ(r.add(kFlow, frag(false, true, 1, "c"), at(1), m),
            SctpReassembler::AddResult::complete);
  EXPECT_EQ(text(m), "abc");
}

TEST(SctpReassembly, GapNeverCompletesAndIsReportedAtFinish) {
  Drops drops;
  SctpReassembler r(drops);
  std::span<const uint8_t> m;
  ASSERT_EQ(r.add(kFlow, frag(true, false, 10, "a"), at(5, 3), m),
            SctpReassembler::AddResult::pending);
  ASSERT_EQ(r.add(kFlow, frag(false, true, 12, "cc"), at(6, 4), m),
            SctpReassembler::AddResult::pending);
  r.finish();
  ASSERT_EQ(drops.drops.size(), 1u);
  EXPECT_EQ(drops.drops[0].reason, SctpDropReason::unfinished);
  EXPECT_EQ(drops.drops[0].fragments, 2u);
  EXPECT_EQ(drops.drops[0].bytes, 3u);
  EXPECT_EQ(drops.drops[0].first_frame.number, 3u);
  EXPECT_EQ(r.fragments(), 0u);
}

TEST(SctpReassembly, ExpiryByCaptureTimeAndEviction) {
  Drops drops;
  SctpReassembler r(drops, {.max_fragments = 2, .expiry_us = 1'000'000});
  std::span<const uint8_t> m;
  (void)r.add(kFlow, frag(true, false, 1, "a"), at(0), m);
  r.expire(1'000'000);  // exactly the expiry time: kept
  EXPECT_TRUE(drops.drops.empty());
  r.expire(1'000'001);
  ASSERT_EQ(drops.drops.size(), 1u);
  EXPECT_EQ(drops.drops[0].reason, SctpDropReason::expired);

  SctpFlow other = kFlow;
  other.verification_tag = 1;
  (void)r.add(kFlow, frag(true, false, 1, "a"), at(2), m);
  (void)r.add(kFlow, frag(true, false, 5, "b"), at(2), m);
  (void)r.add(other, frag(true, false, 1, "c"), at(2), m);  // table full: kFlow evicted
  ASSERT_EQ(drops.drops.size(), 2u);
  EXPECT_EQ(drops.drops[1].reason, SctpDropReason::evicted);
  EXPECT_EQ(drops.drops[1].fragments, 2u);
  EXPECT_EQ(r.fragments(), 1u);
}

// Issue 12: middle fragments of messages that never complete, each on its own association.
// The table never holds more than max_fragments; the association of the oldest fragment
// is evicted (one report per association, oldest first).
TEST(SctpReassembly, NeverCompletingFloodStaysBounded) {
  constexpr uint32_t kFlood = 40'000;
  Drops drops;
  const SctpLimits limits;  // defaults: 1024 fragments
  SctpReassembler r(drops, limits);
  std::span<const uint8_t> m;
  size_t peak = 0;
  for (uint32_t i = 0; i < kFlood; ++i) {
    SctpFlow flow = kFlow;
    flow.verification_tag = i;
    ASSERT_EQ(r.add(flow, frag(false, false, 100, "x"), at(i), m),
              SctpReassembler::AddResult::pending);
    peak = std::max(peak, r.fragments());
  }
  EXPECT_EQ(peak, limits.max_fragments);
  EXPECT_EQ(r.fragments(), limits.max_fragments);
  EXPECT_EQ(r.buffered_bytes(), limits.max_fragments);
  ASSERT_EQ(drops.drops.size(), kFlood - limits.max_fragments);
  for (size_t i = 0; i < drops.drops.size(); ++i) {
    ASSERT_EQ(drops.drops[i].reason, SctpDropReason::evicted);
    ASSERT_EQ(drops.drops[i].flow.verification_tag, i);
    ASSERT_EQ(drops.drops[i].fragments, 1u);
  }
  r.expire(kFlood - 1 + limits.expiry_us + 1);
  EXPECT_EQ(r.fragments(), 0u);
  EXPECT_EQ(drops.drops.size(), size_t{kFlood});
  EXPECT_EQ(drops.drops.back().reason, SctpDropReason::expired);
}

// Expired fragments are reported once per association, with the count and bytes of that
// association's expired fragments only.
TEST(SctpReassembly, ExpiryGroupsByAssociation) {
  Drops drops;
  SctpReassembler r(drops, {.expiry_us = 10});
  SctpFlow other = kFlow;
  other.verification_tag = 1;
  std::span<const uint8_t> m;
  (void)r.add(kFlow, frag(false, false, 10, "aa"), at(0, 1), m);
  (void)r.add(other, frag(false, false, 10, "b"), at(1, 2), m);
  (void)r.add(kFlow, frag(false, false, 12, "ccc"), at(2, 3), m);
  (void)r.add(kFlow, frag(false, false, 14, "d"), at(50, 4), m);  // not expired yet
  r.expire(20);
  ASSERT_EQ(drops.drops.size(), 2u);
  EXPECT_EQ(drops.drops[0].flow, kFlow);
  EXPECT_EQ(drops.drops[0].fragments, 2u);
  EXPECT_EQ(drops.drops[0].bytes, 5u);
  EXPECT_EQ(drops.drops[0].first_frame.number, 1u);
  EXPECT_EQ(drops.drops[1].flow, other);
  EXPECT_EQ(drops.drops[1].fragments, 1u);
  EXPECT_EQ(r.fragments(), 1u);
}

TEST(SctpReassembly, OversizedMessageIsDropped) {
  Drops drops;
  SctpReassembler r(drops, {.max_message_bytes = 4});
  std::span<const uint8_t> m;
  (void)r.add(kFlow, frag(true, false, 1, "abc"), at(0), m);
  EXPECT_EQ(r.add(kFlow, frag(false, true, 2, "de"), at(0), m),
            SctpReassembler::AddResult::pending);
  ASSERT_EQ(drops.drops.size(), 1u);
  EXPECT_EQ(drops.drops[0].reason, SctpDropReason::oversized);
  EXPECT_EQ(drops.drops[0].bytes, 5u);
  EXPECT_EQ(r.fragments(), 0u);
}

TEST(SctpReassembly, IDataUsesFsnPerMessageId) {
  Drops drops;
  SctpReassembler r(drops);
  std::span<const uint8_t> m;
  auto idata = [](bool b, bool e, uint32_t mid, uint32_t fsn, const std::string& t) {
    SctpData d = frag(b, e, 999, t, false);  // TSN is irrelevant for I-DATA ordering
    d.i_data = true;
    d.mid = mid;
    d.fsn = fsn;
    return d;
  };
  // Two messages interleaved (RFC 8260 allows it): MID 1 = "ab", MID 2 = "xyz".
  EXPECT_EQ(r.add(kFlow, idata(true, false, 1, 0, "a"), at(0), m),
            SctpReassembler::AddResult::pending);
  EXPECT_EQ(r.add(kFlow, idata(true, false, 2, 0, "x"), at(0), m),
            SctpReassembler::AddResult::pending);
  EXPECT_EQ(r.add(kFlow, idata(false, false, 2, 1, "y"), at(0), m),
            SctpReassembler::AddResult::pending);
  ASSERT_EQ(r.add(kFlow, idata(false, true, 1, 1, "b"), at(0), m),
            SctpReassembler::AddResult::complete);
  EXPECT_EQ(text(m), "ab");
  ASSERT_EQ(r.add(kFlow, idata(false, true, 2, 2, "z"), at(0), m),
            SctpReassembler::AddResult::complete);
  EXPECT_EQ(text(m), "xyz");
}

}  // namespace
}  // namespace sipscope::decode
