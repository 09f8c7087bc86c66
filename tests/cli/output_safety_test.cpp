// Outputs never destroy evidence (issue 13 point 1), on the real binary: an output path
// that names an input (also through a hard or symbolic link) or a file that is not a
// sipscope database is refused with exit 1 and the file is left byte for byte; outputs are
// renamed into place, so a killed run leaves the previous file; a database left by a killed
// writer is readable; a failed write to standard output is exit 2.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/cli/db_reader.hpp"
#include "tests/cli/run_command.hpp"

namespace sipscope::testing {
namespace {

namespace fs = std::filesystem;

const std::string kBasic = std::string(SIPSCOPE_SOURCE_DIR) + "/samples/basic.pcap";

// A shell script: `sipscope analyze - ARGS` reads the capture from a FIFO that stays open
// (the run is mid-way, waiting for more), and is SIGKILLed by its process id after 1 s.
std::string killed_mid_run(const std::string& capture, const std::string& args) {
  const std::string fifo = shell_quote(capture + ".fifo");
  return "rm -f " + fifo + " && mkfifo " + fifo + " && { " + sipscope_cmd("analyze - " + args) +
         " < " + fifo + " & pid=$!; exec 3>" + fifo + "; cat " + shell_quote(capture) +
         " >&3; sleep 1; kill -KILL $pid; wait $pid; exec 3>&-; }; exit 0";
}

class OutputSafety : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = temp_dir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    capture_ = (dir_ / "trace.pcap").string();
    fs::copy_file(kBasic, capture_);
    original_ = read_text(capture_);
  }
  std::string file(const std::string& name) const { return (dir_ / name).string(); }
  CommandResult sip(const std::string& args) const { return run(sipscope_cmd(args), dir_); }
  // The refusal: exit 1, one line naming the option, the input unchanged.
  void expect_refused(const CommandResult& r, const std::string& option) const {
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find(option), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_TRUE(read_text(capture_) == original_) << "the capture was modified";
  }
  fs::path dir_;
  std::string capture_;
  std::string original_;
};

TEST_F(OutputSafety, DbOrHtmlOrJsonOntoTheCaptureIsRefused) {
  expect_refused(sip("analyze " + shell_quote(capture_) + " -q --db " + shell_quote(capture_)),
                 "--db");
  expect_refused(sip("analyze " + shell_quote(capture_) + " -q --db " + shell_quote(file("a.db")) +
                     " --html " + shell_quote(capture_)),
                 "--html");
  expect_refused(sip("analyze " + shell_quote(capture_) + " -q --db " + shell_quote(file("a.db")) +
                     " --json " + shell_quote(capture_)),
                 "--json");
  EXPECT_FALSE(fs::exists(file("a.db")));
}

TEST_F(OutputSafety, LinksToTheCaptureAreTheCapture) {
  fs::create_hard_link(capture_, file("hard.db"));
  fs::create_symlink(capture_, file("soft.html"));
  expect_refused(
      sip("analyze " + shell_quote(capture_) + " -q --db " + shell_quote(file("hard.db"))), "--db");
  expect_refused(sip("analyze " + shell_quote(capture_) + " -q --db " + shell_quote(file("x.db")) +
                     " --html " + shell_quote(file("soft.html"))),
                 "--html");
  // Same file through another spelling of the path.
  expect_refused(sip("analyze " + shell_quote(capture_) + " -q --db " +
                     shell_quote(dir_.string() + "/./sub/../trace.pcap")),
                 "--db");
}

TEST_F(OutputSafety, DefaultDbNamedLikeTheCaptureIsRefused) {
  // A capture called trace.db: its default database would be trace.db itself.
  const std::string named = file("trace.db");
  fs::rename(capture_, named);
  capture_ = named;
  expect_refused(
      run("cd " + shell_quote(dir_.string()) + " && " + sipscope_cmd("analyze trace.db -q"), dir_),
      "default --db");
}

TEST_F(OutputSafety, TwoOutputsOnOneFileAreRefused) {
  const auto r = sip("analyze " + shell_quote(capture_) + " -q --db " + shell_quote(file("a.db")) +
                     " --html " + shell_quote(file("a.db")));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_FALSE(fs::exists(file("a.db")));
}

