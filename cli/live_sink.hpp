// The record sink of a live capture: forwards every record to the store's writer and watches the
// calls go by for the terminal and for --max-calls. A call is "finished" the first time its
// row shows an end (BYE, or a final failure: end_us set) or when its final row is flushed,
// whichever comes first, and its terminal line is due then, once: with the worst MOS of
// its streams stored by then, or MOS pending when streams of the call are still open.
// Before a call's final rows, the rows its open state stored are deleted
// (Store::forget_open_call_rows).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "correlate/records.hpp"
#include "store/record_writer.hpp"

namespace sipscope::cli {

struct FinishedCall {
  correlate::CallRecord row;
  std::optional<double> worst_mos;  // lowest MOS among its streams stored so far
  bool mos_pending = false;         // streams of the call were still open
};

class LiveSink final : public correlate::RecordSink {
 public:
  // `store`: the store's RecordWriter (store/record_writer.hpp).
  explicit LiveSink(store::RecordWriter& store) : store_(store) {}

  // A row of an open call as stored in a live tick; streams_open: the call has RTP
  // streams not yet stored.
  void on_open_call(const correlate::CallRecord& row, bool streams_open);
  // Calls finished since the last take (in the order they finished).
  std::vector<FinishedCall> take_finished();
  [[nodiscard]] uint64_t finished_calls() const { return finished_; }

  void on_call(correlate::CallRecord call, std::vector<correlate::MessageRecord> messages) override;
  void on_message(correlate::MessageRecord m) override { store_.on_message(std::move(m)); }
  void on_anomaly(correlate::AnomalyRecord a) override { store_.on_anomaly(std::move(a)); }
  void on_transaction(correlate::TransactionRecord t) override {
    store_.on_transaction(std::move(t));
  }
  void on_diagnostic(correlate::DiagnosticRecord d) override { store_.on_diagnostic(std::move(d)); }
  void on_dialog(correlate::DialogRecord d) override { store_.on_dialog(std::move(d)); }
  void on_call_link(correlate::CallLinkRecord l) override { store_.on_call_link(std::move(l)); }
  void on_registration(correlate::RegistrationRecord r) override {
    store_.on_registration(std::move(r));
  }
  void on_peer(correlate::PeerRecord r) override { store_.on_peer(std::move(r)); }
  void on_peer_event(correlate::PeerEventRecord e) override { store_.on_peer_event(std::move(e)); }
  void on_subscription(correlate::SubscriptionRecord r) override {
    store_.on_subscription(std::move(r));
  }
  void on_activity(correlate::ActivityRecord r) override { store_.on_activity(std::move(r)); }
  void on_stream(correlate::StreamRecord r) override;
  void on_rtcp(correlate::RtcpRecord r) override { store_.on_rtcp(std::move(r)); }

 private:
  [[nodiscard]] std::optional<double> worst_mos(int64_t call_id) const;

  store::RecordWriter& store_;
  uint64_t finished_ = 0;
  std::unordered_set<int64_t> ended_open_;  // open calls already counted and listed
  std::unordered_map<int64_t, double> worst_mos_;
  std::vector<FinishedCall> finished_rows_;
};

}  // namespace sipscope::cli
