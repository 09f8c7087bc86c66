// Test helper for the non-call trackers (keepalive, subscription, activity): parses SIP
// text into an event and hands it to the tracker's on_message() with its summary.
#pragma once

#include <cstdint>
#include <string>

#include "correlate/sip_summary.hpp"
#include "tests/correlate/test_support.hpp"

namespace sipscope::correlate::test {

template <typename Tracker, typename Out>
void feed(EventMaker& maker, Tracker& tracker, Out& out, int64_t ts, decode::Endpoint src,
          decode::Endpoint dst, const std::string& text, bool retransmission = false) {
  const auto& ev = maker.make(ts, src, dst, text);
  tracker.on_message(ev, summarize(*ev.message), retransmission, out);
}

}  // namespace sipscope::correlate::test
