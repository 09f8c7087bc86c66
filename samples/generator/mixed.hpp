// `sipscope-gen mixed`: a large capture for benchmarks — many concurrent calls with
// two-way 20 ms G.711 RTP (some loss and jitter), a proxy hop on a third of them, a mix
// of outcomes, registrations and OPTIONS keep-alives. Calls are scripted one at a time
// when their start time comes up (a Scheduler timer), so memory holds only the calls
// in progress while the capture streams to disk; the truth keeps one record per call.
// `sipscope-gen sip` is the same script without RTP at a chosen call rate (media = false,
// mean_gap_us), the SIP-only benchmark shape.
//
//   MixedOptions o; o.calls = 1000;
//   run_mixed(o, writer, truth);  // >= 1M packets with the default 20 s of talk
#pragma once

#include <cstdint>

#include "pcap_writer.hpp"
#include "timeline.hpp"
#include "truth.hpp"

namespace sipscope::gen {

struct MixedOptions {
  std::uint32_t calls = 1000;
  double rtp_seconds = 20.0;  // mean talk time of answered calls (uniform 0.5x..1.5x)
  bool ipv6 = false;
  std::uint64_t seed = 1;
  bool media = true;             // false: SDP is offered and answered, no RTP is sent
  std::int64_t mean_gap_us = 0;  // mean time between call starts; 0: ~100 ms (mixed)
};

// Runs the whole capture through `sched`; returns when everything is written.
void run_mixed(const MixedOptions& opt, Scheduler& sched, Truth& truth);

}  // namespace sipscope::gen
