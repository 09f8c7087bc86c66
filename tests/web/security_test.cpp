// web/security.hpp: which listen addresses count as loopback (no token needed, docs/web.md
// "Security") and the constant-time token comparison. Expected values: RFC 1122 3.2.1.3
// (127.0.0.0/8 is loopback), RFC 4291 2.5.3 (::1).
#include "web/security.hpp"

#include <gtest/gtest.h>

namespace sipscope::web {
namespace {

TEST(WebSecurity, LoopbackIsAnAddressIn127Slash8OrColonColon1) {
  for (const char* host : {"127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"}) {
    EXPECT_TRUE(is_loopback(host)) << host;
  }
  // Names that merely start like a loopback address resolve wherever their owner says.
  for (const char* host : {"127.0.0.1.example.com", "127.attacker.example", "0.0.0.0",
                           "::", "10.0.0.1", "128.0.0.1", "::2", "", "[::1", "localhost.example"}) {
    EXPECT_FALSE(is_loopback(host)) << host;
  }
}

TEST(WebSecurity, TokenEqualsOnlyTheWholeToken) {
  EXPECT_TRUE(token_equals("sEcr3t-t0ken", "sEcr3t-t0ken"));
  EXPECT_FALSE(token_equals("sEcr3t-t0keX", "sEcr3t-t0ken"));
  EXPECT_FALSE(token_equals("sEcr3t-t0ke", "sEcr3t-t0ken"));
  EXPECT_FALSE(token_equals("sEcr3t-t0ken!", "sEcr3t-t0ken"));
  EXPECT_FALSE(token_equals("", ""));
}

}  // namespace
}  // namespace sipscope::web
