// capture/input_file: gzip captures read through zlib, the evidence identity computed while
// libpcap reads, empty files. Expected hashes come from coreutils `sha256sum`, compressed
// files from `gzip`, frame contents from reading the plain file.
#include "capture/input_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "capture/pcap_reader.hpp"

namespace sipscope::capture {
namespace {

namespace fs = std::filesystem;

const fs::path kBasic = fs::path(SIPSCOPE_SOURCE_DIR) / "samples" / "basic.pcap";

fs::path temp_dir(const std::string& name) {
  const fs::path d =
      fs::temp_directory_path() / ("sipscope-input-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::string run_output(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) return out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
  ::pclose(p);
  return out;
}

// What coreutils says: the first field of `sha256sum FILE`.
std::string sha256sum(const fs::path& p) {
  return run_output("sha256sum '" + p.string() + "'").substr(0, 64);
}

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary) << bytes;
}

struct ReadAll {
  std::vector<std::string> frames;
  std::vector<int64_t> times;
  CaptureInfo info;
};

ReadAll read_all(const fs::path& p) {
  ReadAll r;
  PcapReader reader(p.string(), 1);
  decode::Frame f;
  while (reader.next(f)) {
    r.frames.emplace_back(reinterpret_cast<const char*>(f.data.data()), f.data.size());
    r.times.push_back(f.ref.ts_us);
  }
  r.info = reader.info();
  return r;
}

TEST(InputFile, PlainCaptureIdentityIsSha256sumOfTheFile) {
  const auto r = read_all(kBasic);
  ASSERT_GT(r.frames.size(), 0U);
  EXPECT_EQ(r.info.status, "complete");
  EXPECT_EQ(r.info.identity.sha256, sha256sum(kBasic));
  EXPECT_EQ(r.info.identity.size, fs::file_size(kBasic));
  struct stat st {};
  ASSERT_EQ(::stat(kBasic.c_str(), &st), 0);
  ASSERT_TRUE(r.info.identity.mtime_us.has_value());
  EXPECT_EQ(*r.info.identity.mtime_us,
            static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000 + st.st_mtim.tv_nsec / 1000);
  // identify_file (export/report) hashes the same bytes the same way.
  EXPECT_EQ(identify_file(kBasic.string()).sha256, r.info.identity.sha256);
}

TEST(InputFile, GzipCaptureGivesTheSameFramesAndHashesTheStoredBytes) {
  const auto dir = temp_dir("gz");
  const fs::path gz = dir / "basic.pcap.gz";
  ASSERT_EQ(std::system(("gzip -c '" + kBasic.string() + "' > '" + gz.string() + "'").c_str()), 0);
  const auto plain = read_all(kBasic);
  const auto packed = read_all(gz);
  EXPECT_EQ(packed.info.status, "complete") << packed.info.error;
  EXPECT_EQ(packed.frames, plain.frames);
  EXPECT_EQ(packed.times, plain.times);
  EXPECT_EQ(packed.info.identity.sha256, sha256sum(gz));
  EXPECT_EQ(packed.info.identity.size, fs::file_size(gz));
  // Any name: recognised by the gzip magic, not the extension.
  const fs::path renamed = dir / "renamed.pcap";
  fs::copy_file(gz, renamed);
  EXPECT_EQ(read_all(renamed).frames, plain.frames);
}

TEST(InputFile, GzipOfSeveralMembersIsReadWhole) {
  // RFC 1952 §2.2: a gzip file is a series of members (`cat a.gz b.gz`).
  const auto dir = temp_dir("members");
  const std::string bytes = read_bytes(kBasic);
  write_bytes(dir / "a", bytes.substr(0, bytes.size() / 3));
  write_bytes(dir / "b", bytes.substr(bytes.size() / 3));
  const fs::path gz = dir / "joined.pcap.gz";
  const std::string cmd = "cd '" + dir.string() + "' && gzip -c a > a.gz && gzip -c b > b.gz && " +
                          "cat a.gz b.gz > joined.pcap.gz";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  const auto r = read_all(gz);
  EXPECT_EQ(r.info.status, "complete") << r.info.error;
  EXPECT_EQ(r.frames, read_all(kBasic).frames);
}

TEST(InputFile, CutGzipIsTruncatedAndStillHashedWhole) {
  const auto dir = temp_dir("cutgz");
  const fs::path gz = dir / "full.pcap.gz";
  ASSERT_EQ(std::system(("gzip -c '" + kBasic.string() + "' > '" + gz.string() + "'").c_str()), 0);
  const std::string bytes = read_bytes(gz);
  const fs::path cut = dir / "cut.pcap.gz";
  write_bytes(cut, bytes.substr(0, bytes.size() / 2));
  const auto r = read_all(cut);
  EXPECT_EQ(r.info.status, "truncated");
  EXPECT_NE(r.info.error.find(cut.string()), std::string::npos) << r.info.error;
  EXPECT_LT(r.frames.size(), read_all(kBasic).frames.size());
  EXPECT_EQ(r.info.identity.sha256, sha256sum(cut));
}

TEST(InputFile, TruncatedPcapIsHashedToItsEnd) {
  const auto dir = temp_dir("cut");
  const std::string bytes = read_bytes(kBasic);
  const fs::path cut = dir / "cut.pcap";
  write_bytes(cut, bytes.substr(0, bytes.size() - 7));  // inside the last record
  const auto r = read_all(cut);
  EXPECT_EQ(r.info.status, "truncated");
  EXPECT_EQ(r.info.identity.sha256, sha256sum(cut));
  EXPECT_EQ(r.info.identity.size, bytes.size() - 7);
}

TEST(InputFile, EmptyFileIsStatusEmptyWithoutFrames) {
  const auto dir = temp_dir("empty");
  const fs::path empty = dir / "empty.pcap";
  write_bytes(empty, "");
  const auto r = read_all(empty);
  EXPECT_TRUE(r.frames.empty());
  EXPECT_EQ(r.info.status, "empty");
  EXPECT_EQ(r.info.identity.size, 0U);
  EXPECT_EQ(r.info.identity.sha256, sha256sum(empty));
}

TEST(InputFile, NotACaptureStillFailsNamingTheFile) {
  const auto dir = temp_dir("text");
  const fs::path text = dir / "notes.txt";
  write_bytes(text, "these are notes, not a capture\n");
  try {
    PcapReader reader(text.string(), 1);
    FAIL() << "expected CaptureError";
  } catch (const CaptureError& e) {
    EXPECT_NE(std::string(e.what()).find(text.string()), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sipscope::capture
