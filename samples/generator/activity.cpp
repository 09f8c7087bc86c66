#include "activity.hpp"

#include <optional>
#include <string>
#include <utility>

#include "parties.hpp"
#include "scenario_support.hpp"

namespace sipscope::gen {
namespace {

using Json = nlohmann::ordered_json;

std::string phrase(int code) {
  if (code == 489) return "Bad Event";  // RFC 6665 §8.3.1
  return std::string(reason_phrase(code));
}

// One out-of-call dialog or transaction stream between two UAs on one hop (no proxy):
// `a` started it (From, CSeq a_cseq), `b` answers (To-tag once it answered). Each request
// gets its final response `code` (0: none) `rtt_us` later, with `answer_extra` headers.
class Exchange {
 public:
  Exchange(Context ctx, Endpoint a, Endpoint b, std::string a_aor, std::string b_aor)
      : ctx_(ctx),
        a_(std::move(a)),
        b_(std::move(b)),
        a_aor_(std::move(a_aor)),
        b_aor_(std::move(b_aor)),
        call_id_(ctx.rng.hex(20) + "@" + a_.sip_host()),
        a_tag_(ctx.rng.hex(8)) {}

  [[nodiscard]] const std::string& call_id() const { return call_id_; }
  void new_b_tag() { b_tag_pending_ = ctx_.rng.hex(8); }

  // Returns the request's time; the response (if any) is at t + rtt_us.
  void request(std::int64_t t, bool from_a, const std::string& method, const ExtraHeaders& extra,
               int code, std::int64_t rtt_us = 3000, const ExtraHeaders& answer_extra = {},
               const std::string& body = {}, const std::string& content_type = {}) {
    const Endpoint& src = from_a ? a_ : b_;
    const Endpoint& dst = from_a ? b_ : a_;
    const std::string branch = "z9hG4bK" + ctx_.rng.hex(12);
    const std::uint32_t cseq = from_a ? ++a_cseq_ : ++b_cseq_;
    const std::string via = "SIP/2.0/UDP " + src.host_port() + ";branch=" + branch;
    const std::string from = (from_a ? a_aor_ + ";tag=" + a_tag_ : b_aor_ + ";tag=" + b_tag_);
    const bool to_tagged = from_a ? !b_tag_.empty() : true;
    const std::string to =
        from_a ? b_aor_ + (to_tagged ? ";tag=" + b_tag_ : "") : a_aor_ + ";tag=" + a_tag_;
    const std::string uri = from_a ? uri_of(b_aor_) : uri_of(a_aor_);
    SipMessage m;
    m.start_line = method + " " + uri + " SIP/2.0";
    m.add("Via", via);
    m.add("Max-Forwards", "70");
    m.add("From", from);
    m.add("To", to);
    m.add("Call-ID", call_id_);
    m.add("CSeq", std::to_string(cseq) + " " + method);
    for (const auto& [k, v] : extra) m.add(k, v);
    m.body = body;
    m.content_type = content_type;
    emit(t, src, dst, m.render());
    last_request_ = ctx_.out.sip.back().text;
    if (code == 0) return;
    SipMessage r;
    r.start_line = "SIP/2.0 " + std::to_string(code) + " " + phrase(code);
    r.add("Via", via);
    r.add("From", from);
    std::string to_answer = to;
    if (from_a && b_tag_.empty()) {
      b_tag_ = b_tag_pending_.empty() ? ctx_.rng.hex(8) : b_tag_pending_;
      to_answer += ";tag=" + b_tag_;
      // A failed first request creates no dialog (RFC 6665 §4.1.2.1; RFC 3261 §12.1).
      if (code >= 300) b_tag_.clear();
    }
    r.add("To", to_answer);
    r.add("Call-ID", call_id_);
    r.add("CSeq", std::to_string(cseq) + " " + method);
    for (const auto& [k, v] : answer_extra) r.add(k, v);
    emit(t + rtt_us, dst, src, r.render());
  }

