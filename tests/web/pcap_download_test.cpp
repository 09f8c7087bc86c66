// Issue 17 point 1: GET /api/calls/ID/pcap over real HTTP (web::Server on a loopback port,
// cpp-httplib client). The downloaded bytes are read with libpcap and must hold exactly the
// frames the real `sipscope export` writes for that call (plain and --redact); a capture
// that changed since the analysis is refused with 409, a missing one with 404, both as
// JSON errors, like export refuses them.
#include <gtest/gtest.h>
#include <httplib.h>
#include <pcap/pcap.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tests/cli/run_command.hpp"
#include "web/server.hpp"

namespace sipscope::web {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::run;
using testing::shell_quote;
using testing::sipscope_cmd;

struct Record {
  int64_t ts_us = 0;
  uint32_t wire_length = 0;
  std::string bytes;
  bool operator==(const Record&) const = default;
};

// Every record of a pcap file as libpcap reads it; link type in `link_type`.
std::vector<Record> read_pcap(const std::string& path, int& link_type) {
  char error[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_open_offline(path.c_str(), error);
  EXPECT_NE(p, nullptr) << path << ": " << error;
  std::vector<Record> out;
  if (p == nullptr) return out;
  link_type = pcap_datalink(p);
  pcap_pkthdr* h = nullptr;
  const u_char* data = nullptr;
  while (pcap_next_ex(p, &h, &data) == 1) {
    out.push_back({int64_t{h->ts.tv_sec} * 1'000'000 + h->ts.tv_usec, h->len,
                   std::string(reinterpret_cast<const char*>(data), h->caplen)});
  }
  pcap_close(p);
  return out;
}

class PcapDownload : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::temp_dir("web-pcap");
    capture_ = (dir_ / "basic.pcap").string();
    fs::copy_file(fs::path(SIPSCOPE_SOURCE_DIR) / "samples" / "basic.pcap", capture_);
    db_ = (dir_ / "basic.db").string();
    const auto r = run(
        sipscope_cmd("analyze " + shell_quote(capture_) + " --db " + shell_quote(db_) + " --quiet"),
        dir_);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    server_ = std::make_unique<Server>(ServeOptions{db_, "127.0.0.1", 0, ""});
    const int port = server_->bind();
    thread_ = std::thread([this] { server_->run(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port);
  }
  void TearDown() override {
    server_->stop();
    thread_.join();
    fs::remove_all(dir_);
  }

  // The slice the CLI writes for `call`, read back with libpcap.
  std::vector<Record> exported(const std::string& call, bool redact) {
    const std::string out = (dir_ / "cli.pcap").string();
    const auto r = run(sipscope_cmd("export --db " + shell_quote(db_) + " " + call + " --pcap " +
                                    shell_quote(out) + (redact ? " --redact" : "")),
                       dir_);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    int link = 0;
    auto records = read_pcap(out, link);
    EXPECT_EQ(link, DLT_EN10MB);
    return records;
  }

  // GET path, the body saved and read back with libpcap.
  std::vector<Record> downloaded(const std::string& path, const std::string& filename) {
    const auto res = client_->Get(path);
    EXPECT_TRUE(res) << path;
    if (!res) return {};
    EXPECT_EQ(res->status, 200) << res->body;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/vnd.tcpdump.pcap");
    EXPECT_EQ(res->get_header_value("Content-Disposition"),
              "attachment; filename=\"" + filename + "\"");
    const std::string file = (dir_ / "web.pcap").string();
    std::ofstream(file, std::ios::binary) << res->body;
    int link = 0;
    auto records = read_pcap(file, link);
    EXPECT_EQ(link, DLT_EN10MB);
    return records;
  }

  json error_of(const std::string& path, int status) {
    const auto res = client_->Get(path);
    EXPECT_TRUE(res) << path;
    if (!res) return {};
    EXPECT_EQ(res->status, status) << res->body;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json; charset=utf-8");
    return json::parse(res->body);
  }

  fs::path dir_;
  std::string capture_, db_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(PcapDownload, SameFramesAsExport) {
  // samples/basic.truth.json: 8 calls, each with SIP and (the answered ones) RTP.
  for (const std::string call : {"1", "2", "7"}) {
    const auto cli = exported(call, false);
    EXPECT_GT(cli.size(), 3U) << call;
    EXPECT_EQ(downloaded("/api/calls/" + call + "/pcap", "call-" + call + ".pcap"), cli) << call;
  }
}

TEST_F(PcapDownload, RedactedSameFramesAsExportRedact) {
  const auto cli = exported("1", true);
  const auto web = downloaded("/api/calls/1/pcap?redact=1", "call-1-redacted.pcap");
  EXPECT_EQ(web, cli);
  // The redacted slice is not the plain one (addresses and SIP rewritten).
  EXPECT_NE(web, exported("1", false));
}

TEST_F(PcapDownload, ChangedCaptureIs409AndMissingIs404) {
  EXPECT_EQ(error_of("/api/calls/999/pcap", 404)["error"], "no call 999");
  {
    std::ofstream(capture_, std::ios::binary | std::ios::app) << "x";  // tcpdump -w again
  }
  const json changed = error_of("/api/calls/1/pcap", 409);
  EXPECT_NE(changed["error"].get<std::string>().find("not the capture that was analysed"),
            std::string::npos)
      << changed;
  fs::remove(capture_);
  const json missing = error_of("/api/calls/1/pcap", 404);
  EXPECT_NE(missing["error"].get<std::string>().find("capture file not found"), std::string::npos)
      << missing;
}

}  // namespace
}  // namespace sipscope::web
