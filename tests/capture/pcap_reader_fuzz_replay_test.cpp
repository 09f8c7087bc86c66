// The pcap_reader fuzz target (tests/fuzz/pcap_reader_fuzz.cpp) replayed on its kept inputs
// (tests/fuzz/regressions/pcap_reader/) and the tiny inputs, in the normal test build.
#include "tests/fuzz/replay.hpp"

SIPSCOPE_FUZZ_REPLAY_TESTS(PcapReaderFuzzRegressions, kCaptureFuzzTargets)
