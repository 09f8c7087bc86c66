// Inputs users have (issue 13 point 6) and the command-line checks of point 5, on the real
// binary: gzip captures, standard input, an empty file among several, a quoted glob of a
// rotated set; numeric options refusing NaN/inf/negatives; CSV free of terminal escapes.
// The reference for each input form is the same bytes given as a plain file.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/cli/db_reader.hpp"
#include "tests/cli/run_command.hpp"

namespace sipscope::testing {
namespace {

namespace fs = std::filesystem;

const std::string kSamples = std::string(SIPSCOPE_SOURCE_DIR) + "/samples/";

class Inputs : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = temp_dir(::testing::UnitTest::GetInstance()->current_test_info()->name());
  }
  std::string file(const std::string& name) const { return (dir_ / name).string(); }
  CommandResult sip(const std::string& args) const { return run(sipscope_cmd(args), dir_); }
  // In dir_ as the current directory (the default --db is written there).
  CommandResult sip_here(const std::string& args) const {
    return run("cd " + shell_quote(dir_.string()) + " && " + sipscope_cmd(args), dir_);
  }
  // What a database holds of the calls, to compare two forms of one input.
  static std::string calls_of(const std::string& db) {
    std::string out;
    for (const auto& row : query(db,
                                 "SELECT sip_call_id, state, final_code, start_us, "
                                 "message_count FROM calls ORDER BY sip_call_id")) {
      for (const auto& [k, v] : row) {
        out += k + "=";
        if (const auto* s = std::get_if<std::string>(&v)) out += *s;
        if (const auto* i = std::get_if<int64_t>(&v)) out += std::to_string(*i);
        out += " ";
      }
      out += "\n";
    }
    return out;
  }
  std::string plain_calls(const std::string& sample) const {
    const std::string db = file("plain-" + sample + ".db");
    EXPECT_EQ(
        sip("analyze " + shell_quote(kSamples + sample) + " -q --db " + shell_quote(db)).exit_code,
        0);
    return calls_of(db);
  }
  fs::path dir_;
};

TEST_F(Inputs, GzipCaptureIsAnalysedLikeThePlainFile) {
  // std::system: run() sends standard output to its own file.
  ASSERT_EQ(std::system(("gzip -c " + shell_quote(kSamples + "basic.pcap") + " > " +
                         shell_quote(file("basic.pcap.gz")))
                            .c_str()),
            0);
  const auto r = sip_here("analyze basic.pcap.gz -q");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Default database: the stem without .pcap.gz.
  ASSERT_TRUE(fs::exists(file("basic.db")));
  EXPECT_EQ(calls_of(file("basic.db")), plain_calls("basic.pcap"));
  EXPECT_NE(calls_of(file("basic.db")), "");
}

