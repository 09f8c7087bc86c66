// Shared by the live capture tests (tests/cli/live_*_test.cpp): SIPp scenario truth, waiting
// for a capture to be ready, starting and stopping it.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/cli/child_process.hpp"
#include "tests/cli/db_reader.hpp"
#include "tests/cli/run_command.hpp"

namespace sipscope::testing {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

inline int count_of(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

// Lines of a command's standard output (tshark prints one per packet).
inline int64_t output_lines(const std::string& command, const fs::path& dir) {
  return count_of(run(command, dir).out, "\n");
}

// Messages of one call on the wire: every <send> of the uac scenario and of the uas
// scenario is sent once per call (each <recv> is the other side's <send>), retransmissions
// aside, which a lossless loopback at this rate does not cause.
inline int scenario_messages(const fs::path& dir, const std::string& uac, const std::string& uas) {
  const auto a = run("sipp -sd " + uac, dir);
  const auto b = run("sipp -sd " + uas, dir);
  return count_of(a.out, "<send") + count_of(b.out, "<send");
}

inline bool tool_present(const std::string& tool) {
  return std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) == 0;
}

inline void require_live_capture() {
  if (geteuid() != 0) GTEST_SKIP() << "live capture needs root (CI runs as root)";
  ASSERT_TRUE(tool_present("sipp")) << "sipp missing: scripts/install-deps.sh --test";
}

// Waits until the capture has opened its interfaces and written its captures row.
inline bool wait_ready(const fs::path& db, Child& capture) {
  for (int i = 0; i < 100; ++i) {
    if (capture.wait_exit(milliseconds(0))) return false;
    if (fs::exists(db)) {
      try {
        if (query_int(db.string(), "SELECT count(*) FROM captures") > 0) return true;
      } catch (const std::exception&) {
        // created but not yet committed
      }
    }
    std::this_thread::sleep_for(milliseconds(100));
  }
  return false;
}

inline std::vector<std::string> capture_argv(const fs::path& db, const std::string& filter) {
  return {SIPSCOPE_EXE, "capture", "-i", "lo", "--db", db.string(), "--filter", filter};
}

// Stops with `sig` and returns how long the exit took.
inline milliseconds stop(Child& capture, int sig, std::optional<int>& status) {
  const auto t0 = std::chrono::steady_clock::now();
  capture.signal(sig);
  status = capture.wait_exit(seconds(10));
  return std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - t0);
}

inline int64_t wall_us() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace sipscope::testing
