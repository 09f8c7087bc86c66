// Scenarios for the correlation layer (docs/correlation.md): forking, CANCEL races,
// hold/resume, 100rel/PRACK, REFER transfer, B2BUA legs, a 2xx never ACKed, and
// REGISTER challenge loops. Besides the calls, their truth records the dialogs, call
// links, SIP findings and registrations the scenario staged (truth.hpp), so the golden
// test holds those tables against what was sent.
//
//   build_scenario("fork_early", opt, emission, truth, wire);  // via the table in scenarios.cpp
#pragma once

#include "call.hpp"
#include "scenarios.hpp"

namespace sipscope::gen {

void fork_early(const ScenarioOptions& o, Context ctx);
void cancel_race(const ScenarioOptions& o, Context ctx);
void hold_resume(const ScenarioOptions& o, Context ctx);
void prack(const ScenarioOptions& o, Context ctx);
void refer_transfer(const ScenarioOptions& o, Context ctx);
void refer_replaces(const ScenarioOptions& o, Context ctx);
void b2bua_xcallid(const ScenarioOptions& o, Context ctx);
void b2bua_session_id(const ScenarioOptions& o, Context ctx);
void no_ack(const ScenarioOptions& o, Context ctx);
void register_auth(const ScenarioOptions& o, Context ctx);
void register_forbidden(const ScenarioOptions& o, Context ctx);

}  // namespace sipscope::gen
