// `sipscope capture --serve`: the web API over the database a live capture is writing. A HEP
// listener is fed by sngrep replaying samples/basic.pcap (`sngrep -I FILE -H udp:... -N -q`);
// while the capture still runs, /api/calls lists every call of the generator's truth
// (samples/basic.truth.json) and /api/calls/version has changed, without restarting
// anything. Needs sngrep (scripts/install-deps.sh --test); no privilege.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>

#include "tests/cli/child_process.hpp"
#include "tests/cli/run_command.hpp"
#include "tests/cli/udp_port.hpp"

namespace sipscope::web {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::Child;
using testing::read_text;

// The port of "sipscope capture: http://127.0.0.1:PORT/" once the capture printed it.
int served_port(const fs::path& out, Child& capture) {
  const std::string prefix = "sipscope capture: http://127.0.0.1:";
  for (int i = 0; i < 100; ++i) {
    const std::string text = read_text(out);
    if (const size_t at = text.find(prefix); at != std::string::npos) {
      return std::stoi(text.substr(at + prefix.size()));
    }
    if (capture.wait_exit(milliseconds(0))) return 0;
    std::this_thread::sleep_for(milliseconds(100));
  }
  return 0;
}

TEST(CaptureServe, CallListFollowsTheLiveCapture) {
  ASSERT_EQ(std::system("command -v sngrep >/dev/null 2>&1"), 0)
      << "sngrep missing: scripts/install-deps.sh --test";
  std::ifstream in(std::string(SIPSCOPE_SOURCE_DIR) + "/samples/basic.truth.json");
  const json truth = json::parse(in);
  std::set<std::string> expected;
  for (const auto& c : truth["calls"]) expected.insert(c["sip_call_id"].get<std::string>());

  const fs::path dir = testing::temp_dir("capture-serve");
  const std::string hep = "127.0.0.1:" + std::to_string(testing::free_udp_port());
  Child capture({SIPSCOPE_EXE, "capture", "--hep-listen", hep, "--db", (dir / "live.db").string(),
                 "--serve", "127.0.0.1:0", "--duration", "60"},
                dir, dir / "capture.out", dir / "capture.err");
  const int port = served_port(dir / "capture.out", capture);
  ASSERT_GT(port, 0) << read_text(dir / "capture.err");
  httplib::Client client("127.0.0.1", port);
  const auto before = client.Get("/api/calls/version");
  ASSERT_TRUE(before) << "no answer from the capture's server";
  ASSERT_EQ(before->status, 200);

  const auto sent = testing::run(
      "timeout 30 sngrep -I " +
          testing::shell_quote(std::string(SIPSCOPE_SOURCE_DIR) + "/samples/basic.pcap") +
          " -H udp:" + hep + " -N -q",
      dir);
  ASSERT_EQ(sent.exit_code, 0) << sent.err;

  std::set<std::string> listed;
  for (int i = 0; i < 100 && listed != expected; ++i) {
    std::this_thread::sleep_for(milliseconds(100));
    const auto r = client.Get("/api/calls?limit=1000");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    listed.clear();
    const json page = json::parse(r->body);
    for (const auto& c : page["calls"]) {
      listed.insert(c["sip_call_id"].get<std::string>());
    }
  }
  EXPECT_EQ(listed, expected);
  EXPECT_FALSE(capture.wait_exit(milliseconds(0))) << "the capture must still be running";
  const auto after = client.Get("/api/calls/version");
  ASSERT_TRUE(after);
  EXPECT_NE(json::parse(after->body)["version"], json::parse(before->body)["version"]);

  capture.signal(SIGINT);
  EXPECT_EQ(capture.wait_exit(seconds(10)), 0) << read_text(dir / "capture.err");
}

}  // namespace
}  // namespace sipscope::web
