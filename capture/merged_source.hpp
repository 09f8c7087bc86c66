// Two frame sources read as one (`capture -i IFACE --hep-listen PORT`): the first is
// drained without waiting, the second waits (at most capture::kPollMs) when the first has
// nothing. Each frame stays valid until the next pull, as each source promises.
#pragma once

#include <vector>

#include "capture/frame_source.hpp"
#include "capture/pcap_reader.hpp"

namespace sipscope::capture {

class MergedSource final : public FrameSource {
 public:
  // `quick` must return idle at once when it has nothing (e.g. HepListenSource with
  // set_wait_ms(0)); `waiting` may block briefly.
  MergedSource(FrameSource& quick, FrameSource& waiting) : quick_(quick), waiting_(waiting) {}

  [[nodiscard]] Next pull(decode::Frame& out) override {
    const Next q = quick_.pull(out);
    if (q == Next::frame) return q;
    const Next w = waiting_.pull(out);
    if (w == Next::end && q != Next::end) return Next::idle;
    return w;
  }
  [[nodiscard]] std::vector<CaptureInfo> captures() const override {
    auto out = waiting_.captures();
    for (auto& c : quick_.captures()) out.push_back(std::move(c));
    return out;
  }
  void mark_interrupted() override {
    quick_.mark_interrupted();
    waiting_.mark_interrupted();
  }
  void stop_waiting() override {
    quick_.stop_waiting();
    waiting_.stop_waiting();
  }

 private:
  FrameSource& quick_;
  FrameSource& waiting_;
};

}  // namespace sipscope::capture
