// `analyze` tuning options on the real binary: correlation header names (issue 4, legs:
// "X-Call-ID, X-CID, X-Orig-Call-ID and configurable names") and the RFC 3261 timer base.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "tests/cli/db_reader.hpp"
#include "tests/cli/run_command.hpp"

namespace sipscope::testing {
namespace {

namespace fs = std::filesystem;

// samples/b2bua_xcallid.pcap with its one "X-Call-ID:" header renamed to "X-Leg-Ref:" (same
// length, so every length field stays right). Its truth: leg 5ac3...@198.51.100.20 names
// 1cc5...@192.0.2.10 in X-Call-ID, leg e586...@198.51.100.20 names 68c2...@192.0.2.20 in X-CID.
fs::path renamed_header_capture(const fs::path& dir) {
  std::ifstream in(fs::path(SIPSCOPE_SOURCE_DIR) / "samples" / "b2bua_xcallid.pcap",
                   std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto at = bytes.find("X-Call-ID:");
  EXPECT_NE(at, std::string::npos);
  if (at != std::string::npos) bytes.replace(at, 10, "X-Leg-Ref:");
  EXPECT_EQ(bytes.find("X-Call-ID:"), std::string::npos);
  const fs::path out = dir / "renamed.pcap";
  std::ofstream(out, std::ios::binary) << bytes;
  return out;
}

int64_t links_to(const std::string& db, const std::string& linked) {
  return query_int(db,
                   "SELECT COUNT(*) FROM call_links l JOIN calls b ON b.id = l.linked_call_id "
                   "JOIN calls a ON a.id = l.call_id WHERE l.reason = 'x_call_id' AND "
                   "(b.sip_call_id = '" +
                       linked + "' OR a.sip_call_id = '" + linked + "')");
}

TEST(AnalyzeOptions, LinkHeaderAddsACorrelationHeader) {
  const auto dir = temp_dir("link-header");
  const fs::path capture = renamed_header_capture(dir);
  const std::string plain = (dir / "plain.db").string();
  const std::string named = (dir / "named.db").string();
  ASSERT_EQ(run(sipscope_cmd("analyze " + shell_quote(capture.string()) + " --quiet --db " +
                             shell_quote(plain)),
                dir)
                .exit_code,
            0);
  ASSERT_EQ(run(sipscope_cmd("analyze " + shell_quote(capture.string()) + " --quiet --db " +
                             shell_quote(named) + " --link-header X-Leg-Ref"),
                dir)
                .exit_code,
            0);
  // Unknown header: only the X-CID pair is linked. Named: both pairs, as in the truth.
  EXPECT_EQ(links_to(plain, "1cc52098ced2a0176cee8561@192.0.2.10"), 0);
  EXPECT_EQ(links_to(plain, "68c2e706947c0ac7092e1880@192.0.2.20"), 1);
  EXPECT_EQ(links_to(named, "1cc52098ced2a0176cee8561@192.0.2.10"), 1);
  EXPECT_EQ(links_to(named, "68c2e706947c0ac7092e1880@192.0.2.20"), 1);
}

TEST(AnalyzeOptions, TimerOptionsAreChecked) {
  const auto dir = temp_dir("timer-options");
  const std::string capture = std::string(SIPSCOPE_SOURCE_DIR) + "/samples/basic.pcap";
  for (const char* bad : {"--t1-ms 0", "--t1-ms 60001", "--call-idle-s 0", "--link-header ''"}) {
    const auto r = run(sipscope_cmd("analyze " + shell_quote(capture) + " --quiet --db " +
                                    shell_quote((dir / "x.db").string()) + " " + bad),
                       dir);
    EXPECT_EQ(r.exit_code, 1) << bad;
    EXPECT_NE(r.err.find("analyze"), std::string::npos) << bad << ": " << r.err;
  }
  const auto ok =
      run(sipscope_cmd("analyze " + shell_quote(capture) + " --quiet --db " +
                       shell_quote((dir / "ok.db").string()) + " --t1-ms 250 --call-idle-s 60"),
          dir);
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

}  // namespace
}  // namespace sipscope::testing
