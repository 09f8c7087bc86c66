#include "scenarios.hpp"

#include <stdexcept>
#include <string>
#include <vector>

#include "activity.hpp"
#include "call.hpp"
#include "dialog_scenarios.hpp"
#include "hostile.hpp"
#include "media_scenarios.hpp"
#include "parties.hpp"
#include "rtcp_scenarios.hpp"
#include "scenario_support.hpp"

namespace sipscope::gen {

void answered(Call& c, double t, double ring_after, double answer_after, double talk, Side hangup,
              std::vector<std::uint32_t> drop, bool media) {
  c.invite(at(t));
  c.trying(at(t) + 20 * kMs);
  c.ringing(at(t + ring_after));
  c.answer(at(t + answer_after));
  c.ack(at(t + answer_after) + 20 * kMs);
  if (talk > 0 && media)
    c.media(at(t + answer_after) + 50 * kMs, at(t + answer_after + talk) + 50 * kMs, drop);
  c.bye(at(t + answer_after + talk) + 100 * kMs, hangup);
}

namespace {

void basic(const ScenarioOptions& o, Context ctx) {
  const bool v6 = o.ipv6;
  const Endpoint monitor = endpoint({198, 51, 100, 1}, 5060, v6);
  const Endpoint gateway = endpoint({203, 0, 113, 5}, 5060, v6);
  const Endpoint registrar = endpoint({198, 51, 100, 10}, 5060, v6);

  options_ping(ctx, at(0.0), monitor, gateway);
  const Party alice = party("alice", "Alice", kAtlanta, {192, 0, 2, 10}, 5060, 49170, v6);
  register_flow(ctx, at(0.2), alice, registrar, true);

  // 1: answered, caller hangs up; one RTP packet towards the callee is lost.
  const Party bob = party("bob", "", kBiloxi, {203, 0, 113, 20}, 5060, 3456, v6);
  Call c1(ctx, call_id(ctx.rng, alice), alice, bob);
  answered(c1, 1.0, 0.3, 2.0, 3.0, Side::kCaller, {60});

  // 2: answered on non-default port 5080, callee hangs up; PCMA.
  const Party carol = party("carol", "Carol", kAtlanta, {192, 0, 2, 20}, 5080, 40000, v6);
  const Party dave = party("+15551230002", "", kBiloxi, {203, 0, 113, 30}, 5080, 40002, v6);
  Call c2(ctx, call_id(ctx.rng, carol), carol, dave);
  c2.set_codec(8);
  answered(c2, 2.0, 0.2, 2.0, 2.0, Side::kCallee);

  // 3: busy.
  const Party erin = party("erin", "", kAtlanta, {192, 0, 2, 11}, 5060, 41000, v6);
  const Party frank = party("frank", "", kBiloxi, {203, 0, 113, 21}, 5060, 41002, v6);
  Call c3(ctx, call_id(ctx.rng, erin), erin, frank);
  c3.invite(at(2.5));
  c3.trying(at(2.52));
  c3.ringing(at(2.8));
  c3.reject(at(4.5), 486);

  // 4: cancelled by the caller while ringing.
  const Party grace = party("grace", "", kAtlanta, {192, 0, 2, 12}, 5060, 42000, v6);
  const Party heidi = party("heidi", "", kBiloxi, {203, 0, 113, 22}, 5060, 42002, v6);
  Call c4(ctx, call_id(ctx.rng, grace), grace, heidi);
  c4.invite(at(3.0));
  c4.trying(at(3.02));
  c4.ringing(at(3.3));
  c4.cancel(at(7.0));
  c4.reject(at(7.01), 487);

  // 5: declined.
  const Party ivan = party("ivan", "", kAtlanta, {192, 0, 2, 13}, 5060, 43000, v6);
  const Party judy = party("judy", "", kBiloxi, {203, 0, 113, 23}, 5060, 43002, v6);
  Call c5(ctx, call_id(ctx.rng, ivan), ivan, judy);
  c5.invite(at(3.5));
  c5.trying(at(3.52));
  c5.reject(at(5.0), 603);

  // 6: no answer (480 after ringing).
  const Party mallory = party("mallory", "", kAtlanta, {192, 0, 2, 14}, 5060, 44000, v6);
  const Party niaj = party("niaj", "", kBiloxi, {203, 0, 113, 24}, 5060, 44002, v6);
  Call c6(ctx, call_id(ctx.rng, mallory), mallory, niaj);
  c6.invite(at(4.0));
  c6.trying(at(4.02));
  c6.ringing(at(4.3));
  c6.reject(at(8.0), 480);

  // 7: challenged with 407, retried with credentials (CSeq 2), answered, caller hangs up.
  const Party oscar = party("oscar", "Oscar", kAtlanta, {192, 0, 2, 15}, 5060, 45000, v6);
  const Party peggy = party("peggy", "", kBiloxi, {203, 0, 113, 25}, 5060, 45002, v6);
  Call c7(ctx, call_id(ctx.rng, oscar), oscar, peggy);
  c7.invite(at(5.0));
  c7.reject(at(5.01), 407,
            {{"Proxy-Authenticate", "Digest realm=\"biloxi.example.com\", nonce=\"" +
                                        ctx.rng.hex(16) + "\", algorithm=MD5, qop=\"auth\""}});
  c7.invite(at(5.05),
            {{"Proxy-Authorization",
              "Digest username=\"oscar\", realm=\"biloxi.example.com\", nonce=\"" +
                  ctx.rng.hex(16) + "\", uri=\"sip:peggy@biloxi.example.com\", response=\"" +
                  ctx.rng.hex(32) + "\", algorithm=MD5"}});
  c7.trying(at(5.06));
  c7.ringing(at(5.3));
  c7.answer(at(6.5));
  c7.ack(at(6.52));
  c7.media(at(6.55), at(7.55));
  c7.bye(at(7.6), Side::kCaller);

  // 8: redirected.
  const Party trent = party("trent", "", kAtlanta, {192, 0, 2, 16}, 5060, 46000, v6);
  const Party victor = party("victor", "", kBiloxi, {203, 0, 113, 26}, 5060, 46002, v6);
  Call c8(ctx, call_id(ctx.rng, trent), trent, victor);
  c8.invite(at(5.5));
  c8.reject(
      at(5.52), 302,
      {{"Contact", "<sip:victor@" + endpoint({203, 0, 113, 99}, 5060, v6).host_port() + ">"}});

  options_ping(ctx, at(8.5), monitor, gateway);
}

void proxy(const ScenarioOptions& o, Context ctx) {
  const bool v6 = o.ipv6;
  const Party alice = party("alice", "Alice", kAtlanta, {192, 0, 2, 10}, 5060, 49170, v6);
  const Party bob = party("bob", "Bob", kBiloxi, {203, 0, 113, 20}, 5060, 3456, v6);
  const Endpoint p = endpoint({198, 51, 100, 1}, 5060, v6);
  Call c(ctx, call_id(ctx.rng, alice), alice, bob, {p});
  answered(c, 1.0, 0.5, 2.0, 2.0, Side::kCaller);
}

void no_final(const ScenarioOptions& o, Context ctx) {
  const bool v6 = o.ipv6;
  const Endpoint monitor = endpoint({198, 51, 100, 1}, 5060, v6);
  const Endpoint gateway = endpoint({203, 0, 113, 5}, 5060, v6);
  for (int i = 0; i <= 4; ++i) options_ping(ctx, at(10.0 * i), monitor, gateway);
  const Party alice = party("alice", "Alice", kAtlanta, {192, 0, 2, 10}, 5060, 49170, v6);
  const Party bob = party("bob", "", kBiloxi, {203, 0, 113, 20}, 5060, 3456, v6);
  Call c1(ctx, call_id(ctx.rng, alice), alice, bob);
  c1.invite(at(1.0));
  c1.trying(at(1.02));
  // Another call goes on around it (signalling only, to keep the file small).
  const Party carol = party("carol", "", kAtlanta, {192, 0, 2, 20}, 5060, 40000, v6);
  const Party dave = party("dave", "", kBiloxi, {203, 0, 113, 30}, 5060, 40002, v6);
  Call c2(ctx, call_id(ctx.rng, carol), carol, dave);
  c2.invite(at(5.0));
  c2.trying(at(5.02));
  c2.ringing(at(5.3));
  c2.answer(at(6.0));
  c2.ack(at(6.02));
  c2.bye(at(41.0), Side::kCaller);
}

void in_progress(const ScenarioOptions& o, Context ctx) {
  const bool v6 = o.ipv6;
  const Endpoint monitor = endpoint({198, 51, 100, 1}, 5060, v6);
  const Endpoint gateway = endpoint({203, 0, 113, 5}, 5060, v6);
  options_ping(ctx, at(0.0), monitor, gateway);
  const Party alice = party("alice", "Alice", kAtlanta, {192, 0, 2, 10}, 5060, 49170, v6);
  const Party bob = party("bob", "", kBiloxi, {203, 0, 113, 20}, 5060, 3456, v6);
  Call c(ctx, call_id(ctx.rng, alice), alice, bob);
  c.invite(at(1.0));
  c.trying(at(1.02));
  c.ringing(at(1.3));
  options_ping(ctx, at(6.0), monitor, gateway);
}

void retransmissions(const ScenarioOptions& o, Context ctx) {
  const bool v6 = o.ipv6;
  const Party alice = party("alice", "Alice", kAtlanta, {192, 0, 2, 10}, 5060, 49170, v6);
  const Party bob = party("bob", "", kBiloxi, {203, 0, 113, 20}, 5060, 3456, v6);
  Call c(ctx, call_id(ctx.rng, alice), alice, bob);
  // Timer A: T1 = 500 ms, doubling (RFC 3261 §17.1.1.2).
  c.invite(at(1.0));
  c.retransmit_invite(at(1.5));
  c.retransmit_invite(at(2.5));
  c.trying(at(2.52));
  c.ringing(at(2.8));
  c.answer(at(4.0));
  // Timer G: the 2xx is resent after T1 while no ACK has arrived (§13.3.1.4).
  c.retransmit_answer(at(4.5));
  c.ack(at(4.52));
  c.media(at(4.55), at(5.55));
  c.bye(at(5.6), Side::kCallee);
}

void callid_reuse(const ScenarioOptions& o, Context ctx) {
  const bool v6 = o.ipv6;
  const Party alice = party("alice", "Alice", kAtlanta, {192, 0, 2, 10}, 5060, 49170, v6);
  const Party bob = party("bob", "", kBiloxi, {203, 0, 113, 20}, 5060, 3456, v6);
  const std::string id = call_id(ctx.rng, alice);
  Call first(ctx, id, alice, bob);
  answered(first, 1.0, 0.3, 1.5, 1.0, Side::kCaller);
  // Same Call-ID 60 s later, new From-tag (a broken UA): a new call row (docs/states.md).
  Call second(ctx, id, alice, bob);
  second.invite(at(61.0));
  second.trying(at(61.02));
  second.ringing(at(61.3));
  second.reject(at(63.0), 486);
}

void mid_call(const ScenarioOptions& o, Context ctx) {
  const bool v6 = o.ipv6;
  const Party alice = party("alice", "Alice", kAtlanta, {192, 0, 2, 10}, 5060, 49170, v6);
  const Party bob = party("bob", "", kBiloxi, {203, 0, 113, 20}, 5060, 3456, v6);
  Call c(ctx, call_id(ctx.rng, alice), alice, bob);
  c.assume_established(101);
  // Media flows through the session refresh unchanged (same SSRCs).
  c.media(at(0.0), at(2.1));
  c.reinvite(at(1.0), Side::kCaller);
  c.bye(at(2.2), Side::kCaller);
  ctx.truth.notes.push_back(
      "mid_call: the initial INVITE precedes the capture, so start_us, ring_us, answer_us, "
      "final_code, final_reason, pdd_ms and duration_ms are null; caller_ip/callee_ip are the "
      "source/destination of the first INVITE seen (the caller's re-INVITE); end_us and "
      "hangup_by come from the BYE, sent by the caller (its From-tag is the dialog's "
      "From-tag).");
}

void encaps(const ScenarioOptions& o, Context ctx) {
  const bool v6 = o.ipv6;
  const Party alice = party("alice", "Alice", kAtlanta, {192, 0, 2, 10}, 5060, 49170, v6);
  const Party bob = party("bob", "", kBiloxi, {203, 0, 113, 20}, 5060, 3456, v6);
  Call c(ctx, call_id(ctx.rng, alice), alice, bob);
  answered(c, 1.0, 0.3, 1.0, 1.0, Side::kCaller);
}

// ---- transport pathologies (wire.hpp): one signalling-only call, damaged on the wire ----

// The n-th message (0-based) in emission order whose text starts with `prefix`.
SipPacket& find(Emission& e, std::string_view prefix, int n = 0) {
  for (auto& p : e.sip) {
    if (p.text.rfind(prefix, 0) == 0 && n-- == 0) return p;
  }
  throw std::logic_error("scenario: no message " + std::string(prefix));
}

Call& plain_call(Context ctx, const ScenarioOptions& o, std::vector<Call>& keep) {
  const bool v6 = o.ipv6;
  const Party alice = party("alice", "Alice", kAtlanta, {192, 0, 2, 10}, 5060, 49170, v6);
  const Party bob = party("bob", "", kBiloxi, {203, 0, 113, 20}, 5060, 3456, v6);
  keep.reserve(2);
  Call& c = keep.emplace_back(ctx, call_id(ctx.rng, alice), alice, bob);
  answered(c, 1.0, 0.3, 1.0, 1.0, Side::kCaller, {}, false);
  return c;
}

void tcp_packed(const ScenarioOptions& o, Context ctx, WireConfig& w) {
  w.transport = Transport::kTcp;
  std::vector<Call> keep;
  plain_call(ctx, o, keep);
  find(ctx.out, "SIP/2.0 100").damage = Damage::kTcpPackWithNext;  // 100 + 180 in one segment
  find(ctx.out, "ACK ").damage = Damage::kTcpPackWithNext;         // ACK + BYE in one segment
  ctx.truth.notes.push_back(
      "tcp_packed: the 100 Trying travels in one TCP segment with the 180 (at the 180's time), "
      "the ACK in one segment with the BYE (at the BYE's time).");
}

void tcp_split(const ScenarioOptions& o, Context ctx, WireConfig& w) {
  w.transport = Transport::kTcp;
  std::vector<Call> keep;
  plain_call(ctx, o, keep);
  find(ctx.out, "INVITE ").damage = Damage::kTcpSplit;
  find(ctx.out, "SIP/2.0 200").damage = Damage::kTcpSplit;
  ctx.truth.notes.push_back(
      "tcp_split: the INVITE and its 200 OK each cross 3 segments (cut inside the Call-ID "
      "header line and in the middle of the SDP body), 100 us apart; the last segment is at "
      "the message time.");
}

void tcp_reorder(const ScenarioOptions& o, Context ctx, WireConfig& w) {
  w.transport = Transport::kTcp;
  std::vector<Call> keep;
  plain_call(ctx, o, keep);
  find(ctx.out, "INVITE ").damage = Damage::kTcpReorder;
  find(ctx.out, "SIP/2.0 200").damage = Damage::kTcpReorder;
  ctx.truth.tshark_args = {"-o", "tcp.reassemble_out_of_order:TRUE"};
  ctx.truth.notes.push_back(
      "tcp_reorder: the INVITE and its 200 OK each arrive as 2 segments, the second (from "
      "inside the Call-ID line to the end) 100 us before the first; the first completes the "
      "message at the message time.");
}

void tcp_retrans(const ScenarioOptions& o, Context ctx, WireConfig& w) {
  w.transport = Transport::kTcp;
  std::vector<Call> keep;
  plain_call(ctx, o, keep);
  find(ctx.out, "INVITE ").damage = Damage::kTcpRetrans;
  find(ctx.out, "SIP/2.0 200").damage = Damage::kTcpOverlap;
  ctx.truth.tshark_args = {"-o", "tcp.reassemble_out_of_order:TRUE"};
  ctx.truth.notes.push_back(
      "tcp_retrans: the INVITE segment is retransmitted 1 ms later (same sequence number: one "
      "SIP message); the 200 OK arrives as 2 segments overlapping by 40 bytes (the second at "
      "the message time).");
}

void tcp_midstream(const ScenarioOptions& o, Context ctx, WireConfig& w) {
  w.transport = Transport::kTcp;
  const bool v6 = o.ipv6;
  const Endpoint alice = endpoint({192, 0, 2, 10}, 5060, v6);
  const Endpoint bob = endpoint({203, 0, 113, 20}, 5060, v6);
  // A keep-alive on the connection the call will use, whose first half precedes the capture.
  options_ping(ctx, at(0.5), alice, bob);
  find(ctx.out, "OPTIONS ").damage = Damage::kTcpTailOnly;
  ctx.truth.non_call_sip_messages -= 1;
  std::vector<Call> keep;
  plain_call(ctx, o, keep);
  ctx.truth.notes.push_back(
      "tcp_midstream: the connection was open before the capture (no handshake); the first "
      "segment is the second half of an OPTIONS request (not a SIP message sipscope can see: "
      "not counted), then its 200 OK (non-call) and the call.");
}

void tcp_keepalive(const ScenarioOptions& o, Context ctx, WireConfig& w) {
  w.transport = Transport::kTcp;
  std::vector<Call> keep;
  Call& c = plain_call(ctx, o, keep);
  (void)c;
  // RFC 5626 §4.4.1 keep-alives on the call's connection: a double-CRLF "ping" and the
  // single-CRLF "pong", once while ringing and once during the call. Not SIP messages.
  const Endpoint alice = endpoint({192, 0, 2, 10}, 5060, o.ipv6);
  const Endpoint bob = endpoint({203, 0, 113, 20}, 5060, o.ipv6);
  for (double t : {1.6, 2.5}) {
    ctx.out.sip.push_back(SipPacket{at(t), alice, bob, "\r\n\r\n"});
    ctx.out.sip.push_back(SipPacket{at(t) + 300, bob, alice, "\r\n"});
  }
  ctx.truth.notes.push_back(
      "tcp_keepalive: CRLFCRLF ping / CRLF pong (RFC 5626 4.4.1) at 1.6 s and 2.5 s on the "
      "call's connection, each in its own segment; they are not SIP messages.");
}

void tcp_gap(const ScenarioOptions& o, Context ctx, WireConfig& w) {
  w.transport = Transport::kTcp;
  std::vector<Call> keep;
  Call& c = plain_call(ctx, o, keep);
  find(ctx.out, "SIP/2.0 180").damage = Damage::kTcpGap;
  // The 180 never completes: no ring time, one message fewer.
  c.truth().ring_us.reset();
  c.truth().message_count -= 1;
  ctx.truth.anomalies["tcp_gap"] = 1;
  ctx.truth.notes.push_back(
      "tcp_gap: the 180 Ringing crosses 3 segments and the middle one was not captured, so "
      "the 180 is lost (ring_us and pdd_ms null, message_count 6) and one tcp_gap anomaly is "
      "expected; the receiver acknowledges the bytes it got, the capture just missed them.");
}

void frag_common(const ScenarioOptions& o, Context ctx, WireConfig& w, Damage d,
                 std::string_view what) {
  if (w.mtu == 0) w.mtu = 576;
  std::vector<Call> keep;
  plain_call(ctx, o, keep);
  find(ctx.out, "INVITE ").damage = d;
  ctx.truth.notes.push_back(std::string(what));
}

void frag_reorder(const ScenarioOptions& o, Context ctx, WireConfig& w) {
  frag_common(o, ctx, w, Damage::kFragReorder,
              "frag_reorder: the INVITE and the 200 OK exceed the MTU (576 unless --fragment) and "
              "are fragmented; the INVITE's fragments arrive last first.");
}

void frag_duplicate(const ScenarioOptions& o, Context ctx, WireConfig& w) {
  frag_common(o, ctx, w, Damage::kFragDuplicate,
              "frag_duplicate: the INVITE's first fragment arrives twice in a row, before the "
              "last fragment; still one INVITE, no anomaly.");
}

void frag_incomplete(const ScenarioOptions& o, Context ctx, WireConfig& w) {
  if (w.mtu == 0) w.mtu = 576;
  const bool v6 = o.ipv6;
  const Party alice = party("alice", "Alice", kAtlanta, {192, 0, 2, 10}, 5060, 49170, v6);
  const Party bob = party("bob", "", kBiloxi, {203, 0, 113, 20}, 5060, 3456, v6);
  Call c(ctx, call_id(ctx.rng, alice), alice, bob);
  c.invite(at(1.0));
  c.retransmit_invite(at(1.5));
  c.trying(at(1.52));
  c.ringing(at(1.8));
  c.answer(at(2.5));
  c.ack(at(2.52));
  c.bye(at(3.6), Side::kCaller);
  find(ctx.out, "INVITE ").damage = Damage::kFragDrop;
  // What the sensor can see starts with the retransmission (Timer A, 500 ms later).
  c.truth().start_us = at(1.5);
  c.truth().message_count -= 1;
  ctx.truth.anomalies["ip_fragments_incomplete"] = 1;
  ctx.truth.notes.push_back(
      "frag_incomplete: the first INVITE lost its second IP fragment, so it is not a message "
      "(one ip_fragments_incomplete anomaly); the call starts at its retransmission 500 ms "
      "later (start_us), message_count 7.");
}

void sctp(const ScenarioOptions& o, Context ctx, WireConfig& w) {
  w.transport = Transport::kSctp;
  std::vector<Call> keep;
  plain_call(ctx, o, keep);
  find(ctx.out, "SIP/2.0 100").damage = Damage::kSctpBundleWithNext;
  ctx.truth.notes.push_back(
      "sctp: one association per pair of SIP endpoints, INIT/INIT-ACK not captured; one DATA "
      "chunk per message, the 100 Trying and the 180 bundled in one packet.");
}

struct Entry {
  ScenarioInfo info;
  void (*build)(const ScenarioOptions&, Context);
  void (*build_wire)(const ScenarioOptions&, Context, WireConfig&) = nullptr;
};

const Entry kScenarios[] = {
    {{"basic",
      "8 overlapping calls (answered x2, busy, cancelled, 603, 480, 407+retry, 302), "
      "REGISTER 401/200, OPTIONS, RTP"},
     basic},
    {{"proxy", "A -> P -> B with Record-Route, 100/180/200 on both hops, BYE via the proxy"},
     proxy},
    {{"no_final", "INVITE with only 100, capture runs 40 s on -> no_answer"}, no_final},
    {{"in_progress", "INVITE with 100/180, capture ends 5 s later -> in_progress"}, in_progress},
    {{"retransmissions", "INVITE retransmitted twice (T1), 200 retransmitted once"},
     retransmissions},
    {{"callid_reuse", "two calls with one Call-ID 60 s apart, different From-tags"}, callid_reuse},
    {{"mid_call", "capture starts after the INVITE: re-INVITE, ACK, BYE -> unknown"}, mid_call},
    {{"encaps", "one answered call with 1 s of RTP, for --link/--ipv6/--format variants"}, encaps},
    {{"tcp_packed", "SIP over TCP: 100+180 and ACK+BYE each packed in one segment"},
     nullptr,
     tcp_packed},
    {{"tcp_split", "SIP over TCP: INVITE and 200 each split in 3 segments (headers, body)"},
     nullptr,
     tcp_split},
    {{"tcp_reorder", "SIP over TCP: INVITE and 200 segments out of order"}, nullptr, tcp_reorder},
    {{"tcp_retrans", "SIP over TCP: INVITE segment retransmitted, 200 in overlapping segments"},
     nullptr,
     tcp_retrans},
    {{"tcp_midstream", "SIP over TCP: capture starts inside a message, no handshake"},
     nullptr,
     tcp_midstream},
    {{"tcp_keepalive", "SIP over TCP: CRLF keep-alive ping/pong between messages"},
     nullptr,
     tcp_keepalive},
    {{"tcp_gap", "SIP over TCP: a segment of the 180 lost (tcp_gap anomaly)"}, nullptr, tcp_gap},
    {{"frag_reorder", "INVITE IP fragments out of order (MTU 576 unless --fragment)"},
     nullptr,
     frag_reorder},
    {{"frag_duplicate", "INVITE's first IP fragment duplicated"}, nullptr, frag_duplicate},
    {{"frag_incomplete", "INVITE missing a fragment, retransmission complete"},
     nullptr,
     frag_incomplete},
    {{"sctp", "SIP over SCTP, one DATA chunk per message, 100+180 bundled"}, nullptr, sctp},
    // Correlation scenarios (dialog_scenarios.cpp).
    {{"fork_early", "forking proxy: two early dialogs, one 200, the other branch CANCELled"},
     fork_early},
    {{"cancel_race", "CANCEL crossing the 200, a 487 after the 200, and CANCEL winning"},
     cancel_race},
    {{"hold_resume", "re-INVITE hold (sendonly) / resume, then c=0.0.0.0 hold / resume"},
     hold_resume},
    {{"prack", "183 with 100rel + PRACK through a proxy; a reliable 183 never PRACKed"}, prack},
    {{"refer_transfer", "REFER + NOTIFY sipfrag, the new call with Referred-By"}, refer_transfer},
    {{"refer_replaces", "attended transfer: REFER with Replaces, the consultation replaced"},
     refer_replaces},
    {{"b2bua_xcallid", "two B2BUA calls, legs tied by X-Call-ID and X-CID"}, b2bua_xcallid},
    {{"b2bua_session_id", "B2BUA legs tied by the RFC 7989 Session-ID"}, b2bua_session_id},
    {{"no_ack", "200 retransmitted (Timer G) and never ACKed, BYE after 64*T1"}, no_ack},
    {{"register_auth", "REGISTER 401, REGISTER with credentials 200"}, register_auth},
    {{"register_forbidden", "REGISTER 401, REGISTER with credentials 403"}, register_forbidden},
    // Non-call activity and session timers (activity.cpp).
    {{"activity_peers", "OPTIONS pings to two trunks, one down 72..90 s (Timer F, 503)"},
     activity_peers},
    {{"activity_subscribe", "SUBSCRIBE/NOTIFY: refreshed+terminated, 401+202+expired, 489"},
     activity_subscribe},
    {{"activity_message", "MESSAGE 200/404/unanswered, PUBLISH initial/refresh/remove"},
     activity_message},
    {{"activity_session_timer", "Session-Expires 90 s: refreshed call, expired call, none"},
     activity_session_timer},
    {{"hostile", "HTML/JavaScript in display names, User-Agent, Call-ID, reason phrase"}, hostile},
    // Media accuracy (media_scenarios.cpp).
    {{"media_impair", "13 calls, RTP with loss, duplicates, reordering, jitter, wrap, hold, NAT"},
     media_impair},
    {{"media_random", "6-10 calls with media events and impairments drawn from --seed"},
     media_random},
    // RTCP SR/RR/SDES/BYE/APP/XR consistent with the RTP sent (rtcp_scenarios.cpp).
    {{"media_rtcp", "3 calls with RTCP on port+1, a=rtcp (hold: RR only), rtcp-mux; APP, XR"},
     media_rtcp},
};

}  // namespace

std::span<const ScenarioInfo> scenario_list() {
  static const auto list = [] {
    std::vector<ScenarioInfo> v;
    for (const auto& e : kScenarios) v.push_back(e.info);
    return v;
  }();
  return list;
}

bool build_scenario(std::string_view name, const ScenarioOptions& opt, Emission& out, Truth& truth,
                    WireConfig& wire) {
  for (const auto& e : kScenarios) {
    if (e.info.name != name) continue;
    Rng rng(opt.seed);
    truth.scenario = std::string(name);
    truth.seed = opt.seed;
    if (e.build_wire != nullptr) {
      e.build_wire(opt, Context{out, truth, rng}, wire);
    } else {
      e.build(opt, Context{out, truth, rng});
    }
    return true;
  }
  return false;
}

}  // namespace sipscope::gen
