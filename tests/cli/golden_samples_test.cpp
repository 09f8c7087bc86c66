// Golden pipeline tests: every capture in samples/ that has a ground-truth file beside it
// (written by samples/generator when it made the capture, or by samples/sipp/record.sh from
// the SIPp scenario) is analysed by the real binary, and the stored calls are compared
// with the truth, field by field. Only the fields the truth lists are compared; a JSON
// null means the column must be NULL. A truth with "anomalies" ({kind: count}, deliberate
// damage such as a lost IP fragment or TCP segment) must produce exactly those anomalies;
// any other capture none. A truth with "pending_decoder" is skipped until that decoder
// lands (samples/README.md). The correlation keys, when present, are compared the same way:
// "dialogs" (every dialogs row, by Call-ID and To-tag), "links" (every call_links row, by
// the two Call-IDs; linked calls share a group_id), "diagnostics" (the SIP findings of
// docs/correlation.md, as a multiset of Call-ID + kind) and "registrations" (every row).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "tests/cli/db_reader.hpp"
#include "tests/cli/run_command.hpp"

namespace sipscope::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Sample {
  fs::path capture;
  fs::path truth;
};

void PrintTo(const Sample& s, std::ostream* os) {
  *os << s.capture.filename().string();
}

std::vector<Sample> samples_with_truth() {
  std::vector<Sample> out;
  const fs::path root = fs::path(SIPSCOPE_SOURCE_DIR) / "samples";
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    const std::string name = entry.path().filename().string();
    const std::string suffix = ".truth.json";
    if (name.size() <= suffix.size() ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
      continue;
    const std::string stem = name.substr(0, name.size() - suffix.size());
    for (const char* ext : {".pcap", ".pcapng"}) {
      const auto capture = entry.path().parent_path() / (stem + ext);
      if (fs::exists(capture)) out.push_back({capture, entry.path()});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const Sample& a, const Sample& b) { return a.capture < b.capture; });
  return out;
}

std::string describe(const Value& v) {
  if (std::holds_alternative<std::monostate>(v)) return "NULL";
  if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) return std::to_string(*d);
  return "'" + std::get<std::string>(v) + "'";
}

// Does the stored value equal the truth value? Reals within 0.001 ms.
bool same(const json& expected, const Value& actual) {
  if (expected.is_null()) return std::holds_alternative<std::monostate>(actual);
  if (expected.is_string()) {
    const auto* s = std::get_if<std::string>(&actual);
    return s != nullptr && *s == expected.get<std::string>();
  }
  if (expected.is_number_float() || std::holds_alternative<double>(actual)) {
    double a = 0;
    if (const auto* d = std::get_if<double>(&actual))
      a = *d;
    else if (const auto* i = std::get_if<int64_t>(&actual))
      a = static_cast<double>(*i);
    else
      return false;
    return std::fabs(a - expected.get<double>()) < 0.001;
  }
  if (expected.is_number_integer()) {
    const auto* i = std::get_if<int64_t>(&actual);
    return i != nullptr && *i == expected.get<int64_t>();
  }
  return false;
}

// Every stored row has one truth row with equal `key` fields, and every field the truth
// row lists is equal.
void expect_rows(const std::string& what, const json& want, std::vector<Row> got,
                 const std::vector<std::string>& key) {
  EXPECT_EQ(got.size(), want.size()) << "number of " << what;
  for (const auto& w : want) {
    auto match = std::find_if(got.begin(), got.end(), [&](const Row& r) {
      return std::all_of(key.begin(), key.end(),
                         [&](const std::string& k) { return r.count(k) && same(w[k], r.at(k)); });
    });
    if (match == got.end()) {
      ADD_FAILURE() << what << ": no stored row for truth " << w.dump();
      continue;
    }
    for (const auto& [field, value] : w.items()) {
      const auto it = match->find(field);
      ASSERT_NE(it, match->end()) << what << " has no column " << field;
      EXPECT_TRUE(same(value, it->second))
          << what << " " << w.dump() << ": " << field << " stored " << describe(it->second);
    }
    got.erase(match);
  }
}

