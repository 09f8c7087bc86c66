// The redact fuzz target (tests/fuzz/redact_fuzz.cpp) replayed on its kept inputs
// (tests/fuzz/regressions/redact/) and the tiny inputs, in the normal test build.
#include "tests/fuzz/replay.hpp"

namespace sipscope::fuzz {
namespace {

TEST(RedactFuzzRegressions, EveryKeptInputRunsCleanly) {
  replay_kept_inputs(kExportFuzzTargets);
}

TEST(RedactFuzzRegressions, TinyInputs) {
  replay_tiny_inputs(kExportFuzzTargets);
}

}  // namespace
}  // namespace sipscope::fuzz
