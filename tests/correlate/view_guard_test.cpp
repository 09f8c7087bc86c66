// Compile-time proofs for correlate/ (issue 11 point 4): the trackers whose members point
// into the object itself cannot be copied, and the helpers that return views into their
// argument or into *this refuse temporaries. The static_asserts are the test.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "correlate/call_tracker.hpp"
#include "correlate/header_values.hpp"
#include "correlate/keepalive.hpp"
#include "correlate/media/media_tracker.hpp"
#include "correlate/media/sdp_bindings.hpp"

namespace sipscope::correlate {
namespace {

// Iterators or pointers into their own tables (a copy would point into the original).
static_assert(!std::is_copy_constructible_v<CallTracker> &&
              !std::is_copy_assignable_v<CallTracker>);
static_assert(!std::is_copy_constructible_v<media::MediaTracker> &&
              !std::is_copy_assignable_v<media::MediaTracker>);
static_assert(!std::is_copy_constructible_v<media::SdpBindings> &&
              !std::is_copy_assignable_v<media::SdpBindings>);
static_assert(!std::is_copy_constructible_v<PeerTracker> &&
              !std::is_copy_assignable_v<PeerTracker>);

template <typename In>
concept SplitsTokenParams = requires(In&& in) {
  split_token_params(std::forward<In>(in));
};
static_assert(SplitsTokenParams<std::string&> && SplitsTokenParams<std::string_view> &&
              SplitsTokenParams<const char (&)[7]> && !SplitsTokenParams<std::string>);

// PayloadInfo::encoding() views the object's own name array.
template <typename P>
concept NamesEncoding = requires(P&& p) {
  std::forward<P>(p).encoding();
};
static_assert(NamesEncoding<media::PayloadInfo&> && NamesEncoding<const media::PayloadInfo&> &&
              !NamesEncoding<media::PayloadInfo> && !NamesEncoding<const media::PayloadInfo>);

// The guards change nothing at run time.
TEST(ViewGuard, LvalueValueStillSplits) {
  const std::string value = "active;expires=600";
  const TokenParams tp = split_token_params(value);
  EXPECT_EQ(tp.token, "active");
  EXPECT_EQ(tp.params, ";expires=600");
}

}  // namespace
}  // namespace sipscope::correlate
