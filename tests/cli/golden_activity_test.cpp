// Golden tests of the non-call activity model and session timers: every capture under
// samples/activity/ is analysed by the real binary and the rows of `peers`, `peer_events`,
// `subscriptions`, `activity` and the session_timer_expired diagnostics are compared with
// the expectations the generator recorded beside the capture (truth keys of the same names;
// samples/generator/activity.cpp derives them from what it sent). Only the fields a truth
// row lists are compared; JSON null means NULL. Rows are matched in time order, and the
// number of rows must be equal, so "no such row" is checked too.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <type_traits>
#include <variant>

#include "tests/cli/db_reader.hpp"
#include "tests/cli/run_command.hpp"

namespace sipscope::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json as_json(const Value& v) {
  return std::visit(
      [](const auto& x) -> json {
        if constexpr (std::is_same_v<std::decay_t<decltype(x)>, std::monostate>) {
          return nullptr;
        } else {
          return x;
        }
      },
      v);
}

// Equal as JSON values, numbers within 0.001 (times are integers, ms values reals).
bool same(const json& expected, const json& stored) {
  if (expected.is_number() && stored.is_number()) {
    return std::fabs(expected.get<double>() - stored.get<double>()) < 0.001;
  }
  return expected == stored;
}

// truth key -> the query whose rows it lists, in the order the generator wrote them.
struct Table {
  const char* key;
  const char* sql;
};
constexpr Table kTables[] = {
    {"peers", "SELECT * FROM peers ORDER BY first_us, peer_ip"},
    {"peer_events", "SELECT * FROM peer_events ORDER BY ts_us, peer_ip"},
    {"subscriptions", "SELECT * FROM subscriptions ORDER BY start_us, id"},
    {"activity", "SELECT * FROM activity ORDER BY start_us, id"},
    {"session_timer_diagnostics",
     "SELECT c.sip_call_id, d.kind, d.ts_us FROM diagnostics d JOIN calls c ON c.id = d.call_id "
     "WHERE d.kind = 'session_timer_expired' ORDER BY d.ts_us"},
};

std::vector<fs::path> activity_samples() {
  std::vector<fs::path> out;
  const fs::path dir = fs::path(SIPSCOPE_SOURCE_DIR) / "samples" / "activity";
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".pcap") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class GoldenActivity : public ::testing::TestWithParam<fs::path> {};

TEST_P(GoldenActivity, TablesMatchGroundTruth) {
  const fs::path capture = GetParam();
  const fs::path truth_path = capture.parent_path() / (capture.stem().string() + ".truth.json");
  const json truth = json::parse(read_text(truth_path));
  const auto dir = temp_dir("golden-activity-" + capture.stem().string());
  const std::string db = (dir / "out.db").string();
  const auto r = run(sipscope_cmd("analyze " + shell_quote(capture.string()) + " --db " +
                                  shell_quote(db) + " --quiet"),
                     dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int compared = 0;
  for (const auto& t : kTables) {
    if (!truth.contains(t.key)) continue;
    ++compared;
    const auto& want = truth[t.key];
    const auto got = query(db, t.sql);
    ASSERT_EQ(got.size(), want.size()) << t.key << " rows";
    for (size_t i = 0; i < want.size(); ++i) {
      for (const auto& [field, value] : want[i].items()) {
        const auto it = got[i].find(field);
        ASSERT_NE(it, got[i].end()) << t.key << " has no column " << field;
        const json stored = as_json(it->second);
        EXPECT_TRUE(same(value, stored))
            << capture.filename().string() << " " << t.key << "[" << i << "]." << field
            << ": truth " << value.dump() << ", stored " << stored.dump();
      }
    }
  }
  EXPECT_GT(compared, 0) << "no activity expectations in " << truth_path;
  // Non-call activity is never a call (docs/states.md "Correlation vocabulary").
  EXPECT_EQ(query_int(db, "SELECT COUNT(*) FROM calls"),
            static_cast<int64_t>(truth["calls"].size()));
}

std::string name_of(const ::testing::TestParamInfo<fs::path>& info) {
  std::string n = info.param.stem().string();
  for (char& c : n) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0) c = '_';
  }
  return n;
}

INSTANTIATE_TEST_SUITE_P(Samples, GoldenActivity, ::testing::ValuesIn(activity_samples()), name_of);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(GoldenActivity);

}  // namespace
}  // namespace sipscope::testing
