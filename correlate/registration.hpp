// Registrations (RFC 3261 §10) outside calls: REGISTER requests sharing a Call-ID, their
// 401/407 challenges and retries (§22.2), up to the final answer, become one
// RegistrationRecord: user, contact, requested and granted expires, result, attempts and
// challenges. Retransmissions and a proxy's second hop of the same CSeq count once.
//
// Results: registered (2xx, expires > 0), unregistered (2xx to expires 0 / Contact: *),
// failed (any other final), challenged (only a challenge, no retry seen), no_response.
// A record is handed out when its final response arrives, or when it has been quiet for
// the horizon (capture time), or at finish(). Owns copies; SipSummary views are read
// during on_message() only.
//
//   RegistrationTracker r(100'000, 32'000'000);
//   std::vector<RegistrationRecord> done;
//   r.on_message(event, summary, retransmission, done);  r.advance(now, done);
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

#include "correlate/records.hpp"
#include "correlate/sip_summary.hpp"
#include "decode/decoder.hpp"

namespace sipscope::correlate {

class RegistrationTracker {
 public:
  RegistrationTracker(size_t max_open, int64_t horizon_us)
      : max_open_(max_open), horizon_us_(horizon_us) {}

  // A REGISTER request or a response with CSeq method REGISTER.
  void on_message(const decode::SipEvent& event, const SipSummary& summary, bool retransmission,
                  std::vector<RegistrationRecord>& done);
  void advance(int64_t now_us, std::vector<RegistrationRecord>& done);
  void finish(std::vector<RegistrationRecord>& done);

  [[nodiscard]] size_t open() const { return open_.size(); }
  // Attempts flushed early because max_open was reached (registration_table_full).
  [[nodiscard]] uint64_t evicted() const { return evicted_; }

 private:
  struct Attempt {
    RegistrationRecord record;
    uint64_t generation = 0;
    std::vector<uint32_t> cseqs, challenged;
    int64_t last_us = 0;
    bool finished = false;  // handed out; kept to absorb late copies of its responses
  };

  Attempt& start(const decode::SipEvent& event, const SipSummary& s);
  void close(Attempt& a, std::vector<RegistrationRecord>& done);
  void evict_one(std::vector<RegistrationRecord>& done);

  size_t max_open_;
  int64_t horizon_us_;
  uint64_t next_generation_ = 1;
  uint64_t evicted_ = 0;
  std::unordered_map<std::string, Attempt> open_;
  struct Due {
    int64_t due_us;
    std::string call_id;
    uint64_t generation;
  };
  std::deque<Due> queue_;  // roughly by due time: stale entries are skipped or re-queued
};

}  // namespace sipscope::correlate
