// Replays fuzz targets outside libFuzzer: every input kept in tests/fuzz/regressions/<target>/
// and the tiny inputs (empty, each single byte), through the same entry function.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <vector>

#include "tests/fuzz/targets.hpp"

namespace sipscope::fuzz {

inline std::vector<uint8_t> read_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void replay_kept_inputs(std::span<const FuzzTarget> targets) {
  namespace fs = std::filesystem;
  const fs::path root = fs::path(SIPSCOPE_SOURCE_DIR) / "tests" / "fuzz" / "regressions";
  for (const FuzzTarget& t : targets) {
    const fs::path dir = root / std::string(t.name);
    ASSERT_TRUE(fs::is_directory(dir)) << "missing " << dir;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.is_regular_file() && e.path().filename().string().front() != '.') {
        files.push_back(e.path());
      }
    }
    std::sort(files.begin(), files.end());
    EXPECT_FALSE(files.empty()) << dir << " holds no input";
    for (const fs::path& f : files) {
      SCOPED_TRACE(f.string());
      const std::vector<uint8_t> bytes = read_bytes(f);
      // A crash or sanitizer report here is the failure; the return value is always 0.
      EXPECT_EQ(t.entry(bytes.data(), bytes.size()), 0);
    }
  }
}

// The empty input and every single byte value: the cheapest edge cases of every target.
inline void replay_tiny_inputs(std::span<const FuzzTarget> targets) {
  for (const FuzzTarget& t : targets) {
    SCOPED_TRACE(std::string(t.name));
    EXPECT_EQ(t.entry(nullptr, 0), 0);
    for (int b = 0; b < 256; ++b) {
      const auto byte = static_cast<uint8_t>(b);
      EXPECT_EQ(t.entry(&byte, 1), 0);
    }
  }
}

}  // namespace sipscope::fuzz

// The two replay tests of a module's fuzz targets (tests/<module>/*_fuzz_replay_test.cpp):
//   SIPSCOPE_FUZZ_REPLAY_TESTS(RedactFuzzRegressions, kExportFuzzTargets)
#define SIPSCOPE_FUZZ_REPLAY_TESTS(suite, targets)               \
  TEST(suite, EveryKeptInputRunsCleanly) {                       \
    sipscope::fuzz::replay_kept_inputs(sipscope::fuzz::targets); \
  }                                                              \
  TEST(suite, TinyInputs) {                                      \
    sipscope::fuzz::replay_tiny_inputs(sipscope::fuzz::targets); \
  }
