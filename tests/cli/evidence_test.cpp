// Evidence identity (issue 13 point 2) on the real binary: analyze records each capture's
// size, modification time and SHA-256 (expected values from coreutils `sha256sum` and
// stat(2)); export and report refuse, exit 2 with one line, a capture that is missing or
// changed since, and accept a moved copy given with --capture-dir.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/cli/db_reader.hpp"
#include "tests/cli/run_command.hpp"

namespace sipscope::testing {
namespace {

namespace fs = std::filesystem;

const std::string kSamples = std::string(SIPSCOPE_SOURCE_DIR) + "/samples/";

class Evidence : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = temp_dir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    capture_ = file("trace.pcap");
    fs::copy_file(kSamples + "basic.pcap", capture_);
    db_ = file("trace.db");
    const auto r = sip("analyze " + shell_quote(capture_) + " -q --db " + shell_quote(db_));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::string file(const std::string& name) const { return (dir_ / name).string(); }
  CommandResult sip(const std::string& args) const { return run(sipscope_cmd(args), dir_); }
  CommandResult export_call(const std::string& extra = "") const {
    return sip("export --db " + shell_quote(db_) + " 1 --pcap " + shell_quote(file("out.pcap")) +
               extra);
  }
  CommandResult report_call(const std::string& extra = "") const {
    return sip("report --db " + shell_quote(db_) + " 1 -o " + shell_quote(file("out.html")) +
               extra);
  }
  // Refused: exit 2, one line naming the capture, no output file.
  void expect_refused(const CommandResult& r, const std::string& why) const {
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(why), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(file("out.pcap")));
    EXPECT_FALSE(fs::exists(file("out.html")));
  }
  fs::path dir_;
  std::string capture_;
  std::string db_;
};

std::string sha256sum(const std::string& path) {
  std::string out;
  FILE* p = ::popen(("sha256sum " + shell_quote(path)).c_str(), "r");
  char buf[128];
  while (p != nullptr && std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
  if (p != nullptr) ::pclose(p);
  return out.substr(0, 64);
}

TEST_F(Evidence, CapturesRowHoldsSizeMtimeAndSha256) {
  const auto rows = query(db_, "SELECT size, mtime_us, sha256 FROM captures");
  ASSERT_EQ(rows.size(), 1U);
  struct stat st {};
  ASSERT_EQ(::stat(capture_.c_str(), &st), 0);
  EXPECT_EQ(std::get<int64_t>(rows[0].at("size")), static_cast<int64_t>(st.st_size));
  EXPECT_EQ(std::get<int64_t>(rows[0].at("mtime_us")),
            static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000 + st.st_mtim.tv_nsec / 1000);
  EXPECT_EQ(std::get<std::string>(rows[0].at("sha256")), sha256sum(capture_));
}

TEST_F(Evidence, UnchangedCaptureExportsAndReports) {
  EXPECT_EQ(export_call().exit_code, 0);
  EXPECT_EQ(report_call().exit_code, 0);
  // A new modification time alone (touch) is not a change of the evidence.
  ASSERT_EQ(run("touch " + shell_quote(capture_), dir_).exit_code, 0);
  EXPECT_EQ(export_call().exit_code, 0);
}

TEST_F(Evidence, ReplacedCaptureIsRefused) {
  // `tcpdump -w trace.pcap` run again: another trace under the same name.
  fs::copy_file(kSamples + "no_final.pcap", capture_, fs::copy_options::overwrite_existing);
  expect_refused(export_call(), "not the capture that was analysed");
  expect_refused(report_call(), "not the capture that was analysed");
}

TEST_F(Evidence, SameSizeDifferentBytesIsRefusedByTheHash) {
  std::string bytes = read_text(capture_);
  bytes[bytes.size() - 3] ^= 0x20;  // inside the last frame's payload
  std::ofstream(capture_, std::ios::binary | std::ios::trunc) << bytes;
  expect_refused(export_call(), "SHA-256");
  expect_refused(report_call(), "SHA-256");
}

TEST_F(Evidence, MissingCaptureIsRefused) {
  fs::remove(capture_);
  expect_refused(export_call(), "not found");
  expect_refused(report_call(), "not found");
}

TEST_F(Evidence, MovedCopyIsFoundWithCaptureDirAndVerified) {
  fs::create_directories(dir_ / "moved");
  const std::string moved = file("moved/trace.pcap");
  fs::rename(capture_, moved);
  expect_refused(export_call(), "--capture-dir");
  const std::string opt = " --capture-dir " + shell_quote(file("moved"));
  const auto ok = export_call(opt);
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(report_call(opt).exit_code, 0);
  fs::remove(file("out.pcap"));
  fs::remove(file("out.html"));
  // The copy in --capture-dir is held to the same identity.
  fs::copy_file(kSamples + "no_final.pcap", moved, fs::copy_options::overwrite_existing);
  expect_refused(export_call(opt), "not the capture that was analysed");
  expect_refused(report_call(opt), "not the capture that was analysed");
}

}  // namespace
}  // namespace sipscope::testing
