// README command (a) ends in scripts/run-sample.sh: this runs that step exactly as the
// README's command does (same script, same sample) and checks what it promises: the
// SQLite file and the HTML report under the output folder, the calls printed.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/cli/db_reader.hpp"
#include "tests/cli/run_command.hpp"

namespace sipscope::testing {
namespace {

namespace fs = std::filesystem;

TEST(Readme, FirstCommandIsQuickstartAndSecondIsTestSuite) {
  const std::string readme = read_text(fs::path(SIPSCOPE_SOURCE_DIR) / "README.md");
  const auto first = readme.find("```");
  ASSERT_NE(first, std::string::npos);
  const auto first_body = readme.find('\n', first) + 1;
  const auto first_end = readme.find("```", first_body);
  EXPECT_EQ(readme.substr(first_body, first_end - first_body), "bash scripts/quickstart.sh\n");
  const auto second = readme.find("```", first_end + 3);
  const auto second_body = readme.find('\n', second) + 1;
  const auto second_end = readme.find("```", second_body);
  EXPECT_EQ(readme.substr(second_body, second_end - second_body), "bash scripts/test.sh\n");
  EXPECT_NE(read_text(fs::path(SIPSCOPE_SOURCE_DIR) / "scripts/quickstart.sh")
                .find("scripts/run-sample.sh"),
            std::string::npos);
}

TEST(Readme, SampleStepWritesDatabaseAndHtmlAndPrintsCalls) {
  const auto dir = temp_dir("readme");
  const auto out = dir / "out";
  const std::string env =
      "SIPSCOPE_EXE=" + shell_quote(SIPSCOPE_EXE) + " OUT=" + shell_quote(out.string());
  const auto r =
      run(env + " bash " + shell_quote(std::string(SIPSCOPE_SOURCE_DIR) + "/scripts/run-sample.sh"),
          dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string db = (out / "basic.db").string();
  ASSERT_TRUE(fs::exists(db));
  ASSERT_TRUE(fs::exists(out / "basic.html"));
  // The sample's truth file says how many calls it holds; the printed table lists each.
  const auto truth = read_text(fs::path(SIPSCOPE_SOURCE_DIR) / "samples/basic.truth.json");
  const int64_t calls = query_int(db, "SELECT COUNT(*) FROM calls");
  EXPECT_GT(calls, 0);
  for (const auto& row : query(db, "SELECT sip_call_id FROM calls")) {
    const std::string cid = std::get<std::string>(row.at("sip_call_id"));
    EXPECT_NE(truth.find(cid), std::string::npos) << cid << " is not a call of the sample";
  }
  EXPECT_NE(r.out.find("database: " + db), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("html:"), std::string::npos) << r.out;
  // Where the binary is, for the commands that follow in the README.
  EXPECT_NE(r.out.find("binary:   " + fs::canonical(SIPSCOPE_EXE).string()), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("calls: " + std::to_string(calls)), std::string::npos) << r.out;
  const auto html = read_text(out / "basic.html");
  EXPECT_NE(html.find("<svg"), std::string::npos);
  // Safe to re-run: same result the second time.
  const auto again =
      run(env + " bash " + shell_quote(std::string(SIPSCOPE_SOURCE_DIR) + "/scripts/run-sample.sh"),
          dir);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(query_int(db, "SELECT COUNT(*) FROM calls"), calls);
}

}  // namespace
}  // namespace sipscope::testing
