// Replays every input kept in tests/fuzz/regressions/<target>/ (crashes found by the
// fuzzers, fixed, and seeds worth keeping) through the same entry function the fuzzer
// runs, in the normal test build. Compiled into decode_tests (tests/fuzz/CMakeLists.txt).
#include "tests/fuzz/replay.hpp"

namespace sipscope::fuzz {
namespace {

TEST(FuzzRegressions, EveryKeptInputRunsCleanly) {
  replay_kept_inputs(kFuzzTargets);
}

// The empty input and every single byte value: the cheapest edge cases of every target.
TEST(FuzzRegressions, TinyInputs) {
  replay_tiny_inputs(kFuzzTargets);
}

}  // namespace
}  // namespace sipscope::fuzz
