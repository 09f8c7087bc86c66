// Every real third-party capture in ../shared/corpus/pcaps goes through `analyze` with exit
// status 0 (damaged or unsupported content becomes anomalies, never a failure or a crash;
// the ASan build runs this too). Skipped with a message when the corpus is absent.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

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

// tshark's "Number of SIP messages" (sip,stat, taken with the per-file options of
// tshark-baseline/COMMANDS.md) for one capture.
int64_t tshark_sip_messages(const fs::path& capture) {
  const auto stat = fs::path(SIPSCOPE_CORPUS_DIR) / "tshark-baseline" /
                    (capture.filename().string() + ".sip_stat.txt");
  const std::string text = read_text(stat);
  const std::string key = "Number of SIP messages: ";
  const auto at = text.find(key);
  if (at == std::string::npos) return -1;
  return std::stoll(text.substr(at + key.size()));
}

// Captures whose SIP sipscope cannot read yet, each with the decoder it waits for. Every
// other capture must match tshark exactly; an entry here that starts matching fails the
// test too, so the list only ever shrinks.
const std::map<std::string, std::string> kPendingDecoder = {};

TEST(Corpus, SipMessageCountsEqualTshark) {
  const fs::path pcaps = fs::path(SIPSCOPE_CORPUS_DIR) / "pcaps";
  if (!fs::is_directory(pcaps)) GTEST_SKIP() << "corpus not present at " << pcaps;
  const auto dir = temp_dir("corpus-parity");
  for (const auto& e : fs::directory_iterator(pcaps)) {
    const auto& f = e.path();
    const int64_t want = tshark_sip_messages(f);
    ASSERT_GE(want, 0) << "no tshark baseline for " << f.filename();
    const std::string db = (dir / (f.filename().string() + ".db")).string();
    const auto r = run(sipscope_cmd("analyze " + shell_quote(f.string()) + " --db " +
                                    shell_quote(db) + " --quiet"),
                       dir);
    ASSERT_EQ(r.exit_code, 0) << f.filename() << ": " << r.err;
    const int64_t got = query_int(db, "SELECT COUNT(*) FROM messages");
    const auto pending = kPendingDecoder.find(f.filename().string());
    if (pending == kPendingDecoder.end()) {
      EXPECT_EQ(got, want) << f.filename() << ": sipscope stores " << got
                           << " SIP messages, tshark counts " << want;
    } else {
      EXPECT_NE(got, want) << f.filename() << " now matches tshark: remove it from kPendingDecoder";
    }
  }
}

}  // namespace
}  // namespace sipscope::testing
