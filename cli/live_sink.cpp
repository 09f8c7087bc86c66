#include "cli/live_sink.hpp"

#include <algorithm>
#include <utility>

namespace sipscope::cli {
namespace {
// Streams of calls flushed before them (rare: a stream longer-lived than the call's
// linger) would otherwise stay in worst_mos_ forever.
constexpr size_t kMaxMosEntries = 100'000;
}  // namespace

void LiveSink::on_open_call(const correlate::CallRecord& row, bool streams_open) {
  if (!row.end_us || !ended_open_.insert(row.id).second) return;
  ++finished_;
  finished_rows_.push_back({row, worst_mos(row.id), streams_open});
}

std::optional<double> LiveSink::worst_mos(int64_t call_id) const {
  const auto it = worst_mos_.find(call_id);
  return it == worst_mos_.end() ? std::nullopt : std::optional<double>(it->second);
}

void LiveSink::on_call(correlate::CallRecord call, std::vector<correlate::MessageRecord> messages) {
  // Its open rows (transactions, dialogs, diagnostics of a tick) give way to the final ones.
  store_.push<&store::Store::forget_open_call_rows>(call.id);
  if (ended_open_.erase(call.id) == 0U) {
    ++finished_;
    finished_rows_.push_back({call, worst_mos(call.id), false});
  }
  worst_mos_.erase(call.id);
  store_.on_call(std::move(call), std::move(messages));
}

void LiveSink::on_stream(correlate::StreamRecord r) {
  if (r.call_id && r.mos) {
    if (worst_mos_.size() >= kMaxMosEntries) worst_mos_.clear();
    auto [it, fresh] = worst_mos_.try_emplace(*r.call_id, *r.mos);
    if (!fresh) it->second = std::min(it->second, *r.mos);
  }
  store_.on_stream(std::move(r));
}

std::vector<FinishedCall> LiveSink::take_finished() {
  std::vector<FinishedCall> out;
  out.swap(finished_rows_);
  return out;
}

}  // namespace sipscope::cli
