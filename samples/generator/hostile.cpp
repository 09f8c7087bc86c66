#include "hostile.hpp"

#include <string>

#include "parties.hpp"
#include "scenario_support.hpp"

namespace sipscope::gen {

namespace {

// Each payload would run script if a page inserted it as markup: a dialog (alert), an
// element, or an event handler attribute.
constexpr const char* kCallerName = "Erika <script>alert(1)</script>";
constexpr const char* kCallerAgent = "<img src=x onerror=alert(2)>";
constexpr const char* kCallId = "x\"><svg/onload=alert(3)>q@pbx.example.test";
constexpr const char* kCalleeName = "</title><iframe src=javascript:alert(6)>";
constexpr const char* kRinging = "SIP/2.0 180 Ringing<b onmouseover=alert(4)>x</b>";

}  // namespace

void hostile(const ScenarioOptions& o, Context ctx) {
  const bool v6 = o.ipv6;
  const Party alice =
      party("alice", kCallerName, kAtlanta, {192, 0, 2, 10}, 5060, 49170, v6, kCallerAgent);
  const Party bob = party("bob", kCalleeName, kBiloxi, {203, 0, 113, 20}, 5060, 3456, v6,
                          "<script src=//attacker.invalid/x.js></script>");
  Call c(ctx, kCallId, alice, bob);
  answered(c, 1.0, 0.3, 1.0, 1.0, Side::kCaller);
  // Reason phrases are free text (RFC 3261 §25.1 Reason-Phrase): the 180's becomes markup.
  for (auto& p : ctx.out.sip) {
    if (p.text.rfind("SIP/2.0 180 Ringing\r\n", 0) == 0) {
      p.text.replace(0, std::string("SIP/2.0 180 Ringing").size(), kRinging);
    }
  }
  ctx.truth.notes.push_back(
      "hostile: HTML/JavaScript in both display names, both User-Agents, the Call-ID and the "
      "180 reason phrase; every HTML output must show them as text.");
}

}  // namespace sipscope::gen
