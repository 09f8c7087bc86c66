// `sipscope registrations` on the real binary and a real capture: samples/basic.pcap holds
// one REGISTER challenged 401 and retried with credentials, answered 200 with the contact's
// expires=3600 (samples/generator/call.cpp register_flow: alice 192.0.2.10 -> registrar
// 198.51.100.10 at 0.2 s).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/cli/run_command.hpp"

namespace sipscope::testing {
namespace {

const std::string kSample = std::string(SIPSCOPE_SOURCE_DIR) + "/samples/basic.pcap";

class RegistrationsCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(temp_dir("registrations-cli"));
    db_ = new std::string((*dir_ / "basic.db").string());
    const auto r = run(
        sipscope_cmd("analyze " + shell_quote(kSample) + " --db " + shell_quote(*db_) + " --quiet"),
        *dir_);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() {
    delete db_;
    delete dir_;
  }
  static CommandResult list(const std::string& args) {
    return run(sipscope_cmd("registrations --db " + shell_quote(*db_) + " " + args), *dir_);
  }
  static std::filesystem::path* dir_;
  static std::string* db_;
};
std::filesystem::path* RegistrationsCli::dir_ = nullptr;
std::string* RegistrationsCli::db_ = nullptr;

TEST_F(RegistrationsCli, TableListsTheChallengedRegistration) {
  const auto r = list("");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("2026-01-01T10:00:00.200Z"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("alice"), std::string::npos);
  EXPECT_NE(r.out.find("registered"), std::string::npos);
  EXPECT_NE(r.out.find("1 registration\n"), std::string::npos) << r.out;
}

TEST_F(RegistrationsCli, JsonCarriesEveryColumn) {
  const auto r = list("--format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["user"], "alice");
  EXPECT_EQ(j[0]["registrant_ip"], "192.0.2.10");
  EXPECT_EQ(j[0]["registrar_ip"], "198.51.100.10");
  EXPECT_EQ(j[0]["result"], "registered");
  EXPECT_EQ(j[0]["final_code"], 200);
  EXPECT_EQ(j[0]["attempts"], 2);
  EXPECT_EQ(j[0]["challenges"], 1);
  EXPECT_EQ(j[0]["expires"], 3600);
  // First REGISTER at 0.200 s, the 200 to the retry 30 ms + 3 ms later.
  EXPECT_DOUBLE_EQ(j[0]["response_ms"].get<double>(), 33.0);
}

TEST_F(RegistrationsCli, CsvAndFilters) {
  const auto csv = list("--format csv");
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out.rfind("sip_call_id,user,", 0), 0u) << csv.out;
  EXPECT_EQ(std::count(csv.out.begin(), csv.out.end(), '\n'), 2);
  EXPECT_NE(list("--result failed").out.find("0 registrations"), std::string::npos);
  EXPECT_NE(list("--user ALI").out.find("1 registration\n"), std::string::npos);
  EXPECT_NE(list("--since 2026-01-01T10:00:01").out.find("0 registrations"), std::string::npos);
  EXPECT_NE(list("--limit 0").out.find("0 registrations"), std::string::npos);
}

TEST_F(RegistrationsCli, BadFormatIsUsageError) {
  const auto r = list("--format xml");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--format"), std::string::npos) << r.err;
  const auto h = run(sipscope_cmd("help registrations"), *dir_);
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.out.find("--result"), std::string::npos);
}

}  // namespace
}  // namespace sipscope::testing