// The SIP findings docs/correlation.md defines; media findings are docs/media.md's.
constexpr const char* kSipFindings =
    "('no_ack_for_2xx', 'timer_b_expired', 'invite_no_response', 'timer_f_expired', "
    "'request_no_response', 'timer_h_expired', 'call_hold', 'call_resume', 'prack_missing', "
    "'cancel_after_answer', 'request_terminated_after_answer', 'bye_before_answer')";

void expect_correlation(const json& truth, const std::string& db) {
  if (truth.contains("dialogs")) {
    expect_rows("dialogs", truth["dialogs"],
                query(db,
                      "SELECT d.*, c.sip_call_id AS call FROM dialogs d "
                      "JOIN calls c ON c.id = d.call_id"),
                {"call", "to_tag"});
  }
  if (truth.contains("links")) {
    const auto links = query(db,
                             "SELECT a.sip_call_id AS call, b.sip_call_id AS linked, l.reason, "
                             "a.group_id AS group_a, b.group_id AS group_b FROM call_links l "
                             "JOIN calls a ON a.id = l.call_id JOIN calls b ON b.id = "
                             "l.linked_call_id");
    for (const auto& l : links) {
      EXPECT_FALSE(std::holds_alternative<std::monostate>(l.at("group_a")));
      EXPECT_EQ(l.at("group_a"), l.at("group_b")) << "linked calls share calls.group_id";
    }
    expect_rows("call_links", truth["links"], links, {"call", "linked"});
  }
  if (truth.contains("diagnostics")) {
    std::multiset<std::string> want, got;
    for (const auto& d : truth["diagnostics"]) {
      want.insert(d["call"].get<std::string>() + " " + d["kind"].get<std::string>());
    }
    for (const auto& r : query(db, std::string("SELECT c.sip_call_id AS call, d.kind FROM "
                                               "diagnostics d JOIN calls c ON c.id = "
                                               "d.call_id WHERE d.kind IN ") +
                                       kSipFindings)) {
      got.insert(std::get<std::string>(r.at("call")) + " " + std::get<std::string>(r.at("kind")));
    }
    EXPECT_EQ(got, want) << "SIP diagnostics (Call-ID kind)";
  }
  if (truth.contains("registrations")) {
    expect_rows("registrations", truth["registrations"], query(db, "SELECT * FROM registrations"),
                {"sip_call_id", "start_us"});
  }
}