TEST_F(Inputs, StandardInputIsReadAndDefaultsToStdinDb) {
  // In braces: run() appends its own "</dev/null", which must not replace ours.
  const auto r = run("cd " + shell_quote(dir_.string()) + " && { " + sipscope_cmd("analyze - -q") +
                         " < " + shell_quote(kSamples + "basic.pcap") + "; }",
                     dir_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(fs::exists(file("stdin.db")));
  EXPECT_EQ(calls_of(file("stdin.db")), plain_calls("basic.pcap"));
  EXPECT_EQ(query_int(file("stdin.db"), "SELECT count(*) FROM captures WHERE path = '-'"), 1);
  // report needs only the database; export would re-read frames that no file holds.
  const std::string db = shell_quote(file("stdin.db"));
  EXPECT_EQ(sip("report --db " + db + " 1 -o " + shell_quote(file("r.html"))).exit_code, 0);
  const auto exported = sip("export --db " + db + " 1 --pcap " + shell_quote(file("x.pcap")));
  EXPECT_EQ(exported.exit_code, 2);
  EXPECT_NE(exported.err.find("standard input"), std::string::npos) << exported.err;
  // A pipe, as from `tcpdump -w -`, gzip-compressed on the way.
  const auto piped =
      run("{ gzip -c " + shell_quote(kSamples + "basic.pcap") + " | " +
              sipscope_cmd("analyze - -q --db " + shell_quote(file("pipe.db"))) + "; }",
          dir_);
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(calls_of(file("pipe.db")), plain_calls("basic.pcap"));
  // Standard input cannot be read twice.
  EXPECT_EQ(sip("analyze - - -q --db " + shell_quote(file("x.db"))).exit_code, 1);
}

TEST_F(Inputs, EmptyFileAmongSeveralIsAnAnomalyAndTheOthersAreAnalysed) {
  std::ofstream(file("empty.pcap")).close();
  const std::string db = file("both.db");
  const auto r = sip("analyze " + shell_quote(kSamples + "basic.pcap") + " " +
                     shell_quote(file("empty.pcap")) + " -q --db " + shell_quote(db));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(calls_of(db), plain_calls("basic.pcap"));
  EXPECT_EQ(query_int(db,
                      "SELECT count(*) FROM anomalies WHERE kind = 'capture_empty' AND "
                      "capture_id = 2"),
            1);
  EXPECT_EQ(query_int(db,
                      "SELECT count(*) FROM captures WHERE id = 2 AND status = 'empty' AND "
                      "packets = 0"),
            1);
  EXPECT_NE(r.out.find("capture_empty"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("sipscope analyze: warning: "), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("error:"), std::string::npos) << r.err;
}

TEST_F(Inputs, QuotedGlobIsExpandedInNameOrder) {
  // A `tcpdump -G` rotated set: names sort in time order.
  fs::copy_file(kSamples + "basic.pcap", file("cap-2.pcap"));
  fs::copy_file(kSamples + "no_final.pcap", file("cap-1.pcap"));
  fs::copy_file(kSamples + "prack.pcap", file("other.pcap"));
  const std::string db = file("set.db");
  const auto r = sip("analyze " + shell_quote(file("cap-*.pcap")) + " -q --db " + shell_quote(db));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = query(db, "SELECT path FROM captures ORDER BY id");
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_EQ(std::get<std::string>(rows[0].at("path")), file("cap-1.pcap"));
  EXPECT_EQ(std::get<std::string>(rows[1].at("path")), file("cap-2.pcap"));
  const auto none = sip("analyze " + shell_quote(file("nothing-*.pcap")) + " -q --db " +
                        shell_quote(file("n.db")));
  EXPECT_EQ(none.exit_code, 2) << none.err;
  EXPECT_NE(none.err.find("nothing-*.pcap"), std::string::npos) << none.err;
}

TEST_F(Inputs, NumericOptionsRefuseNanInfinityAndNegatives) {
  const std::string db = file("a.db");
  ASSERT_EQ(sip("analyze " + shell_quote(kSamples + "basic.pcap") + " -q --db " + shell_quote(db))
                .exit_code,
            0);
  const std::string on_db = " --db " + shell_quote(db);
  const std::pair<std::string, std::string> cases[] = {
      {"calls" + on_db + " --min-loss nan", "--min-loss"},
      {"calls" + on_db + " --max-mos inf", "--max-mos"},
      {"calls" + on_db + " --min-duration -5", "--min-duration"},
      {"calls" + on_db + " --max-duration -inf", "--max-duration"},
      {"calls" + on_db + " --limit -1", "--limit"},
      {"registrations" + on_db + " --limit -3", "--limit"},
      {"show" + on_db + " 1 --width -80", "--width"},
      {"analyze " + shell_quote(kSamples + "basic.pcap") + " --db " + shell_quote(file("b.db")) +
           " --max-rows -1",
       "--max-rows"},
      {"analyze " + shell_quote(kSamples + "basic.pcap") + " --db " + shell_quote(file("b.db")) +
           " --max-open-calls -1",
       "--max-open-calls"},
  };
  for (const auto& [args, option] : cases) {
    const auto r = sip(args);
    EXPECT_EQ(r.exit_code, 1) << args << ": " << r.err;
    EXPECT_NE(r.err.find(option), std::string::npos) << args << ": " << r.err;
  }
  EXPECT_FALSE(fs::exists(file("b.db")));
}

TEST_F(Inputs, CsvCarriesNoTerminalEscape) {
  const std::string db = file("a.db");
  ASSERT_EQ(sip("analyze " + shell_quote(kSamples + "basic.pcap") + " -q --db " + shell_quote(db))
                .exit_code,
            0);
  // Wire text is stored byte for byte (docs/schema.md): a From user carrying ESC [ 2 J
  // (clear screen) and a bell, as a hostile peer would send it.
  ASSERT_EQ(run("sqlite3 " + shell_quote(db) +
                    " \"UPDATE calls SET from_user = 'x' || char(27) || '[2J' || char(7) || 'y'\"",
                dir_)
                .exit_code,
            0);
  const auto r = sip("calls --db " + shell_quote(db) + " --format csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos);
  EXPECT_EQ(r.out.find('\x07'), std::string::npos);
  EXPECT_NE(r.out.find("x?[2J?y"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace sipscope::testing
