// Links between calls (docs/states.md: legs of one end-to-end call are separate rows linked in
// `call_links` with the reason, sharing calls.group_id). Evidence, checked when a call
// starts:
//   x_call_id   a correlation header naming another leg's Call-ID (X-Call-ID, X-CID,
//               X-Orig-Call-ID or configured names), in either direction;
//   session_id  the same RFC 7989 Session-ID local UUID (not the null UUID);
//   icid        the same P-Charging-Vector icid-value (RFC 7315 §4.6);
//   replaces    an INVITE with Replaces (RFC 3891) naming another call's Call-ID;
//   refer       an INVITE after a REFER (RFC 3515) to its Refer-To target, carrying
//               Referred-By (RFC 3892) or addressed to that user within the window.
// The later call links to the earlier one; the group is the earliest call's id, and a
// link between two groups merges them (an attended transfer ties the consultation, by
// Replaces, and the first call, by REFER, into one group). Keys and the groups of flushed
// calls are bounded (oldest forgotten first), so memory does not grow with the capture.
//
//   LinkIndex links({"X-Call-ID"}, 100'000, 32'000'000);
//   links.on_call_start(id, event, summary, out);  links.on_refer(id, event, summary);
//   row.group_id = links.take_group(id);
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "correlate/records.hpp"
#include "correlate/sip_summary.hpp"
#include "decode/decoder.hpp"

namespace sipscope::correlate {

class LinkIndex {
 public:
  LinkIndex(std::vector<std::string> headers, size_t max_keys, int64_t refer_window_us)
      : headers_(std::move(headers)), max_keys_(max_keys), refer_window_us_(refer_window_us) {}

  // The first message of a new call (its initial INVITE, usually).
  void on_call_start(int64_t call_id, const decode::SipEvent& event, const SipSummary& summary,
                     std::vector<CallLinkRecord>& out);
  // A REFER inside call `call_id`.
  void on_refer(int64_t call_id, const decode::SipEvent& event, const SipSummary& summary);
  // The group of a call being flushed (nullopt when unlinked); remembered, bounded, for
  // later links to the stored call.
  std::optional<int64_t> take_group(int64_t call_id);
  // The group of an open call (nullopt when unlinked), left in place.
  [[nodiscard]] std::optional<int64_t> group_of(int64_t call_id) const;

 private:
  struct Entry {
    int64_t call_id = 0;
    int64_t ts_us = 0;
  };
  void put(std::string key, int64_t call_id, int64_t ts_us);
  [[nodiscard]] const Entry* get(const std::string& key) const;
  void link(int64_t later, int64_t earlier, std::string reason, std::vector<CallLinkRecord>& out);

  std::vector<std::string> headers_;
  size_t max_keys_;
  int64_t refer_window_us_;
  std::unordered_map<std::string, Entry> keys_;
  std::deque<std::string> order_;
  std::unordered_map<int64_t, int64_t> group_;         // open linked calls -> group id
  std::unordered_map<int64_t, int64_t> stored_group_;  // flushed linked calls -> group id
  std::deque<int64_t> stored_order_;
};

}  // namespace sipscope::correlate
