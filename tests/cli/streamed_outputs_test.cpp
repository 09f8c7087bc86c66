// Issue 12 point 6 on the real binary: `analyze --json/--html`, `calls`, `streams` and
// `anomalies` are written as their rows are read (one call or row in memory at a time;
// tables read their rows twice, in one snapshot, to size their columns). Whatever the
// writing, every call and stream of a generated capture must come out once, in order,
// with the values the generator's truth records.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <tuple>

#include <nlohmann/json.hpp>

#include "tests/cli/run_command.hpp"
#include "tests/cli/text_lines.hpp"

namespace sipscope::testing {
namespace {

using nlohmann::json;

class StreamedOutputs : public ::testing::Test {
 protected:
  // 60 calls with 1 s of RTP each: enough rows that a listing spans many statement steps.
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(temp_dir("streamed-outputs"));
    const auto gen =
        run(shell_quote(SIPSCOPE_GEN_EXE) + " mixed --calls 60 --rtp-seconds 1 --seed 7 -o " +
                path("mixed.pcap") + " --truth " + path("mixed.truth.json"),
            *dir_);
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    truth_ = new json(json::parse(std::ifstream(*dir_ / "mixed.truth.json")));
    const auto r = run(
        sipscope_cmd("analyze " + path("mixed.pcap") + " --db " + path("mixed.db") + " --json " +
                     path("all.json") + " --html " + path("all.html") + " --quiet"),
        *dir_);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() {
    delete truth_;
    delete dir_;
  }
  // `args` with "mixed.db" naming the database of the suite.
  static CommandResult cmd(std::string args) {
    args.replace(args.find("mixed.db"), 8, path("mixed.db"));
    return run(sipscope_cmd(args), *dir_);
  }
  static std::string path(const std::string& name) { return shell_quote((*dir_ / name).string()); }
  static std::string file(const std::string& name) { return read_text(*dir_ / name); }

  // The truth's calls in the listings' order: by start time (all generated calls have one),
  // then by their order in the truth (the generator writes them as they start).
  static std::vector<json> truth_calls() {
    std::vector<json> calls((*truth_)["calls"].begin(), (*truth_)["calls"].end());
    std::stable_sort(calls.begin(), calls.end(), [](const json& a, const json& b) {
      return a["start_us"].get<int64_t>() < b["start_us"].get<int64_t>();
    });
    return calls;
  }