void expect_matches_truth(const Sample& sample) {
  const json truth = json::parse(read_text(sample.truth));
  // SIPSCOPE_GOLDEN_PENDING=1 runs them anyway, to see which decoders have landed.
  if (truth.contains("pending_decoder") && std::getenv("SIPSCOPE_GOLDEN_PENDING") == nullptr) {
    GTEST_SKIP() << sample.capture.filename().string() << ": decoder not landed yet ("
                 << truth["pending_decoder"].get<std::string>() << ")";
  }
  const auto dir = temp_dir("golden-" + sample.capture.stem().string());
  const std::string db = (dir / "out.db").string();
  const auto r = run(sipscope_cmd("analyze " + shell_quote(sample.capture.string()) + " --db " +
                                  shell_quote(db) + " --quiet"),
                     dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  if (truth.contains("anomalies")) {
    // Deliberate damage: exactly the anomalies the truth names, by kind, and no others.
    std::map<std::string, int64_t> got_kinds;
    for (const auto& row : query(db, "SELECT kind, COUNT(*) AS n FROM anomalies GROUP BY kind")) {
      got_kinds[std::get<std::string>(row.at("kind"))] = std::get<int64_t>(row.at("n"));
    }
    for (const auto& [kind, n] : truth["anomalies"].items()) {
      EXPECT_EQ(got_kinds[kind], n.get<int64_t>()) << "anomalies of kind " << kind;
      got_kinds.erase(kind);
    }
    for (const auto& [kind, n] : got_kinds) {
      ADD_FAILURE() << "unexpected anomalies: " << n << " x " << kind;
    }
  } else {
    // Clean traffic, except RTP the generator duplicated on purpose (truth "duplicates" of
    // a stream): one duplicate_packets anomaly per such stream (docs/media.md).
    int64_t duplicated = 0;
    if (truth.contains("rtp_streams"))
      for (const auto& s : truth["rtp_streams"]) duplicated += s.value("duplicates", 0) > 0 ? 1 : 0;
    EXPECT_EQ(query_int(db, "SELECT COUNT(*) FROM anomalies WHERE kind = 'duplicate_packets'"),
              duplicated);
    EXPECT_EQ(query_int(db, "SELECT COUNT(*) FROM anomalies WHERE kind <> 'duplicate_packets'"), 0)
        << "the generator writes clean traffic";
  }

  if (truth.contains("sip_messages")) {
    EXPECT_EQ(query_int(db, "SELECT COUNT(*) FROM messages"), truth["sip_messages"].get<int64_t>());
  }
  if (truth.contains("non_call_sip_messages")) {
    EXPECT_EQ(query_int(db, "SELECT COUNT(*) FROM messages WHERE call_id IS NULL"),
              truth["non_call_sip_messages"].get<int64_t>());
  }
  if (truth.contains("packets")) {
    EXPECT_EQ(query_int(db, "SELECT SUM(packets) FROM captures"), truth["packets"].get<int64_t>());
  }

  // Calls are matched in start order (the truth lists them in the order the generator
  // started them; ties broken by Call-ID).
  auto expected = truth["calls"];
  std::vector<json> want(expected.begin(), expected.end());
  std::stable_sort(want.begin(), want.end(), [](const json& a, const json& b) {
    const int64_t sa = a["start_us"].is_null() ? INT64_MAX : a["start_us"].get<int64_t>();
    const int64_t sb = b["start_us"].is_null() ? INT64_MAX : b["start_us"].get<int64_t>();
    if (sa != sb) return sa < sb;
    return a["sip_call_id"].get<std::string>() < b["sip_call_id"].get<std::string>();
  });
  const auto got =
      query(db, "SELECT * FROM calls ORDER BY start_us IS NULL, start_us, sip_call_id, id");
  ASSERT_EQ(got.size(), want.size()) << "number of calls";
  for (size_t i = 0; i < want.size(); ++i) {
    for (const auto& [field, value] : want[i].items()) {
      const auto it = got[i].find(field);
      ASSERT_NE(it, got[i].end()) << "calls has no column " << field;
      EXPECT_TRUE(same(value, it->second))
          << sample.capture.filename().string() << " call " << i << " ("
          << want[i]["sip_call_id"].get<std::string>() << ") " << field << ": truth "
          << value.dump() << ", stored " << describe(it->second);
    }
  }
  expect_correlation(truth, db);
}

class GoldenSample : public ::testing::TestWithParam<Sample> {};

TEST_P(GoldenSample, CallsMatchGroundTruth) {
  expect_matches_truth(GetParam());
}

// A larger capture made at test time: 200 overlapping calls with proxy hops, registrations,
// RTP, VLANs and IPv6 (the generator's `mixed` shape), compared with its truth.
TEST(GoldenMixed, TwoHundredCallsMatchGroundTruth) {
  const auto dir = temp_dir("mixed");
  const Sample sample{dir / "mixed.pcap", dir / "mixed.truth.json"};
  const auto gen = run(shell_quote(SIPSCOPE_GEN_EXE) + " mixed --calls 200 --rtp-seconds 2 -o " +
                           shell_quote(sample.capture.string()) + " --truth " +
                           shell_quote(sample.truth.string()),
                       dir);
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  expect_matches_truth(sample);
}

std::string sample_name(const ::testing::TestParamInfo<Sample>& info) {
  std::string name =
      fs::relative(info.param.capture, fs::path(SIPSCOPE_SOURCE_DIR) / "samples").string();
  for (char& c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Samples, GoldenSample, ::testing::ValuesIn(samples_with_truth()),
                         sample_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(GoldenSample);

}  // namespace
}  // namespace sipscope::testing
