// --redact on real third-party captures that carry what the samples do not: SIP-I ISUP
// numbers (heplify_sip_sctp: an INVITE split over two SCTP DATA fragments), addresses glued
// into Via branches and version strings shaped like addresses (sngrep_aaa). The originals
// are what tshark reads from the original capture; the redacted pcap is read back by tshark
// too. Skipped with a message when the corpus or tshark is absent.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <re2/re2.h>

#include <array>

#include <filesystem>
#include <set>
#include <sstream>

#include "tests/cli/db_reader.hpp"
#include "tests/cli/run_command.hpp"

namespace sipscope::testing {
namespace {

namespace fs = std::filesystem;

// tshark's values of `fields` (each split at ','), one vector per field, every frame.
std::vector<std::vector<std::string>> tshark_fields(const fs::path& pcap,
                                                    const std::vector<std::string>& fields,
                                                    const fs::path& dir) {
  std::string cmd = "tshark -r " + shell_quote(pcap.string()) + " -T fields -E separator=/t";
  for (const auto& f : fields) cmd += " -e " + f;
  const auto r = run(cmd, dir);
  std::vector<std::vector<std::string>> out(fields.size());
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    std::istringstream cols(line);
    size_t k = 0;
    for (std::string col; k < fields.size() && std::getline(cols, col, '\t'); ++k) {
      std::istringstream items(col);
      for (std::string v; std::getline(items, v, ',');) {
        if (!v.empty()) out[k].push_back(v);
      }
    }
  }
  return out;
}

struct Redacted {
  std::string pcap_bytes, html;
  fs::path pcap;
};

Redacted redact_all(const fs::path& capture, const fs::path& dir) {
  const std::string db = (dir / "a.db").string();
  EXPECT_EQ(run(sipscope_cmd("analyze " + shell_quote(capture.string()) + " --db " +
                             shell_quote(db) + " --quiet"),
                dir)
                .exit_code,
            0);
  std::string ids;
  for (const auto& row : query(db, "SELECT id FROM calls")) {
    ids += ' ';
    ids += std::to_string(std::get<int64_t>(row.at("id")));
  }
  Redacted r;
  r.pcap = dir / "red.pcap";
  EXPECT_EQ(run(sipscope_cmd("export --db " + shell_quote(db) + ids + " --redact --pcap " +
                             shell_quote(r.pcap.string())),
                dir)
                .exit_code,
            0);
  EXPECT_EQ(run(sipscope_cmd("report --db " + shell_quote(db) + ids + " --redact -o " +
                             shell_quote((dir / "r.html").string())),
                dir)
                .exit_code,
            0);
  r.pcap_bytes = read_text(r.pcap);
  r.html = read_text(dir / "r.html");
  return r;
}

class RedactCorpus : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::is_directory(pcaps_)) GTEST_SKIP() << "corpus not present at " << pcaps_;
    if (run("command -v tshark", fs::temp_directory_path()).exit_code != 0) {
      GTEST_SKIP() << "tshark not installed";
    }
    dir_ = temp_dir("redact-corpus");
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  fs::path pcaps_ = fs::path(SIPSCOPE_CORPUS_DIR) / "pcaps";
  fs::path dir_;
};

TEST_F(RedactCorpus, IsupNumbersOfSipIBecomeTheSipUsersPseudonyms) {
  const fs::path capture = pcaps_ / "heplify_sip_sctp.pcap";
  // Every number parameter tshark decodes in this IAM (Q.763 codes 4, 10, 11, 40, 111).
  const std::vector<std::string> fields = {
      "isup.called",           "isup.calling",  "isup.redirecting", "isup.original_called_number",
      "isup.called_in_number", "sip.from.user", "sip.to.user"};
  const size_t kNumbers = 5;
  const auto orig = tshark_fields(capture, fields, dir_);
  ASSERT_FALSE(orig[0].empty()) << "no ISUP in " << capture;
  ASSERT_FALSE(orig[4].empty()) << "no Called IN number in " << capture;
  const Redacted r = redact_all(capture, dir_);
  const auto red = tshark_fields(r.pcap, fields, dir_);
  for (size_t k = 0; k < kNumbers; ++k) {
    ASSERT_EQ(red[k].size(), orig[k].size()) << k;
    for (size_t i = 0; i < orig[k].size(); ++i) {
      EXPECT_NE(red[k][i], orig[k][i]);
      EXPECT_EQ(red[k][i].size(), orig[k][i].size());  // digit for digit, ST ("F") kept
      std::string digits = orig[k][i];
      if (!digits.empty() && digits.back() == 'F') digits.pop_back();
      EXPECT_EQ(r.pcap_bytes.find(digits), std::string::npos) << digits;
      EXPECT_EQ(r.html.find(digits), std::string::npos) << digits;
    }
  }
  // The calling number is the From user, the called one the To user: one pseudonym each.
  ASSERT_FALSE(red[kNumbers].empty());
  EXPECT_EQ(red[1][0], red[kNumbers][0]);
  std::string called = red[0][0];
  if (called.back() == 'F') called.pop_back();
  EXPECT_EQ(called, red[kNumbers + 1][0]);
}

