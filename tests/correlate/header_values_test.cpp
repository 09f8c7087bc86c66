#include "correlate/header_values.hpp"

#include <gtest/gtest.h>

namespace sipscope::correlate {
namespace {

TEST(HeaderValues, DeltaSeconds) {
  EXPECT_EQ(delta_seconds("3600"), 3600);
  EXPECT_EQ(delta_seconds(" 0 "), 0);
  EXPECT_EQ(delta_seconds("99999999999"), 4294967295);  // RFC 3261 §20.19: capped
  EXPECT_FALSE(delta_seconds(""));
  EXPECT_FALSE(delta_seconds("-1"));
  EXPECT_FALSE(delta_seconds("90;refresher=uac"));
  EXPECT_FALSE(delta_seconds("999999999999999999999999"));
}

TEST(HeaderValues, TokenAndParams) {
  auto tp = split_token_params(" terminated ;reason=timeout");
  EXPECT_EQ(tp.token, "terminated");
  EXPECT_EQ(tp.params, ";reason=timeout");
  tp = split_token_params("presence");
  EXPECT_EQ(tp.token, "presence");
  EXPECT_EQ(tp.params, "");
}

TEST(HeaderValues, UriUser) {
  EXPECT_EQ(uri_user("sip:alice@example.com"), "alice");
  EXPECT_EQ(uri_user("tel:+15551230002"), "+15551230002");
  EXPECT_FALSE(uri_user("sip:example.com"));
  EXPECT_FALSE(uri_user(""));
}

}  // namespace
}  // namespace sipscope::correlate
