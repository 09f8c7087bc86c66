#include "correlate/session_timer.hpp"

#include "correlate/header_values.hpp"
#include "decode/sip/fields.hpp"

namespace sipscope::correlate {

namespace sip = decode::sip;

namespace {

std::string seconds_text(int64_t us) {
  const int64_t ms = us / 1000;
  std::string s = std::to_string(ms / 1000);
  const int64_t frac = ms % 1000;
  if (frac != 0) {
    std::string f = std::to_string(frac);
    s += '.' + std::string(3 - f.size(), '0') + f;
  }
  return s + " s";
}

}  // namespace

void SessionTimer::observe(const decode::SipEvent& ev, const SipSummary& s) {
  if (s.is_request) {
    if (s.method == "BYE" && !bye_us_) {
      bye_us_ = ev.frame.ts_us;
      bye_frame_ = ev.frame.number;
    }
    return;
  }
  if (s.status_code < 200 || s.status_code >= 300) return;
  if (s.cseq_method != "INVITE" && s.cseq_method != "UPDATE") return;
  // The same 2xx on the next hop, or retransmitted, does not restart the timer.
  if (set_cseq_ && *set_cseq_ == s.cseq && set_method_ == s.cseq_method) return;
  const auto tp = split_token_params(ev.message->header_value(sip::HeaderId::session_expires));
  const auto interval = delta_seconds(tp.token);
  if (set_cseq_) ++refreshes_;
  set_cseq_ = s.cseq;
  set_method_ = std::string(s.cseq_method);
  set_us_ = ev.frame.ts_us;
  set_frame_ = ev.frame.number;
  if (!interval || *interval == 0) {
    interval_s_.reset();  // §7.2/§9: a 2xx without Session-Expires: no session expiration
    return;
  }
  interval_s_ = interval;
  refresher_ = std::string(sip::param_value(tp.params, "refresher"));
}

std::optional<int64_t> SessionTimer::deadline_us() const {
  if (!interval_s_) return std::nullopt;
  return set_us_ + *interval_s_ * 1'000'000;
}

void SessionTimer::diagnose(int64_t call_id, int64_t now_us,
                            std::vector<DiagnosticRecord>& out) const {
  const auto deadline = deadline_us();
  if (!deadline) return;
  if (bye_us_ && *bye_us_ <= *deadline) return;  // ended in time
  if (!bye_us_ && now_us <= *deadline) return;   // the capture stopped before it was due
  std::string detail = "Session-Expires " + std::to_string(*interval_s_) + " s";
  if (!refresher_.empty()) detail += " (refresher=" + refresher_ + ")";
  detail += refreshes_ == 0 ? " set by the 2xx"
                            : " set by the 2xx to refresh " + std::to_string(refreshes_);
  detail += " in frame " + std::to_string(set_frame_) + "; no re-INVITE/UPDATE refresh ";
  if (bye_us_) {
    detail += "before it expired; BYE came " + seconds_text(*bye_us_ - *deadline) + " late";
  } else {
    detail += "and no BYE before it expired; capture continued " +
              seconds_text(now_us - *deadline) + " past it";
  }
  std::vector<uint64_t> frames{set_frame_};
  if (bye_us_) frames.push_back(bye_frame_);
  out.push_back({call_id, *deadline, DiagnosticKind::session_timer_expired, std::move(detail),
                 std::move(frames)});
}

}  // namespace sipscope::correlate
