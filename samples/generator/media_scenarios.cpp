#include "media_scenarios.hpp"

#include <algorithm>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "parties.hpp"
#include "scenario_support.hpp"

namespace sipscope::gen {
namespace {

constexpr std::int64_t kPacketUs = 20 * kMs;

std::uint32_t payload_bytes(int pt) {
  if (pt == 18) return 20;  // G.729: 10 octets per 10 ms frame
  if (pt == 96) return 38;  // iLBC 20 ms mode (RFC 3952 §3.1)
  return 160;               // G.711 and G.722: one octet per 8 kHz RTP clock tick
}

// `count` packets of the call's codec every 20 ms from `start`; SSRC, first sequence number
// and timestamp drawn from the scenario's Rng.
RtpSpec stream(Context ctx, const Call& c, const Endpoint& src, const Endpoint& dst,
               std::int64_t start, std::uint32_t count) {
  RtpSpec r;
  r.src = src;
  r.dst = dst;
  r.ssrc = static_cast<std::uint32_t>(ctx.rng.next()) | 1u;
  r.payload_type = static_cast<std::uint8_t>(c.codec());
  r.seq0 = static_cast<std::uint16_t>(ctx.rng.next());
  r.ts0 = static_cast<std::uint32_t>(ctx.rng.next() & 0x7fffffff);  // no wrap (TsharkLost)
  r.start_us = start;
  r.count = count;
  r.payload_bytes = payload_bytes(c.codec());
  r.jitter_seed = ctx.rng.next();
  return r;
}

// The same source going on (same SSRC, next sequence number, timestamp by elapsed time) to
// other addresses from `start`, without the earlier part's impairments.
RtpSpec continued(const RtpSpec& a, const Endpoint& src, const Endpoint& dst, std::int64_t start,
                  std::uint32_t count) {
  RtpSpec r;
  r.src = src;
  r.dst = dst;
  r.ssrc = a.ssrc;
  r.payload_type = a.payload_type;
  r.seq0 = static_cast<std::uint16_t>(a.seq0 + a.count);
  r.ts0 = a.ts0 + static_cast<std::uint32_t>((start - a.start_us) / 125);  // 8 kHz clock
  r.start_us = start;
  r.count = count;
  r.payload_bytes = a.payload_bytes;
  r.jitter_seed = a.jitter_seed + 1;
  return r;
}

// Records the truth of `r`, counted from the packets it will write, for call `c`; returns
// its last arrival time.
std::int64_t send(Context ctx, Call& c, RtpSpec&& r, const std::string& association = "sdp") {
  std::sort(r.drop.begin(), r.drop.end());
  r.drop.erase(std::unique(r.drop.begin(), r.drop.end()), r.drop.end());
  std::erase_if(r.drop, [&](std::uint32_t i) { return i == 0 || i + 1 >= r.count; });
  std::sort(r.duplicate.begin(), r.duplicate.end());
  r.duplicate.erase(std::unique(r.duplicate.begin(), r.duplicate.end()), r.duplicate.end());
  std::sort(r.pauses.begin(), r.pauses.end(),
            [](const RtpSpec::Pause& a, const RtpSpec::Pause& b) { return a.index < b.index; });
  StreamTruth t = r.truth();
  t.detailed = true;
  t.sip_call_id = c.truth().sip_call_id;
  t.association = association;
  const std::int64_t last = t.last_us;
  ctx.truth.streams.push_back(std::move(t));
  ctx.out.rtp.push_back(std::move(r));
  return last;
}

// INVITE, 100, 180 (or 183 with SDP) 200 ms later, 200 at `answer_after`, ACK 20 ms later.
void connect(Call& c, std::int64_t t, std::int64_t answer_after, int ring_code = 180) {
  c.invite(t);
  c.trying(t + 20 * kMs);
  c.ringing(t + 200 * kMs, ring_code);
  c.answer(t + answer_after);
  c.ack(t + answer_after + 20 * kMs);
}

std::vector<std::uint32_t> random_loss(Rng& rng, std::uint32_t count, std::uint32_t per_mille) {
  std::vector<std::uint32_t> drop;
  for (std::uint32_t i = 1; i + 1 < count; ++i) {
    if (rng.below(1000) < per_mille) drop.push_back(i);
  }
  return drop;
}

// The held side stops sending between `from` and `to` (RFC 3264 §8.4: its peer offered
// sendonly): one pause from the first packet due after `from`, covering `to`.
void hold_pause(RtpSpec& r, std::int64_t from, std::int64_t to) {
  std::uint32_t i = 0;
  while (i < r.count && r.slot_time(i) <= from) ++i;
  if (i == 0 || i >= r.count) return;
  const std::int64_t gap = to - r.slot_time(i);
  if (gap <= 0) return;
  r.pauses.push_back({i, static_cast<std::uint32_t>((gap + kPacketUs - 1) / kPacketUs)});
  std::sort(r.pauses.begin(), r.pauses.end(),
            [](const RtpSpec::Pause& a, const RtpSpec::Pause& b) { return a.index < b.index; });
}

Party caller_party(const std::string& user, std::uint8_t host, std::uint16_t rtp, bool v6) {
  return party(user, "", kAtlanta, {192, 0, 2, host}, 5060, rtp, v6);
}
Party callee_party(const std::string& user, std::uint8_t host, std::uint16_t rtp, bool v6) {
  return party(user, "", kBiloxi, {203, 0, 113, host}, 5060, rtp, v6);
}

}  // namespace

void media_impair(const ScenarioOptions& o, Context ctx) {
  const bool v6 = o.ipv6;
  Rng& rng = ctx.rng;
  ctx.truth.notes.push_back(
      "media_impair: 13 overlapping calls, one impairment per stream (samples/README.md); "
      "every stream's truth is counted in capture order (RFC 3550 A.1/A.3) and names its "
      "Call-ID and association. RTP every 20 ms; duplicates 2 ms after the original; a late "
      "packet arrives 1 ms after the one it waits for.");
  using Shape = std::function<void(Call&, RtpSpec&, RtpSpec&)>;
  // An answered call (INVITE at t s, 200 0.5 s later, BYE by the caller at t + bye_after)
  // with RTP from t + 0.55 s: `n_up` packets to the callee, `n_down` back 7 ms later.
  // `shape` impairs them (and may add SIP or streams) before they are recorded.
  const auto call = [&](const Party& a, const Party& b, double t, std::uint32_t n_up,
                        std::uint32_t n_down, double bye_after, const Shape& shape, int codec = 0) {
    Call c(ctx, call_id(rng, a), a, b);
    if (codec != 0) c.set_codec(codec);
    connect(c, at(t), 500 * kMs);
    RtpSpec up = stream(ctx, c, a.media, b.media, at(t + 0.55), n_up);
    RtpSpec down = stream(ctx, c, b.media, a.media, at(t + 0.557), n_down);
    shape(c, up, down);
    send(ctx, c, std::move(up));
    send(ctx, c, std::move(down));
    c.bye(at(t + bye_after), Side::kCaller);
  };
  const auto pair = [&](const char* a, const char* b, int n) {
    const auto host = static_cast<std::uint8_t>(10 + n);
    return std::pair{caller_party(a, host, static_cast<std::uint16_t>(40000 + 10 * n), v6),
                     callee_party(b, host, static_cast<std::uint16_t>(50000 + 10 * n), v6)};
  };

  // 1: 3 % random loss towards the callee, a burst of 10 lost towards the caller.
  const auto [a1, b1] = pair("alice", "bob", 0);
  call(a1, b1, 1.0, 250, 250, 5.8, [&](Call&, RtpSpec& up, RtpSpec& down) {
    up.drop = random_loss(rng, 250, 30);
    for (std::uint32_t i = 100; i < 110; ++i) down.drop.push_back(i);
  });
  // 2: duplicates towards the callee; explicit reordering towards the caller.
  const auto [a2, b2] = pair("carol", "dave", 1);
  call(a2, b2, 1.5, 250, 250, 5.8, [&](Call&, RtpSpec& up, RtpSpec& down) {
    up.duplicate = {10, 35, 60, 85, 110, 135, 160, 185, 210};
    down.late = {{40, 1}, {90, 3}, {150, 2}};
  });
  // 3: heavy jitter (send delays up to 60 ms at 20 ms: reordering) towards the callee; the
  // sequence number wraps towards the caller, with 65535 and 0 lost.
  const auto [a3, b3] = pair("erin", "frank", 2);
  call(a3, b3, 2.0, 250, 250, 5.9, [&](Call&, RtpSpec& up, RtpSpec& down) {
    up.jitter_us = 60000;
    down.seq0 = 65536 - 120;
    down.drop = {119, 120};
  });
  // 4: SSRC change towards the callee (a new source on the same ports right after the
  // first); talkspurts with the marker bit after two silences towards the caller.
  const auto [a4, b4] = pair("grace", "heidi", 3);
  call(a4, b4, 2.5, 120, 200, 6.1, [&](Call& c, RtpSpec&, RtpSpec& down) {
    send(ctx, c, stream(ctx, c, a4.media, b4.media, at(3.05) + 120 * kPacketUs, 130));
    down.pauses = {{60, 25}, {130, 40}};
  });
  // 5: hold: the caller re-INVITEs sendonly at 5.0 s (music on hold goes on), the callee
  // stops sending until the resume re-INVITE at 7.0 s.
  const auto [a5, b5] = pair("ivan", "judy", 4);
  call(a5, b5, 3.0, 355, 252, 7.9, [&](Call& c, RtpSpec&, RtpSpec& down) {
    c.reinvite(at(5.0), Side::kCaller, Media::kHold);
    c.reinvite(at(7.0), Side::kCaller, Media::kSendrecv);
    hold_pause(down, at(5.04), at(7.1));
  });
  // 6: the callee's re-INVITE at 6.0 s moves its media to port 50150; both sources go on
  // (same SSRC and sequence) on the new port from 6.09 s.
  const auto [a6, b6] = pair("mallory", "oscar", 5);
  call(a6, b6, 3.5, 102, 102, 4.9, [&](Call& c, RtpSpec& up, RtpSpec& down) {
    Endpoint moved = b6.media;
    moved.port = 50150;
    c.move_media(Side::kCallee, moved);
    c.reinvite(at(6.0), Side::kCallee);
    send(ctx, c, continued(up, a6.media, moved, at(6.09), 100));
    send(ctx, c, continued(down, moved, a6.media, at(6.097), 100));
  });
  // 7, 8: consecutive calls between the same media ports (port reuse resolved by time).
  const auto [a7, b7] = pair("peggy", "victor", 6);
  for (double t : {4.0, 7.0}) call(a7, b7, t, 100, 100, 2.7, [](Call&, RtpSpec&, RtpSpec&) {});
  // 9: early media: the callee's ringback starts after its 183 with SDP and goes on after
  // the 200 (one stream); the caller sends from the answer.
  const Party a9 = caller_party("trent", 17, 40070, v6), b9 = callee_party("walter", 17, 50070, v6);
  Call c9(ctx, call_id(rng, a9), a9, b9);
  connect(c9, at(4.5), 2000 * kMs, 183);
  send(ctx, c9, stream(ctx, c9, b9.media, a9.media, at(4.75), 237));
  send(ctx, c9, stream(ctx, c9, a9.media, b9.media, at(6.55), 147));
  c9.bye(at(9.7), Side::kCaller);

  // 10: both sides announce private addresses (10.0.0.80:40080, 10.1.0.80:50080); RTP
  // flows between their NATs' public addresses with the same ports: latched.
  Party a10 = caller_party("sybil", 18, 40080, v6), b10 = callee_party("ted", 18, 50080, v6);
  a10.media = endpoint({10, 0, 0, 80}, 40080, v6);
  b10.media = endpoint({10, 1, 0, 80}, 50080, v6);
  const Endpoint nat_a = endpoint({198, 51, 100, 80}, 40080, v6);
  const Endpoint nat_b = endpoint({198, 51, 100, 81}, 50080, v6);
  Call c10(ctx, call_id(rng, a10), a10, b10);
  connect(c10, at(5.0), 500 * kMs);
  send(ctx, c10, stream(ctx, c10, nat_a, nat_b, at(5.55), 150), "latched");
  send(ctx, c10, stream(ctx, c10, nat_b, nat_a, at(5.557), 150), "latched");
  c10.bye(at(8.7), Side::kCaller);

  // 11: the caller announces 10.0.0.90:40090 but its NAT sends from 198.51.100.90:61000 to
  // the callee's announced port (sdp); the callee answers to where RTP came from
  // (symmetric RTP, RFC 4961): its source is announced (sdp_source).
  Party a11 = caller_party("uma", 19, 40090, v6);
  const Party b11 = callee_party("wendy", 19, 50090, v6);
  a11.media = endpoint({10, 0, 0, 90}, 40090, v6);
  const Endpoint nat11 = endpoint({198, 51, 100, 90}, 61000, v6);
  Call c11(ctx, call_id(rng, a11), a11, b11);
  connect(c11, at(5.5), 500 * kMs);
  send(ctx, c11, stream(ctx, c11, nat11, b11.media, at(6.05), 150), "sdp");
  send(ctx, c11, stream(ctx, c11, b11.media, nat11, at(6.057), 150), "sdp_source");
  c11.bye(at(9.2), Side::kCallee);

  // 12, 13: G.729 (static PT 18) and iLBC on the dynamic PT 96 (rtpmap), 2 ms send jitter.
  for (int n : {0, 1}) {
    const auto [a, b] = pair(n == 0 ? "xavier" : "xena", n == 0 ? "yvonne" : "yuri", 10 + n);
    call(
        a, b, 6.0 + 0.5 * n, 150, 150, 3.7,
        [&](Call&, RtpSpec& up, RtpSpec& down) { up.jitter_us = down.jitter_us = 2000; },
        n == 0 ? 18 : 96);
  }
}

namespace {

// Random impairments for one stream of media_random, each with its own odds.
void impair(Rng& rng, RtpSpec& r) {
  const std::uint32_t n = r.count;
  if (rng.below(3) == 0) r.drop = random_loss(rng, n, 10 + rng.below(50));
  if (rng.below(4) == 0) {  // a burst of 2..15
    const std::uint32_t len = 2 + rng.below(14), at = 1 + rng.below(n - len - 1);
    for (std::uint32_t i = at; i < at + len; ++i) r.drop.push_back(i);
  }
  if (rng.below(4) == 0) {
    for (std::uint32_t k = 1 + rng.below(8); k > 0; --k) r.duplicate.push_back(rng.below(n));
  }
  if (rng.below(4) == 0) {
    for (std::uint32_t k = 1 + rng.below(4); k > 0; --k)
      r.late.push_back({rng.below(n), 1 + rng.below(4)});
  }
  const std::uint32_t j = rng.below(4);
  r.jitter_us = j == 0 ? 20000 + rng.below(50000) : (j == 1 ? 3000 : 0);
  if (rng.below(4) == 0) r.seq0 = static_cast<std::uint16_t>(65535 - rng.below(n - 1));
  if (rng.below(4) == 0) {  // talkspurts
    for (std::uint32_t k = 1 + rng.below(2); k > 0; --k)
      r.pauses.push_back({1 + rng.below(n - 1), 5 + rng.below(56)});
  }
}

enum class Event { kPlain, kHold, kMove, kEarly, kNatSdp, kNatLatched, kReuse, kSsrcChange };

}  // namespace

void media_random(const ScenarioOptions& o, Context ctx) {
  Rng& rng = ctx.rng;
  // tshark's RakNet heuristic claims some NATed RTP that no SDP announced.
  ctx.truth.tshark_args = {"--disable-protocol", "raknet"};
  const std::uint32_t calls = 6 + rng.below(5);
  const int codecs[] = {0, 8, 9, 18, 96};
  auto port = static_cast<std::uint16_t>(10000 + 2 * rng.below(10000));
  std::int64_t t = at(0.5);
  Party prev_a, prev_b;
  std::int64_t prev_end = 0;
  std::string events;
  for (std::uint32_t i = 0; i < calls; ++i) {
    const bool v6 = o.ipv6 || rng.below(3) == 0;
    const bool media_v6 = rng.below(6) == 0 ? !v6 : v6;  // SDP family other than SIP's
    const auto host = static_cast<std::uint8_t>(10 + i);
    Party a = caller_party("caller" + std::to_string(i), host, port, v6);
    Party b = callee_party("callee" + std::to_string(i), host, port + 2, v6);
    a.media = endpoint({192, 0, 2, host}, port, media_v6);
    b.media = endpoint({203, 0, 113, host}, static_cast<std::uint16_t>(port + 2), media_v6);
    port = static_cast<std::uint16_t>(port + 20);
    auto ev = static_cast<Event>(rng.below(8));
    std::int64_t start = t;
    t += 300 * kMs + rng.below(1500) * kMs;
    if (ev == Event::kReuse && prev_end == 0) ev = Event::kPlain;
    if (ev == Event::kReuse) {  // the previous call's parties and ports, once it is over
      a = prev_a;
      b = prev_b;
      start = std::max(start, prev_end + 200 * kMs);
    }
    Endpoint src_a = a.media, src_b = b.media;
    std::string assoc_a = "sdp", assoc_b = "sdp";
    if (ev == Event::kNatSdp || ev == Event::kNatLatched) {
      src_a = endpoint({198, 51, 100, host}, static_cast<std::uint16_t>(port - 10), a.media.ip.v6);
      a.media = endpoint({10, 0, 0, host}, a.media.port, a.media.ip.v6);
      assoc_b = "sdp_source";
    }
    if (ev == Event::kNatLatched) {
      src_a.port = a.media.port;
      src_b =
          endpoint({198, 51, 100, static_cast<std::uint8_t>(100 + i)}, b.media.port, b.media.ip.v6);
      b.media = endpoint({10, 1, 0, host}, b.media.port, b.media.ip.v6);
      assoc_a = assoc_b = "latched";
    }
    events += (i == 0 ? "" : ",") + std::to_string(static_cast<int>(ev));
    Call c(ctx, call_id(rng, a), a, b);
    c.set_codec(codecs[rng.below(5)]);
    const std::int64_t answer_after = 500 * kMs + rng.below(2000) * kMs;
    connect(c, start, answer_after, ev == Event::kEarly ? 183 : 180);
    const std::int64_t media_at = start + answer_after + 30 * kMs;
    const std::uint32_t count = 100 + rng.below(200);
    // Caller -> callee (to where the callee's SDP or NAT says), and back.
    const Endpoint to_b = ev == Event::kNatLatched ? src_b : b.media;
    RtpSpec up = stream(ctx, c, src_a, to_b, media_at, count);
    const std::int64_t down_at = ev == Event::kEarly ? start + 250 * kMs : media_at + 7 * kMs;
    const auto down_count =
        static_cast<std::uint32_t>(count + (media_at + 7 * kMs - down_at) / kPacketUs);
    RtpSpec down = stream(ctx, c, src_b, src_a, down_at, down_count);
    impair(rng, up);
    impair(rng, down);
    std::int64_t end = media_at + static_cast<std::int64_t>(count) * kPacketUs;
    if (ev == Event::kHold) {
      const std::int64_t hold = media_at + rng.below(count / 2) * kPacketUs;
      const std::int64_t resume = hold + 500 * kMs + rng.below(2000) * kMs;
      c.reinvite(hold, Side::kCaller, Media::kHold);
      c.reinvite(resume, Side::kCaller, Media::kSendrecv);
      hold_pause(down, hold + 40 * kMs, resume + 100 * kMs);
    }
    std::vector<std::pair<RtpSpec, std::string>> specs;
    if (ev == Event::kMove || ev == Event::kSsrcChange) {
      // The first half on the old port (or SSRC), the rest after the change.
      const std::uint32_t half = count / 2;
      const std::int64_t change = media_at + half * kPacketUs;
      up.count = half;
      up.pauses.clear();
      RtpSpec up2 = stream(ctx, c, src_a, b.media, change + 30 * kMs, count - half);
      if (ev == Event::kMove) {
        Endpoint moved = b.media;
        moved.port = static_cast<std::uint16_t>(port - 6);
        c.move_media(Side::kCallee, moved);
        c.reinvite(change - 60 * kMs, Side::kCallee);
        up2 = continued(up, src_a, moved, change + 30 * kMs, count - half);
        down.count = half;
        down.pauses.clear();
        RtpSpec down2 = continued(down, moved, src_a, change + 37 * kMs, count - half);
        impair(rng, down2);
        specs.emplace_back(std::move(down2), "sdp");
      }
      impair(rng, up2);
      specs.emplace_back(std::move(up2), "sdp");
    }
    specs.emplace_back(std::move(up), assoc_a);
    specs.emplace_back(std::move(down), assoc_b);
    for (auto& [r, assoc] : specs) end = std::max(end, send(ctx, c, std::move(r), assoc));
    c.bye(end + 100 * kMs, rng.below(2) == 0 ? Side::kCaller : Side::kCallee);
    prev_a = a;
    prev_b = b;
    prev_end = std::max(prev_end, end + 200 * kMs);
  }
  ctx.truth.notes.push_back(
      "media_random: " + std::to_string(calls) +
      " calls, events (0 plain, 1 hold, 2 re-INVITE to a new port, 3 early media, 4 NAT "
      "source, 5 NAT both sides latched, 6 port reuse, 7 SSRC change): " +
      events);
}

}  // namespace sipscope::gen
