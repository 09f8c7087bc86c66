// `sipscope report`, `export`, `stats`, the extended `calls` filters and `show` formats, run
// as the real binary on a capture built here from bytes: one call whose SIP fields carry
// HTML and JavaScript (issue 6 item 5) and known numbers, names and addresses for the
// redaction checks (item 4).
#include "cli/report_commands.hpp"

#include <gtest/gtest.h>

#include <sqlite3.h>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/cli/db_reader.hpp"
#include "tests/cli/pcap_builder.hpp"
#include "tests/cli/run_command.hpp"

namespace sipscope::cli {
namespace {

namespace fs = std::filesystem;
using sipscope::testing::read_text;
using sipscope::testing::run;
using sipscope::testing::shell_quote;
using sipscope::testing::sipscope_cmd;

constexpr const char* kCaller = "198.18.7.21";
constexpr const char* kCallee = "198.18.9.44";
constexpr const char* kCallId = "hostile\"><svg/onload=alert(3)>x7q@pbx.customer-corp.test";

// Every original value of the call that redaction must hide.
const std::vector<std::string> kOriginals = {"198.18.7.21",
                                             "198.18.9.44",
                                             "+4930123456789",
                                             "4930123456789",
                                             "+4940987654321",
                                             "4940987654321",
                                             "customer-corp.test",
                                             "pbx.customer-corp.test",
                                             "Erika Mustermann",
                                             "erika.m",
                                             "x7q",
                                             "s3cr3tresp0nse"};

using sipscope::testing::PcapBuilder;

std::string with_length(std::string head, const std::string& body) {
  return head + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string sdp(const char* ip, int port) {
  return std::string("v=0\r\no=erika.m 1 1 IN IP4 ") + ip +
         "\r\ns=</pre><script>alert(5)</script>\r\nc=IN IP4 " + ip + "\r\nt=0 0\r\nm=audio " +
         std::to_string(port) + " RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
}

// INVITE (with credentials) / 180 / 200 / ACK / BYE / 200 between kCaller and kCallee,
// and 10 RTP packets each way between the SDP ports 40000 and 50000.
struct HostileCall {
  int sip_messages = 0;
  int rtp_packets = 0;
};

HostileCall write_hostile_capture(const fs::path& path) {
  PcapBuilder pcap(path);
  const std::string dialog =
      "From: \"Erika Mustermann <script>alert(1)</script>\" "
      "<sip:+4930123456789@customer-corp.test>;tag=a1\r\n"
      "To: <sip:+4940987654321@customer-corp.test>";
  const std::string common = std::string("Call-ID: ") + kCallId + "\r\n";
  const std::string via = std::string("Via: SIP/2.0/UDP ") + kCaller + ":5060;branch=z9hG4bKh1\r\n";
  const std::string invite_line = "INVITE sip:+4940987654321@customer-corp.test SIP/2.0\r\n";
  const int64_t t0 = 1'767'261'600'000'000;  // 2026-01-01T10:00:00Z
  pcap.udp(
      t0, kCaller, 5060, kCallee, 5060,
      with_length(invite_line + via + dialog + "\r\n" + common +
                      "CSeq: 1 INVITE\r\nContact: <sip:erika.m@" + kCaller +
                      ":5060>\r\nUser-Agent: <img src=x onerror=alert(2)>\r\n"
                      "Authorization: Digest username=\"erika.m\", response=\"s3cr3tresp0nse\"\r\n"
                      "Content-Type: application/sdp\r\n",
                  sdp(kCaller, 40000)));
  const std::string to_tag = ";tag=b2";
  pcap.udp(t0 + 200'000, kCallee, 5060, kCaller, 5060,
           with_length("SIP/2.0 180 Ringing<b onmouseover=alert(4)>x</b>\r\n" + via + dialog +
                           to_tag + "\r\n" + common + "CSeq: 1 INVITE\r\n",
                       ""));
  pcap.udp(t0 + 1'000'000, kCallee, 5060, kCaller, 5060,
           with_length("SIP/2.0 200 OK\r\n" + via + dialog + to_tag + "\r\n" + common +
                           "CSeq: 1 INVITE\r\nContact: <sip:" + kCallee +
                           ":5060>\r\nContent-Type: application/sdp\r\n",
                       sdp(kCallee, 50000)));
  const std::string in_dialog_via =
      std::string("Via: SIP/2.0/UDP ") + kCaller + ":5060;branch=z9hG4bKh2\r\n";
  pcap.udp(t0 + 1'010'000, kCaller, 5060, kCallee, 5060,
           with_length(std::string("ACK sip:") + kCallee + ":5060 SIP/2.0\r\n" + in_dialog_via +
                           dialog + to_tag + "\r\n" + common + "CSeq: 1 ACK\r\n",
                       ""));
  std::string rtp(12 + 160, '\0');
  rtp[0] = '\x80';
  for (int i = 0; i < 10; ++i) {
    rtp[3] = static_cast<char>(i);
    rtp[11] = 1;
    pcap.udp(t0 + 1'100'000 + i * 20'000, kCaller, 40000, kCallee, 50000, rtp);
    rtp[11] = 2;
    pcap.udp(t0 + 1'105'000 + i * 20'000, kCallee, 50000, kCaller, 40000, rtp);
  }
  const std::string bye_via =
      std::string("Via: SIP/2.0/UDP ") + kCaller + ":5060;branch=z9hG4bKh3\r\n";
  pcap.udp(t0 + 3'000'000, kCaller, 5060, kCallee, 5060,
           with_length(std::string("BYE sip:") + kCallee + ":5060 SIP/2.0\r\n" + bye_via + dialog +
                           to_tag + "\r\n" + common + "CSeq: 2 BYE\r\n",
                       ""));
  pcap.udp(t0 + 3'010'000, kCallee, 5060, kCaller, 5060,
           with_length("SIP/2.0 200 OK\r\n" + bye_via + dialog + to_tag + "\r\n" + common +
                           "CSeq: 2 BYE\r\n",
                       ""));
  return {6, 20};
}

class ReportCommands : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(sipscope::testing::temp_dir("report-commands"));
    call_ = write_hostile_capture(*dir_ / "hostile.pcap");
    const auto r = run(sipscope_cmd("analyze " + shell_quote((*dir_ / "hostile.pcap").string()) +
                                    " --db " + shell_quote(db())),
                       *dir_);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }
  static std::string db() { return (*dir_ / "h.db").string(); }
  static sipscope::testing::CommandResult sip(const std::string& args) {
    return run(sipscope_cmd(args), *dir_);
  }
  static std::string file(const std::string& name) { return (*dir_ / name).string(); }
  static int64_t streams_stored() {
    return std::get<int64_t>(
        sipscope::testing::query(db(), "SELECT count(*) AS n FROM streams").at(0).at("n"));
  }

  static fs::path* dir_;
  static HostileCall call_;
};
fs::path* ReportCommands::dir_ = nullptr;
HostileCall ReportCommands::call_;

size_t count(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

void expect_inert_html(const std::string& html) {
  // The page's own script is the only one; every hostile value shows up escaped.
  EXPECT_EQ(count(html, "<script"), 1U);
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<svg/onload"), std::string::npos);
  EXPECT_EQ(html.find("<b onmouseover"), std::string::npos);
  EXPECT_EQ(html.find("</pre><script"), std::string::npos);
  EXPECT_NE(html.find("&lt;img src=x onerror=alert(2)&gt;"), std::string::npos);
  EXPECT_NE(html.find("Ringing&lt;b onmouseover=alert(4)&gt;"), std::string::npos);
  EXPECT_NE(html.find("s=&lt;/pre&gt;&lt;script&gt;alert(5)&lt;/script&gt;"), std::string::npos);
}

TEST_F(ReportCommands, ReportIsSelfContainedAndHostileFieldsAreText) {
  const auto r = sip("report --db " + shell_quote(db()) + " 1 -o " + shell_quote(file("t.html")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string html = read_text(file("t.html"));
  expect_inert_html(html);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(count(html, "<g class=\"ev"), static_cast<size_t>(call_.sip_messages));
  EXPECT_NE(html.find("SDP offer and answer"), std::string::npos);
  EXPECT_NE(html.find("m=audio 40000 RTP/AVP 0"), std::string::npos);
  EXPECT_NE(html.find("m=audio 50000 RTP/AVP 0"), std::string::npos);
  EXPECT_NE(html.find("<h3>RTP streams</h3>"), std::string::npos);
  EXPECT_EQ(html.find("REDACTED"), std::string::npos);
  // show --format html uses the same renderer.
  const auto s = sip("show --db " + shell_quote(db()) + " 1 --format html");
  ASSERT_EQ(s.exit_code, 0) << s.err;
  expect_inert_html(s.out);
}

TEST_F(ReportCommands, ShowMermaidOneArrowPerMessage) {
  const auto r = sip("show --db " + shell_quote(db()) + " 1 --format mermaid");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("sequenceDiagram\n", 0), 0U);
  EXPECT_EQ(count(r.out, "->>") + count(r.out, "-)"), static_cast<size_t>(call_.sip_messages));
  EXPECT_EQ(r.out.find('<'), std::string::npos);
  // Every ';' ends an entity code (#NN;): none is left to end a statement.
  for (size_t semi = r.out.find(';'); semi != std::string::npos; semi = r.out.find(';', semi + 1)) {
    size_t digits = semi;
    while (digits > 0 && std::isdigit(static_cast<unsigned char>(r.out[digits - 1])) != 0) --digits;
    EXPECT_TRUE(digits < semi && digits > 0 && r.out[digits - 1] == '#')
        << r.out.substr(digits > 8 ? digits - 8 : 0, 16);
  }
}

size_t columns(const std::string& line) {
  size_t n = 0;
  for (char c : line) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

TEST_F(ReportCommands, TextLadderFitsColumns) {
  for (int width : {40, 64, 120}) {
    const auto r = run("COLUMNS=" + std::to_string(width) + " " +
                           sipscope_cmd("show --db " + shell_quote(db()) + " 1"),
                       *dir_);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::istringstream in(r.out);
    size_t arrows = 0;
    for (std::string line; std::getline(in, line);) {
      EXPECT_LE(columns(line), static_cast<size_t>(width)) << line;
      arrows += line.find('>') != std::string::npos || line.find('<') != std::string::npos;
    }
    EXPECT_GE(arrows, static_cast<size_t>(call_.sip_messages));
  }
}

TEST(TerminalWidth, ColumnsVariableWins) {
  ::setenv("COLUMNS", "77", 1);
  EXPECT_EQ(terminal_width(), 77);
  ::setenv("COLUMNS", "garbage", 1);
  EXPECT_GT(terminal_width(), 0);  // the terminal's width, or 100 when not a terminal
  ::unsetenv("COLUMNS");
}

TEST_F(ReportCommands, CallsFiltersAndFormats) {
  const std::string base = "calls --db " + shell_quote(db());
  auto r = sip(base + " --format json --from-regex '^\\+49301' --min-duration 1.5");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 1U);
  EXPECT_EQ(j[0]["from_user"], "+4930123456789");
  // Answered at +1.0 s, BYE at +3.0 s: 2 s.
  r = sip(base + " --format json --max-duration 1.5");
  EXPECT_EQ(nlohmann::json::parse(r.out).size(), 0U);
  r = sip(base + " --format csv --to-regex '4321$' --sort duration --desc --limit 5");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count(r.out, "\r\n"), 2U);  // header + one row
  r = sip(base + " --from-regex '('");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("bad regular expression"), std::string::npos);
  EXPECT_EQ(count(r.err, "\n"), 1U) << r.err;  // one line
  // 50,000 characters (libstdc++ regex overflowed the stack on such values): no match, exit 0.
  const std::string long_value(50'000, '9');
  for (const char* option : {" --from-regex ", " --to-regex ", " --from "}) {
    r = sip(base + " --format json" + option + long_value);
    ASSERT_EQ(r.exit_code, 0) << option << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out).size(), 0U) << option;
  }
  r = sip(base + " --sort sideways");
  EXPECT_EQ(r.exit_code, 1);
  // An unknown kind is a usage error naming the kinds (issue 14: it used to match nothing).
  r = sip(base + " --format json --has-diagnostic no_such_kind");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--has-diagnostic must be one of: no_ack_for_2xx, "), std::string::npos)
      << r.err;
}

TEST_F(ReportCommands, StatsTableAndJson) {
  auto r = sip("stats --db " + shell_quote(db()) + " --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["calls"], 1);
  EXPECT_EQ(j["answered"], 1);
  EXPECT_EQ(j["asr_pct"], 100.0);
  EXPECT_EQ(j["pdd_ms"]["p50"], 200.0);  // 180 at +200 ms
  EXPECT_EQ(j["acd_s"], 2.0);
  r = sip("stats --db " + shell_quote(db()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("ASR: 100.0 %"), std::string::npos);
  EXPECT_EQ(sip("stats --db " + shell_quote(db()) + " --format xml").exit_code, 1);
}

bool have_tshark() {
  return std::system("command -v tshark >/dev/null 2>&1") == 0;
}

TEST_F(ReportCommands, ExportHasExactlyTheCallsFrames) {
  const auto r =
      sip("export --db " + shell_quote(db()) + " 1 --pcap " + shell_quote(file("c.pcap")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // RTP frames are in the slice when the analysis stored the streams.
  const int expected = call_.sip_messages + (streams_stored() > 0 ? call_.rtp_packets : 0);
  const std::string pcap = read_text(file("c.pcap"));
  ASSERT_GE(pcap.size(), 24U);
  if (!have_tshark()) GTEST_SKIP() << "tshark not installed: slice not checked by a peer";
  const auto t = run("tshark -r " + shell_quote(file("c.pcap")) +
                         " -T fields -e frame.time_epoch -e sip.Call-ID -e sip.Method",
                     *dir_);
  ASSERT_EQ(t.exit_code, 0) << t.err;
  std::istringstream in(t.out);
  int frames = 0;
  int sip_frames = 0;
  std::string first_time;
  for (std::string line; std::getline(in, line);) {
    if (frames++ == 0) first_time = line.substr(0, line.find('\t'));
    if (line.find(kCallId) != std::string::npos) ++sip_frames;
  }
  EXPECT_EQ(frames, expected);
  EXPECT_EQ(sip_frames, call_.sip_messages);
  EXPECT_EQ(first_time.substr(0, 17), "1767261600.000000");  // original timestamp kept
}

// With the streams known (written here directly when the analysis did not store them),
// the slice holds the RTP of both directions: 6 SIP + 2 x 10 RTP frames.
TEST_F(ReportCommands, ExportIncludesTheStreamsRtp) {
  const std::string copy = file("rtp.db");
  fs::copy_file(db(), copy, fs::copy_options::overwrite_existing);
  if (streams_stored() == 0) {
    sqlite3* h = nullptr;
    ASSERT_EQ(sqlite3_open(copy.c_str(), &h), SQLITE_OK);
    const char* sql =
        "INSERT INTO streams (call_id, src_ip, src_port, dst_ip, dst_port, ssrc, packets, "
        "first_us, last_us) VALUES (1, '198.18.7.21', 40000, '198.18.9.44', 50000, 1, 10, "
        "1767261601100000, 1767261601280000), (1, '198.18.9.44', 50000, '198.18.7.21', 40000, "
        "2, 10, 1767261601105000, 1767261601285000)";
    EXPECT_EQ(sqlite3_exec(h, sql, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(h);
  }
  const auto r =
      sip("export --db " + shell_quote(copy) + " 1 --pcap " + shell_quote(file("rtp.pcap")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(std::to_string(call_.sip_messages + call_.rtp_packets) + " frames"),
            std::string::npos)
      << r.err;
}

TEST_F(ReportCommands, RedactedOutputsHoldNoOriginalValue) {
  const std::string base = " --db " + shell_quote(db()) + " 1 --redact";
  struct Output {
    std::string name;
    std::string text;
  };
  std::vector<Output> outputs;
  for (const char* format : {"text", "json", "mermaid", "html"}) {
    const auto r = sip(std::string("show") + base + " --format " + format);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    outputs.push_back({format, r.out});
  }
  auto r = sip("report" + base + " -o " + shell_quote(file("red.html")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  outputs.push_back({"report", read_text(file("red.html"))});
  r = sip("export" + base + " --pcap " + shell_quote(file("red.pcap")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  outputs.push_back({"pcap", read_text(file("red.pcap"))});
  for (const auto& o : outputs) {
    for (const auto& original : kOriginals) {
      EXPECT_EQ(o.text.find(original), std::string::npos) << original << " in " << o.name;
    }
    // IP addresses also as the 4 raw bytes of the pcap headers.
    EXPECT_EQ(o.text.find(std::string("\xc6\x12\x07\x15", 4)), std::string::npos) << o.name;
    EXPECT_EQ(o.text.find(std::string("\xc6\x12\x09\x2c", 4)), std::string::npos) << o.name;
  }
  // Each says it is redacted.
  EXPECT_NE(outputs[1].text.find("\"redacted\": true"), std::string::npos);
  EXPECT_NE(outputs[2].text.find("REDACTED"), std::string::npos);
  EXPECT_NE(outputs[3].text.find("REDACTED"), std::string::npos);
  EXPECT_NE(outputs[4].text.find("REDACTED"), std::string::npos);
  EXPECT_NE(outputs[4].text.find("[credentials removed by sipscope --redact]"), std::string::npos);
  expect_inert_html(outputs[4].text);
  if (!have_tshark()) GTEST_SKIP() << "tshark not installed: redacted slice not decoded";
  // The slice still decodes: every SIP message is found, lengths and checksums are good.
  const auto t =
      run("tshark -r " + shell_quote(file("red.pcap")) +
              " -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -T fields "
              "-e sip.Call-ID -e ip.checksum.status -e udp.checksum.status -e _ws.malformed",
          *dir_);
  ASSERT_EQ(t.exit_code, 0) << t.err;
  std::istringstream in(t.out);
  int sip_frames = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("callid-", 0) == 0) ++sip_frames;
    EXPECT_EQ(line.find("Malformed"), std::string::npos) << line;
    // ip.checksum.status / udp.checksum.status: 1 = good (2 = unverified for UDP 0).
    std::istringstream f(line);
    std::string cid, ip_status, udp_status;
    std::getline(f, cid, '\t');
    std::getline(f, ip_status, '\t');
    std::getline(f, udp_status, '\t');
    EXPECT_EQ(ip_status, "1") << line;
  }
  EXPECT_EQ(sip_frames, call_.sip_messages);
}

TEST_F(ReportCommands, UnknownCallIsUsageError) {
  EXPECT_EQ(
      sip("report --db " + shell_quote(db()) + " nope -o " + shell_quote(file("x.html"))).exit_code,
      1);
  EXPECT_EQ(sip("export --db " + shell_quote(db()) + " nope --pcap " + shell_quote(file("x.pcap")))
                .exit_code,
            1);
  EXPECT_EQ(sip("report --db " + shell_quote(db()) + " 1").exit_code, 1);  // -o is required
}

}  // namespace
}  // namespace sipscope::cli
