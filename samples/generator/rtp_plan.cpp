#include "rtp_plan.hpp"

#include <algorithm>
#include <stdexcept>

#include "timeline.hpp"

namespace sipscope::gen {

RtpPlan::RtpPlan(const RtpSpec& spec) : spec_(spec) {}

void RtpPlan::plan(std::uint32_t i) {
  if (std::binary_search(spec_.drop.begin(), spec_.drop.end(), i)) return;
  const std::int64_t t = spec_.arrival_time(i);
  pending_.push(Packet{t, i, false});
  if (std::binary_search(spec_.duplicate.begin(), spec_.duplicate.end(), i)) {
    pending_.push(Packet{t + spec_.dup_delay_us, i, true});
  }
}

const RtpPlan::Packet* RtpPlan::front() {
  // Every packet arrives at or after its slot time, and slot times grow with the index:
  // once the next slot is later than the earliest planned packet, nothing unplanned can
  // come before it.
  while (next_ < spec_.count &&
         (pending_.empty() || spec_.slot_time(next_) <= pending_.top().ts_us)) {
    plan(next_++);
  }
  return pending_.empty() ? nullptr : &pending_.top();
}

void SeqCounter::update(std::uint16_t seq) {
  ++packets_;
  if (base_ < 0) {
    base_ = highest_ = seq;
    seen_ = 1;
    return;
  }
  constexpr std::uint32_t kMaxDropout = 3000, kMaxMisorder = 100;
  const auto ahead = static_cast<std::uint16_t>(seq - static_cast<std::uint16_t>(highest_));
  if (ahead == 0) {
    ++duplicates_;
  } else if (ahead < kMaxDropout) {
    highest_ += ahead;  // crossing 65535 -> 0 adds a cycle by itself
    seen_ = ahead >= 64 ? 1 : (seen_ << ahead) | 1;
  } else if (ahead >= 65536 - kMaxMisorder) {
    const std::uint32_t behind = 65536 - ahead;
    const std::uint64_t bit = behind < 64 ? std::uint64_t{1} << behind : 0;
    if ((seen_ & bit) != 0) {
      ++duplicates_;
    } else {
      seen_ |= bit;
      ++out_of_order_;
    }
  } else {
    throw std::logic_error("RtpSpec: sequence jump the truth does not model");
  }
}

std::int64_t SeqCounter::expected() const {
  return base_ < 0 ? 0 : highest_ - base_ + 1;
}

void TsharkLost::update(std::uint16_t seq, std::uint32_t timestamp) {
  ++total_;
  if (!started_) {
    started_ = true;
    start_ = stop_ = seq;
    first_ts_ = timestamp;
    return;
  }
  const bool in_time = timestamp >= first_ts_;
  if (in_time && seq < start_ && !under_) {
    ++cycles_;
    under_ = true;
  } else if (in_time && seq == 0 && stop_ == 65535 && !under_) {
    ++cycles_;
    under_ = true;
  } else if (in_time && seq > start_ && under_) {
    under_ = false;
  }
  stop_ = seq;
}

std::int64_t TsharkLost::lost() const {
  return stop_ + cycles_ * 65536 - start_ + 1 - total_;
}

}  // namespace sipscope::gen