TEST_F(OutputSafety, ExportAndReportOntoAnInputAreRefused) {
  const std::string db = file("a.db");
  ASSERT_EQ(sip("analyze " + shell_quote(capture_) + " -q --db " + shell_quote(db)).exit_code, 0);
  const std::string db_bytes = read_text(db);
  expect_refused(sip("export --db " + shell_quote(db) + " 1 --pcap " + shell_quote(capture_)),
                 "--pcap");
  expect_refused(sip("export --db " + shell_quote(db) + " 1 --pcap " + shell_quote(db)), "--pcap");
  expect_refused(sip("report --db " + shell_quote(db) + " 1 -o " + shell_quote(capture_)),
                 "--output");
  expect_refused(sip("show --db " + shell_quote(db) + " 1 -o " + shell_quote(db)), "--output");
  EXPECT_TRUE(read_text(db) == db_bytes);
}

// show and report read only the database, but the captures it was analysed from are inputs
// too: their output may name none of them, not only the captures of the calls shown.
TEST_F(OutputSafety, ShowAndReportOntoAnyCaptureOfTheDatabaseAreRefused) {
  const std::string other = file("other.pcap");
  fs::copy_file(std::string(SIPSCOPE_SOURCE_DIR) + "/samples/no_ack.pcap", other);
  const std::string other_bytes = read_text(other);
  const std::string db = file("a.db");
  ASSERT_EQ(sip("analyze " + shell_quote(capture_) + " " + shell_quote(other) + " -q --db " +
                shell_quote(db))
                .exit_code,
            0);
  // A call whose every message came from trace.pcap (capture 1): other.pcap is not its.
  const auto call = std::to_string(
      query_int(db,
                "SELECT call_id FROM messages WHERE call_id IS NOT NULL GROUP BY call_id "
                "HAVING MIN(capture_id) = 1 AND MAX(capture_id) = 1 LIMIT 1"));
  expect_refused(sip("show --db " + shell_quote(db) + " " + call + " -o " + shell_quote(capture_)),
                 "--output");
  expect_refused(sip("show --db " + shell_quote(db) + " " + call + " -o " + shell_quote(other)),
                 "--output");
  expect_refused(sip("report --db " + shell_quote(db) + " " + call + " -o " + shell_quote(other)),
                 "--output");
  expect_refused(
      sip("export --db " + shell_quote(db) + " " + call + " --pcap " + shell_quote(other)),
      "--pcap");
  EXPECT_TRUE(read_text(other) == other_bytes) << "the second capture was modified";
}

TEST_F(OutputSafety, ForeignDbIsRefusedUnlessForced) {
  const std::string notes = file("notes.txt");
  std::ofstream(notes) << "my notes about the outage\n";
  const auto text = sip("analyze " + shell_quote(capture_) + " -q --db " + shell_quote(notes));
  EXPECT_EQ(text.exit_code, 1) << text.err;
  EXPECT_NE(text.err.find("--force"), std::string::npos) << text.err;
  EXPECT_EQ(read_text(notes), "my notes about the outage\n");

  // Another program's SQLite database, made with the sqlite3 tool.
  const std::string other = file("other.db");
  ASSERT_EQ(
      run("sqlite3 " + shell_quote(other) + " 'CREATE TABLE t(x); INSERT INTO t VALUES (42);'",
          dir_)
          .exit_code,
      0);
  const std::string other_bytes = read_text(other);
  const auto sqlite = sip("analyze " + shell_quote(capture_) + " -q --db " + shell_quote(other));
  EXPECT_EQ(sqlite.exit_code, 1) << sqlite.err;
  EXPECT_TRUE(read_text(other) == other_bytes);

  const auto forced =
      sip("analyze " + shell_quote(capture_) + " -q --force --db " + shell_quote(notes));
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_GT(query_int(notes, "SELECT count(*) FROM calls"), 0);
  // A sipscope database is replaced without --force.
  EXPECT_EQ(sip("analyze " + shell_quote(capture_) + " -q --db " + shell_quote(notes)).exit_code,
            0);
}

TEST_F(OutputSafety, KilledReplaceLeavesThePreviousDatabase) {
  const std::string db = file("a.db");
  ASSERT_EQ(sip("analyze " + shell_quote(capture_) + " -q --db " + shell_quote(db)).exit_code, 0);
  const std::string before = read_text(db);
  (void)run(killed_mid_run(capture_, "-q --db " + shell_quote(db)), dir_);
  EXPECT_TRUE(read_text(db) == before) << "the previous database was touched";
  EXPECT_EQ(sip("calls --db " + shell_quote(db)).exit_code, 0);
}

