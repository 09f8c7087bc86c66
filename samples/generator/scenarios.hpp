// The named scenarios of `sipscope-gen scenario NAME`: small scripted captures, each a
// Call script (call.hpp) at fixed times from a fixed base (2026-01-01T10:00:00Z) so that
// the same seed gives the same bytes. A scenario fills an Emission (what to send) and
// the Truth (what was sent, in docs/states.md terms); main() writes them.
//
//   Emission e; Truth t;
//   if (!build_scenario("basic", {.ipv6 = false, .seed = 1}, e, t)) usage();
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "timeline.hpp"
#include "truth.hpp"
#include "wire.hpp"

namespace sipscope::gen {

// 2026-01-01T10:00:00Z in microseconds since the epoch.
inline constexpr std::int64_t kBaseTimeUs = 1767261600LL * 1000000;

struct ScenarioOptions {
  bool ipv6 = false;
  std::uint64_t seed = 1;
};

struct ScenarioInfo {
  std::string_view name;
  std::string_view summary;
};

[[nodiscard]] std::span<const ScenarioInfo> scenario_list();

// False if `name` is not a scenario. `wire` holds the command line's transport options; a
// pathology scenario sets what it needs (tcp_* -> TCP, frag_* -> an MTU if none given).
[[nodiscard]] bool build_scenario(std::string_view name, const ScenarioOptions& opt, Emission& out,
                                  Truth& truth, WireConfig& wire);

}  // namespace sipscope::gen
