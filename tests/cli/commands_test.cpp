// The command line contract of docs/cli.md, checked on the real binary: exit statuses,
// one-line errors naming the file or option, help texts, CALL resolution.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/cli/db_reader.hpp"
#include "tests/cli/run_command.hpp"

namespace sipscope::testing {
namespace {

namespace fs = std::filesystem;

const std::string kSample = std::string(SIPSCOPE_SOURCE_DIR) + "/samples/basic.pcap";

size_t line_count(const std::string& s) {
  return static_cast<size_t>(std::count(s.begin(), s.end(), '\n'));
}

TEST(Cli, MissingCaptureIsOneLineErrorNamingTheFileExit2) {
  const auto dir = temp_dir("missing");
  const auto r =
      run(sipscope_cmd("analyze /nonexistent/x.pcap --db " + (dir / "x.db").string()), dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(line_count(r.err), 1U) << r.err;
  EXPECT_NE(r.err.find("/nonexistent/x.pcap"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir / "x.db")) << "nothing analysed, no database written";
}

TEST(Cli, NotACaptureIsOneLineErrorExit2) {
  const auto dir = temp_dir("notcap");
  const auto bogus = dir / "notes.pcap";
  std::ofstream(bogus) << "this is not a capture file\n";
  const auto r =
      run(sipscope_cmd("analyze " + bogus.string() + " --db " + (dir / "x.db").string()), dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(line_count(r.err), 1U) << r.err;
  EXPECT_NE(r.err.find(bogus.string()), std::string::npos) << r.err;
}

TEST(Cli, MissingFileAmongSeveralKeepsTheOldDatabase) {
  const auto dir = temp_dir("keepdb");
  const std::string db = (dir / "keep.db").string();
  ASSERT_EQ(run(sipscope_cmd("analyze " + kSample + " --db " + db + " --quiet"), dir).exit_code, 0);
  const int64_t calls = query_int(db, "SELECT COUNT(*) FROM calls");
  const auto r = run(sipscope_cmd("analyze " + kSample + " /nonexistent/y.pcap --db " + db), dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(query_int(db, "SELECT COUNT(*) FROM calls"), calls);
}

TEST(Cli, UnknownOptionIsUsageErrorExit1) {
  const auto dir = temp_dir("badopt");
  const auto r = run(sipscope_cmd("analyze " + kSample + " --frobnicate"), dir);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(line_count(r.err), 1U) << r.err;
  EXPECT_NE(r.err.find("frobnicate"), std::string::npos) << r.err;
}

TEST(Cli, UnknownCommandExit1) {
  const auto dir = temp_dir("badcmd");
  EXPECT_EQ(run(sipscope_cmd("analyse x"), dir).exit_code, 1);
  EXPECT_EQ(run(sipscope_cmd(""), dir).exit_code, 1);
}

TEST(Cli, HelpForEveryCommandBothWays) {
  const auto dir = temp_dir("help");
  for (const std::string cmd : {"analyze", "calls", "show"}) {
    const auto a = run(sipscope_cmd("help " + cmd), dir);
    const auto b = run(sipscope_cmd(cmd + " --help"), dir);
    EXPECT_EQ(a.exit_code, 0) << cmd;
    EXPECT_EQ(b.exit_code, 0) << cmd;
    EXPECT_EQ(a.out, b.out) << cmd;
    EXPECT_NE(a.out.find("Usage: sipscope " + cmd), std::string::npos) << a.out;
  }
  EXPECT_EQ(run(sipscope_cmd("help nosuch"), dir).exit_code, 1);
}

TEST(Cli, DefaultDatabaseIsCaptureStemInCurrentDirectory) {
  const auto dir = temp_dir("defaultdb");
  const auto r = run(
      "cd " + shell_quote(dir.string()) + " && " + sipscope_cmd("analyze " + kSample + " --quiet"),
      dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir / "basic.db"));
}

TEST(Cli, AnalyzeReplacesUnlessAppend) {
  const auto dir = temp_dir("append");
  const std::string db = (dir / "a.db").string();
  ASSERT_EQ(run(sipscope_cmd("analyze " + kSample + " --db " + db + " --quiet"), dir).exit_code, 0);
  const int64_t once = query_int(db, "SELECT COUNT(*) FROM calls");
  ASSERT_GT(once, 0);
  ASSERT_EQ(run(sipscope_cmd("analyze " + kSample + " --db " + db + " --quiet"), dir).exit_code, 0);
  EXPECT_EQ(query_int(db, "SELECT COUNT(*) FROM calls"), once);
  EXPECT_EQ(query_int(db, "SELECT COUNT(*) FROM captures"), 1);
  ASSERT_EQ(
      run(sipscope_cmd("analyze " + kSample + " --db " + db + " --append --quiet"), dir).exit_code,
      0);
  EXPECT_EQ(query_int(db, "SELECT COUNT(*) FROM calls"), 2 * once);
  EXPECT_EQ(query_int(db, "SELECT COUNT(*) FROM captures"), 2);
  EXPECT_EQ(query_int(db, "SELECT COUNT(DISTINCT id) FROM calls"), 2 * once);
}

TEST(Cli, TruncatedCaptureKeepsWhatWasReadAndNamesTheFile) {
  const auto dir = temp_dir("truncated");
  const auto cut = dir / "cut.pcap";
  const std::string bytes = read_text(kSample);
  ASSERT_GT(bytes.size(), 2000U);
  // Cut inside the last record: everything before it is still a valid capture.
  std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() - 7);
  const std::string db = (dir / "cut.db").string();
  const auto r = run(sipscope_cmd("analyze " + cut.string() + " --db " + db + " --quiet"), dir);
  // docs/cli.md: exit 4, results kept (tshark exits 2 on the same cut file).
  EXPECT_EQ(r.exit_code, 4) << "damaged input: results stored, status says so";
  EXPECT_NE(r.err.find("error: "), std::string::npos) << r.err;
  EXPECT_EQ(line_count(r.err), 1U) << r.err;
  EXPECT_NE(r.err.find(cut.string()), std::string::npos) << r.err;
  EXPECT_EQ(query(db, "SELECT status FROM captures")[0]["status"], Value(std::string("truncated")));
  EXPECT_GT(query_int(db, "SELECT COUNT(*) FROM messages"), 0);
  EXPECT_EQ(query_int(db, "SELECT COUNT(*) FROM anomalies WHERE kind = 'capture_truncated'"), 1);
}

TEST(Cli, ShowResolvesIdsAndCallIds) {
  const auto dir = temp_dir("show");
  const std::string db = (dir / "s.db").string();
  ASSERT_EQ(run(sipscope_cmd("analyze " + kSample + " --db " + db + " --quiet"), dir).exit_code, 0);
  const auto first = query(db, "SELECT id, sip_call_id FROM calls ORDER BY id LIMIT 1");
  ASSERT_EQ(first.size(), 1U);
  const std::string id = std::to_string(std::get<int64_t>(first[0].at("id")));
  const std::string call_id = std::get<std::string>(first[0].at("sip_call_id"));
  const auto by_id = run(sipscope_cmd("show --db " + db + " " + id + " --format json"), dir);
  const auto by_call_id =
      run(sipscope_cmd("show --db " + db + " " + shell_quote(call_id) + " --format json"), dir);
  ASSERT_EQ(by_id.exit_code, 0) << by_id.err;
  ASSERT_EQ(by_call_id.exit_code, 0) << by_call_id.err;
  EXPECT_EQ(by_id.out, by_call_id.out);
  const auto none = run(sipscope_cmd("show --db " + db + " no-such-call-id"), dir);
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_EQ(line_count(none.err), 1U);
  const auto nodb = run(sipscope_cmd("show --db " + (dir / "nope.db").string() + " 1"), dir);
  EXPECT_EQ(nodb.exit_code, 2);
  EXPECT_NE(nodb.err.find("nope.db"), std::string::npos);
}

TEST(Cli, SeveralCapturesMergeByTimestamp) {
  // The same capture given twice: every frame twice, interleaved, and two captures rows.
  const auto dir = temp_dir("merge");
  const std::string db = (dir / "m.db").string();
  ASSERT_EQ(
      run(sipscope_cmd("analyze " + kSample + " " + kSample + " --db " + db + " --quiet"), dir)
          .exit_code,
      0);
  const std::string single = (dir / "single.db").string();
  ASSERT_EQ(run(sipscope_cmd("analyze " + kSample + " --db " + single + " --quiet"), dir).exit_code,
            0);
  EXPECT_EQ(query_int(db, "SELECT COUNT(*) FROM captures"), 2);
  EXPECT_EQ(query_int(db, "SELECT COUNT(*) FROM messages"),
            2 * query_int(single, "SELECT COUNT(*) FROM messages"));
  // Timestamps never go backwards in storage order of one call's messages.
  EXPECT_EQ(query_int(db,
                      "SELECT COUNT(*) FROM messages a JOIN messages b ON a.call_id = b.call_id "
                      "AND b.id = a.id + 1 WHERE b.ts_us < a.ts_us"),
            0);
}

}  // namespace
}  // namespace sipscope::testing
