// The non-call activity model held against tshark on the real third-party captures
// (../shared/corpus): from tshark's per-message table (tshark-baseline/*.sip_msgs.tsv) the
// requests outside calls (their Call-ID has no INVITE) are counted once per transaction,
// and compared with what sipscope's tables add up to:
//   OPTIONS  -> SUM(peers.pings)                  one per (Call-ID, CSeq, From-tag, hop)
//   SUBSCRIBE-> SUM(subscriptions.subscribes)     one per (Call-ID, CSeq, From-tag)
//   NOTIFY   -> SUM(subscriptions.notifies)       one per (Call-ID, CSeq, From-tag)
//   MESSAGE/PUBLISH -> activity rows with a frame one per (Call-ID, CSeq, From-tag, hop)
// (a retransmission repeats its key; a proxy's next hop repeats the CSeq and From-tag but
// not the addresses; a B2BUA leg changes the From-tag). Skipped when the corpus is absent.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "tests/cli/db_reader.hpp"
#include "tests/cli/run_command.hpp"

namespace sipscope::testing {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, '\t')) out.push_back(cell);
  return out;
}

// method -> transactions outside calls, from the baseline table.
std::map<std::string, size_t> tshark_counts(const fs::path& tsv) {
  std::ifstream in(tsv);
  std::string line;
  std::getline(in, line);  // header: frame.number ... sip.Method(13) ... sip.Call-ID(15)
  std::vector<std::vector<std::string>> rows;
  std::set<std::string> call_ids;
  while (std::getline(in, line)) {
    auto row = split_tabs(line);
    row.resize(20);
    if (row[13] == "INVITE") call_ids.insert(row[15]);
    rows.push_back(std::move(row));
  }
  std::map<std::string, std::set<std::string>> keys;
  for (const auto& r : rows) {
    const std::string& method = r[13];
    if (method != "OPTIONS" && method != "SUBSCRIBE" && method != "NOTIFY" && method != "MESSAGE" &&
        method != "PUBLISH") {
      continue;
    }
    if (call_ids.count(r[15]) != 0U) continue;
    std::string key = r[15] + '|' + r[16] + '|' + r[17];
    if (method == "OPTIONS" || method == "MESSAGE" || method == "PUBLISH") {
      key += '|' + r[2] + r[3] + '|' + r[4] + r[5];
    }
    keys[method].insert(key);
  }
  std::map<std::string, size_t> out;
  for (const auto& [m, k] : keys) out[m] = k.size();
  return out;
}

TEST(CorpusActivity, TransactionsOutsideCallsMatchTshark) {
  const fs::path corpus(SIPSCOPE_CORPUS_DIR);
  if (!fs::is_directory(corpus / "pcaps")) GTEST_SKIP() << "corpus not present at " << corpus;
  const auto dir = temp_dir("corpus-activity");
  int checked = 0;
  for (const auto& e : fs::directory_iterator(corpus / "pcaps")) {
    const fs::path tsv =
        corpus / "tshark-baseline" / (e.path().filename().string() + ".sip_msgs.tsv");
    if (!fs::exists(tsv)) continue;
    const auto want = tshark_counts(tsv);
    if (want.empty()) continue;
    const std::string db = (dir / (e.path().filename().string() + ".db")).string();
    const auto r = run(sipscope_cmd("analyze " + shell_quote(e.path().string()) + " --db " +
                                    shell_quote(db) + " --quiet"),
                       dir);
    ASSERT_EQ(r.exit_code, 0) << e.path().filename() << ": " << r.err;
    ++checked;
    auto count = [&](const std::string& m) {
      const auto it = want.find(m);
      return static_cast<int64_t>(it == want.end() ? 0 : it->second);
    };
    const std::string name = e.path().filename().string();
    EXPECT_EQ(query_int(db, "SELECT COALESCE(SUM(pings), 0) FROM peers"), count("OPTIONS")) << name;
    EXPECT_EQ(query_int(db, "SELECT COALESCE(SUM(subscribes), 0) FROM subscriptions"),
              count("SUBSCRIBE"))
        << name;
    EXPECT_EQ(query_int(db, "SELECT COALESCE(SUM(notifies), 0) FROM subscriptions"),
              count("NOTIFY"))
        << name;
    EXPECT_EQ(query_int(db, "SELECT COUNT(*) FROM activity WHERE method = 'MESSAGE'"),
              count("MESSAGE"))
        << name;
    EXPECT_EQ(query_int(db, "SELECT COUNT(*) FROM activity WHERE method = 'PUBLISH'"),
              count("PUBLISH"))
        << name;
  }
  EXPECT_GT(checked, 0)
      << "no corpus capture has non-call OPTIONS/SUBSCRIBE/NOTIFY/MESSAGE/PUBLISH";
}

}  // namespace
}  // namespace sipscope::testing
