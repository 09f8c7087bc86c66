// The `hostile` scenario: one answered call whose SIP fields carry HTML and JavaScript
// (display names, User-Agent, Call-ID, a reason phrase, an SDP session name), for the
// checks that every HTML output keeps them inert text (issue 6 item 5; the browser tests
// in tests/browser/ open the pages in Chromium).
//
//   build_scenario("hostile", opt, emission, truth, wire);  // via the table in scenarios.cpp
#pragma once

#include "call.hpp"
#include "scenarios.hpp"

namespace sipscope::gen {

void hostile(const ScenarioOptions& o, Context ctx);

}  // namespace sipscope::gen
