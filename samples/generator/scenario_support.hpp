// What every scenario script shares: its clock (seconds from kBaseTimeUs), Call-IDs, the
// RFC 3261 example domains and the common answered-call flow.
//
//   Call c(ctx, call_id(ctx.rng, alice), alice, bob);
//   answered(c, 1.0, 0.3, 2.0, 3.0, Side::kCaller);  // INVITE at 1 s, 180, 200, RTP, BYE
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "call.hpp"
#include "scenarios.hpp"

namespace sipscope::gen {

inline constexpr std::int64_t kMs = 1000;
inline const std::string kAtlanta = "atlanta.example.com";
inline const std::string kBiloxi = "biloxi.example.com";

// Scenario time in seconds (may be fractional) -> capture time.
inline std::int64_t at(double seconds) {
  return kBaseTimeUs + static_cast<std::int64_t>(seconds * 1e6 + (seconds >= 0 ? 0.5 : -0.5));
}

inline std::string call_id(Rng& rng, const Party& p) {
  return rng.hex(24) + "@" + p.sip.sip_host();
}

// The common happy path: INVITE, 100, 180, 200, ACK, two-way RTP, BYE.
void answered(Call& c, double t, double ring_after, double answer_after, double talk, Side hangup,
              std::vector<std::uint32_t> drop = {}, bool media = true);

}  // namespace sipscope::gen
