// Test helpers for correlate/: SIP message text for one call leg, a tracker feeder that
// parses the text with sip::parse_message and hands the SipEvent over, and a sink that
// keeps every record in vectors.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "correlate/call_tracker.hpp"
#include "correlate/records.hpp"
#include "decode/decoder.hpp"
#include "decode/sip/message.hpp"

namespace sipscope::correlate::test {

inline decode::Endpoint ep(std::array<uint8_t, 4> ip, uint16_t port = 5060) {
  return decode::Endpoint{decode::IpAddress::v4(ip), port};
}

// Alice calls Bob; A = caller UA, P = proxy, B = callee UA.
inline const decode::Endpoint kA = ep({192, 0, 2, 10});
inline const decode::Endpoint kP = ep({192, 0, 2, 20});
inline const decode::Endpoint kB = ep({192, 0, 2, 30});
inline constexpr int64_t kT0 = 1'700'000'000'000'000;  // 2023-11-14, any fixed epoch time
inline constexpr int64_t kMs = 1'000;
inline constexpr int64_t kSec = 1'000'000;

// The identity of one dialog (RFC 3261 §12: Call-ID + both tags).
struct Leg {
  std::string call_id = "leg-1@192.0.2.10";
  std::string caller_uri = "sip:1001@example.com";
  std::string callee_uri = "sip:2002@example.com";
  std::string caller_tag = "ctag";
  std::string callee_tag = "etag";
};

inline std::string message_text(std::string_view start_line, std::string_view branch,
                                std::string_view from, std::string_view to,
                                std::string_view call_id, std::string_view cseq) {
  std::string s;
  s.append(start_line).append("\r\n");
  s.append("Via: SIP/2.0/UDP 192.0.2.10:5060;branch=").append(branch).append("\r\n");
  s.append("From: <").append(from).append("\r\n");
  s.append("To: <").append(to).append("\r\n");
  s.append("Call-ID: ").append(call_id).append("\r\n");
  s.append("CSeq: ").append(cseq).append("\r\n");
  s.append("Content-Length: 0\r\n\r\n");
  return s;
}

// A request the caller sends; in_dialog adds the callee's To-tag (ACK for 2xx, BYE, re-INVITE).
inline std::string caller_request(const Leg& l, std::string_view method, uint32_t cseq,
                                  std::string_view branch, bool in_dialog = false) {
  return message_text(std::string(method) + " " + l.callee_uri + " SIP/2.0", branch,
                      l.caller_uri + ">;tag=" + l.caller_tag,
                      l.callee_uri + ">" + (in_dialog ? ";tag=" + l.callee_tag : ""), l.call_id,
                      std::to_string(cseq) + " " + std::string(method));
}

// A request the callee sends inside the dialog (From/To swapped, its own CSeq space).
inline std::string callee_request(const Leg& l, std::string_view method, uint32_t cseq,
                                  std::string_view branch) {
  return message_text(std::string(method) + " " + l.caller_uri + " SIP/2.0", branch,
                      l.callee_uri + ">;tag=" + l.callee_tag,
                      l.caller_uri + ">;tag=" + l.caller_tag, l.call_id,
                      std::to_string(cseq) + " " + std::string(method));
}

// A response to a caller request; with_tag puts the callee's To-tag on it (all but 100).
inline std::string response_to_caller(const Leg& l, int code, std::string_view reason,
                                      uint32_t cseq, std::string_view method,
                                      std::string_view branch, bool with_tag = true) {
  return message_text("SIP/2.0 " + std::to_string(code) + " " + std::string(reason), branch,
                      l.caller_uri + ">;tag=" + l.caller_tag,
                      l.callee_uri + ">" + (with_tag ? ";tag=" + l.callee_tag : ""), l.call_id,
                      std::to_string(cseq) + " " + std::string(method));
}

// A response to a callee request (From is the callee).
inline std::string response_to_callee(const Leg& l, int code, std::string_view reason,
                                      uint32_t cseq, std::string_view method,
                                      std::string_view branch) {
  return message_text("SIP/2.0 " + std::to_string(code) + " " + std::string(reason), branch,
                      l.callee_uri + ">;tag=" + l.callee_tag,
                      l.caller_uri + ">;tag=" + l.caller_tag, l.call_id,
                      std::to_string(cseq) + " " + std::string(method));
}

struct VectorSink : RecordSink {
  struct Call {
    CallRecord row;
    std::vector<MessageRecord> messages;
  };
  std::vector<Call> calls;
  std::vector<MessageRecord> messages;  // outside calls
  std::vector<AnomalyRecord> anomalies;
  // A call's messages handed out before its row (CallTracker hands them out as they come),
  // joined to the call when its row arrives, in the order they came.
  std::map<int64_t, std::vector<MessageRecord>> held;