TEST_F(RedactCorpus, GluedAddressesGoVersionStringsStay) {
  const fs::path capture = pcaps_ / "sngrep_aaa.pcap";
  const auto orig = tshark_fields(
      capture, {"sip.Via.branch", "sip.User-Agent", "sip.Server", "ip.src", "ip.dst"}, dir_);
  std::set<std::string> glued;
  static const RE2 kTail(R"((\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$)");
  for (const auto& b : orig[0]) {
    std::string ip;
    // The address is the last four octets; the branch's hex may end in digits ("...a41").
    for (size_t from = b.size() >= 15 ? b.size() - 15 : 0; from < b.size(); ++from) {
      if (RE2::FullMatch(b.substr(from), kTail, &ip) && ip.size() + from == b.size()) break;
      ip.clear();
    }
    if (!ip.empty()) glued.insert(ip);
  }
  ASSERT_FALSE(glued.empty()) << "no address glued into a branch in " << capture;
  const Redacted r = redact_all(capture, dir_);
  const auto red = tshark_fields(r.pcap, {"sip.Via.branch", "sip.User-Agent", "sip.Server"}, dir_);
  for (const auto& g : glued) {
    EXPECT_EQ(r.pcap_bytes.find(g), std::string::npos) << g;
    EXPECT_EQ(r.html.find(g), std::string::npos) << g;
  }
  for (const auto& b : red[0]) EXPECT_EQ(b.rfind("z9hG4bK", 0), 0U) << b;
  // "Nero SIPPS IP Phone Version 2.0.51.16": a version, not an address of the calls.
  const std::set<std::string> agents(orig[1].begin(), orig[1].end());
  const std::set<std::string> servers(orig[2].begin(), orig[2].end());
  ASSERT_FALSE(agents.empty());
  for (const auto& a : agents) {
    EXPECT_NE(std::find(red[1].begin(), red[1].end(), a), red[1].end()) << a;
  }
  for (const auto& s : servers) {
    EXPECT_NE(std::find(red[2].begin(), red[2].end(), s), red[2].end()) << s;
  }
}

// Tunnels (ERSPAN in GRE, GRE, IP in IP) and IPv6 fragments: every address tshark finds at
// any layer of the original (outer and inner IP, MAC) is gone from the redacted pcap, as
// bytes and as text, and the redacted frames have the original's layer stacks.
TEST_F(RedactCorpus, TunnelsKeepNoAddressAtAnyLayer) {
  for (const char* name : {"heplify_erspan_sip_ipv4_udp.pcapng", "ndpi_gre_sip.pcapng",
                           "heplify_ipip0.pcap", "sngrep_ipip.pcap", "sngrep_ipv6frag.pcap"}) {
    SCOPED_TRACE(name);
    const fs::path capture = pcaps_ / name;
    const auto orig =
        tshark_fields(capture, {"ip.addr", "ipv6.addr", "eth.addr", "frame.protocols"}, dir_);
    const Redacted r = redact_all(capture, dir_);
    ASSERT_FALSE(r.pcap_bytes.empty());
    size_t checked = 0;
    for (size_t k = 0; k < 3; ++k) {
      for (const auto& text : std::set<std::string>(orig[k].begin(), orig[k].end())) {
        std::string raw;
        if (k < 2) {
          std::array<unsigned char, 16> a{};
          ASSERT_EQ(inet_pton(k == 0 ? AF_INET : AF_INET6, text.c_str(), a.data()), 1) << text;
          raw.assign(reinterpret_cast<const char*>(a.data()), k == 0 ? 4 : 16);
          if (text == "0.0.0.0" || text == "255.255.255.255") continue;
        } else {
          for (size_t i = 0; i + 1 < text.size(); i += 3) {
            raw += static_cast<char>(std::stoi(text.substr(i, 2), nullptr, 16));
          }
          if (raw == std::string(6, '\0') || raw == std::string(6, '\xff')) continue;
        }
        ++checked;
        EXPECT_EQ(r.pcap_bytes.find(raw), std::string::npos) << text;
        EXPECT_EQ(r.pcap_bytes.find(text), std::string::npos) << text;
        EXPECT_EQ(r.html.find(text), std::string::npos) << text;
      }
    }
    EXPECT_GT(checked, 2U);
    const auto red = tshark_fields(r.pcap, {"frame.protocols"}, dir_);
    const std::set<std::string> stacks(orig[3].begin(), orig[3].end());
    ASSERT_FALSE(red[0].empty());
    for (const auto& stack : red[0]) EXPECT_TRUE(stacks.count(stack) == 1) << stack;
  }
}

}  // namespace
}  // namespace sipscope::testing
