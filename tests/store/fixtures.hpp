// Shared test fixtures for store/, report/ and export/ tests: a temporary directory, fully
// populated sample records, a raw sqlite3 reader (so tests check the file itself, not our query
// layer) and field-by-field record comparison.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <optional>
#include <string>

#include "correlate/records.hpp"
#include "store/call_detail.hpp"

namespace sipscope::store::test {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "sipscope-report-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// A call with every optional column set, so a NULL where a value belongs shows up.
inline correlate::CallRecord full_call(int64_t id, std::string sip_call_id) {
  correlate::CallRecord c;
  c.id = id;
  c.sip_call_id = std::move(sip_call_id);
  c.group_id = 7;
  c.from_user = "alice";
  c.to_user = "bob";
  c.from_uri = "sip:alice@example.com";
  c.to_uri = "sip:bob@example.com";
  c.caller_ip = "192.0.2.1";
  c.callee_ip = "192.0.2.2";
  c.transport = decode::Transport::udp;
  c.start_us = 1'709'294'400'000'000;
  c.ring_us = 1'709'294'400'250'000;
  c.answer_us = 1'709'294'402'000'000;
  c.end_us = 1'709'294'412'500'000;
  c.state = correlate::CallState::answered;
  c.final_code = 200;
  c.final_reason = "OK";
  c.hangup_by = correlate::Party::caller;
  c.pdd_ms = 250.0;
  c.duration_ms = 10'500.0;
  c.message_count = 6;
  return c;
}

// A call with only the columns that are never NULL.
// A PCMU stream 192.0.2.1:4000 -> 198.51.100.9:6000 of call 1: 190 of 200 packets (10 lost,
// 5.00 %), MOS 3.5; and its receiver's last RTCP report about it: 20/256 = 7.81 % lost in the
// interval, 9 in all, jitter 3 ms, round trip 50 ms.
inline StreamRow pcmu_stream_with_rtcp() {
  StreamRow s;
  s.call_id = 1;
  s.src_ip = "192.0.2.1";
  s.src_port = 4000;
  s.dst_ip = "198.51.100.9";
  s.dst_port = 6000;
  s.ssrc = 0xDEADBEEF;
  s.codec = "PCMU";
  s.payload_type = 0;
  s.packets = 190;
  s.expected = 200;
  s.lost = 10;
  s.mos = 3.5;
  s.rtcp_fraction_lost = 20.0 / 256;
  s.rtcp_cumulative_lost = 9;
  s.rtcp_jitter_ms = 3.0;
  s.rtcp_rtt_ms = 50.0;
  return s;
}

inline correlate::CallRecord bare_call(int64_t id, std::string sip_call_id) {
  correlate::CallRecord c;
  c.id = id;
  c.sip_call_id = std::move(sip_call_id);
  c.transport = decode::Transport::tcp;
  c.state = correlate::CallState::unknown;
  return c;
}

inline correlate::MessageRecord message(std::optional<int64_t> call_id, int64_t ts_us,
                                        std::string src_ip, uint16_t src_port, std::string dst_ip,
                                        uint16_t dst_port, std::optional<std::string> method,
                                        std::optional<int> status = std::nullopt,
                                        std::optional<std::string> reason = std::nullopt) {
  correlate::MessageRecord m;
  m.call_id = call_id;
  m.capture_id = 1;
  m.frame = 1;
  m.ts_us = ts_us;
  m.src_ip = std::move(src_ip);
  m.src_port = src_port;
  m.dst_ip = std::move(dst_ip);
  m.dst_port = dst_port;
  m.transport = decode::Transport::udp;
  m.method = std::move(method);
  m.status_code = status;
  m.reason = std::move(reason);
  m.cseq = 1;
  m.cseq_method = m.method ? m.method : std::optional<std::string>("INVITE");
  m.sip_call_id = "cid";
  m.raw = m.method ? *m.method + " sip:bob@example.com SIP/2.0\r\n\r\n"
                   : "SIP/2.0 " + std::to_string(status.value_or(0)) + "\r\n\r\n";
  return m;
}

inline void expect_same_call(const correlate::CallRecord& a, const correlate::CallRecord& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.sip_call_id, b.sip_call_id);
  EXPECT_EQ(a.group_id, b.group_id);
  EXPECT_EQ(a.from_user, b.from_user);
  EXPECT_EQ(a.to_user, b.to_user);
  EXPECT_EQ(a.from_uri, b.from_uri);
  EXPECT_EQ(a.to_uri, b.to_uri);
  EXPECT_EQ(a.caller_ip, b.caller_ip);
  EXPECT_EQ(a.callee_ip, b.callee_ip);
  EXPECT_EQ(a.transport, b.transport);
  EXPECT_EQ(a.start_us, b.start_us);
  EXPECT_EQ(a.ring_us, b.ring_us);
  EXPECT_EQ(a.answer_us, b.answer_us);
  EXPECT_EQ(a.end_us, b.end_us);
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.final_code, b.final_code);
  EXPECT_EQ(a.final_reason, b.final_reason);
  EXPECT_EQ(a.hangup_by, b.hangup_by);
  EXPECT_EQ(a.pdd_ms, b.pdd_ms);
  EXPECT_EQ(a.duration_ms, b.duration_ms);
  EXPECT_EQ(a.message_count, b.message_count);
}

// Direct sqlite3 access to a database file, independent of report/query.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "cannot open " << path;
    }
  }
  ~RawDb() { sqlite3_close_v2(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  // First column of the first row as text/bytes; nullopt for SQL NULL or no row.
  std::optional<std::string> value(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
      return std::nullopt;
    }
    std::optional<std::string> out;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
      const void* p = sqlite3_column_blob(st, 0);
      const int n = sqlite3_column_bytes(st, 0);
      out = std::string(static_cast<const char*>(p), static_cast<size_t>(n));
    }
    sqlite3_finalize(st);
    return out;
  }
  int64_t integer(const std::string& sql) {
    auto v = value(sql);
    return v ? std::stoll(*v) : -1;
  }
  bool exec(const std::string& sql) {
    return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
  }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace sipscope::store::test