  // The last request sent again, unchanged (Timer E, RFC 3261 §17.1.2.2).
  void retransmit(std::int64_t t, bool from_a) {
    emit(t, from_a ? a_ : b_, from_a ? b_ : a_, last_request_);
  }

 private:
  static std::string uri_of(const std::string& aor) {
    const auto lt = aor.find('<');
    const auto gt = aor.find('>');
    return lt == std::string::npos ? aor : aor.substr(lt + 1, gt - lt - 1);
  }
  void emit(std::int64_t t, const Endpoint& src, const Endpoint& dst, std::string text) {
    ctx_.out.sip.push_back(SipPacket{t, src, dst, std::move(text)});
    ++ctx_.truth.non_call_sip_messages;
  }

  Context ctx_;
  Endpoint a_, b_;
  std::string a_aor_, b_aor_, call_id_, a_tag_, b_tag_, b_tag_pending_;
  std::uint32_t a_cseq_ = 0, b_cseq_ = 0;
  std::string last_request_;
};

std::string ip_of(const Endpoint& e) {
  return e.ip.text;
}

}  // namespace

// ---- OPTIONS keep-alives ----

// Kamailio-style monitor 198.51.100.1 pings two trunks every 10 s. gw1 answers 200 until
// 40 s, is silent for four pings (each retransmitted at +0.5/+1.5/+3.5 s, Timer E), says
// 503 at 80 s, answers again from 90 s. gw2 answers every ping with 404 (alive).
void activity_peers(const ScenarioOptions& o, Context ctx) {
  const bool v6 = o.ipv6;
  const Endpoint monitor = endpoint({198, 51, 100, 1}, 5060, v6);
  const Endpoint gw1 = endpoint({203, 0, 113, 5}, 5060, v6);
  const Endpoint gw2 = endpoint({203, 0, 113, 6}, 5060, v6);
  const std::int64_t rtt1 = 2 * kMs;
  const std::int64_t rtt2 = 3 * kMs;
  const std::int64_t timer_f = 32'000 * kMs;  // 64*T1
  for (int i = 0; i <= 10; ++i) {
    const double t = 10.0 * i;
    Exchange x(ctx, monitor, gw1, "<sip:ping@" + monitor.host_port() + ">",
               "<sip:" + gw1.host_port() + ">");
    int code = 200;
    if (t >= 40 && t <= 70) code = 0;
    if (t == 80) code = 503;
    x.request(at(t), true, "OPTIONS", {{"Accept", "application/sdp"}}, code, rtt1);
    if (code == 0) {
      for (const double off : {0.5, 1.5, 3.5}) x.retransmit(at(t + off), true);
    }
    Exchange y(ctx, monitor, gw2, "<sip:ping@" + monitor.host_port() + ">",
               "<sip:" + gw2.host_port() + ">");
    y.request(at(t + 5), true, "OPTIONS", {{"Accept", "application/sdp"}}, 404, rtt2);
  }
  // Hand derivation (docs/correlation.md rules): gw1 up at the first 200 (0 s + 2 ms);
  // the 40 s ping's Timer F fires at 72 s -> down; the 503 at 80 s and the later
  // time-outs of the 50/60/70 s pings change nothing (down already / older than the 90 s
  // answer); the 90 s ping's 200 at 90.002 s -> up. Downtime 72 s .. 90.002 s.
  const std::int64_t up1 = at(0) + rtt1;
  const std::int64_t down = at(40) + timer_f;
  const std::int64_t up2 = at(90) + rtt1;
  Json peers = Json::array();
  peers.push_back({{"pinger_ip", ip_of(monitor)},
                   {"peer_ip", ip_of(gw1)},
                   {"peer_port", 5060},
                   {"first_us", at(0)},
                   {"last_us", at(100) + rtt1},
                   {"pings", 11},
                   {"answered", 7},
                   {"timeouts", 4},
                   {"failures", 1},
                   {"state", "up"},
                   {"state_since_us", up2},
                   {"last_code", 200},
                   {"last_rtt_ms", 2.0},
                   {"avg_rtt_ms", 2.0},
                   {"max_rtt_ms", 2.0},
                   {"down_count", 1},
                   {"down_ms", static_cast<double>(up2 - down) / 1000.0}});
  peers.push_back({{"pinger_ip", ip_of(monitor)},
                   {"peer_ip", ip_of(gw2)},
                   {"peer_port", 5060},
                   {"first_us", at(5)},
                   {"last_us", at(105) + rtt2},
                   {"pings", 11},
                   {"answered", 11},
                   {"timeouts", 0},
                   {"failures", 0},
                   {"state", "up"},
                   {"state_since_us", at(5) + rtt2},
                   {"last_code", 404},
                   {"last_rtt_ms", 3.0},
                   {"down_count", 0},
                   {"down_ms", 0.0}});
  Json events = Json::array();
  events.push_back({{"peer_ip", ip_of(gw1)},
                    {"ts_us", up1},
                    {"previous", "unknown"},
                    {"state", "up"},
                    {"code", 200},
                    {"previous_ms", nullptr}});
  events.push_back({{"peer_ip", ip_of(gw2)},
                    {"ts_us", at(5) + rtt2},
                    {"previous", "unknown"},
                    {"state", "up"},
                    {"code", 404},
                    {"previous_ms", nullptr}});
  events.push_back({{"peer_ip", ip_of(gw1)},
                    {"ts_us", down},
                    {"previous", "up"},
                    {"state", "down"},
                    {"code", nullptr},
                    {"previous_ms", static_cast<double>(down - up1) / 1000.0}});
  events.push_back({{"peer_ip", ip_of(gw1)},
                    {"ts_us", up2},
                    {"previous", "down"},
                    {"state", "up"},
                    {"code", 200},
                    {"previous_ms", static_cast<double>(up2 - down) / 1000.0}});
  ctx.truth.activity["peers"] = peers;
  ctx.truth.activity["peer_events"] = events;
  ctx.truth.notes.push_back(
      "activity_peers: 198.51.100.1 pings 203.0.113.5 (down from the 40 s ping's Timer F at "
      "72 s to the 200 at 90.002 s; 503 at 80 s) and 203.0.113.6 (always 404 = alive) every "
      "10 s; unanswered OPTIONS retransmitted 3 times each.");
}

// ---- SUBSCRIBE / NOTIFY ----

void activity_subscribe(const ScenarioOptions& o, Context ctx) {
  const bool v6 = o.ipv6;
  const Endpoint alice = endpoint({192, 0, 2, 10}, 5060, v6);
  const Endpoint carol = endpoint({192, 0, 2, 20}, 5060, v6);
  const Endpoint presence = endpoint({198, 51, 100, 20}, 5060, v6);
  const std::string pidf =
      "<?xml version=\"1.0\"?><presence entity=\"sip:bob@biloxi.example.com\"/>";
  const std::string kPidf = "application/pidf+xml";
  Json subs = Json::array();

  // 1: alice watches bob's presence: 200, NOTIFY pending then active, a refresh at 300 s,
  //    an un-SUBSCRIBE (Expires: 0) at 400 s answered by NOTIFY terminated;reason=timeout.
  Exchange p(ctx, alice, presence, "<sip:alice@" + kAtlanta + ">", "<sip:bob@" + kBiloxi + ">");
  p.request(at(0), true, "SUBSCRIBE",
            {{"Event", "presence"},
             {"Expires", "600"},
             {"Contact", "<sip:alice@" + alice.host_port() + ">"}},
            200, 3 * kMs, {{"Expires", "600"}});
  p.request(at(0.010), false, "NOTIFY",
            {{"Event", "presence"}, {"Subscription-State", "pending;expires=600"}}, 200);
  p.request(at(2.0), false, "NOTIFY",
            {{"Event", "presence"}, {"Subscription-State", "active;expires=598"}}, 200, 3 * kMs, {},
            pidf, kPidf);
  p.request(at(300), true, "SUBSCRIBE", {{"Event", "presence"}, {"Expires", "600"}}, 200, 3 * kMs,
            {{"Expires", "600"}});
  p.request(at(300.010), false, "NOTIFY",
            {{"Event", "presence"}, {"Subscription-State", "active;expires=600"}}, 200, 3 * kMs, {},
            pidf, kPidf);
  p.request(at(400), true, "SUBSCRIBE", {{"Event", "presence"}, {"Expires", "0"}}, 200, 3 * kMs,
            {{"Expires", "0"}});
  p.request(at(400.010), false, "NOTIFY",
            {{"Event", "presence"}, {"Subscription-State", "terminated;reason=timeout"}}, 200);
  subs.push_back({{"sip_call_id", p.call_id()},
                  {"event", "presence"},
                  {"event_id", nullptr},
                  {"subscriber_ip", ip_of(alice)},
                  {"notifier_ip", ip_of(presence)},
                  {"start_us", at(0)},
                  {"end_us", at(400.010)},
                  {"requested_expires", 600},
                  {"expires", 0},
                  {"state", "terminated"},
                  {"reason", "timeout"},
                  {"final_code", 200},
                  {"response_ms", 3.0},
                  {"subscribes", 3},
                  {"refreshes", 2},
                  {"challenges", 0},
                  {"notifies", 4},
                  {"first_notify_us", at(0.010)},
                  {"last_notify_us", at(400.010)},
                  {"history", "pending active terminated:timeout"}});

  // 2: carol's BLF subscription to the dialog package of 1001 (id=17): challenged 401,
  //    retried with credentials, 202; one NOTIFY active; never refreshed, so the capture
  //    (running to 400 s) sees its 120 s expire without a terminating NOTIFY.
  Exchange d(ctx, carol, presence, "<sip:carol@" + kAtlanta + ">", "<sip:1001@" + kAtlanta + ">");
  d.request(at(10), true, "SUBSCRIBE", {{"Event", "dialog;id=17"}, {"Expires", "120"}}, 401,
            3 * kMs, {{"WWW-Authenticate", "Digest realm=\"atlanta.example.com\", nonce=\"1f\""}});
  d.request(at(10.050), true, "SUBSCRIBE",
            {{"Event", "dialog;id=17"},
             {"Expires", "120"},
             {"Authorization", "Digest username=\"carol\", realm=\"atlanta.example.com\""}},
            202, 4 * kMs, {{"Expires", "120"}});
  d.request(at(10.100), false, "NOTIFY",
            {{"Event", "dialog;id=17"}, {"Subscription-State", "active;expires=120"}}, 200);
  subs.push_back({{"sip_call_id", d.call_id()},
                  {"event", "dialog"},
                  {"event_id", "17"},
                  {"start_us", at(10)},
                  {"end_us", at(10.100) + 120'000'000},
                  {"requested_expires", 120},
                  {"expires", 120},
                  {"state", "expired"},
                  {"reason", nullptr},
                  {"final_code", 202},
                  {"response_ms", static_cast<double>(at(10.050) + 4 * kMs - at(10)) / 1000.0},
                  {"subscribes", 2},
                  {"refreshes", 0},
                  {"challenges", 1},
                  {"notifies", 1},
                  {"history", "active"}});

  // 3: alice asks for message-summary at a server that does not know the package: 489.
  Exchange m(ctx, alice, presence, "<sip:alice@" + kAtlanta + ">", "<sip:alice@" + kAtlanta + ">");
  m.request(at(20), true, "SUBSCRIBE", {{"Event", "message-summary"}, {"Expires", "3600"}}, 489);
  subs.push_back({{"sip_call_id", m.call_id()},
                  {"event", "message-summary"},
                  {"start_us", at(20)},
                  {"end_us", at(20) + 3 * kMs},
                  {"state", "rejected"},
                  {"final_code", 489},
                  {"subscribes", 1},
                  {"notifies", 0},
                  {"history", ""}});
  ctx.truth.activity["subscriptions"] = subs;
  ctx.truth.notes.push_back(
      "activity_subscribe: presence subscription refreshed and un-SUBSCRIBEd (terminated, "
      "reason timeout); dialog;id=17 subscription challenged 401 then 202, left to expire "
      "(120 s after its NOTIFY); message-summary rejected 489.");
}

// ---- MESSAGE / PUBLISH ----

void activity_message(const ScenarioOptions& o, Context ctx) {
  const bool v6 = o.ipv6;
  const Endpoint alice = endpoint({192, 0, 2, 10}, 5060, v6);
  const Endpoint server = endpoint({198, 51, 100, 30}, 5060, v6);
  const std::string alice_aor = "<sip:alice@" + kAtlanta + ">";
  const std::string pidf =
      "<?xml version=\"1.0\"?><presence entity=\"sip:alice@atlanta.example.com\"/>";
  Json rows = Json::array();
  auto message = [&](double t, const std::string& to_user, int code, std::int64_t rtt) {
    Exchange x(ctx, alice, server, alice_aor, "<sip:" + to_user + "@" + kBiloxi + ">");
    x.request(at(t), true, "MESSAGE", {}, code, rtt, {}, "Hello", "text/plain");
    Json r = {{"method", "MESSAGE"}, {"sip_call_id", x.call_id()},   {"from_user", "alice"},
              {"to_user", to_user},  {"src_ip", ip_of(alice)},       {"dst_ip", ip_of(server)},
              {"start_us", at(t)},   {"content_type", "text/plain"}, {"body_bytes", 5}};
    if (code != 0) {
      r["final_code"] = code;
      r["final_us"] = at(t) + rtt;
      r["response_ms"] = static_cast<double>(rtt) / 1000.0;
      r["result"] = code < 300 ? "success" : "failed";
    } else {
      r["final_code"] = nullptr;
      r["result"] = "no_response";
    }
    rows.push_back(r);
  };
  message(0, "bob", 200, 4 * kMs);
  message(1, "nobody", 404, 3 * kMs);

  // PUBLISH (RFC 3903 §4.1): initial with a body, refresh by entity-tag, remove.
  Exchange pub(ctx, alice, server, alice_aor, alice_aor);
  pub.request(at(2), true, "PUBLISH", {{"Event", "presence"}, {"Expires", "3600"}}, 200, 5 * kMs,
              {{"SIP-ETag", "dx200xyz"}, {"Expires", "1800"}}, pidf, "application/pidf+xml");
  pub.request(at(60), true, "PUBLISH",
              {{"Event", "presence"}, {"SIP-If-Match", "dx200xyz"}, {"Expires", "3600"}}, 200,
              5 * kMs, {{"SIP-ETag", "kwj449x"}, {"Expires", "1800"}});
  auto publish_row = [&](double t, const char* action, Json if_match, Json etag, int expires,
                         int granted, int body) {
    return Json{{"method", "PUBLISH"},  {"sip_call_id", pub.call_id()},
                {"from_user", "alice"}, {"to_user", "alice"},
                {"start_us", at(t)},    {"final_code", 200},
                {"result", "success"},  {"response_ms", 5.0},
                {"event", "presence"},  {"action", action},
                {"if_match", if_match}, {"etag", etag},
                {"expires", expires},   {"granted_expires", granted},
                {"body_bytes", body}};
  };
  rows.push_back(
      publish_row(2, "initial", nullptr, "dx200xyz", 3600, 1800, static_cast<int>(pidf.size())));
  rows.push_back(publish_row(60, "refresh", "dx200xyz", "kwj449x", 3600, 1800, 0));
  // A MESSAGE nobody answers: no_response once Timer F (32 s) has passed in the capture.
  message(70, "carol", 0, 0);
  pub.request(at(110), true, "PUBLISH",
              {{"Event", "presence"}, {"SIP-If-Match", "kwj449x"}, {"Expires", "0"}}, 200, 5 * kMs,
              {{"SIP-ETag", "kwj449x"}, {"Expires", "0"}});
  rows.push_back(publish_row(110, "remove", "kwj449x", "kwj449x", 0, 0, 0));
  ctx.truth.activity["activity"] = rows;
  ctx.truth.notes.push_back(
      "activity_message: MESSAGE 200, MESSAGE 404, PUBLISH initial/refresh (SIP-If-Match)/"
      "remove, and a MESSAGE at 70 s never answered (no_response: capture runs to 110 s).");
}

// ---- RFC 4028 session timers ----

namespace {

// Adds a header to every copy of the last message starting with `start` (all hops).
std::int64_t add_header(Emission& e, const std::string& start, const std::string& header) {
  std::optional<std::int64_t> first;
  for (auto it = e.sip.rbegin(); it != e.sip.rend(); ++it) {
    if (it->text.rfind(start, 0) != 0) continue;
    const auto eol = it->text.find("\r\n");
    it->text.insert(eol + 2, header + "\r\n");
    first = it->ts_us;
    break;
  }
  return first.value_or(0);
}

}  // namespace

void activity_session_timer(const ScenarioOptions& o, Context ctx) {
  const bool v6 = o.ipv6;
  const std::string se = "Session-Expires: 90;refresher=uac";
  Json findings = Json::array();

  // 1: 90 s timer, refreshed by UPDATE at 48 s and 93 s, BYE at 120 s: no finding.
  const Party alice = party("alice", "", kAtlanta, {192, 0, 2, 10}, 5060, 49170, v6);
  const Party bob = party("bob", "", kBiloxi, {203, 0, 113, 20}, 5060, 3456, v6);
  Call c1(ctx, call_id(ctx.rng, alice), alice, bob);
  c1.invite(at(1), {{"Supported", "timer"}, {"Session-Expires", "90"}});
  c1.trying(at(1.02));
  c1.ringing(at(1.5));
  c1.answer(at(3));
  (void)add_header(ctx.out, "SIP/2.0 200", se + "\r\nRequire: timer");
  c1.ack(at(3.02));
  c1.in_dialog(at(48), Side::kCaller, "UPDATE", {{"Session-Expires", "90;refresher=uac"}});
  (void)add_header(ctx.out, "SIP/2.0 200", se);
  c1.in_dialog(at(93), Side::kCaller, "UPDATE", {{"Session-Expires", "90;refresher=uac"}});
  (void)add_header(ctx.out, "SIP/2.0 200", se);
  c1.bye(at(120), Side::kCaller);

  // 2: the same 90 s timer, never refreshed and no BYE; the capture runs to 200 s.
  const Party carol = party("carol", "", kAtlanta, {192, 0, 2, 20}, 5060, 40000, v6);
  const Party dave = party("dave", "", kBiloxi, {203, 0, 113, 30}, 5060, 40002, v6);
  Call c2(ctx, call_id(ctx.rng, carol), carol, dave);
  c2.invite(at(2), {{"Supported", "timer"}, {"Session-Expires", "90"}});
  c2.trying(at(2.02));
  c2.ringing(at(2.5));
  c2.answer(at(4));
  const std::int64_t set_us = add_header(ctx.out, "SIP/2.0 200", se + "\r\nRequire: timer");
  c2.ack(at(4.02));
  findings.push_back({{"sip_call_id", c2.truth().sip_call_id},
                      {"kind", "session_timer_expired"},
                      {"ts_us", set_us + 90'000'000}});

  // 3: no session timer at all, answered 150 s .. 200 s: no finding.
  const Party erin = party("erin", "", kAtlanta, {192, 0, 2, 11}, 5060, 41000, v6);
  const Party frank = party("frank", "", kBiloxi, {203, 0, 113, 21}, 5060, 41002, v6);
  Call c3(ctx, call_id(ctx.rng, erin), erin, frank);
  answered(c3, 150, 0.3, 1.0, 49.0, Side::kCallee, {}, false);
  ctx.truth.activity["session_timer_diagnostics"] = findings;
  ctx.truth.notes.push_back(
      "activity_session_timer: Session-Expires 90 s; call 1 refreshed by UPDATE at 48 s and "
      "93 s then BYE; call 2 never refreshed nor ended (session_timer_expired 90 s after its "
      "200); call 3 without timer.");
}

}  // namespace sipscope::gen
