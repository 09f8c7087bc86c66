// The flat stream table: lookups after inserts, growth and backward-shift deletion.
#include "correlate/media/stream_table.hpp"

#include <gtest/gtest.h>

namespace sipscope::correlate::media {
namespace {

StreamKey key(uint32_t i) {
  StreamKey k;
  k.src = {decode::IpAddress::v4({10, 0, 0, 1}), static_cast<uint16_t>(10000 + (i % 50) * 2)};
  k.dst = {decode::IpAddress::v4({10, 0, 0, 2}), 20000};
  k.ssrc = i;
  return k;
}

TEST(StreamTable, InsertFindEraseAcrossGrowth) {
  StreamTable<int> t(16);
  for (uint32_t i = 0; i < 1000; ++i) t.insert(key(i)) = static_cast<int>(i);
  EXPECT_EQ(t.size(), 1000U);
  for (uint32_t i = 0; i < 1000; ++i) {
    int* v = t.find(key(i));
    ASSERT_NE(v, nullptr) << i;
    EXPECT_EQ(*v, static_cast<int>(i));
  }
  for (uint32_t i = 0; i < 1000; i += 2) EXPECT_TRUE(t.erase(key(i)));
  EXPECT_FALSE(t.erase(key(0)));
  EXPECT_EQ(t.size(), 500U);
  for (uint32_t i = 0; i < 1000; ++i) {
    int* v = t.find(key(i));
    if (i % 2 == 0) {
      EXPECT_EQ(v, nullptr) << i;
    } else {
      ASSERT_NE(v, nullptr) << i;  // probe chains survive the deletions
      EXPECT_EQ(*v, static_cast<int>(i));
    }
  }
  size_t seen = 0;
  t.for_each([&](const StreamKey&, int&) { ++seen; });
  EXPECT_EQ(seen, 500U);
}

TEST(StreamTable, KeyDistinguishesDirectionAndSsrc) {
  StreamTable<int> t;
  StreamKey a = key(1);
  StreamKey b = a;
  std::swap(b.src, b.dst);
  t.insert(a) = 1;
  EXPECT_EQ(t.find(b), nullptr);
  b = a;
  b.ssrc = 2;
  EXPECT_EQ(t.find(b), nullptr);
}

}  // namespace
}  // namespace sipscope::correlate::media
