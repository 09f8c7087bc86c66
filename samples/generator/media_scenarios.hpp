// Media scenarios for the accuracy checks of docs/media.md: overlapping calls whose RTP
// streams carry the impairments a network and real phones produce (random and burst loss,
// duplicates, reordering, heavy jitter, sequence wrap, SSRC change, talkspurts, hold,
// re-INVITE to a new port, port reuse, early media, NAT, G.729 and a dynamic payload type).
// Every stream's truth is counted from the packets as they reach the capture (rtp_plan.hpp)
// and names the Call-ID whose SDP announced it and the association sipscope must find.
//
//   build_scenario("media_impair", {.ipv6 = false, .seed = 1}, emission, truth, wire);
//   build_scenario("media_random", {.ipv6 = false, .seed = 7}, emission, truth, wire);
#pragma once

#include "call.hpp"
#include "scenarios.hpp"

namespace sipscope::gen {

// A fixed script: each stream shows one impairment (samples/README.md lists them).
void media_impair(const ScenarioOptions& o, Context ctx);
// 6-10 calls whose codecs, ports, address families, timings, events and impairments are
// drawn from --seed; any seed gives a valid capture with exact truth.
void media_random(const ScenarioOptions& o, Context ctx);

}  // namespace sipscope::gen
