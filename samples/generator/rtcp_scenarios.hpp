// Scenario `media_rtcp`: answered calls whose phones send RTCP the way real ones do, one
// call per way of finding the RTCP address (RFC 3550 §11 port + 1, RFC 3605 `a=rtcp:`,
// RFC 5761 rtcp-mux). Every report block is computed from what the generator really sent
// and dropped (RFC 3550 §6.4.1, Appendix A.3 and A.8), and the send times are chosen so
// that the round trip a passive observer derives from LSR/DLSR is a known value.
//
// Truth (written under the capture's truth file, keys of Truth::activity):
//   "rtcp_reports": one row per rtcp_reports row of docs/schema.md, in capture order;
//   "rtcp_streams": per RTP stream, the last report block about it (streams.rtcp_*).
//
//   build_scenario("media_rtcp", {.ipv6 = false, .seed = 1}, emission, truth, wire);
#pragma once

#include "call.hpp"
#include "scenarios.hpp"

namespace sipscope::gen {

void media_rtcp(const ScenarioOptions& o, Context ctx);

}  // namespace sipscope::gen
