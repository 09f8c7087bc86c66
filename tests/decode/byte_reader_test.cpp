#include "decode/byte_reader.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace sipscope::decode {
namespace {

const std::vector<uint8_t> kData = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde};

TEST(ByteReader, ReadsBigEndian) {
  ByteReader r(kData);
  uint8_t a = 0;
  uint16_t b = 0;
  uint32_t c = 0;
  ASSERT_TRUE(r.read_u8(a));
  ASSERT_TRUE(r.read_u16(b));
  ASSERT_TRUE(r.read_u32(c));
  EXPECT_EQ(a, 0x12);
  EXPECT_EQ(b, 0x3456);  // network order: first byte most significant
  EXPECT_EQ(c, 0x789abcdeu);
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_EQ(r.offset(), 7u);
  EXPECT_TRUE(r.rest().empty());
}

TEST(ByteReader, FailedReadLeavesPositionAndOutput) {
  ByteReader r(kData);
  ASSERT_TRUE(r.skip(5));
  uint32_t v = 42;
  EXPECT_FALSE(r.read_u32(v));  // only 2 bytes left
  EXPECT_EQ(v, 42u);
  EXPECT_EQ(r.offset(), 5u);
  uint16_t w = 0;
  EXPECT_TRUE(r.read_u16(w));
  EXPECT_EQ(w, 0xbcde);
  uint8_t x = 7;
  EXPECT_FALSE(r.read_u8(x));
  EXPECT_FALSE(r.peek_u8(x));
  EXPECT_EQ(x, 7);
}

TEST(ByteReader, SkipAndSubspanAreBounded) {
  ByteReader r(kData);
  EXPECT_FALSE(r.skip(8));
  EXPECT_EQ(r.offset(), 0u);
  std::span<const uint8_t> s;
  EXPECT_FALSE(r.subspan(8, s));
  ASSERT_TRUE(r.subspan(3, s));
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s.data(), kData.data());  // a view, not a copy
  EXPECT_EQ(r.rest().size(), 4u);
  EXPECT_EQ(r.rest()[0], 0x78);
  EXPECT_TRUE(r.skip(4));
  EXPECT_TRUE(r.skip(0));
  EXPECT_FALSE(r.skip(1));
}

TEST(ByteReader, PeekDoesNotAdvance) {
  ByteReader r(kData);
  uint8_t p = 0;
  ASSERT_TRUE(r.peek_u8(p));
  EXPECT_EQ(p, 0x12);
  EXPECT_EQ(r.offset(), 0u);
}

TEST(ByteReader, EmptyInput) {
  ByteReader r(std::span<const uint8_t>{});
  uint16_t v = 0;
  EXPECT_FALSE(r.read_u16(v));
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_TRUE(r.skip(0));
}

}  // namespace
}  // namespace sipscope::decode
