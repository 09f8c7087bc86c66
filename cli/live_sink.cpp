#include "cli/live_sink.hpp"

#include <algorithm>
#include <utility>

namespace sipscope::cli {
namespace {
// Streams of calls flushed before them (rare: a stream longer-lived than the call's
// linger) would otherwise stay in worst_mos_ forever.
constexpr size_t kMaxMosEntries = 100'000;
}  // namespace

void LiveSink::on_open_call(const correlate::CallRecord& row) {
  if (row.end_us && ended_open_.insert(row.id).second) ++finished_;
}

void LiveSink::on_call(correlate::CallRecord call, std::vector<correlate::MessageRecord> messages) {
  if (ended_open_.erase(call.id) == 0U) ++finished_;
  FinishedCall done{call, std::nullopt};
  if (auto it = worst_mos_.find(call.id); it != worst_mos_.end()) {
    done.worst_mos = it->second;
    worst_mos_.erase(it);
  }
  store_.on_call(std::move(call), std::move(messages));
  finished_rows_.push_back(std::move(done));
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
