#include "truth.hpp"

namespace sipscope::gen {
namespace {

// No final response after 32 s = Timer B (64*T1) has fired: docs/states.md "no_answer".
constexpr std::int64_t kNoAnswerAfterUs = 32'000'000;

template <typename T>
nlohmann::ordered_json opt(const std::optional<T>& v) {
  return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(nullptr);
}

std::string state_for_code(int code) {
  if (code >= 200 && code < 300) return "answered";
  if (code >= 300 && code < 400) return "redirected";
  if (code == 487) return "cancelled";
  if (code == 486 || code == 600) return "busy";
  if (code == 603 || code == 607 || code == 608) return "rejected";
  if (code == 408 || code == 480) return "no_answer";
  return "failed";
}

}  // namespace

CallTruth& Truth::new_call(std::string sip_call_id) {
  CallTruth& c = calls.emplace_back();
  c.sip_call_id = std::move(sip_call_id);
  return c;
}

std::uint64_t Truth::sip_messages() const {
  std::uint64_t n = non_call_sip_messages + unlisted_call_sip_messages;
  for (const auto& c : calls) n += c.message_count;
  return n;
}

void Truth::finalize(std::int64_t capture_last_us) {
  for (auto& c : calls) {
    if (!c.initial_invite_seen) {
      c.state = "unknown";
    } else if (c.answer_us) {
      c.state = "answered";
    } else if (c.final_code) {
      c.state = state_for_code(*c.final_code);
    } else if (c.cancel_answered) {
      c.state = "cancelled";
    } else if (c.start_us && capture_last_us - *c.start_us >= kNoAnswerAfterUs) {
      c.state = "no_answer";
    } else {
      c.state = "in_progress";
    }
    if (c.ring_us && c.start_us) c.pdd_ms = static_cast<double>(*c.ring_us - *c.start_us) / 1000.0;
    if (c.answer_us && c.end_us) {
      c.duration_ms = static_cast<double>(*c.end_us - *c.answer_us) / 1000.0;
    }
  }
  if (!dialogs) return;
  for (auto& d : *dialogs) {
    // An early dialog whose INVITE was answered on another branch, or failed, is over
    // (RFC 3261 §13.2.2.4) even though nothing on the wire ended it.
    if (d.terminated_us || (!d.confirmed_us && d.invite_final)) {
      d.state = "terminated";
    } else {
      d.state = d.confirmed_us ? "confirmed" : "early";
    }
  }
}

nlohmann::ordered_json Truth::to_json() const {
  nlohmann::ordered_json j;
  j["generator"] = kGeneratorVersion;
  j["scenario"] = scenario;
  j["seed"] = seed;
  j["link_type"] = link_type;
  j["packets"] = packets;
  j["sip_messages"] = sip_messages();
  j["non_call_sip_messages"] = non_call_sip_messages;
  auto& jc = j["calls"] = nlohmann::ordered_json::array();
  for (const auto& c : calls) {
    nlohmann::ordered_json o;
    o["sip_call_id"] = c.sip_call_id;
    o["from_user"] = opt(c.from_user);
    o["to_user"] = opt(c.to_user);
    o["from_uri"] = opt(c.from_uri);
    o["to_uri"] = opt(c.to_uri);
    o["caller_ip"] = opt(c.caller_ip);
    o["callee_ip"] = opt(c.callee_ip);
    o["transport"] = c.transport;
    o["start_us"] = opt(c.start_us);
    o["ring_us"] = opt(c.ring_us);
    o["answer_us"] = opt(c.answer_us);
    o["end_us"] = opt(c.end_us);
    o["state"] = c.state;
    o["final_code"] = opt(c.final_code);
    o["final_reason"] = opt(c.final_reason);
    o["hangup_by"] = opt(c.hangup_by);
    o["pdd_ms"] = opt(c.pdd_ms);
    o["duration_ms"] = opt(c.duration_ms);
    o["message_count"] = c.message_count;
    jc.push_back(std::move(o));
  }
  auto& js = j["rtp_streams"] = nlohmann::ordered_json::array();
  for (const auto& s : streams) {
    nlohmann::ordered_json o = {{"src", s.src},           {"dst", s.dst},
                                {"ssrc", s.ssrc},         {"payload_type", s.payload_type},
                                {"codec", s.codec},       {"packets", s.packets},
                                {"expected", s.expected}, {"lost", s.lost},
                                {"first_us", s.first_us}, {"last_us", s.last_us}};
    if (s.detailed) {
      o["duplicates"] = s.duplicates;
      o["out_of_order"] = s.out_of_order;
      o["max_delay_us"] = s.max_delay_us;
      o["sip_call_id"] = s.sip_call_id;
      o["association"] = s.association;
      if (s.tshark_lost != s.lost) o["tshark_lost"] = s.tshark_lost;
    }
    js.push_back(std::move(o));
  }
  if (!notes.empty()) j["notes"] = notes;
  if (!wire.empty()) j["wire"] = wire;
  if (!anomalies.empty()) j["anomalies"] = anomalies;
  if (!tshark_args.empty()) j["tshark_args"] = tshark_args;
  if (tshark_sip_messages) j["tshark_sip_messages"] = *tshark_sip_messages;
  if (!pending_decoder.empty()) j["pending_decoder"] = pending_decoder;
  for (const auto& [key, value] : activity.items()) j[key] = value;
  if (!flood.empty()) j["flood"] = flood;
  if (dialogs) {
    auto& jd = j["dialogs"] = nlohmann::ordered_json::array();
    for (const auto& d : *dialogs) {
      jd.push_back({{"call", d.call},
                    {"to_tag", d.to_tag},
                    {"state", d.state},
                    {"remote_ip", d.remote_ip},
                    {"created_us", opt(d.created_us)},
                    {"confirmed_us", opt(d.confirmed_us)},
                    {"terminated_us", opt(d.terminated_us)},
                    {"first_code", opt(d.first_code)},
                    {"final_code", opt(d.final_code)},
                    {"reinvites", d.reinvites},
                    {"updates", d.updates},
                    {"pracks", d.pracks},
                    {"holds", d.holds}});
    }
  }
  if (links) {
    auto& jl = j["links"] = nlohmann::ordered_json::array();
    for (const auto& l : *links) {
      jl.push_back({{"call", l.call}, {"linked", l.linked}, {"reason", l.reason}});
    }
  }
  if (diagnostics) {
    auto& jd = j["diagnostics"] = nlohmann::ordered_json::array();
    for (const auto& d : *diagnostics) jd.push_back({{"call", d.call}, {"kind", d.kind}});
  }
  if (registrations) {
    auto& jr = j["registrations"] = nlohmann::ordered_json::array();
    for (const auto& r : *registrations) {
      jr.push_back({{"sip_call_id", r.sip_call_id},
                    {"user", r.user},
                    {"aor", r.aor},
                    {"contact", r.contact},
                    {"registrant_ip", r.registrant_ip},
                    {"registrar_ip", r.registrar_ip},
                    {"transport", r.transport},
                    {"start_us", r.start_us},
                    {"end_us", opt(r.end_us)},
                    {"requested_expires", opt(r.requested_expires)},
                    {"expires", opt(r.expires)},
                    {"result", r.result},
                    {"final_code", opt(r.final_code)},
                    {"final_reason", opt(r.final_reason)},
                    {"attempts", r.attempts},
                    {"challenges", r.challenges},
                    {"response_ms", opt(r.response_ms)}});
    }
  }
  return j;
}

}  // namespace sipscope::gen
