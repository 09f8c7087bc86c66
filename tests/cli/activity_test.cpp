// `sipscope peers` and `sipscope activity` on the real binary and the generator's
// non-call captures (samples/activity/, samples/generator/activity.cpp): the expected
// values below are what those scenarios sent, as their comments derive them.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/cli/run_command.hpp"

namespace sipscope::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kDir = fs::path(SIPSCOPE_SOURCE_DIR) / "samples" / "activity";

class ActivityCli : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = temp_dir("activity-cli"); }
  std::string analyze(const std::string& name) {
    const std::string db = (dir_ / (name + ".db")).string();
    const auto r = run(sipscope_cmd("analyze " + shell_quote((kDir / (name + ".pcap")).string()) +
                                    " --db " + shell_quote(db) + " --quiet"),
                       dir_);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return db;
  }
  CommandResult cmd(const std::string& args) { return run(sipscope_cmd(args), dir_); }
  fs::path dir_;
};

// peers.pcap: 198.51.100.1 pings 203.0.113.5 every 10 s; the 40 s ping goes unanswered and
// its Timer F (32 s) ends at 72 s = 10:01:12; the 90 s ping's 200 at 10:01:30.002 ends the
// outage (18.002 s). 203.0.113.6 answers 404 throughout: alive.
TEST_F(ActivityCli, PeersTableAndEvents) {
  const std::string db = analyze("peers");
  const auto t = cmd("peers --db " + db);
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_NE(t.out.find("203.0.113.5:5060"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("18.002 s"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("2 peers\n"), std::string::npos) << t.out;
  EXPECT_NE(cmd("peers --db " + db + " --state down").out.find("0 peers"), std::string::npos);
  EXPECT_NE(cmd("peers --db " + db + " --peer 113.6").out.find("1 peer\n"), std::string::npos);

  const auto e = cmd("peers --db " + db + " --events --state down");
  ASSERT_EQ(e.exit_code, 0) << e.err;
  EXPECT_NE(e.out.find("2026-01-01T10:01:12.000Z"), std::string::npos) << e.out;
  EXPECT_NE(e.out.find("up -> down"), std::string::npos) << e.out;
  EXPECT_NE(e.out.find("1 state change\n"), std::string::npos) << e.out;

  const auto csv = cmd("peers --db " + db + " --events --format csv");
  EXPECT_EQ(std::count(csv.out.begin(), csv.out.end(), '\n'), 5) << csv.out;  // header + 4

  const auto j = json::parse(cmd("peers --db " + db + " --format json --limit 1").out);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["peer_ip"], "203.0.113.5");
  EXPECT_EQ(j[0]["pings"], 11);
  EXPECT_EQ(j[0]["timeouts"], 4);
  EXPECT_EQ(j[0]["down_count"], 1);
  EXPECT_DOUBLE_EQ(j[0]["down_ms"].get<double>(), 18002.0);
}

// message.pcap: MESSAGE 200, MESSAGE 404, PUBLISH initial/refresh/remove, and a MESSAGE at
// 70 s that nobody answers; subscribe.pcap: presence (terminated), dialog (expired),
// message-summary (489).
TEST_F(ActivityCli, ActivityKindsAndResults) {
  const std::string msg = analyze("message");
  const auto all = cmd("activity --db " + msg);
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_NE(all.out.find("6 items\n"), std::string::npos) << all.out;
  EXPECT_NE(cmd("activity --db " + msg + " --kind publish").out.find("3 items"), std::string::npos);
  const auto lost = cmd("activity --db " + msg + " --kind message --result no_response");
  EXPECT_NE(lost.out.find("1 item\n"), std::string::npos) << lost.out;
  EXPECT_NE(lost.out.find("carol"), std::string::npos) << lost.out;
  const auto j = json::parse(cmd("activity --db " + msg + " --kind publish --format json").out);
  ASSERT_EQ(j.size(), 3u);
  EXPECT_EQ(j[0]["action"], "initial");
  EXPECT_EQ(j[0]["etag"], "dx200xyz");
  EXPECT_EQ(j[1]["action"], "refresh");
  EXPECT_EQ(j[1]["if_match"], "dx200xyz");
  EXPECT_EQ(j[2]["action"], "remove");

  const std::string sub = analyze("subscribe");
  const auto subs = json::parse(cmd("activity --db " + sub + " --format json").out);
  ASSERT_EQ(subs.size(), 3u);
  EXPECT_EQ(subs[0]["kind"], "subscribe");
  EXPECT_EQ(subs[0]["state"], "terminated");
  EXPECT_EQ(subs[0]["reason"], "timeout");
  const auto expired = cmd("activity --db " + sub + " --kind subscribe --result expired");
  EXPECT_NE(expired.out.find("dialog"), std::string::npos) << expired.out;
  const auto csv = cmd("activity --db " + sub + " --format csv --user carol");
  EXPECT_EQ(std::count(csv.out.begin(), csv.out.end(), '\n'), 2) << csv.out;
}

TEST_F(ActivityCli, NoneOfItIsACall) {
  for (const char* name : {"peers", "subscribe", "message"}) {
    const std::string db = analyze(name);
    const auto calls = cmd("calls --db " + db + " --format json");
    EXPECT_EQ(json::parse(calls.out).size(), 0u) << name;
    const auto stats = json::parse(cmd("stats --db " + db + " --format json").out);
    EXPECT_EQ(stats["calls"], 0) << name;
  }
}

TEST_F(ActivityCli, UsageErrorsAndHelp) {
  const std::string db = analyze("message");
  EXPECT_EQ(cmd("activity --db " + db + " --kind invite").exit_code, 1);
  EXPECT_EQ(cmd("peers --db " + db + " --format xml").exit_code, 1);
  EXPECT_EQ(cmd("peers --db " + db + " --since yesterday").exit_code, 1);
  const auto h = cmd("help activity");
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.out.find("--kind"), std::string::npos);
  EXPECT_NE(cmd("help").out.find("peers --db FILE"), std::string::npos);
}

}  // namespace
}  // namespace sipscope::testing
