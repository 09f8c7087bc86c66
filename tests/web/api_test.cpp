// The JSON API of `sipscope serve` over real HTTP (cpp-httplib client, web::Server on a
// loopback port) on a database that the real `sipscope analyze` made from samples/basic.pcap.
// Expected values come from the generator's truth file samples/basic.truth.json.
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "tests/cli/run_command.hpp"
#include "web/server.hpp"

namespace sipscope::web {
namespace {

using nlohmann::json;
using testing::run;
using testing::sipscope_cmd;

json truth() {
  std::ifstream in(std::string(SIPSCOPE_SOURCE_DIR) + "/samples/basic.truth.json");
  return json::parse(in);
}

// Truth calls where `text` is a substring (ASCII case-insensitive) of a searchable field:
// the definition of q in docs/web.md, derived here from the truth file.
size_t truth_matches(const json& t, std::string text) {
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  text = lower(text);
  return static_cast<size_t>(
      std::count_if(t["calls"].begin(), t["calls"].end(), [&](const json& c) {
        for (const char* f : {"from_user", "to_user", "from_uri", "to_uri", "caller_ip",
                              "callee_ip", "sip_call_id"}) {
          if (c[f].is_string() && lower(c[f].get<std::string>()).find(text) != std::string::npos) {
            return true;
          }
        }
        return false;
      }));
}

class WebApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(testing::temp_dir("web-api"));
    db_ = (*dir_ / "basic.db").string();
    const auto r = run(sipscope_cmd("analyze " +
                                    testing::shell_quote(std::string(SIPSCOPE_SOURCE_DIR) +
                                                         "/samples/basic.pcap") +
                                    " --db " + testing::shell_quote(db_)),
                       *dir_);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }

