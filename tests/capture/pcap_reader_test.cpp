#include "capture/pcap_reader.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace sipscope::capture {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

// Capture files are written little-endian, as a little-endian host writes them; the
// formats are from tcpdump.org/manpages/pcap-savefile.5.txt and RFC draft-ietf-opsawg-pcapng.
void le16(Bytes& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v));
  b.push_back(static_cast<uint8_t>(v >> 8));
}
void le32(Bytes& b, uint32_t v) {
  le16(b, static_cast<uint16_t>(v));
  le16(b, static_cast<uint16_t>(v >> 16));
}

struct Record {
  uint32_t sec;
  uint32_t frac;  // microseconds or nanoseconds, per the file's magic
  Bytes data;
  uint32_t orig_len = 0;  // 0: same as data.size()
};

Bytes classic_pcap(uint32_t magic, uint32_t link, const std::vector<Record>& records) {
  Bytes b;
  le32(b, magic);
  le16(b, 2);  // version 2.4
  le16(b, 4);
  le32(b, 0);  // thiszone
  le32(b, 0);  // sigfigs
  le32(b, 65535);
  le32(b, link);
  for (const auto& r : records) {
    le32(b, r.sec);
    le32(b, r.frac);
    le32(b, static_cast<uint32_t>(r.data.size()));
    le32(b, r.orig_len != 0 ? r.orig_len : static_cast<uint32_t>(r.data.size()));
    b.insert(b.end(), r.data.begin(), r.data.end());
  }
  return b;
}

// SHB + one IDB without options (if_tsresol defaults to 10^-6) + one EPB per record with
// the 64-bit microsecond timestamp split into high and low words.
Bytes pcapng(uint16_t link, const std::vector<std::pair<uint64_t, Bytes>>& packets) {
  Bytes b;
  le32(b, 0x0a0d0d0a);  // SHB
  le32(b, 28);
  le32(b, 0x1a2b3c4d);  // byte-order magic
  le16(b, 1);
  le16(b, 0);
  le32(b, 0xffffffff);  // section length unknown (-1, 64 bits)
  le32(b, 0xffffffff);
  le32(b, 28);
  le32(b, 1);  // IDB
  le32(b, 20);
  le16(b, link);
  le16(b, 0);
  le32(b, 0);  // snaplen: no limit
  le32(b, 20);
  for (const auto& [ts, data] : packets) {
    const uint32_t padded = static_cast<uint32_t>((data.size() + 3) / 4 * 4);
    const uint32_t len = 32 + padded;
    le32(b, 6);  // EPB
    le32(b, len);
    le32(b, 0);  // interface 0
    le32(b, static_cast<uint32_t>(ts >> 32));
    le32(b, static_cast<uint32_t>(ts));
    le32(b, static_cast<uint32_t>(data.size()));
    le32(b, static_cast<uint32_t>(data.size()));
    b.insert(b.end(), data.begin(), data.end());
    b.resize(b.size() + (padded - data.size()), 0);
    le32(b, len);
  }
  return b;
}

class PcapReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("sipscope-capture-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const Bytes& content) {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary)
        .write(reinterpret_cast<const char*>(content.data()),
               static_cast<std::streamsize>(content.size()));
    return p.string();
  }

  fs::path dir_;
};

constexpr uint32_t kMicroMagic = 0xa1b2c3d4;
constexpr uint32_t kNanoMagic = 0xa1b23c4d;

