#include "mixed.hpp"

#include <memory>
#include <string>

#include "call.hpp"
#include "parties.hpp"
#include "scenarios.hpp"

namespace sipscope::gen {
namespace {

constexpr std::int64_t kMs = 1000;
constexpr std::int64_t kSec = 1000000;
constexpr std::int64_t kPingEveryUs = 30 * kSec;

struct MixedState {
  MixedOptions opt;
  Truth& truth;
  Rng rng;
  std::uint32_t next = 0;
  std::int64_t start = kBaseTimeUs + kSec;
  std::int64_t next_ping = kBaseTimeUs;
};

std::uint8_t octet(std::uint32_t i, std::uint32_t hosts) {
  return static_cast<std::uint8_t>(1 + i % hosts);
}

std::vector<std::uint32_t> maybe_loss(Rng& rng, std::uint32_t packets) {
  std::vector<std::uint32_t> drop;
  if (packets < 10 || rng.below(10) != 0) return drop;  // 10% of streams lose packets
  const std::uint32_t n = 1 + rng.below(5);
  for (std::uint32_t k = 0; k < n; ++k) drop.push_back(1 + rng.below(packets - 2));
  return drop;
}

void script_call(MixedState& st, std::uint32_t i, std::int64_t t0, Emission& out) {
  Context ctx{out, st.truth, st.rng};
  Rng& rng = st.rng;
  const bool v6 = st.opt.ipv6;
  const std::string n = std::to_string(1000000 + i);
  const Party caller =
      party("+1555" + n, "", "example.net", {192, 0, 2, octet(i, 250)}, 5060,
            static_cast<std::uint16_t>(20000 + 2 * ((i / 250) % 5000)), v6, "sipscope-gen phone");
  const Party callee =
      party("+1666" + n, "", "example.org", {203, 0, 113, octet(i, 200)}, 5060,
            static_cast<std::uint16_t>(30000 + 2 * ((i / 200) % 10000)), v6, "sipscope-gen pbx");
  std::vector<Endpoint> proxies;
  if (i % 3 == 0) proxies.push_back(endpoint({198, 51, 100, 1}, 5060, v6));

  if (i % 10 == 0) register_flow(ctx, t0, caller, endpoint({198, 51, 100, 10}, 5060, v6), true);

  Call c(ctx, rng.hex(24) + "@" + caller.sip.sip_host(), caller, callee, proxies);
  c.set_codec(rng.below(2) == 0 ? 0 : 8);
  const std::int64_t t = t0 + 50 * kMs;
  const std::uint32_t outcome = rng.below(100);
  const std::int64_t ring = t + 100 * kMs + rng.below(1900) * kMs;
  const std::int64_t answer = ring + 500 * kMs + rng.below(4000) * kMs;

  std::int64_t inv = t;
  if (outcome >= 70 && outcome < 73) {  // challenged first
    c.invite(t);
    c.reject(
        t + 10 * kMs, 407,
        {{"Proxy-Authenticate", "Digest realm=\"example.org\", nonce=\"" + rng.hex(16) + "\""}});
    inv = t + 60 * kMs;
    c.invite(inv, {{"Proxy-Authorization", "Digest username=\"" + caller.user +
                                               "\", realm=\"example.org\", response=\"" +
                                               rng.hex(32) + "\""}});
  } else {
    c.invite(t);
  }
  c.trying(inv + 15 * kMs);
  if (outcome < 73) {
    c.ringing(ring);
    c.answer(answer);
    c.ack(answer + 30 * kMs);
    const double talk_s = st.opt.rtp_seconds * (0.5 + rng.below(1001) / 1000.0);
    const auto talk = static_cast<std::int64_t>(talk_s * 1e6);
    const auto pkts = static_cast<std::uint32_t>(talk / (20 * kMs));
    const std::uint32_t jitter = rng.below(5) == 0 ? 3000 : 0;
    auto loss_a = maybe_loss(rng, pkts);
    auto loss_b = maybe_loss(rng, pkts);
    if (st.opt.media) {
      c.media(answer + 60 * kMs, answer + 60 * kMs + talk, std::move(loss_a), std::move(loss_b),
              jitter);
    }
    c.bye(answer + 100 * kMs + talk, rng.below(10) < 6 ? Side::kCaller : Side::kCallee);
  } else if (outcome < 81) {
    c.ringing(ring);
    c.reject(ring + 2 * kSec, 486);
  } else if (outcome < 87) {
    c.ringing(ring);
    c.cancel(ring + 3 * kSec);
    c.reject(ring + 3 * kSec + 20 * kMs, 487);
  } else if (outcome < 92) {
    c.ringing(ring);
    c.reject(ring + 20 * kSec, 480);
  } else if (outcome < 96) {
    c.reject(ring, 603);
  } else if (outcome < 98) {
    c.reject(t + 30 * kMs, 302,
             {{"Contact", "<sip:" + callee.user + "@" +
                              endpoint({198, 51, 100, 77}, 5060, v6).host_port() + ">"}});
  } else {
    c.reject(t + 30 * kMs, 404);
  }
}

void spawn(const std::shared_ptr<MixedState>& st, Scheduler& sched) {
  const std::int64_t t0 = st->start;
  Emission out;
  if (t0 >= st->next_ping) {
    Context ctx{out, st->truth, st->rng};
    options_ping(ctx, t0, endpoint({198, 51, 100, 1}, 5060, st->opt.ipv6),
                 endpoint({203, 0, 113, 250}, 5060, st->opt.ipv6));
    st->next_ping += kPingEveryUs;
  }
  script_call(*st, st->next, t0, out);
  sched.add(std::move(out));
  if (++st->next < st->opt.calls) {
    const std::int64_t gap = st->opt.mean_gap_us;
    st->start += gap > 0 ? 1 + st->rng.below(static_cast<std::uint32_t>(2 * gap))
                         : 1 + st->rng.below(200) * kMs;  // ~10 calls/s
    sched.at(st->start, [st](Scheduler& s) { spawn(st, s); });
  }
}

}  // namespace

void run_mixed(const MixedOptions& opt, Scheduler& sched, Truth& truth) {
  truth.scenario = opt.media ? "mixed" : "sip";
  truth.seed = opt.seed;
  if (opt.calls == 0) return;
  auto st = std::make_shared<MixedState>(MixedState{opt, truth, Rng(opt.seed)});
  sched.at(st->start, [st](Scheduler& s) { spawn(st, s); });
  sched.run();
}

}  // namespace sipscope::gen