  // Starts a server (optionally with a token) on a free loopback port.
  void start(const std::string& token = "") {
    server_ = std::make_unique<Server>(ServeOptions{db_, "127.0.0.1", 0, token});
    port_ = server_->bind();
    thread_ = std::thread([this] { server_->run(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
  }
  void SetUp() override { start(); }
  void TearDown() override {
    server_->stop();
    thread_.join();
  }
  void restart(const std::string& token) {
    TearDown();
    start(token);
  }

  json get_json(const std::string& path, int status = 200) {
    auto res = client_->Get(path);
    EXPECT_TRUE(res) << path;
    if (!res) return {};
    EXPECT_EQ(res->status, status) << path << ": " << res->body;
    return json::parse(res->body);
  }

  static std::filesystem::path* dir_;
  static std::string db_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::unique_ptr<httplib::Client> client_;
};
std::filesystem::path* WebApi::dir_ = nullptr;
std::string WebApi::db_;

TEST_F(WebApi, ListsEveryCallOfTheTruthFile) {
  const json t = truth();
  const json page = get_json("/api/calls?limit=100");
  EXPECT_EQ(page["total"], t["calls"].size());
  ASSERT_EQ(page["calls"].size(), t["calls"].size());
  for (const auto& expected : t["calls"]) {
    const auto it = std::find_if(page["calls"].begin(), page["calls"].end(), [&](const json& c) {
      return c["sip_call_id"] == expected["sip_call_id"];
    });
    ASSERT_NE(it, page["calls"].end()) << expected["sip_call_id"];
    for (const char* f : {"from_user", "to_user", "caller_ip", "callee_ip", "state", "final_code",
                          "start_us", "message_count"}) {
      EXPECT_EQ((*it)[f], expected[f]) << f;
    }
  }
}

TEST_F(WebApi, FreeTextSearchOverPartiesAddressesAndCallId) {
  const json t = truth();
  const std::string call_id = t["calls"][2]["sip_call_id"];
  const std::vector<std::string> queries = {t["calls"][1]["from_user"],
                                            std::string(t["calls"][1]["to_user"]).substr(2, 7),
                                            "ALICE", t["calls"][0]["caller_ip"], "203.0.113",
                                            call_id.substr(3, 10), "example.com", "no-such-party",
                                            // under 3 characters: no trigram, LIKE alone
                                            "al", "1",
                                            // LIKE's own characters and the FTS5 quote are
                                            // literal text
                                            "%", "a_i", "\"al"};
  for (const auto& q : queries) {
    const json page = get_json("/api/calls?q=" + httplib::detail::encode_query_param(q));
    EXPECT_EQ(page["total"], truth_matches(t, q)) << q;
    EXPECT_EQ(page["calls"].size(), truth_matches(t, q)) << q;
  }
}

// A file written before call_search existed (dropped here, as such a file never had it):
// `analyze --append` creates the index and fills it with the calls already there, so the
// search finds the old calls and the new ones.
TEST_F(WebApi, AppendBuildsTheSearchIndexOfAnOlderFile) {
  const auto old_db = (*dir_ / "older.db").string();
  std::filesystem::copy_file(db_, old_db, std::filesystem::copy_options::overwrite_existing);
  const auto drop =
      run("sqlite3 " + testing::shell_quote(old_db) + " 'DROP TABLE call_search'", *dir_);
  ASSERT_EQ(drop.exit_code, 0) << drop.err;
  const std::string more = std::string(SIPSCOPE_SOURCE_DIR) + "/samples/cancel_race";
  const auto r = run(sipscope_cmd("analyze " + testing::shell_quote(more + ".pcap") + " --db " +
                                  testing::shell_quote(old_db) + " --append"),
                     *dir_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Server server(ServeOptions{old_db, "127.0.0.1", 0, ""});
  const int port = server.bind();
  std::thread thread([&] { server.run(); });
  httplib::Client client("127.0.0.1", port);
  std::ifstream in(more + ".truth.json");
  const json t1 = truth();
  const json t2 = json::parse(in);
  for (const json* t : {&t1, &t2}) {
    const std::string call_id = (*t)["calls"][0]["sip_call_id"];
    const auto res = client.Get("/api/calls?q=" + httplib::detail::encode_query_param(call_id));
    ASSERT_TRUE(res);
    EXPECT_EQ(json::parse(res->body)["total"], truth_matches(*t, call_id)) << call_id;
  }
  server.stop();
  thread.join();
}

TEST_F(WebApi, PagesAndSortsServerSide) {
  const json t = truth();
  std::vector<int64_t> starts;
  for (const auto& c : t["calls"]) starts.push_back(c["start_us"]);
  std::sort(starts.begin(), starts.end());
  std::vector<int64_t> seen;
  for (int offset = 0; offset < 9; offset += 3) {
    const json page = get_json("/api/calls?limit=3&offset=" + std::to_string(offset));
    EXPECT_EQ(page["total"], t["calls"].size());
    for (const auto& c : page["calls"]) seen.push_back(c["start_us"]);
  }
  EXPECT_EQ(seen, starts);  // every call once, in start order

  // Duration, descending: answered calls by duration, then those without one (NULLs last).
  std::vector<double> durations;
  for (const auto& c : t["calls"]) {
    if (c["duration_ms"].is_number()) durations.push_back(c["duration_ms"]);
  }
  std::sort(durations.rbegin(), durations.rend());
  const json page = get_json("/api/calls?sort=duration&dir=desc&limit=100");
  for (size_t i = 0; i < page["calls"].size(); ++i) {
    if (i < durations.size()) {
      EXPECT_EQ(page["calls"][i]["duration_ms"], durations[i]);
    } else {
      EXPECT_TRUE(page["calls"][i]["duration_ms"].is_null());
    }
  }
  get_json("/api/calls?sort=evil;drop", 400);
  get_json("/api/calls?limit=0", 400);
  get_json("/api/calls?offset=x", 400);
}

TEST_F(WebApi, OneCallLadderMessagesAndParts) {
  const json t = truth();
  const json page = get_json("/api/calls?limit=100");
  for (const auto& c : page["calls"]) {
    const auto expected = std::find_if(t["calls"].begin(), t["calls"].end(), [&](const json& e) {
      return e["sip_call_id"] == c["sip_call_id"];
    });
    const std::string id = std::to_string(c["id"].get<int64_t>());
    const json doc = get_json("/api/calls/" + id);
    EXPECT_EQ(doc["events"].size(), (*expected)["message_count"]) << id;
    for (const auto& e : doc["events"]) {
      EXPECT_NE(e["raw"].get<std::string>().find(c["sip_call_id"].get<std::string>()),
                std::string::npos);
    }
    EXPECT_EQ(get_json("/api/calls/" + id + "/messages").size(), (*expected)["message_count"]);
    EXPECT_TRUE(get_json("/api/calls/" + id + "/diagnostics").is_array());
    EXPECT_TRUE(get_json("/api/calls/" + id + "/anomalies").is_array());
    EXPECT_TRUE(get_json("/api/calls/" + id + "/links").is_array());
  }
  const json one = get_json("/api/calls/1/streams");
  for (const auto& s : one) EXPECT_TRUE(s["samples"].is_array());
  get_json("/api/calls/999999", 404);
}

TEST_F(WebApi, RedactedCallAndReportDownload) {
  const json t = truth();
  const json page = get_json("/api/calls?q=" + std::string(t["calls"][0]["sip_call_id"]));
  const std::string id = std::to_string(page["calls"][0]["id"].get<int64_t>());
  const std::string user = t["calls"][0]["from_user"];
  const std::string ip = t["calls"][0]["caller_ip"];
  const auto redacted = client_->Get("/api/calls/" + id + "?redact=1");
  ASSERT_TRUE(redacted);
  EXPECT_EQ(redacted->body.find(user), std::string::npos);
  EXPECT_EQ(redacted->body.find(ip), std::string::npos);
  const auto report = client_->Get("/api/calls/" + id + "/report.html");
  ASSERT_TRUE(report);
  EXPECT_EQ(report->status, 200);
  EXPECT_NE(report->get_header_value("Content-Disposition").find("attachment"), std::string::npos);
  EXPECT_NE(report->body.find(user), std::string::npos);
  const auto report_r = client_->Get("/api/calls/" + id + "/report.html?redact=1");
  ASSERT_TRUE(report_r);
  EXPECT_EQ(report_r->body.find(user), std::string::npos);
}

TEST_F(WebApi, StreamsStatsAndOtherLists) {
  const json t = truth();
  EXPECT_EQ(get_json("/api/streams")["total"], t["rtp_streams"].size());
  EXPECT_EQ(get_json("/api/stats")["calls"], t["calls"].size());
  EXPECT_EQ(get_json("/api/summary")["calls"], t["calls"].size());
  for (const char* path :
       {"/api/registrations", "/api/peers", "/api/peer-events", "/api/activity"}) {
    EXPECT_TRUE(get_json(path).is_array()) << path;
  }
}

TEST_F(WebApi, EtagAnswersNotModified) {
  auto first = client_->Get("/api/calls");
  ASSERT_TRUE(first);
  const std::string etag = first->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());
  auto again = client_->Get("/api/calls", {{"If-None-Match", etag}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
}

TEST_F(WebApi, ReadOnlyHeadersAndStaticNames) {
  for (const char* path : {"/api/calls", "/", "/calls/1"}) {
    auto post = client_->Post(path, "x=1", "application/x-www-form-urlencoded");
    ASSERT_TRUE(post);
    EXPECT_EQ(post->status, 405) << path;
    auto del = client_->Delete(path);
    ASSERT_TRUE(del);
    EXPECT_EQ(del->status, 405) << path;
  }
  auto page = client_->Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->get_header_value("X-Content-Type-Options"), "nosniff");
  const std::string csp = page->get_header_value("Content-Security-Policy");
  const size_t at = csp.find("'nonce-");
  ASSERT_NE(at, std::string::npos) << csp;
  const std::string nonce = csp.substr(at + 7, csp.find('\'', at + 7) - at - 7);
  EXPECT_EQ(nonce.size(), 32U);
  EXPECT_NE(page->body.find("<script nonce=\"" + nonce + "\""), std::string::npos);
  auto page2 = client_->Get("/");
  ASSERT_TRUE(page2);
  EXPECT_EQ(page2->get_header_value("Content-Security-Policy").find(nonce), std::string::npos);

  auto js = client_->Get("/assets/app.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_EQ(js->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  for (const char* path : {"/assets/../../etc/passwd", "/assets/%2e%2e%2fCMakeLists.txt",
                           "/assets/..%2f..%2fetc%2fpasswd", "/etc/passwd", "/assets/index.htm",
                           "/web/assets/app.js", "/assets/"}) {
    auto r = client_->Get(path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404) << path;
    EXPECT_EQ(r->body.find("root:"), std::string::npos);
  }
}

TEST_F(WebApi, TokenCheckedOnEveryRequest) {
  restart("s3cret-token-1");
  for (const char* path : {"/", "/api/calls", "/assets/app.js", "/calls/1", "/nope"}) {
    auto r = client_->Get(path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401) << path;
  }
  EXPECT_EQ(client_->Get("/api/calls?token=s3cret-token-2")->status, 401);
  EXPECT_EQ(client_->Get("/api/calls?token=s3cret-token-1")->status, 200);
  EXPECT_EQ(client_->Get("/api/calls", {{"Authorization", "Bearer s3cret-token-1"}})->status, 200);
  EXPECT_EQ(client_->Get("/api/calls", {{"Authorization", "Bearer s3cret-token"}})->status, 401);
  EXPECT_EQ(client_->Get("/api/calls", {{"Cookie", "a=b; sipscope_token=s3cret-token-1"}})->status,
            200);
  auto page = client_->Get("/?token=s3cret-token-1");
  ASSERT_TRUE(page);
  EXPECT_NE(page->get_header_value("Set-Cookie").find("HttpOnly"), std::string::npos);
  EXPECT_EQ(client_->Post("/api/calls", "x", "text/plain")->status, 401);  // token first
}

}  // namespace
}  // namespace sipscope::web
