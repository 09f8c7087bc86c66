#include "floods.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

#include "call.hpp"
#include "parties.hpp"

namespace sipscope::gen {
namespace {

constexpr std::int64_t kSec = 1000000;
constexpr std::int64_t kMs = 1000;
constexpr std::uint64_t kChunk = 1024;  // items made per timer
constexpr std::uint16_t kFragMtu = 576;

struct KindInfo {
  ScenarioInfo info;
  std::uint64_t count;
  double seconds;
};

constexpr KindInfo kKinds[] = {
    {{"rtp_ssrc_flood", "RTP-looking UDP packets, every one with a new SSRC"}, 1000000, 100},
    {{"esp_udp", "ESP-in-UDP on port 4500, SPI first byte 0x80-0xBF (looks like RTP v2)"},
     500000,
     100},
    {{"invite_flood", "INVITEs with SDP, each a new call, never answered"}, 300000, 300},
    {{"frag_flood", "INVITEs fragmented at MTU 576, second fragment never sent"}, 100000, 100},
    {{"chatty_dialog", "one call with COUNT in-dialog INFO/OPTIONS/re-INVITE requests"},
     50000,
     500},
    {{"options_flood", "OPTIONS keep-alives and their 200 OK, 2000 monitor/target pairs"},
     250000,
     600},
};

// A flood in progress: item i is made at time(i) into `out`, kChunk items per timer.
struct Flood {
  std::uint64_t count = 0;
  std::int64_t t0 = 0;
  double gap_us = 0;
  std::uint64_t next = 0;  // first item not made yet
  Truth* truth = nullptr;
  Rng rng{1};
  Emission out;
  Truth scratch;  // calls that are counted, not listed (folded after each chunk)
  std::function<void(Flood&, std::uint64_t, std::int64_t)> make;