  static std::filesystem::path* dir_;
  static json* truth_;
};
std::filesystem::path* StreamedOutputs::dir_ = nullptr;
json* StreamedOutputs::truth_ = nullptr;

TEST_F(StreamedOutputs, AnalyzeJsonHoldsOneLadderPerTruthCallInStartOrder) {
  const json all = json::parse(file("all.json"));
  const auto truth = truth_calls();
  ASSERT_EQ(all.size(), truth.size());
  for (size_t i = 0; i < truth.size(); ++i) {
    SCOPED_TRACE(truth[i]["sip_call_id"].get<std::string>());
    ASSERT_EQ(all[i]["calls"].size(), 1U);
    const json& c = all[i]["calls"][0];
    for (const char* key : {"sip_call_id", "state", "final_code", "from_user", "to_user",
                            "start_us", "end_us", "message_count"}) {
      EXPECT_EQ(c[key], truth[i][key]) << key;
    }
    EXPECT_EQ(all[i]["events"].size(), truth[i]["message_count"].get<size_t>());
  }
  // The array as a whole: "[", the ladder documents (each ending in a newline) joined by
  // ",\n", then "]\n".
  const std::string text = file("all.json");
  EXPECT_EQ(text.substr(0, 2), "[{");
  EXPECT_EQ(text.substr(text.size() - 4), "}\n]\n");
  EXPECT_EQ(count_of(text, "}\n,\n{\n  \"anomalies\""), truth.size() - 1);
}

TEST_F(StreamedOutputs, AnalyzeHtmlListsEveryCallThenOneSectionEach) {
  const std::string html = file("all.html");
  const auto truth = truth_calls();
  EXPECT_EQ(count_of(html, "<tr><td class=\"num\"><a href=\"#call-"), truth.size());
  EXPECT_EQ(count_of(html, "<section class=\"ladder\""), truth.size());
  EXPECT_EQ(count_of(html, "</tbody></table>\n<section class=\"ladder\" id=\"ladder-0\">"), 1U);
  // Sections in start order: each Call-ID's section header after the previous one's.
  size_t at = html.find("<section class=\"ladder\"");
  for (size_t k = 0; k < truth.size(); ++k) {
    const std::string head = "<section class=\"ladder\" id=\"ladder-" + std::to_string(k) + "\">";
    const size_t section = html.find(head, at);
    ASSERT_NE(section, std::string::npos) << k;
    EXPECT_NE(html.find(truth[k]["sip_call_id"].get<std::string>(), section), std::string::npos);
    at = section;
  }
  EXPECT_EQ(html.substr(html.size() - 16), "</body>\n</html>\n");
}

TEST_F(StreamedOutputs, CallsJsonCsvAndTableHoldEveryTruthCallInOrder) {
  const auto truth = truth_calls();
  const json j = json::parse(cmd("calls --db mixed.db --format json").out);
  ASSERT_EQ(j.size(), truth.size());
  for (size_t i = 0; i < truth.size(); ++i) {
    EXPECT_EQ(j[i]["sip_call_id"], truth[i]["sip_call_id"]);
    EXPECT_EQ(j[i]["state"], truth[i]["state"]);
    EXPECT_EQ(j[i]["duration_ms"], truth[i]["duration_ms"]);
  }
  // CSV: a header line, then one CRLF line per call whose second field is the Call-ID
  // (generated Call-IDs need no quoting).
  const auto csv = lines_of(cmd("calls --db mixed.db --format csv").out);
  ASSERT_EQ(csv.size(), truth.size() + 1);
  for (size_t i = 0; i < truth.size(); ++i) {
    const std::string& line = csv[i + 1];
    const size_t comma = line.find(',');
    EXPECT_EQ(line.substr(comma + 1, line.find(',', comma + 1) - comma - 1),
              truth[i]["sip_call_id"].get<std::string>());
    EXPECT_EQ(line.back(), '\r');
  }
  // The table (wide: stdout is a file): a title line, one line per call ending in its
  // Call-ID, every line as long as the widest (no column cut, all aligned on one width).
  const auto table = lines_of(cmd("calls --db mixed.db").out);
  ASSERT_EQ(table.size(), truth.size() + 1);
  const size_t call_id_column = table[0].find("Call-ID");
  ASSERT_NE(call_id_column, std::string::npos);
  for (size_t i = 0; i < truth.size(); ++i) {
    EXPECT_EQ(table[i + 1].substr(call_id_column), truth[i]["sip_call_id"].get<std::string>());
  }
  // --limit stops the listing after that many rows.
  EXPECT_EQ(json::parse(cmd("calls --db mixed.db --format json --limit 7").out).size(), 7U);
}

TEST_F(StreamedOutputs, StreamsJsonCsvAndTableHoldEveryTruthStream) {
  using Key = std::tuple<std::string, std::string, int64_t, int64_t>;  // src, dst, ssrc, packets
  std::multiset<Key> expected;
  for (const auto& s : (*truth_)["rtp_streams"]) {
    expected.emplace(s["src"].get<std::string>(), s["dst"].get<std::string>(),
                     s["ssrc"].get<int64_t>(), s["packets"].get<int64_t>());
  }
  const json j = json::parse(cmd("streams --db mixed.db --format json").out);
  std::multiset<Key> got;
  int64_t previous_first = 0;
  for (const auto& s : j) {
    got.emplace(s["src_ip"].get<std::string>() + ":" + std::to_string(s["src_port"].get<int>()),
                s["dst_ip"].get<std::string>() + ":" + std::to_string(s["dst_port"].get<int>()),
                std::stoll(s["ssrc"].get<std::string>(), nullptr, 16), s["packets"].get<int64_t>());
    EXPECT_GE(s["first_us"].get<int64_t>(), previous_first);  // by first packet time
    previous_first = s["first_us"].get<int64_t>();
  }
  EXPECT_EQ(got, expected);
  EXPECT_EQ(lines_of(cmd("streams --db mixed.db --format csv").out).size(), expected.size() + 1);
  const auto table = lines_of(cmd("streams --db mixed.db").out);
  ASSERT_EQ(table.size(), expected.size() + 2);  // title, rows, count
  EXPECT_EQ(table.back(), std::to_string(expected.size()) + " streams");
}

TEST_F(StreamedOutputs, AnomaliesOfACleanCaptureAreEmptyInEveryFormat) {
  // The generator writes well-formed packets only: no anomaly.
  EXPECT_EQ(cmd("anomalies --db mixed.db --format json").out, "[]\n");
  EXPECT_EQ(cmd("anomalies --db mixed.db --format csv").out,
            "id,capture_id,frame,ts_us,call_id,kind,flow,detail\r\n");
  const auto table = lines_of(cmd("anomalies --db mixed.db").out);
  ASSERT_EQ(table.size(), 2U);
  EXPECT_EQ(table.back(), "0 anomalies");
}

}  // namespace
}  // namespace sipscope::testing
