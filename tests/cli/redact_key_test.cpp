// --redact pseudonyms are keyed per database: `report --redact` and `export --redact` (read
// back by `analyze`) give one call's caller and callee the same pseudonyms; --redact-key
// replaces the database's key; an older database gets its key on the first --redact, or a
// clear error when it cannot be written. The originals come from the sample's truth file.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/cli/db_reader.hpp"
#include "tests/cli/run_command.hpp"

namespace sipscope::cli {
namespace {

namespace fs = std::filesystem;
using sipscope::testing::query;
using sipscope::testing::read_text;
using sipscope::testing::run;
using sipscope::testing::shell_quote;
using sipscope::testing::sipscope_cmd;

class RedactKey : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = sipscope::testing::temp_dir("redact-key");
    sample_ = fs::path(SIPSCOPE_SOURCE_DIR) / "samples" / "basic.pcap";
    truth_ = nlohmann::json::parse(
        read_text(fs::path(SIPSCOPE_SOURCE_DIR) / "samples" / "basic.truth.json"));
    ASSERT_EQ(sh("analyze " + q(sample_.string()) + " --db " + q(db())).exit_code, 0);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string db() const { return (dir_ / "a.db").string(); }
  std::string file(const std::string& name) const { return (dir_ / name).string(); }
  static std::string q(const std::string& s) { return shell_quote(s); }
  sipscope::testing::CommandResult sh(const std::string& args) const {
    return run(sipscope_cmd(args), dir_);
  }

  // The caller and callee pseudonyms of call 1 as `export --redact` wrote them: the slice
  // analysed again.
  std::pair<std::string, std::string> exported(const std::string& extra) const {
    const std::string pcap = file("red.pcap");
    const std::string db2 = file("red.db");
    fs::remove(db2);
    EXPECT_EQ(sh("export --db " + q(db()) + " 1 --redact --pcap " + q(pcap) + extra).exit_code, 0);
    EXPECT_EQ(sh("analyze " + q(pcap) + " --db " + q(db2)).exit_code, 0);
    const auto rows = query(db2, "SELECT from_user, to_user FROM calls");
    EXPECT_EQ(rows.size(), 1U);
    if (rows.empty()) return {};
    return {std::get<std::string>(rows[0].at("from_user")),
            std::get<std::string>(rows[0].at("to_user"))};
  }
  // The same as `show --format json --redact` and `report --redact` write them.
  std::pair<std::string, std::string> shown(const std::string& extra) const {
    const auto r = sh("show --db " + q(db()) + " 1 --format json --redact" + extra);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out, nullptr, false);
    if (!j.is_object()) return {};
    return {j["calls"][0]["from_user"].get<std::string>(),
            j["calls"][0]["to_user"].get<std::string>()};
  }
  std::string report(const std::string& extra) const {
    EXPECT_EQ(
        sh("report --db " + q(db()) + " 1 --redact -o " + q(file("r.html")) + extra).exit_code, 0);
    return read_text(file("r.html"));
  }
  void drop_key() const {
    sqlite3* h = nullptr;
    ASSERT_EQ(sqlite3_open(db().c_str(), &h), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(h, "DROP TABLE redaction_key", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(h);
  }

  fs::path dir_;
  fs::path sample_;
  nlohmann::json truth_;
};

TEST_F(RedactKey, ReportAndExportOfOneCallAgree) {
  const auto stored = query(db(), "SELECT key FROM redaction_key");
  ASSERT_EQ(stored.size(), 1U);
  EXPECT_EQ(std::get<std::string>(stored[0].at("key")).size(), 64U);  // 32 random bytes, hex
  const auto [from, to] = exported("");
  const std::string caller = truth_["calls"][0]["from_user"];
  const std::string callee = truth_["calls"][0]["to_user"];
  EXPECT_NE(from, caller);
  EXPECT_NE(to, callee);
  EXPECT_EQ(from.rfind("user-", 0), 0U) << from;
  EXPECT_EQ(shown(""), std::make_pair(from, to));
  const std::string html = report("");
  EXPECT_NE(html.find("sip:" + from + "@"), std::string::npos) << from;
  EXPECT_NE(html.find("sip:" + to + "@"), std::string::npos) << to;
  EXPECT_EQ(html.find("sip:" + caller + "@"), std::string::npos);
  // Again: the same pseudonyms (the key is the database's, not the run's).
  EXPECT_EQ(exported(""), std::make_pair(from, to));
}

TEST_F(RedactKey, UserKeyReplacesTheDatabaseKey) {
  const std::string key =
      " --redact-key 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
  const auto own = exported("");
  const auto with_key = exported(key);
  EXPECT_NE(own, with_key);
  EXPECT_EQ(shown(key), with_key);
  EXPECT_NE(report(key).find("sip:" + with_key.first + "@"), std::string::npos);
  const auto bad = sh("show --db " + q(db()) + " 1 --redact --redact-key 12ab");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("--redact-key"), std::string::npos) << bad.err;
}

TEST_F(RedactKey, OlderDatabaseGetsItsKeyOnFirstUse) {
  drop_key();
  const auto first = shown("");
  EXPECT_EQ(query(db(), "SELECT key FROM redaction_key").size(), 1U);
  EXPECT_EQ(exported(""), first);
}

TEST_F(RedactKey, OlderReadOnlyDatabaseIsAClearError) {
  drop_key();
  fs::permissions(db(), fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  // root writes whatever the mode: run the command as nobody then.
  std::string prefix;
  if (::geteuid() == 0) {
    if (run("command -v setpriv", dir_).exit_code != 0) GTEST_SKIP() << "root without setpriv";
    fs::permissions(dir_, fs::perms::all);
    prefix = "setpriv --reuid=65534 --regid=65534 --clear-groups ";
  }
  const auto r = run(prefix + sipscope_cmd("show --db " + q(db()) + " 1 --redact"), dir_);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("cannot store a redaction key"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--redact-key"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
  // With a key of the user's it works.
  EXPECT_EQ(run(prefix + sipscope_cmd("show --db " + q(db()) + " 1 --redact --redact-key " +
                                      std::string(32, 'a')),
                dir_)
                .exit_code,
            0);
}

}  // namespace
}  // namespace sipscope::cli
