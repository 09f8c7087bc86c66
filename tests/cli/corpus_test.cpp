// Every real third-party capture in ../shared/corpus/pcaps goes through `analyze` with exit
// status 0 (damaged or unsupported content becomes anomalies, never a failure or a crash;
// the ASan build runs this too). Skipped with a message when the corpus is absent.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/cli/db_reader.hpp"
#include "tests/cli/run_command.hpp"

namespace sipscope::testing {
namespace {

namespace fs = std::filesystem;

TEST(Corpus, AnalyzeExitsZeroOnEveryCapture) {
  const fs::path pcaps = fs::path(SIPSCOPE_CORPUS_DIR) / "pcaps";
  if (!fs::is_directory(pcaps)) GTEST_SKIP() << "corpus not present at " << pcaps;
  const auto dir = temp_dir("corpus");
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(pcaps)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty());
  for (const auto& f : files) {
    const std::string db = (dir / (f.filename().string() + ".db")).string();
    const auto r = run(sipscope_cmd("analyze " + shell_quote(f.string()) + " --db " +
                                    shell_quote(db) + " --quiet"),
                       dir);
    EXPECT_EQ(r.exit_code, 0) << f.filename() << ": " << r.err;
    if (r.exit_code == 0) {
      EXPECT_EQ(query_int(db, "SELECT COUNT(*) FROM captures WHERE status = 'complete'"), 1)
          << f.filename();
    }
  }
}

}  // namespace
}  // namespace sipscope::testing
