// The redact fuzz target (tests/fuzz/redact_fuzz.cpp) replayed on its kept inputs
// (tests/fuzz/regressions/redact/) and the tiny inputs, in the normal test build.
#include "tests/fuzz/replay.hpp"

SIPSCOPE_FUZZ_REPLAY_TESTS(RedactFuzzRegressions, kExportFuzzTargets)
