// Session timers (RFC 4028) of one call: the interval a 2xx to an INVITE or UPDATE
// negotiates (Session-Expires, §4, with its refresher §9), and the refreshes (a later
// re-INVITE or UPDATE answered 2xx, §10). When the capture runs past the last
// refresh + Session-Expires with no refresh and no BYE before it, the session has
// expired (§10: both sides consider it over) and the call gets the diagnostic
// `session_timer_expired` with the frame of the 2xx that set the timer. A 2xx without
// Session-Expires turns the timer off (§7.2, §9). Refreshes themselves are not findings.
//
//   SessionTimer t;  t.observe(event, summary);  ...
//   t.diagnose(call_id, now_us, findings);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "correlate/records.hpp"
#include "correlate/sip_summary.hpp"
#include "decode/decoder.hpp"

namespace sipscope::correlate {

class SessionTimer {
 public:
  void observe(const decode::SipEvent& event, const SipSummary& summary);

  // Appends session_timer_expired if the deadline passed before now_us (or before the
  // first BYE) with no refresh.
  void diagnose(int64_t call_id, int64_t now_us, std::vector<DiagnosticRecord>& out) const;

  [[nodiscard]] bool active() const { return interval_s_.has_value(); }
  [[nodiscard]] std::optional<int64_t> deadline_us() const;
  [[nodiscard]] int64_t refreshes() const { return refreshes_; }

 private:
  std::optional<int64_t> interval_s_;  // negotiated Session-Expires
  std::string refresher_;              // "uac" / "uas" / "" when not given
  int64_t set_us_ = 0;                 // the 2xx that (re)started the timer
  uint64_t set_frame_ = 0;
  std::optional<uint32_t> set_cseq_;
  std::string set_method_;
  int64_t refreshes_ = 0;
  std::optional<int64_t> bye_us_;
  uint64_t bye_frame_ = 0;
};

}  // namespace sipscope::correlate