  [[nodiscard]] std::int64_t time(std::uint64_t i) const {
    return t0 + static_cast<std::int64_t>(static_cast<double>(i) * gap_us);
  }
  [[nodiscard]] Context truth_ctx() { return Context{out, *truth, rng}; }
};

void pump(const std::shared_ptr<Flood>& f, Scheduler& s) {
  const std::uint64_t end = std::min(f->count, f->next + kChunk);
  for (; f->next < end; ++f->next) f->make(*f, f->next, f->time(f->next));
  s.add(std::move(f->out));
  f->out = Emission{};
  f->truth->unlisted_call_sip_messages += f->scratch.sip_messages();
  f->scratch.calls.clear();
  if (f->next < f->count) s.at(f->time(f->next), [f](Scheduler& s2) { pump(f, s2); });
}

std::vector<Address> hosts(std::uint8_t a, std::uint8_t b, std::uint8_t c, int n, bool v6) {
  std::vector<Address> out;
  for (int k = 1; k <= n; ++k)
    out.push_back(make_address(a, b, c, static_cast<std::uint8_t>(k), v6));
  return out;
}

// A UDP header (RFC 768; write_ip fills the checksum) ready for `payload` more bytes.
std::vector<std::uint8_t> udp_header(std::uint16_t sport, std::uint16_t dport,
                                     std::size_t payload) {
  std::vector<std::uint8_t> l4;
  l4.reserve(8 + payload);
  be16(l4, sport);
  be16(l4, dport);
  be16(l4, static_cast<std::uint16_t>(8 + payload));
  be16(l4, 0);
  return l4;
}

void random_bytes(Rng& rng, std::vector<std::uint8_t>& v, std::size_t n) {
  for (std::size_t k = 0; k < n; k += 8) {
    std::uint64_t x = rng.next();
    for (std::size_t b = k; b < std::min(n, k + 8); ++b, x >>= 8) {
      v.push_back(static_cast<std::uint8_t>(x));
    }
  }
}

// 1000 five-tuples between 50 senders and 40 receivers on even ports 30000-31998 and
// 40000-41998 (none that tshark gives to another protocol); packet i has
// SSRC (i + 1) * 0x9E3779B1 (odd multiplier: all distinct below 2^32), random sequence
// number and timestamp, PCMU or PCMA, 160 payload bytes.
void rtp_ssrc_flood(Flood& f, bool v6) {
  f.make = [src = hosts(192, 0, 2, 50, v6), dst = hosts(203, 0, 113, 40, v6)](
               Flood& fl, std::uint64_t i, std::int64_t t) {
    const auto k = static_cast<std::uint16_t>(i % 1000);
    auto l4 = udp_header(static_cast<std::uint16_t>(30000 + 2 * k),
                         static_cast<std::uint16_t>(40000 + 2 * k), 12 + 160);
    const std::uint64_t r = fl.rng.next();
    l4.push_back(0x80);
    l4.push_back((r & 1) != 0 ? 8 : 0);
    be16(l4, static_cast<std::uint16_t>(r >> 8));
    be32(l4, static_cast<std::uint32_t>(r >> 32));
    be32(l4, static_cast<std::uint32_t>((i + 1) * 0x9E3779B1u));
    l4.resize(l4.size() + 160, (r & 1) != 0 ? 0xD5 : 0xFF);
    fl.out.wire.push_back(
        WirePacket{t, src[k % src.size()], dst[k % dst.size()], 17, std::move(l4)});
  };
}

// 8 IPsec gateway pairs, one SA each way (16 SAs). NAT-T (RFC 3948): UDP 4500 <-> 4500,
// the last four initiators behind NAT on a high source port; ESP (RFC 4303): SPI, sequence
// number, then IV + ciphertext + ICV (random bytes: 16 + 48..240 + 12). Every SPI's first
// byte is 0x80-0xBF, so bytes 0-11 read as RTP version 2 with a random "SSRC" each packet.
void esp_udp(Flood& f, bool v6) {
  struct Sa {
    Address src, dst;
    std::uint16_t sport = 4500, dport = 4500;
    std::uint32_t spi = 0, seq = 0;
  };
  std::vector<Sa> sas;
  for (std::uint8_t p = 0; p < 8; ++p) {
    const Address a = make_address(198, 51, 100, static_cast<std::uint8_t>(20 + p), v6);
    const Address b = make_address(203, 0, 113, static_cast<std::uint8_t>(120 + p), v6);
    const auto nat_port = static_cast<std::uint16_t>(p >= 4 ? 61000 + p : 4500);
    for (int dir = 0; dir < 2; ++dir) {
      Sa sa;
      sa.src = dir == 0 ? a : b;
      sa.dst = dir == 0 ? b : a;
      sa.sport = dir == 0 ? nat_port : 4500;
      sa.dport = dir == 0 ? 4500 : nat_port;
      sa.spi = ((0x80u + f.rng.below(64)) << 24) | f.rng.below(1u << 24);
      sas.push_back(sa);
    }
  }
  f.make = [sas = std::move(sas)](Flood& fl, std::uint64_t i, std::int64_t t) mutable {
    Sa& sa = sas[i % sas.size()];
    const std::size_t body = 16 + 16 * (3 + fl.rng.below(13)) + 12;
    auto l4 = udp_header(sa.sport, sa.dport, 8 + body);
    be32(l4, sa.spi);
    be32(l4, ++sa.seq);
    random_bytes(fl.rng, l4, body);
    fl.out.wire.push_back(WirePacket{t, sa.src, sa.dst, 17, std::move(l4)});
  };
}

Party flood_caller(std::uint64_t i, bool v6) {
  const auto k = static_cast<std::uint32_t>(i % 250);
  return party("+1555" + std::to_string(1000000 + i % 9000000), "", "example.net",
               {192, 0, 2, static_cast<std::uint8_t>(1 + k)}, 5060,
               static_cast<std::uint16_t>(20000 + 2 * ((i / 250) % 10000)), v6,
               "sipscope-gen flood");
}

Party flood_callee(bool v6) {
  return party("pbx", "", "example.org", {203, 0, 113, 5}, 5060, 30000, v6, "sipscope-gen pbx");
}

// An INVITE with an SDP offer from one of 250 callers to one PBX; nothing answers. The
// calls go to the scratch truth: counted, not listed.
void invite_flood(Flood& f, bool v6) {
  f.make = [callee = flood_callee(v6), v6](Flood& fl, std::uint64_t i, std::int64_t t) {
    const Party caller = flood_caller(i, v6);
    Call c(Context{fl.out, fl.scratch, fl.rng}, fl.rng.hex(24) + "@" + caller.sip.sip_host(),
           caller, callee);
    c.invite(t);
  };
}

// The same INVITEs, each sent as IP fragments at MTU 576 whose second fragment is lost:
// no datagram ever completes, so the capture holds no whole SIP message.
void frag_flood(Flood& f, PcapWriter& writer, bool v6) {
  writer.set_fragment_mtu(kFragMtu);
  f.make = [callee = flood_callee(v6), v6](Flood& fl, std::uint64_t i, std::int64_t t) {
    const Party caller = flood_caller(i, v6);
    Emission e;
    {
      Call c(Context{e, fl.scratch, fl.rng}, fl.rng.hex(24) + "@" + caller.sip.sip_host(), caller,
             callee);
      c.invite(t);
    }
    fl.scratch.calls.clear();
    SipPacket& p = e.sip.front();
    if (p.text.size() + 8 + (v6 ? 48 : 20) <= kFragMtu) {
      throw std::logic_error("frag_flood: INVITE too short to fragment");
    }
    p.damage = Damage::kFragDrop;
    fl.out.sip.push_back(std::move(p));
  };
}

// One answered call (listed in the truth), then `count` in-dialog requests: every tenth a
// re-INVITE (INVITE/200/ACK) from the caller, every tenth + 5 an OPTIONS from the callee,
// the rest INFO (application/dtmf-relay) from the caller; BYE after the last one.
void chatty_dialog(const std::shared_ptr<Flood>& f, bool v6) {
  const Party alice = party("alice", "Alice", "atlanta.example.com", {192, 0, 2, 10}, 5060, 49170,
                            v6, "sipscope-gen phone");
  const Party bob = party("bob", "Bob", "biloxi.example.com", {203, 0, 113, 20}, 5060, 3456, v6,
                          "sipscope-gen phone");
  auto call = std::make_shared<Call>(f->truth_ctx(), f->rng.hex(24) + "@192.0.2.10", alice, bob);
  const std::int64_t t = f->t0;
  call->invite(t);
  call->trying(t + 20 * kMs);
  call->ringing(t + 300 * kMs);
  call->answer(t + 2 * kSec);
  call->ack(t + 2 * kSec + 30 * kMs);
  f->t0 = t + 3 * kSec;
  f->make = [call](Flood& fl, std::uint64_t i, std::int64_t ti) {
    if (i % 10 == 0) {
      call->reinvite(ti, Side::kCaller);
    } else if (i % 10 == 5) {
      call->in_dialog(ti, Side::kCallee, "OPTIONS", {});
    } else {
      const char digits[] = "0123456789*#";
      call->in_dialog(ti, Side::kCaller, "INFO", {}, 200,
                      std::string("Signal=") + digits[i % 12] + "\r\nDuration=160\r\n",
                      "application/dtmf-relay");
    }
    if (i + 1 == fl.count)
      call->bye(ti + std::max<std::int64_t>(50 * kMs, 2 * static_cast<std::int64_t>(fl.gap_us)),
                Side::kCaller);
  };
}

// OPTIONS keep-alives (and their 200 OK) from 2000 monitors (198.51.100.1-250, ports
// 5060-5067) to 200 targets (203.0.113.1-200), round robin.
void options_flood(Flood& f, bool v6) {
  std::vector<Endpoint> from, to;
  for (std::uint16_t k = 0; k < 2000; ++k) {
    from.push_back(endpoint({198, 51, 100, static_cast<std::uint8_t>(1 + k % 250)},
                            static_cast<std::uint16_t>(5060 + k / 250), v6));
    if (k < 200) to.push_back(endpoint({203, 0, 113, static_cast<std::uint8_t>(1 + k)}, 5060, v6));
  }
  f.make = [from = std::move(from), to = std::move(to)](Flood& fl, std::uint64_t i,
                                                        std::int64_t t) {
    options_ping(fl.truth_ctx(), t, from[i % from.size()], to[i % to.size()]);
  };
}

}  // namespace

std::span<const ScenarioInfo> flood_list() {
  static const auto kList = [] {
    std::array<ScenarioInfo, std::size(kKinds)> a{};
    for (std::size_t k = 0; k < a.size(); ++k) a[k] = kKinds[k].info;
    return a;
  }();
  return kList;
}

bool run_flood(const FloodOptions& opt, PcapWriter& writer, Scheduler& sched, Truth& truth) {
  const auto* kind = std::find_if(std::begin(kKinds), std::end(kKinds),
                                  [&](const KindInfo& k) { return k.info.name == opt.kind; });
  if (kind == std::end(kKinds)) return false;
  auto f = std::make_shared<Flood>();
  f->count = opt.count.value_or(
      static_cast<std::uint64_t>(std::llround(static_cast<double>(kind->count) * opt.scale)));
  const double seconds = opt.seconds.value_or(kind->seconds * opt.scale);
  f->t0 = kBaseTimeUs + kSec;
  f->gap_us = f->count > 0 ? seconds * 1e6 / static_cast<double>(f->count) : 0;
  f->truth = &truth;
  f->rng = Rng(opt.seed);
  truth.scenario = opt.kind;
  truth.seed = opt.seed;
  if (opt.kind == "rtp_ssrc_flood") rtp_ssrc_flood(*f, opt.ipv6);
  if (opt.kind == "esp_udp") esp_udp(*f, opt.ipv6);
  if (opt.kind == "invite_flood") invite_flood(*f, opt.ipv6);
  if (opt.kind == "frag_flood") frag_flood(*f, writer, opt.ipv6);
  if (opt.kind == "chatty_dialog") chatty_dialog(f, opt.ipv6);
  if (opt.kind == "options_flood") options_flood(*f, opt.ipv6);
  if (f->count > 0) sched.at(f->time(0), [f](Scheduler& s) { pump(f, s); });
  sched.add(std::move(f->out));  // chatty_dialog's call setup
  f->out = Emission{};
  sched.run();
  truth.flood = {{"kind", opt.kind},
                 {"count", f->count},
                 {"seconds", seconds},
                 {"sip_messages", truth.sip_messages()},
                 {"unlisted_calls", opt.kind == "invite_flood" ? f->count : 0},
                 {"rtp_streams", 0}};
  return true;
}

}  // namespace sipscope::gen