  void on_call(CallRecord call, std::vector<MessageRecord> m) override {
    std::vector<MessageRecord> all;
    if (auto it = held.find(call.id); it != held.end()) {
      all = std::move(it->second);
      held.erase(it);
    }
    for (auto& r : m) all.push_back(std::move(r));
    calls.push_back({std::move(call), std::move(all)});
  }
  void on_message(MessageRecord m) override {
    if (m.call_id) {
      held[*m.call_id].push_back(std::move(m));
    } else {
      messages.push_back(std::move(m));
    }
  }
  void on_anomaly(AnomalyRecord a) override { anomalies.push_back(std::move(a)); }

  std::vector<TransactionRecord> transactions;
  std::vector<DiagnosticRecord> diagnostics;
  std::vector<DialogRecord> dialogs;
  std::vector<CallLinkRecord> links;
  std::vector<RegistrationRecord> registrations;
  void on_transaction(TransactionRecord t) override { transactions.push_back(std::move(t)); }
  void on_diagnostic(DiagnosticRecord d) override { diagnostics.push_back(std::move(d)); }
  void on_dialog(DialogRecord d) override { dialogs.push_back(std::move(d)); }
  void on_call_link(CallLinkRecord l) override { links.push_back(std::move(l)); }
  void on_registration(RegistrationRecord r) override { registrations.push_back(std::move(r)); }
};

// Parses text into a SipEvent that stays valid until the next make().
class EventMaker {
 public:
  const decode::SipEvent& make(int64_t ts_us, decode::Endpoint src, decode::Endpoint dst,
                               std::string text) {
    text_ = std::move(text);
    const auto r = decode::sip::parse_message(text_, message_, {.datagram = true});
    EXPECT_EQ(r.error, decode::sip::ParseError::ok) << text_;
    event_.frame = {1, ++frames_, ts_us};
    event_.src = src;
    event_.dst = dst;
    event_.transport = decode::Transport::udp;
    event_.message = &message_;
    return event_;
  }

 private:
  std::string text_;
  decode::sip::Message message_;
  decode::SipEvent event_;
  uint64_t frames_ = 0;
};

// Parses text and feeds it to the tracker as frame number n+1 at ts_us.
class Feeder {
 public:
  explicit Feeder(CallTracker& tracker) : tracker_(tracker) {}

  void send(int64_t ts_us, decode::Endpoint src, decode::Endpoint dst, const std::string& text) {
    const auto r = decode::sip::parse_message(text, message_, {.datagram = true});
    ASSERT_EQ(r.error, decode::sip::ParseError::ok) << text;
    decode::SipEvent ev;
    ev.frame = {1, ++frames_, ts_us};
    ev.src = src;
    ev.dst = dst;
    ev.transport = decode::Transport::udp;
    ev.message = &message_;
    tracker_.on_sip(ev);
  }

 private:
  CallTracker& tracker_;
  decode::sip::Message message_;
  uint64_t frames_ = 0;
};

}  // namespace sipscope::correlate::test
