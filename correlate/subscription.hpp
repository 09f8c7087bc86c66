// Subscriptions outside calls (RFC 6665): a SUBSCRIBE creates a subscription identified
// by its dialog (Call-ID + the subscriber's tag) and its Event package + id (§4.1.2,
// §8.2.1); refreshes and the un-SUBSCRIBE (Expires: 0) are later SUBSCRIBEs of that
// dialog; the notifier's NOTIFYs carry Subscription-State (§4.1.3) pending / active /
// terminated;reason=... . NOTIFYs inside a call (REFER progress, RFC 3515) belong to the
// call and never reach this tracker.
//
// The subscriber-side state is a pure function over RFC-named states, tested from a table:
// sent -> accepted (2xx) / rejected (>= 300, a 401/407 challenge excluded) -> pending /
// active / terminated as the NOTIFYs say (or a 481 to a refresh or a NOTIFY); expired when the
// granted Expires passed with no refresh and no terminating NOTIFY. A NOTIFY whose SUBSCRIBE was
// not captured opens the subscription from that NOTIFY (the capture began mid-subscription).
//
// Rows are handed out a linger (32 s) after they end, when the granted expiry has passed,
// after idle_us without a message, when evicted, or at finish(). Owns copies.
//
//   SubscriptionTracker t({});
//   t.on_message(event, summary, retransmission, done);  t.advance(now_us, done);
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "correlate/records.hpp"
#include "correlate/sip_summary.hpp"
#include "decode/decoder.hpp"

namespace sipscope::correlate {

// no_response is only stored, never entered: a `sent` subscription whose SUBSCRIBE had no
// answer within Timer F (or got a final response that decided nothing) at its end.
enum class SubState : uint8_t {
  sent,
  accepted,
  pending,
  active,
  terminated,
  rejected,
  expired,
  no_response,
};
enum class SubEvent : uint8_t {
  accepted_2xx,       // 2xx to a SUBSCRIBE
  rejected,           // final >= 300 to a SUBSCRIBE, not a 401/407 challenge
  notify_pending,     // NOTIFY with Subscription-State: pending
  notify_active,      // NOTIFY with Subscription-State: active
  notify_terminated,  // NOTIFY with Subscription-State: terminated
  expiry,             // granted Expires passed with no refresh
  gone,  // 481 to a refresh SUBSCRIBE (§4.1.2.2) or to a NOTIFY (§4.2.2): no subscription
};

[[nodiscard]] std::string_view sub_state_name(SubState s);
[[nodiscard]] std::optional<SubState> parse_sub_state(std::string_view name);
[[nodiscard]] SubState next_sub_state(SubState s, SubEvent e);

struct SubscriptionLimits {
  size_t max_open = 100'000;
  int64_t linger_us = 32'000'000;        // after the end, for late retransmissions
  int64_t idle_us = 3600LL * 1'000'000;  // no message and no known expiry this long
};

class SubscriptionTracker {
 public:
  explicit SubscriptionTracker(SubscriptionLimits limits) : limits_(limits) {}

  // SUBSCRIBE / NOTIFY requests and their responses (outside calls).
  void on_message(const decode::SipEvent& event, const SipSummary& summary, bool retransmission,
                  std::vector<SubscriptionRecord>& done);
  void advance(int64_t now_us, std::vector<SubscriptionRecord>& done);
  void finish(int64_t end_us, std::vector<SubscriptionRecord>& done);

  [[nodiscard]] uint64_t evicted() const { return evicted_; }
  [[nodiscard]] size_t open() const { return subs_.size(); }

 private:
  struct Sub {
    SubscriptionRecord record;
    SubState state = SubState::sent;
    uint64_t generation = 0;
    std::vector<uint32_t> cseqs;       // SUBSCRIBE CSeqs of this subscription (bounded)
    std::vector<uint32_t> challenged;  // of those, answered 401/407
    std::optional<int64_t> expires_at_us;
    int64_t last_us = 0;
    int64_t queued_us = 0;  // its key in queue_
    std::string dialog;     // its entry in by_dialog_
    // The notifier's CSeq grows per NOTIFY (RFC 3261 §12.2.1.1): a proxy's copy of one
    // NOTIFY on the next hop has the same number and is not counted again.
    std::optional<uint32_t> last_notify_cseq;
    bool answered = false;  // the initial SUBSCRIBE got a non-challenge final
  };

  // Where a SUBSCRIBE or NOTIFY belongs: its dialog, key, and the subscription if open.
  struct Target {
    std::string dialog, key;
    std::string_view event, id;  // views into the message
    Sub* sub = nullptr;
  };
  Target target(const decode::SipEvent& ev, const SipSummary& s, std::string_view subscriber_tag);
  // The subscription of `dialog` with this SUBSCRIBE CSeq (or, notify: last NOTIFY CSeq).
  Sub* find_by_cseq(const std::string& dialog, uint32_t cseq, bool notify);
  Sub& open(const Target& t, const decode::SipEvent& ev, const SipSummary& s, bool from_subscriber,
            std::vector<SubscriptionRecord>& done);
  void apply(Sub& sub, SubEvent e, int64_t ts);
  [[nodiscard]] int64_t due_of(const Sub& sub) const;
  void schedule(const std::string& key, Sub& sub);
  void close(Sub& sub, int64_t now_us, std::vector<SubscriptionRecord>& done);
  void on_subscribe(const decode::SipEvent& ev, const SipSummary& s,
                    std::vector<SubscriptionRecord>& done);
  void on_notify(const decode::SipEvent& ev, const SipSummary& s,
                 std::vector<SubscriptionRecord>& done);
  void on_subscribe_response(const decode::SipEvent& ev, const SipSummary& s);
  void on_notify_gone(const decode::SipEvent& ev, const SipSummary& s);
  void erase(const std::string& key);  // from subs_ and by_dialog_

  SubscriptionLimits limits_;
  uint64_t next_generation_ = 1;
  uint64_t evicted_ = 0;
  // key: dialog (Call-ID + '\n' + subscriber tag) + '\n' + event + '\n' + id
  std::unordered_map<std::string, Sub> subs_;
  // dialog -> keys of its subscriptions, to match responses by CSeq without a scan.
  std::unordered_map<std::string, std::vector<std::string>> by_dialog_;
  // (due time, generation) -> key, earliest first.
  std::map<std::pair<int64_t, uint64_t>, std::string> queue_;
};

}  // namespace sipscope::correlate
