#include "dialog_scenarios.hpp"

#include <algorithm>
#include <string>

#include "parties.hpp"
#include "scenario_support.hpp"

namespace sipscope::gen {
namespace {

// Every scenario here asserts its dialogs, links and SIP findings, "none" included.
void expect_correlation(Context ctx) {
  ctx.truth.dialogs.emplace();
  ctx.truth.links.emplace();
  ctx.truth.diagnostics.emplace();
}

void expect(Context ctx, Call& c, std::string kind) {
  ctx.truth.diagnostics->push_back({c.truth().sip_call_id, std::move(kind)});
}

// INVITE at t s, 100 20 ms later, 180 at t + 0.3 s (optionally 183 with `extra`).
void ring(Call& c, double t, int code = 180, const ExtraHeaders& invite_extra = {},
          const ExtraHeaders& extra = {}) {
  c.invite(at(t), invite_extra);
  c.trying(at(t) + 20 * kMs);
  c.ringing(at(t + 0.3), code, extra);
}

// ring(), then the 200 at t + answer_after and its ACK 20 ms later.
void ring_answer(Call& c, double t, double answer_after) {
  ring(c, t);
  c.answer(at(t + answer_after));
  c.ack(at(t + answer_after) + 20 * kMs);
}

// "<uri>" built in place: `"<" + std::string + ">"` here trips GCC 12's false -Wrestrict.
std::string bracketed(std::string uri) {
  uri.insert(0, 1, '<');
  uri += '>';
  return uri;
}

// REFER (RFC 3515) in call `c` from `from` (party `who`), answered 202 Accepted.
void refer(Call& c, double t, Side from, const Party& who, const std::string& refer_to,
           const std::string& referred_by) {
  c.in_dialog(at(t), from, "REFER",
              {{"Refer-To", refer_to},
               {"Referred-By", referred_by},
               {"Contact", bracketed(who.contact_uri())}},
              202);
}

// The transferee's progress (RFC 3515 §2.4.5): a message/sipfrag NOTIFY with the status of
// its new call, 100 Trying first, the final 200 OK ending the implicit subscription.
void notify_sipfrag(Call& c, double t, Side from, bool final) {
  c.in_dialog(
      at(t), from, "NOTIFY",
      {{"Event", "refer"},
       {"Subscription-State", final ? "terminated;reason=noresource" : "active;expires=60"}},
      200, final ? "SIP/2.0 200 OK\r\n" : "SIP/2.0 100 Trying\r\n", "message/sipfrag;version=2.0");
}

Party alice_at(bool v6) {
  return party("alice", "Alice", kAtlanta, {192, 0, 2, 10}, 5060, 49170, v6);
}

// The UAs of these scenarios; `carol`/`dave` make a second call beside Alice's, `target`
// is Carol as a transfer target on Bob's side. cast() also engages the correlation
// truth and records the scenario's note.
struct Cast {
  bool v6;
  Party alice, bob, carol, dave, target;
};

Cast cast(const ScenarioOptions& o, Context ctx, std::string note) {
  expect_correlation(ctx);
  ctx.truth.notes.push_back(std::move(note));
  const bool v6 = o.ipv6;
  return {v6,
          alice_at(v6),
          party("bob", "Bob", kBiloxi, {203, 0, 113, 20}, 5060, 3456, v6),
          party("carol", "", kAtlanta, {192, 0, 2, 20}, 5060, 40000, v6),
          party("dave", "", kBiloxi, {203, 0, 113, 30}, 5060, 40002, v6),
          party("carol", "Carol", kBiloxi, {203, 0, 113, 30}, 5060, 40002, v6)};
}

}  // namespace

void fork_early(const ScenarioOptions& o, Context ctx) {
  const Cast cast_of =
      cast(o, ctx,
           "fork_early: A -> P -> {desk, mobile} (both user bob, own To-tags). Two early dialogs "
           "(180 from each, relayed to A), the desk's 200 confirms its dialog; P CANCELs the "
           "mobile branch (487 absorbed by P, never relayed), so the mobile's early dialog is "
           "terminated by its 487. callee_ip is the UA that answered (the desk).");
  const Party desk =
      party("bob", "Bob", kBiloxi, {203, 0, 113, 20}, 5060, 3456, cast_of.v6, "desk phone");
  const Party mobile =
      party("bob", "Bob", kBiloxi, {203, 0, 113, 21}, 5060, 3458, cast_of.v6, "mobile client");
  const Endpoint p = endpoint({198, 51, 100, 1}, 5060, cast_of.v6);
  Call c(ctx, call_id(ctx.rng, cast_of.alice), cast_of.alice, desk, {p});
  const std::size_t second = c.fork(mobile);
  // The proxy forks in parallel (RFC 3261 §16.7): both UAs ring, each with its own To-tag,
  // so the caller sees two early dialogs; the desk phone answers and the proxy CANCELs the
  // mobile branch, whose 487 it absorbs (§16.7 step 6).
  c.invite(at(1.0));
  c.trying(at(1.02));
  c.use_branch(second);
  c.fork_invite(at(1.0) + 2 * kMs);
  c.use_branch(0);
  c.ringing(at(1.3));
  c.use_branch(second);
  c.ringing(at(1.5));
  c.use_branch(0);
  c.answer(at(3.0));
  c.use_branch(second);
  c.cancel(at(3.0) + 3 * kMs, true);
  c.reject(at(3.0) + 5 * kMs, 487, {}, true);
  c.use_branch(0);
  c.ack(at(3.02));
  c.media(at(3.05), at(5.05));
  c.bye(at(5.1), Side::kCaller);
}

void cancel_race(const ScenarioOptions& o, Context ctx) {
  const Cast p =
      cast(o, ctx,
           "cancel_race: (1) CANCEL 300 us after the callee's 200 (crossing; its 200 OK follows): "
           "answered, cancel_after_answer; (2) the same, then a 487 to the answered INVITE: "
           "answered, cancel_after_answer + request_terminated_after_answer; (3) CANCEL before any "
           "final: 487 -> cancelled.");
  // 1: the 200 and the CANCEL cross on the wire: the CANCEL is answered 200 but changes
  // nothing (RFC 3261 §9.2), the caller ACKs the 200 and hangs up.
  Call c1(ctx, call_id(ctx.rng, p.alice), p.alice, p.bob);
  ring_answer(c1, 1.0, 3.0);
  c1.cancel(at(4.0) + 300);
  c1.bye(at(5.0), Side::kCaller);
  expect(ctx, c1, "cancel_after_answer");
  // 2: a UAS that answers, then still honours the CANCEL with a 487 after its 200.
  Call c2(ctx, call_id(ctx.rng, p.carol), p.carol, p.dave);
  ring_answer(c2, 2.0, 3.5);
  c2.cancel(at(5.5) + 300);
  c2.reject(at(5.5) + 2 * kMs, 487);
  c2.bye(at(6.5), Side::kCaller);
  expect(ctx, c2, "cancel_after_answer");
  expect(ctx, c2, "request_terminated_after_answer");
  // 3: the CANCEL wins: 200 to the CANCEL, 487 to the INVITE -> cancelled.
  const Party erin = party("erin", "", kAtlanta, {192, 0, 2, 11}, 5060, 41000, p.v6);
  const Party frank = party("frank", "", kBiloxi, {203, 0, 113, 21}, 5060, 41002, p.v6);
  Call c3(ctx, call_id(ctx.rng, erin), erin, frank);
  ring(c3, 3.0);
  c3.cancel(at(7.0));
  c3.reject(at(7.01), 487);
}

void hold_resume(const ScenarioOptions& o, Context ctx) {
  const Cast p =
      cast(o, ctx,
           "hold_resume: re-INVITEs (each 200 + ACK) at 4 s (caller, sendonly -> call_hold), 6 s "
           "(caller, sendrecv -> call_resume), 8 s (callee, c=0.0.0.0 -> call_hold), 10 s "
           "(callee, sendrecv -> call_resume); no RTP while on hold.");
  Call c(ctx, call_id(ctx.rng, p.alice), p.alice, p.bob);
  ring_answer(c, 1.0, 1.0);
  c.media(at(2.05), at(3.95));
  // RFC 3264 §8.4: hold with a=sendonly (answered recvonly), resume with sendrecv; then the
  // callee holds the RFC 2543 way (c=0.0.0.0) and resumes.
  c.reinvite(at(4.0), Side::kCaller, Media::kHold);
  c.reinvite(at(6.0), Side::kCaller, Media::kSendrecv);
  c.reinvite(at(8.0), Side::kCallee, Media::kHoldNullAddress);
  c.reinvite(at(10.0), Side::kCallee, Media::kSendrecv);
  c.media(at(10.1), at(11.1));
  c.bye(at(11.2), Side::kCaller);
}

void prack(const ScenarioOptions& o, Context ctx) {
  const Cast p =
      cast(o, ctx,
           "prack: (1) A -> P -> B, 183 with Require: 100rel, RSeq 1 and SDP, PRACK (RAck 1 1 "
           "INVITE) / 200 on both hops, then 200, ACK, BYE by the callee: one PRACK transaction "
           "(dialogs.pracks 1); (2) a reliable 183 never PRACKed -> prack_missing.");
  const Endpoint proxy = endpoint({198, 51, 100, 1}, 5060, p.v6);
  // 1: reliable 183 with the SDP answer (RFC 3262), PRACKed end to end through the proxy.
  Call c1(ctx, call_id(ctx.rng, p.alice), p.alice, p.bob, {proxy});
  ring(c1, 1.0, 183, {{"Supported", "100rel"}}, {{"Require", "100rel"}, {"RSeq", "1"}});
  c1.in_dialog(at(1.35), Side::kCaller, "PRACK", {{"RAck", "1 1 INVITE"}});
  c1.answer(at(3.0));
  c1.ack(at(3.02));
  c1.media(at(3.05), at(5.05));
  c1.bye(at(5.1), Side::kCallee);
  // 2: a reliable 183 the caller never PRACKs (direct).
  Call c2(ctx, call_id(ctx.rng, p.carol), p.carol, p.dave);
  ring(c2, 7.0, 183, {{"Supported", "100rel"}}, {{"Require", "100rel"}, {"RSeq", "4711"}});
  c2.answer(at(9.0));
  c2.ack(at(9.02));
  c2.bye(at(10.0), Side::kCaller);
  expect(ctx, c2, "prack_missing");
}

namespace {

// Alice-Bob answered at 1 s with RTP until 3.95 s: the call a transfer acts on.
Call call_to_transfer(Context ctx, const Party& alice, const Party& bob) {
  Call c(ctx, call_id(ctx.rng, alice), alice, bob);
  ring_answer(c, 1.0, 1.0);
  c.media(at(2.05), at(3.95));
  return c;
}

}  // namespace

void refer_transfer(const ScenarioOptions& o, Context ctx) {
  const Cast p =
      cast(o, ctx,
           "refer_transfer: A-B answered; B sends REFER (Refer-To Carol, Referred-By Bob) -> 202; "
           "A sends NOTIFY sipfrag 100 Trying, calls Carol with Referred-By (the new call, linked "
           "to the first with reason refer), NOTIFY sipfrag 200 OK; B hangs up the first call, A "
           "the second. REFER and NOTIFYs are messages of the first call.");
  Call c1 = call_to_transfer(ctx, p.alice, p.bob);
  // Blind transfer (RFC 3515, RFC 5589 §6): Bob REFERs Alice to Carol; Alice reports
  // progress in NOTIFYs carrying message/sipfrag and calls Carol with Referred-By (RFC 3892).
  const std::string referred_by = bracketed(p.bob.uri());
  refer(c1, 4.0, Side::kCallee, p.bob, bracketed(p.target.uri()), referred_by);
  notify_sipfrag(c1, 4.1, Side::kCaller, false);
  Call c2(ctx, call_id(ctx.rng, p.alice), p.alice, p.target);
  ring(c2, 4.2, 180, {{"Referred-By", referred_by}});
  c2.answer(at(5.5));
  c2.ack(at(5.52));
  notify_sipfrag(c1, 5.6, Side::kCaller, true);
  c1.bye(at(5.7), Side::kCallee);
  c2.media(at(5.55), at(7.55));
  c2.bye(at(7.6), Side::kCaller);
  ctx.truth.links->push_back({c2.truth().sip_call_id, c1.truth().sip_call_id, "refer"});
}

void refer_replaces(const ScenarioOptions& o, Context ctx) {
  const Cast p = cast(
      o, ctx,
      "refer_replaces: attended transfer. Alice-Bob answered (first call); Alice-Carol "
      "answered (consultation); Alice REFERs Bob (Refer-To Carol with ?Replaces= the "
      "consultation's Call-ID and tags) -> 202, Bob NOTIFYs 100 Trying, INVITEs Carol with "
      "Replaces + Referred-By (third call: linked to the consultation, reason replaces, and to "
      "the first call, reason refer; all three share one group_id), Carol BYEs the "
      "consultation, Bob NOTIFYs 200 OK, Alice BYEs the first call.");
  // Attended transfer (RFC 5589 §7): Alice talks to Bob, consults Carol, then REFERs Bob
  // to Carol with a Refer-To that embeds Replaces for the consultation call (RFC 3891 §7.1);
  // Bob's INVITE replaces it, Carol hangs up the consultation.
  Call c1 = call_to_transfer(ctx, p.alice, p.bob);
  Call c2(ctx, call_id(ctx.rng, p.alice), p.alice, p.target);
  ring_answer(c2, 4.5, 1.0);
  c2.media(at(5.55), at(6.95));
  std::string escaped_id;  // RFC 3261 §19.1.1: '@' and ';' escaped in a URI header
  for (char ch : c2.truth().sip_call_id)
    escaped_id += ch == '@' ? std::string("%40") : std::string(1, ch);
  const std::string alice_by = bracketed(p.alice.uri());
  std::string refer_to = p.target.uri();
  refer_to.append("?Replaces=").append(escaped_id).append("%3Bto-tag%3D").append(c2.to_tag());
  refer_to.append("%3Bfrom-tag%3D").append(c2.from_tag());
  refer(c1, 7.0, Side::kCaller, p.alice, bracketed(std::move(refer_to)), alice_by);
  notify_sipfrag(c1, 7.1, Side::kCallee, false);
  const Party bob_again = party("bob", "Bob", kBiloxi, {203, 0, 113, 20}, 5060, 3458, p.v6);
  Call c3(ctx, call_id(ctx.rng, bob_again), bob_again, p.target);
  c3.invite(at(7.2), {{"Replaces", c2.truth().sip_call_id + ";to-tag=" + c2.to_tag() +
                                       ";from-tag=" + c2.from_tag()},
                      {"Referred-By", alice_by}});
  c3.trying(at(7.22));
  c3.answer(at(7.3));  // a Replaces INVITE is accepted without ringing (RFC 3891 §3)
  c3.ack(at(7.32));
  c2.bye(at(7.4), Side::kCallee);
  notify_sipfrag(c1, 7.5, Side::kCallee, true);
  c1.bye(at(7.6), Side::kCaller);
  c3.media(at(7.35), at(9.35));
  c3.bye(at(9.4), Side::kCaller);
  ctx.truth.links->push_back({c3.truth().sip_call_id, c2.truth().sip_call_id, "replaces"});
  ctx.truth.links->push_back({c3.truth().sip_call_id, c1.truth().sip_call_id, "refer"});
}

namespace {

// One call through a signalling B2BUA (198.51.100.20): leg A ends at the B2BUA, leg B
// starts there with a new Call-ID and its own tags. Leg B's INVITE names leg A's Call-ID in
// header `name_a_in` when given; `tie` are headers both INVITEs carry (RFC 7989 Session-ID).
void b2bua_call(Context ctx, bool v6, double t, const Party& caller, const Party& callee,
                const ExtraHeaders& tie, const std::string& name_a_in, std::uint16_t rtp_a,
                std::uint16_t rtp_b, const std::string& link_reason) {
  const Party to_b2bua = party(callee.user, callee.display, callee.domain, {198, 51, 100, 20}, 5060,
                               rtp_a, v6, "sipscope-gen b2bua");
  const Party from_b2bua = party(caller.user, caller.display, caller.domain, {198, 51, 100, 20},
                                 5060, rtp_b, v6, "sipscope-gen b2bua");
  Call a(ctx, call_id(ctx.rng, caller), caller, to_b2bua);
  Call b(ctx, call_id(ctx.rng, from_b2bua), from_b2bua, callee);
  ExtraHeaders tie_b = tie;
  if (!name_a_in.empty()) tie_b.emplace_back(name_a_in, a.truth().sip_call_id);
  a.invite(at(t), tie);
  a.trying(at(t) + 10 * kMs);
  b.invite(at(t) + 5 * kMs, tie_b);
  b.trying(at(t) + 20 * kMs);
  b.ringing(at(t + 0.3));
  a.ringing(at(t + 0.3) + 2 * kMs);
  b.answer(at(t + 1.0));
  a.answer(at(t + 1.0) + 2 * kMs);
  a.ack(at(t + 1.02));
  b.ack(at(t + 1.02) + 2 * kMs);
  a.media(at(t + 1.05), at(t + 2.05));
  b.media(at(t + 1.05) + 1 * kMs, at(t + 2.05) + 1 * kMs);
  a.bye(at(t + 2.1), Side::kCaller);
  b.bye(at(t + 2.1) + 2 * kMs, Side::kCaller);
  ctx.truth.links->push_back({b.truth().sip_call_id, a.truth().sip_call_id, link_reason});
}

}  // namespace

void b2bua_xcallid(const ScenarioOptions& o, Context ctx) {
  const Cast p =
      cast(o, ctx,
           "b2bua_xcallid: two calls through a B2BUA at 198.51.100.20, each as two legs with their "
           "own Call-IDs; leg B's INVITE names leg A's Call-ID in X-Call-ID (first call) or X-CID "
           "(second). Links: leg B -> leg A, reason x_call_id; each pair shares a group_id.");
  b2bua_call(ctx, p.v6, 1.0, p.alice, p.bob, {}, "X-Call-ID", 20000, 20002, "x_call_id");
  b2bua_call(ctx, p.v6, 4.0, p.carol, p.dave, {}, "X-CID", 20004, 20006, "x_call_id");
}

void b2bua_session_id(const ScenarioOptions& o, Context ctx) {
  const Cast p =
      cast(o, ctx,
           "b2bua_session_id: one call through a B2BUA at 198.51.100.20 as two legs with their own "
           "Call-IDs, both INVITEs with the same RFC 7989 Session-ID (local UUID, remote null). "
           "Link: leg B -> leg A, reason session_id; both share a group_id.");
  // RFC 7989 §6: before the far end's UUID is known, remote is the null UUID; the B2BUA
  // passes the Session-ID through unchanged.
  const std::string session = ctx.rng.hex(32) + ";remote=00000000000000000000000000000000";
  b2bua_call(ctx, p.v6, 1.0, p.alice, p.bob, {{"Session-ID", session}}, "", 20000, 20002,
             "session_id");
}

void no_ack(const ScenarioOptions& o, Context ctx) {
  const Cast p =
      cast(o, ctx,
           "no_ack: the 200 is sent at 2 s and retransmitted at +0.5, 1.5, 3.5, 7.5, ... 31.5 s "
           "(Timer G, T1 doubling to T2 = 4 s), never ACKed; the callee sends BYE at 64*T1 after "
           "the 200 (34 s) -> no_ack_for_2xx.");
  Call c(ctx, call_id(ctx.rng, p.alice), p.alice, p.bob);
  ring(c, 1.0);
  c.answer(at(2.0));
  // Timer G for the 2xx (RFC 3261 §13.3.1.4): T1 = 500 ms doubling up to T2 = 4 s; no ACK
  // ever comes, and after 64*T1 = 32 s the callee gives up and ends the session with BYE.
  double after = 0.0;
  for (double interval = 0.5; after + interval < 32.0; interval = std::min(interval * 2, 4.0)) {
    after += interval;
    c.retransmit_answer(at(2.0 + after));
  }
  c.bye(at(34.0), Side::kCallee);
  expect(ctx, c, "no_ack_for_2xx");
}

namespace {

// Alice registers at 198.51.100.10: 401, then with credentials, answered `final_code`.
void registration(const ScenarioOptions& o, Context ctx, int final_code, std::string note) {
  ctx.truth.registrations.emplace();
  const Endpoint registrar = endpoint({198, 51, 100, 10}, 5060, o.ipv6);
  register_flow(ctx, at(1.0), alice_at(o.ipv6), registrar, true, final_code);
  ctx.truth.notes.push_back(std::move(note));
}

}  // namespace

void register_auth(const ScenarioOptions& o, Context ctx) {
  registration(o, ctx, 200,
               "register_auth: REGISTER -> 401 (WWW-Authenticate) -> REGISTER with Authorization "
               "(CSeq 2) -> 200 with Contact expires=3600: one registration, registered, 2 "
               "attempts, 1 challenge; no calls.");
}

void register_forbidden(const ScenarioOptions& o, Context ctx) {
  registration(o, ctx, 403,
               "register_forbidden: REGISTER -> 401 -> REGISTER with credentials -> 403 "
               "Forbidden: one registration, failed, final 403, 2 attempts, 1 challenge; no "
               "calls.");
}

}  // namespace sipscope::gen
