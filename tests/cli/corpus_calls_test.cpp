// Calls of every real third-party capture in ../shared/corpus against an independent
// derivation from tshark's dissection: tests/cli/call_oracle.py reads the corpus baseline
// F.sip_msgs.tsv (tshark fields, tshark-baseline/COMMANDS.md) and applies docs/states.md's
// definitions by hand. state, final_code, hangup_by, start/ring/answer/end, PDD and
// duration of each call must match, and sipscope must store no call the derivation does
// not know. Skipped with a message when the corpus or python3 is absent.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "tests/cli/db_reader.hpp"
#include "tests/cli/run_command.hpp"

namespace sipscope::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Calls where sipscope and the derivation disagree on purpose, with the evidence.
const std::map<std::string, std::string> kKnownDifferences = {
    {"c3eF6f58-363323Cd-8058EB88-10300252@fe80:0:0:0:21a:a0ff:fe07:32e0",
     "heplify_sip_ipv6.pcap: the six frames are years apart (1328589362 s ... 3867576602 s); "
     "sipscope closes the unanswered INVITE after Timer B (32 s of capture time) and each "
     "later message opens a new row; the derivation ignores time"},
    {"1-4247@10.0.2.20",
     "pcpp_sip_reqs.pcap frame 4: a BYE cut inside its Content-Length header (snaplen); "
     "tshark's sip,stat does not count it either, sipscope records sip_bad_header_line"},
};

bool equal(const json& want, const Value& got) {
  if (want.is_null()) return std::holds_alternative<std::monostate>(got);
  if (want.is_string()) {
    const auto* s = std::get_if<std::string>(&got);
    return s != nullptr && *s == want.get<std::string>();
  }
  if (const auto* i = std::get_if<int64_t>(&got)) {
    return want.is_number_integer()
               ? *i == want.get<int64_t>()
               : std::fabs(static_cast<double>(*i) - want.get<double>()) < 0.01;
  }
  if (const auto* d = std::get_if<double>(&got)) return std::fabs(*d - want.get<double>()) < 0.01;
  return false;
}

TEST(CorpusCalls, MatchTheDerivationFromTshark) {
  const fs::path corpus(SIPSCOPE_CORPUS_DIR);
  if (!fs::is_directory(corpus / "pcaps")) GTEST_SKIP() << "corpus not present at " << corpus;
  if (std::system("python3 -c 1 >/dev/null 2>&1") != 0) GTEST_SKIP() << "python3 not installed";
  const auto dir = temp_dir("corpus-calls");
  const std::string oracle = std::string(SIPSCOPE_SOURCE_DIR) + "/tests/cli/call_oracle.py";
  int compared = 0;
  for (const auto& e : fs::directory_iterator(corpus / "pcaps")) {
    const std::string name = e.path().filename().string();
    const std::string db = (dir / (name + ".db")).string();
    ASSERT_EQ(run(sipscope_cmd("analyze " + shell_quote(e.path().string()) + " --db " +
                               shell_quote(db) + " --quiet"),
                  dir)
                  .exit_code,
              0)
        << name;
    const auto tsv = corpus / "tshark-baseline" / (name + ".sip_msgs.tsv");
    const std::string end = std::to_string(query_int(db, "SELECT MAX(last_us) FROM captures"));
    const auto derived =
        run("python3 " + shell_quote(oracle) + " " + shell_quote(tsv.string()) + " " + end, dir);
    ASSERT_EQ(derived.exit_code, 0) << name << ": " << derived.err;
    const json want = json::parse(derived.out);

    std::map<std::string, std::vector<Row>> stored;
    for (auto& row : query(db, "SELECT * FROM calls ORDER BY id"))
      stored[std::get<std::string>(row.at("sip_call_id"))].push_back(std::move(row));
    for (const auto& [call_id, fields] : want["calls"].items()) {
      if (kKnownDifferences.count(call_id) != 0) continue;
      if (std::find(want["ambiguous"].begin(), want["ambiguous"].end(), call_id) !=
          want["ambiguous"].end())
        continue;
      const auto rows = stored.find(call_id);
      if (rows == stored.end()) {
        ADD_FAILURE() << name << ": no call " << call_id << " (derived " << fields.dump() << ")";
        continue;
      }
      EXPECT_EQ(rows->second.size(), 1u) << name << " " << call_id;
      for (const auto& [field, value] : fields.items()) {
        EXPECT_TRUE(equal(value, rows->second.front().at(field)))
            << name << " " << call_id << " " << field << ": derived " << value.dump();
      }
      ++compared;
    }
    for (const auto& [call_id, rows] : stored) {
      EXPECT_TRUE(want["calls"].contains(call_id) || kKnownDifferences.count(call_id) != 0)
          << name << ": sipscope stores call " << call_id << " the derivation does not know";
    }
  }
  EXPECT_GT(compared, 100);  // 119 calls in the corpus at the time of writing
}

}  // namespace
}  // namespace sipscope::testing
