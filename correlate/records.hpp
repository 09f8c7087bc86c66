// Owned records that correlate/ hands to its sink when something is finished: a call with
// all its messages, a message outside any call, an anomaly. These are the rows of the
// design.md tables `calls`, `messages` and `anomalies` before storage; report/ writes them.
// Optional values are std::nullopt where the column is NULL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sipscope::correlate {

struct MessageRecord {
  std::optional<int64_t> call_id;  // calls.id, nullopt outside calls
  uint32_t capture_id = 0;
  uint64_t frame = 0;
  int64_t ts_us = 0;
  std::string src_ip;
  uint16_t src_port = 0;
  std::string dst_ip;
  uint16_t dst_port = 0;
  std::string transport;              // "UDP", "TCP", ...
  std::optional<std::string> method;  // requests only
  std::optional<int> status_code;     // responses only
  std::optional<std::string> reason;  // responses only: reason phrase
  std::optional<int64_t> cseq;
  std::optional<std::string> cseq_method;
  std::string sip_call_id;  // Call-ID header value ("" if absent)
  bool retransmission = false;
  std::string raw;  // exact message bytes
};

struct CallRecord {
  int64_t id = 0;  // assigned by the tracker, increasing by start
  std::string sip_call_id;
  std::optional<int64_t> group_id;
  std::optional<std::string> from_user, to_user, from_uri, to_uri;
  std::optional<std::string> caller_ip, callee_ip;
  std::string transport;  // transport of the first INVITE
  std::optional<int64_t> start_us, ring_us, answer_us, end_us;
  std::string state;  // design.md vocabulary
  std::optional<int> final_code;
  std::optional<std::string> final_reason;
  std::optional<std::string> hangup_by;  // "caller" / "callee"
  std::optional<double> pdd_ms, duration_ms;
  int64_t message_count = 0;
};

struct AnomalyRecord {
  uint32_t capture_id = 0;
  std::optional<int64_t> call_id;
  uint64_t frame = 0;
  int64_t ts_us = 0;
  std::string kind;  // decode::anomaly_name()
  std::string detail;
  std::optional<std::string> flow;  // "src -> dst" when known
};

// Where finished records go (report/ implements it with SQLite; tests with vectors).
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  // A finished call and every message of it, in capture order (message.call_id set).
  virtual void on_call(CallRecord call, std::vector<MessageRecord> messages) = 0;
  // A message that belongs to no call (REGISTER, OPTIONS, ...): call_id is nullopt.
  virtual void on_message(MessageRecord message) = 0;
  virtual void on_anomaly(AnomalyRecord anomaly) = 0;
};

}  // namespace sipscope::correlate
