// Scenarios of non-call activity (docs/correlation.md "Non-call activity") and session
// timers: OPTIONS keep-alives with a peer going down and coming back (RFC 3261 §11,
// Timer F), SUBSCRIBE/NOTIFY subscriptions (RFC 6665) with refresh, challenge,
// rejection, termination and silent expiry, MESSAGE (RFC 3428) answered 200 / 404 / not
// at all, PUBLISH (RFC 3903) initial / refresh / remove with SIP-ETag and SIP-If-Match,
// and calls with RFC 4028 session timers refreshed and left to expire. Their truth
// records, beside the calls, the peers, peer state changes, subscriptions, MESSAGE/PUBLISH
// rows and session-timer findings the scenario staged (Truth::activity), for
// tests/cli/golden_activity_test.cpp.
//
//   build_scenario("activity_peers", opt, emission, truth, wire);  // via scenarios.cpp
#pragma once

#include "call.hpp"
#include "scenarios.hpp"

namespace sipscope::gen {

void activity_peers(const ScenarioOptions& o, Context ctx);
void activity_subscribe(const ScenarioOptions& o, Context ctx);
void activity_message(const ScenarioOptions& o, Context ctx);
void activity_session_timer(const ScenarioOptions& o, Context ctx);

}  // namespace sipscope::gen
