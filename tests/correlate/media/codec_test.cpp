// RFC 3551 §6 static payload table and encoding clock rates.
#include "correlate/media/codec.hpp"

#include <gtest/gtest.h>

namespace sipscope::correlate::media {
namespace {

TEST(Codec, StaticTable) {
  ASSERT_NE(static_payload(0), nullptr);
  EXPECT_EQ(static_payload(0)->name, "PCMU");
  EXPECT_EQ(static_payload(8)->name, "PCMA");
  EXPECT_EQ(static_payload(9)->clock_rate, 8000U);  // G722: 8000 per RFC 3551 Table 4
  EXPECT_EQ(static_payload(18)->name, "G729");
  EXPECT_EQ(static_payload(34)->clock_rate, 90000U);
  EXPECT_EQ(static_payload(1), nullptr);   // reserved
  EXPECT_EQ(static_payload(96), nullptr);  // dynamic
}

TEST(Codec, EncodingNames) {
  EXPECT_EQ(clock_rate_for_encoding("OPUS"), 48000U);
  EXPECT_EQ(clock_rate_for_encoding("x-unknown"), 0U);
  EXPECT_TRUE(is_telephone_event("telephone-event"));
  EXPECT_TRUE(is_comfort_noise(13, ""));
  EXPECT_FALSE(is_comfort_noise(0, "PCMU"));
}

}  // namespace
}  // namespace sipscope::correlate::media