// A writer killed inside a transaction leaves a hot rollback journal beside the database:
// a real one, made by a child process that writes through SQLite and is SIGKILLed.
TEST_F(OutputSafety, DatabaseLeftByAKilledWriterIsReadable) {
  const std::string db = file("a.db");
  ASSERT_EQ(sip("analyze " + shell_quote(capture_) + " -q --db " + shell_quote(db)).exit_code, 0);
  const int64_t calls = query_int(db, "SELECT count(*) FROM calls");
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    sqlite3* h = nullptr;
    sqlite3_open(db.c_str(), &h);
    sqlite3_exec(h,
                 "BEGIN; INSERT INTO captures (path, status) VALUES ('x', 'interrupted'); "
                 "DELETE FROM calls; DELETE FROM messages;",
                 nullptr, nullptr, nullptr);
    sqlite3_db_cacheflush(h);  // the changed pages reach the file, the old ones the journal
    ::kill(::getpid(), SIGKILL);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(fs::exists(db + "-journal")) << "no hot journal: the test proves nothing";
  const auto r = sip("calls --db " + shell_quote(db) + " --format csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Rolled back: every call is there again.
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), calls + 1) << r.out;
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM calls"), calls);
}

TEST_F(OutputSafety, KilledAppendLeavesAReadableDatabaseMarkedInterrupted) {
  const std::string db = file("a.db");
  ASSERT_EQ(sip("analyze " + shell_quote(capture_) + " -q --db " + shell_quote(db)).exit_code, 0);
  (void)run(killed_mid_run(capture_, "-q --append --db " + shell_quote(db)), dir_);
  const auto r = sip("calls --db " + shell_quote(db));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM captures"), 2);
  EXPECT_EQ(query_int(db,
                      "SELECT count(*) FROM captures WHERE id = 2 AND path = '-' AND "
                      "status = 'interrupted'"),
            1);
}

TEST_F(OutputSafety, FullStandardOutputIsExitTwo) {
  const std::string db = file("a.db");
  ASSERT_EQ(sip("analyze " + shell_quote(capture_) + " -q --db " + shell_quote(db)).exit_code, 0);
  for (const std::string& args :
       {"calls --db " + shell_quote(db), "calls --db " + shell_quote(db) + " --format csv",
        "stats --db " + shell_quote(db), "show --db " + shell_quote(db) + " 1 --format json"}) {
    // run() redirects stdout to a file: send it to /dev/full here instead.
    const std::string cmd = sipscope_cmd(args) + " >/dev/full 2>" + shell_quote(file("err.txt"));
    const int status = std::system(cmd.c_str());
    EXPECT_EQ(WEXITSTATUS(status), 2) << args;
    const std::string err = read_text(file("err.txt"));
    EXPECT_NE(err.find("standard output"), std::string::npos) << args << ": " << err;
  }
  // A file output on a full device: exit 2, never a truncated file passed as done.
  const auto html = sip("show --db " + shell_quote(db) + " 1 --format html -o /dev/full");
  EXPECT_EQ(html.exit_code, 2) << html.err;
}

TEST_F(OutputSafety, FailedOutputLeavesThePreviousFile) {
  const std::string db = file("a.db");
  ASSERT_EQ(sip("analyze " + shell_quote(capture_) + " -q --db " + shell_quote(db)).exit_code, 0);
  const std::string out = file("ladder.json");
  std::ofstream(out) << "previous";
  // A CALL that does not exist: nothing is written, the old file stays.
  EXPECT_EQ(
      sip("show --db " + shell_quote(db) + " 999 --format json -o " + shell_quote(out)).exit_code,
      1);
  EXPECT_EQ(read_text(out), "previous");
  // No temporary file is left beside it.
  int others = 0;
  for (const auto& e : fs::directory_iterator(dir_)) {
    others += e.path().filename().string().find(".tmp-") != std::string::npos ? 1 : 0;
  }
  EXPECT_EQ(others, 0);
}

}  // namespace
}  // namespace sipscope::testing
