// The whole-pipeline fuzz target (tests/fuzz/pipeline_fuzz.cpp) replayed on its kept inputs
// (tests/fuzz/regressions/pipeline/) and the tiny inputs, in the normal test build.
#include "tests/fuzz/replay.hpp"

SIPSCOPE_FUZZ_REPLAY_TESTS(PipelineFuzzRegressions, kCliFuzzTargets)
