// `sipscope show` text prints the call's diagnostics under the ladder: each diagnostic the
// generator recorded for samples/no_ack.pcap (no_ack.truth.json "diagnostics") appears there.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "tests/cli/run_command.hpp"

namespace sipscope::testing {
namespace {

TEST(ShowFindings, TextListsTheTruthDiagnosticsUnderTheLadder) {
  const std::string base = std::string(SIPSCOPE_SOURCE_DIR) + "/samples/no_ack";
  const auto truth = nlohmann::json::parse(std::ifstream(base + ".truth.json"))["diagnostics"];
  ASSERT_FALSE(truth.empty());
  const auto dir = temp_dir("show-findings");
  const std::string db = (dir / "no_ack.db").string();
  const auto a = run(sipscope_cmd("analyze " + shell_quote(base + ".pcap") + " --db " +
                                  shell_quote(db) + " --quiet"),
                     dir);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  for (const auto& d : truth) {
    const auto r = run(sipscope_cmd("show --db " + shell_quote(db) + " " +
                                    shell_quote(d["call"].get<std::string>()) + " --width 100"),
                       dir);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto at = r.out.find("\nDiagnostics:\n");
    ASSERT_NE(at, std::string::npos) << r.out;
    EXPECT_NE(r.out.find("  " + d["kind"].get<std::string>() + "  ", at), std::string::npos)
        << r.out;
    EXPECT_LT(r.out.rfind("BYE"), at) << "diagnostics come under the ladder";
  }
}

}  // namespace
}  // namespace sipscope::testing
