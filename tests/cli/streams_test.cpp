// `sipscope streams` on the real binary. Expected values: samples/basic.truth.json (the
// generator's recorded streams: addresses, SSRC, packets, lost) and a hand-built RTP-only
// capture whose loss is derived below (and agrees with `tshark -z rtp,streams`).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include "tests/cli/pcap_builder.hpp"
#include "tests/cli/run_command.hpp"

namespace sipscope::testing {
namespace {

const std::string kSample = std::string(SIPSCOPE_SOURCE_DIR) + "/samples/basic.pcap";
const std::string kTruth = std::string(SIPSCOPE_SOURCE_DIR) + "/samples/basic.truth.json";

std::string hex_ssrc(uint32_t ssrc) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", ssrc);
  return buf;
}

// 50 PCMU packets of SSRC 0x12345678, 20 ms apart, seq 1000..1049 with 1010 left out and no
// SIP at all: one orphan stream, 49 packets, expected 50, lost 1 = 2.00 %.
void write_rtp_only(const std::filesystem::path& path) {
  PcapBuilder pcap(path);
  for (int i = 0; i < 50; ++i) {
    if (i == 10) continue;
    const auto seq = static_cast<uint16_t>(1000 + i);
    const auto ts = static_cast<uint32_t>(160 * i);
    std::string p(12 + 160, '\xff');
    const uint8_t h[12] = {0x80,
                           0,
                           static_cast<uint8_t>(seq >> 8),
                           static_cast<uint8_t>(seq),
                           static_cast<uint8_t>(ts >> 24),
                           static_cast<uint8_t>(ts >> 16),
                           static_cast<uint8_t>(ts >> 8),
                           static_cast<uint8_t>(ts),
                           0x12,
                           0x34,
                           0x56,
                           0x78};
    p.replace(0, 12, reinterpret_cast<const char*>(h), 12);
    pcap.udp(1767261600000000 + int64_t{i} * 20000, "192.0.2.50", 40000, "198.51.100.60", 40002, p);
  }
}

class StreamsCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(temp_dir("streams-cli"));
    for (const auto& [pcap, db] :
         {std::pair{kSample, std::string("basic.db")},
          std::pair{(*dir_ / "rtp.pcap").string(), std::string("rtp.db")}}) {
      if (db == "rtp.db") write_rtp_only(pcap);
      const auto r = run(sipscope_cmd("analyze " + shell_quote(pcap) + " --db " +
                                      shell_quote((*dir_ / db).string()) + " --quiet"),
                         *dir_);
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
  }
  static void TearDownTestSuite() { delete dir_; }
  static CommandResult list(const std::string& db, const std::string& args) {
    return run(sipscope_cmd("streams --db " + shell_quote((*dir_ / db).string()) + " " + args),
               *dir_);
  }
  static std::filesystem::path* dir_;
};
std::filesystem::path* StreamsCli::dir_ = nullptr;

TEST_F(StreamsCli, JsonMatchesTheGeneratorTruth) {
  const auto truth = nlohmann::json::parse(std::ifstream(kTruth))["rtp_streams"];
  const auto r = list("basic.db", "--format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), truth.size());
  for (const auto& t : truth) {
    const std::string ssrc = hex_ssrc(t["ssrc"].get<uint32_t>());
    bool found = false;
    for (const auto& s : j) {
      if (s["ssrc"] != ssrc) continue;
      found = true;
      EXPECT_EQ(s["src_ip"].get<std::string>() + ":" + std::to_string(s["src_port"].get<int>()),
                t["src"]);
      EXPECT_EQ(s["dst_ip"].get<std::string>() + ":" + std::to_string(s["dst_port"].get<int>()),
                t["dst"]);
      EXPECT_EQ(s["codec"], t["codec"]);
      EXPECT_EQ(s["packets"], t["packets"]);
      EXPECT_EQ(s["lost"], t["lost"]);
      EXPECT_FALSE(s["call_id"].is_null()) << ssrc;
    }
    EXPECT_TRUE(found) << ssrc;
  }
}

TEST_F(StreamsCli, FiltersByLossCodecAddressAndCall) {
  // Truth: only 192.0.2.10 -> 203.0.113.20 lost a packet (1 of 150 = 0.67 %).
  auto j = nlohmann::json::parse(list("basic.db", "--min-loss 0.5 --format json").out);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["src_ip"], "192.0.2.10");
  EXPECT_NEAR(j[0]["loss_pct"].get<double>(), 100.0 / 150.0, 1e-9);
  // Truth: two PCMA streams (192.0.2.20 <-> 203.0.113.30).
  EXPECT_EQ(nlohmann::json::parse(list("basic.db", "--codec pcma --format json").out).size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(list("basic.db", "--ip 203.0.113.25 --format json").out).size(),
            2u);
  const auto call = nlohmann::json::parse(list("basic.db", "--limit 1 --format json").out);
  const auto of_call = nlohmann::json::parse(
      list("basic.db",
           "--call " + std::to_string(call[0]["call_id"].get<int64_t>()) + " --format json")
          .out);
  EXPECT_EQ(of_call.size(), 2u);  // both directions of the call
  EXPECT_EQ(nlohmann::json::parse(list("basic.db", "--orphan --format json").out).size(), 0u);
}

TEST_F(StreamsCli, OrphanStreamOfAnRtpOnlyCaptureInTableAndCsv) {
  const auto t = list("rtp.db", "--orphan");
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_NE(t.out.find("192.0.2.50:40000"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("0x12345678"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("2.00"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("orphan"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("1 stream\n"), std::string::npos) << t.out;
  const auto c = list("rtp.db", "--format csv");
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_NE(c.out.find(",192.0.2.50,40000,198.51.100.60,40002,0x12345678,0,PCMU,"),
            std::string::npos)
      << c.out;
  EXPECT_NE(c.out.find(",49,50,1,2.000,"), std::string::npos) << c.out;
}

TEST_F(StreamsCli, UserMistakesFailWithOneLine) {
  EXPECT_NE(list("basic.db", "--format xml").exit_code, 0);
  const auto r = list("basic.db", "--call no-such-call");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("no call 'no-such-call'"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace sipscope::testing