TEST_F(PcapReaderTest, ClassicMicrosecondFile) {
  const std::string path = write("micro.pcap", classic_pcap(kMicroMagic, 1,
                                                            {{1700000000, 123456, {1, 2, 3}, 60},
                                                             {1700000001, 654321, {4, 5, 6, 7}}}));
  PcapReader r(path, 7);
  EXPECT_EQ(r.info().link_type, 1);
  EXPECT_EQ(r.info().path, path);
  decode::Frame f;
  ASSERT_TRUE(r.next(f));
  EXPECT_EQ(f.ref.capture_id, 7u);
  EXPECT_EQ(f.ref.number, 1u);
  EXPECT_EQ(f.ref.ts_us, 1'700'000'000'123'456);
  EXPECT_EQ(f.link_type, 1);
  EXPECT_EQ(f.wire_length, 60u);  // orig_len, larger than the 3 bytes captured
  EXPECT_EQ(Bytes(f.data.begin(), f.data.end()), (Bytes{1, 2, 3}));
  ASSERT_TRUE(r.next(f));
  EXPECT_EQ(f.ref.number, 2u);
  EXPECT_EQ(f.ref.ts_us, 1'700'000'001'654'321);
  EXPECT_EQ(f.wire_length, 4u);
  EXPECT_FALSE(r.next(f));
  EXPECT_FALSE(r.next(f));  // stays at the end
  EXPECT_EQ(r.info().packets, 2u);
  EXPECT_EQ(r.info().first_us, 1'700'000'000'123'456);
  EXPECT_EQ(r.info().last_us, 1'700'000'001'654'321);
  EXPECT_EQ(r.info().status, "complete");
  EXPECT_EQ(r.info().error, "");
}

// 3215500952 s (2071-11-24) does not fit libpcap's signed 32-bit field; the file format
// defines it as unsigned (seen in the corpus: heplify_sip_ipv6.pcap).
TEST_F(PcapReaderTest, SecondsAfter2038AreUnsigned) {
  const std::string path =
      write("late.pcap", classic_pcap(kMicroMagic, 1, {{3215500952u, 251758, {1}}}));
  PcapReader r(path, 1);
  decode::Frame f;
  ASSERT_TRUE(r.next(f));
  EXPECT_EQ(f.ref.ts_us, 3'215'500'952'251'758);
}

TEST_F(PcapReaderTest, ClassicNanosecondFileFloorsToMicroseconds) {
  const std::string path =
      write("nano.pcap",
            classic_pcap(kNanoMagic, 113, {{1700000000, 123456789, {9}}, {1700000000, 999, {8}}}));
  PcapReader r(path, 1);
  EXPECT_EQ(r.info().link_type, 113);
  decode::Frame f;
  ASSERT_TRUE(r.next(f));
  EXPECT_EQ(f.ref.ts_us, 1'700'000'000'123'456);  // 123456789 ns -> 123456 us (floor)
  ASSERT_TRUE(r.next(f));
  EXPECT_EQ(f.ref.ts_us, 1'700'000'000'000'000);  // 999 ns -> 0 us
  EXPECT_FALSE(r.next(f));
  // Out of order in the file: first/last are the earliest and latest times.
  EXPECT_EQ(r.info().first_us, 1'700'000'000'000'000);
  EXPECT_EQ(r.info().last_us, 1'700'000'000'123'456);
}

TEST_F(PcapReaderTest, PcapngWithDefaultMicrosecondResolution) {
  const uint64_t t1 = 1'700'000'000'123'456;  // needs both 32-bit halves
  const uint64_t t2 = t1 + 20'000;
  const std::string path =
      write("f.pcapng", pcapng(276, {{t1, {0xaa, 0xbb, 0xcc, 0xdd, 0xee}}, {t2, {0x11}}}));
  PcapReader r(path, 2);
  EXPECT_EQ(r.info().link_type, 276);
  decode::Frame f;
  ASSERT_TRUE(r.next(f));
  EXPECT_EQ(f.ref.ts_us, static_cast<int64_t>(t1));
  EXPECT_EQ(f.ref.number, 1u);
  EXPECT_EQ(f.link_type, 276);
  EXPECT_EQ(Bytes(f.data.begin(), f.data.end()), (Bytes{0xaa, 0xbb, 0xcc, 0xdd, 0xee}));
  ASSERT_TRUE(r.next(f));
  EXPECT_EQ(f.ref.ts_us, static_cast<int64_t>(t2));
  EXPECT_EQ(f.ref.number, 2u);
  EXPECT_FALSE(r.next(f));
  EXPECT_EQ(r.info().status, "complete");
}

TEST_F(PcapReaderTest, TruncatedLastRecord) {
  Bytes file = classic_pcap(kMicroMagic, 1,
                            {{10, 0, Bytes(40, 1)}, {11, 0, Bytes(40, 2)}, {12, 0, Bytes(40, 3)}});
  file.resize(file.size() - 15);  // cut inside the third record's data
  const std::string path = write("cut.pcap", file);
  PcapReader r(path, 1);
  decode::Frame f;
  ASSERT_TRUE(r.next(f));
  ASSERT_TRUE(r.next(f));
  EXPECT_EQ(f.data[0], 2);
  EXPECT_FALSE(r.next(f));
  EXPECT_FALSE(r.next(f));
  EXPECT_EQ(r.info().packets, 2u);
  EXPECT_EQ(r.info().status, "truncated");
  EXPECT_EQ(r.info().error.rfind(path + ": truncated capture after 2 packets (", 0), 0u)
      << r.info().error;
  EXPECT_EQ(r.info().error.find('\n'), std::string::npos);
}

TEST_F(PcapReaderTest, TruncatedInsideRecordHeader) {
  Bytes file = classic_pcap(kMicroMagic, 1, {{10, 0, Bytes(40, 1)}, {11, 0, Bytes(40, 2)}});
  file.resize(24 + 16 + 40 + 7);  // 7 bytes of the second 16-byte record header
  const std::string path = write("cut-header.pcap", file);
  PcapReader r(path, 1);
  decode::Frame f;
  ASSERT_TRUE(r.next(f));
  EXPECT_FALSE(r.next(f));
  EXPECT_EQ(r.info().status, "truncated");
  EXPECT_NE(r.info().error.find(path), std::string::npos);
}

TEST_F(PcapReaderTest, MissingFile) {
  const std::string path = (dir_ / "does-not-exist.pcap").string();
  try {
    PcapReader r(path, 1);
    FAIL() << "no exception";
  } catch (const CaptureError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(path), std::string::npos) << what;
    EXPECT_NE(what.find("No such file or directory"), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos);
  }
}

TEST_F(PcapReaderTest, NotACapture) {
  const std::string text = "this is not a capture file, just some text\n";
  const std::string path = write("notes.txt", Bytes(text.begin(), text.end()));
  try {
    PcapReader r(path, 1);
    FAIL() << "no exception";
  } catch (const CaptureError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.rfind(path + ": ", 0), 0u) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos);
  }
  // An empty file is not an error (issue 13: one empty file among several must not abort
  // the run): it reads as status "empty" without frames (input_file_test.cpp).
  const std::string empty = write("empty.pcap", {});
  EXPECT_NO_THROW(PcapReader(empty, 1));
}

TEST_F(PcapReaderTest, MergeInterleavesByTimestamp) {
  // Payload byte = source tag * 10 + second, so each delivered frame names its origin.
  const std::string a =
      write("a.pcap", classic_pcap(kMicroMagic, 1, {{1, 0, {11}}, {3, 0, {13}}, {5, 0, {15}}}));
  const std::string b =
      write("b.pcapng", pcapng(1, {{2'000'000, {22}}, {3'000'000, {23}}, {4'000'000, {24}}}));
  MergedReader m({a, b}, 5);
  decode::Frame f;
  std::vector<std::pair<int, uint64_t>> seen;  // (payload, frame number)
  std::vector<uint32_t> ids;
  while (m.next(f)) {
    ASSERT_EQ(f.data.size(), 1u);
    seen.emplace_back(f.data[0], f.ref.number);
    ids.push_back(f.ref.capture_id);
  }
  // The tie at t = 3 s goes to the first argument.
  const std::vector<std::pair<int, uint64_t>> expected = {{11, 1}, {22, 1}, {13, 2},
                                                          {23, 2}, {24, 3}, {15, 3}};
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(ids, (std::vector<uint32_t>{5, 6, 5, 6, 6, 5}));
  EXPECT_FALSE(m.next(f));
  const auto caps = m.captures();
  ASSERT_EQ(caps.size(), 2u);
  EXPECT_EQ(caps[0].path, a);
  EXPECT_EQ(caps[0].capture_id, 5u);
  EXPECT_EQ(caps[0].packets, 3u);
  EXPECT_EQ(caps[1].capture_id, 6u);
  EXPECT_EQ(caps[1].packets, 3u);
  EXPECT_EQ(caps[1].first_us, 2'000'000);
  EXPECT_EQ(caps[1].last_us, 4'000'000);
}

TEST_F(PcapReaderTest, MergeGoesOnAfterATruncatedFile) {
  Bytes cut = classic_pcap(kMicroMagic, 1, {{1, 0, Bytes(30, 1)}, {2, 0, Bytes(30, 2)}});
  cut.resize(cut.size() - 5);
  const std::string a = write("cut.pcap", cut);
  const std::string b = write("ok.pcap", classic_pcap(kMicroMagic, 1, {{3, 0, {3}}, {4, 0, {4}}}));
  MergedReader m({a, b}, 1);
  decode::Frame f;
  int n = 0;
  while (m.next(f)) ++n;
  EXPECT_EQ(n, 3);
  const auto caps = m.captures();
  EXPECT_EQ(caps[0].status, "truncated");
  EXPECT_EQ(caps[0].packets, 1u);
  EXPECT_EQ(caps[1].status, "complete");
  EXPECT_EQ(caps[1].packets, 2u);
}

TEST_F(PcapReaderTest, MergeOpensEveryFileUpFront) {
  const std::string a = write("a.pcap", classic_pcap(kMicroMagic, 1, {{1, 0, {1}}}));
  const std::string missing = (dir_ / "missing.pcap").string();
  try {
    MergedReader m({a, missing}, 1);
    FAIL() << "no exception";
  } catch (const CaptureError& e) {
    EXPECT_NE(std::string(e.what()).find(missing), std::string::npos);
  }
}

TEST_F(PcapReaderTest, MarkInterrupted) {
  const std::string a = write("a.pcap", classic_pcap(kMicroMagic, 1, {{1, 0, {1}}, {2, 0, {2}}}));
  const std::string b = write("b.pcap", classic_pcap(kMicroMagic, 1, {{0, 5, {9}}}));
  MergedReader m({a, b}, 1);
  decode::Frame f;
  ASSERT_TRUE(m.next(f));  // b's only frame
  ASSERT_TRUE(m.next(f));  // a's first; b now exhausted
  m.mark_interrupted();
  const auto caps = m.captures();
  EXPECT_EQ(caps[0].status, "interrupted");
  EXPECT_NE(caps[0].error.find(a), std::string::npos);
  EXPECT_EQ(caps[1].status, "complete");
}

// Every third-party capture opens and reads to the end, with the packet count that
// capinfos/tshark recorded in the corpus MANIFEST (section 2, "pkts" column).
TEST(PcapCorpus, EveryCaptureReadsToTheEnd) {
  const fs::path corpus = SIPSCOPE_CORPUS_DIR;
  if (!fs::is_directory(corpus / "pcaps")) {
    GTEST_SKIP() << "corpus not present at " << corpus.string();
  }
  std::map<std::string, uint64_t> expected;
  {
    std::ifstream manifest(corpus / "MANIFEST.md");
    std::string line;
    // Rows "| `NAME` | size | PKTS | ...": the name in backquotes, the count all digits.
    while (std::getline(manifest, line)) {
      std::vector<std::string> cells;
      std::istringstream row(line);
      for (std::string cell; std::getline(row, cell, '|');) cells.push_back(cell);
      if (cells.size() < 4 || !cells[0].empty()) continue;
      const std::string& name = cells[1];
      const std::string& pkts = cells[3];
      if (name.size() < 5 || name.front() != ' ' || name[1] != '`' || name.back() != ' ' ||
          name[name.size() - 2] != '`' || name.find('`', 2) != name.size() - 2) {
        continue;
      }
      if (pkts.size() < 3 || pkts.front() != ' ' || pkts.back() != ' ' ||
          pkts.find_first_not_of("0123456789", 1) != pkts.size() - 1) {
        continue;
      }
      expected[name.substr(2, name.size() - 4)] = std::stoull(pkts.substr(1));
    }
  }
  int files = 0;
  int compared = 0;
  for (const auto& entry : fs::directory_iterator(corpus / "pcaps")) {
    const std::string name = entry.path().filename().string();
    SCOPED_TRACE(name);
    PcapReader r(entry.path().string(), 1);
    decode::Frame f;
    uint64_t n = 0;
    while (r.next(f)) {
      ++n;
      ASSERT_LE(f.data.size(), f.wire_length);
    }
    EXPECT_EQ(r.info().status, "complete") << r.info().error;
    EXPECT_GT(n, 0u);
    EXPECT_EQ(r.info().packets, n);
    if (auto it = expected.find(name); it != expected.end()) {
      EXPECT_EQ(n, it->second);
      ++compared;
    }
    ++files;
  }
  EXPECT_GT(files, 0);
  EXPECT_GT(compared, files / 2) << "MANIFEST table format changed?";
}

}  // namespace
}  // namespace sipscope::capture
