#include <charconv>

#include "report/format.hpp"
#include "report/json.hpp"
#include "report/ladder.hpp"
#include "report/listing.hpp"

namespace sipscope::correlate {

namespace {
template <typename T>
nlohmann::json opt(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}
}  // namespace

void to_json(nlohmann::json& j, const CallRecord& c) {
  j = nlohmann::json{
      {"id", c.id},
      {"sip_call_id", c.sip_call_id},
      {"group_id", opt(c.group_id)},
      {"from_user", opt(c.from_user)},
      {"to_user", opt(c.to_user)},
      {"from_uri", opt(c.from_uri)},
      {"to_uri", opt(c.to_uri)},
      {"caller_ip", opt(c.caller_ip)},
      {"callee_ip", opt(c.callee_ip)},
      {"transport", decode::transport_name(c.transport)},
      {"start_us", opt(c.start_us)},
      {"ring_us", opt(c.ring_us)},
      {"answer_us", opt(c.answer_us)},
      {"end_us", opt(c.end_us)},
      {"state", call_state_name(c.state)},
      {"final_code", opt(c.final_code)},
      {"final_reason", opt(c.final_reason)},
      {"hangup_by", c.hangup_by ? nlohmann::json(party_name(*c.hangup_by)) : nullptr},
      {"pdd_ms", opt(c.pdd_ms)},
      {"duration_ms", opt(c.duration_ms)},
      {"message_count", c.message_count},
  };
}

}  // namespace sipscope::correlate

namespace sipscope::report {

void to_json(nlohmann::json& j, const Participant& p) {
  j = nlohmann::json{
      {"index", p.index},
      {"address", p.address},
      {"addresses", p.addresses.empty() ? std::vector<std::string>{p.address} : p.addresses}};
}

void to_json(nlohmann::json& j, const LadderEvent& e) {
  j = nlohmann::json{
      {"message_id", e.message_id},
      {"call_id", e.call_id},
      {"ts_us", e.ts_us},
      {"time", format::iso_utc_ms(e.ts_us)},
      {"delta_prev_us", e.delta_prev_us},
      {"offset_us", e.offset_us},
      {"from", e.from},
      {"to", e.to},
      {"label", e.label},
      {"transport", e.transport},
      {"method", correlate::opt(e.method)},
      {"status_code", correlate::opt(e.status_code)},
      {"cseq", correlate::opt(e.cseq)},
      {"cseq_method", correlate::opt(e.cseq_method)},
      {"retransmission", e.retransmission},
      {"capture_id", e.capture_id},
      {"frame", e.frame},
      {"raw", e.raw},
  };
}

}  // namespace sipscope::report

namespace sipscope::store {

void to_json(nlohmann::json& j, const StreamRow& s) {
  j = nlohmann::json{
      {"id", s.id},
      {"call_id", correlate::opt(s.call_id)},
      {"src_ip", s.src_ip},
      {"src_port", s.src_port},
      {"dst_ip", s.dst_ip},
      {"dst_port", s.dst_port},
      {"ssrc", s.ssrc},
      {"payload_type", correlate::opt(s.payload_type)},
      {"codec", correlate::opt(s.codec)},
      {"first_us", correlate::opt(s.first_us)},
      {"last_us", correlate::opt(s.last_us)},
      {"packets", s.packets},
      {"expected", correlate::opt(s.expected)},
      {"lost", correlate::opt(s.lost)},
      {"duplicates", correlate::opt(s.duplicates)},
      {"out_of_order", correlate::opt(s.out_of_order)},
      {"jitter_mean_ms", correlate::opt(s.jitter_mean_ms)},
      {"jitter_max_ms", correlate::opt(s.jitter_max_ms)},
      {"max_delta_ms", correlate::opt(s.max_delta_ms)},
      {"mos", correlate::opt(s.mos)},
      {"rtcp_fraction_lost", correlate::opt(s.rtcp_fraction_lost)},
      {"rtcp_cumulative_lost", correlate::opt(s.rtcp_cumulative_lost)},
      {"rtcp_jitter_ms", correlate::opt(s.rtcp_jitter_ms)},
      {"rtcp_rtt_ms", correlate::opt(s.rtcp_rtt_ms)},
  };
}

void to_json(nlohmann::json& j, const FindingRow& f) {
  j = nlohmann::json{{"call_id", f.call_id},
                     {"ts_us", correlate::opt(f.ts_us)},
                     {"kind", f.kind},
                     {"detail", f.detail}};
}

}  // namespace sipscope::store

namespace sipscope::report {

void to_json(nlohmann::json& j, const Ladder& l) {
  j = nlohmann::json{
      {"version", kLadderJsonVersion},  {"redacted", l.redacted},  {"calls", l.calls},
      {"participants", l.participants}, {"events", l.events},      {"streams", l.streams},
      {"diagnostics", l.diagnostics},   {"anomalies", l.anomalies}};
}

std::string dump_json(const nlohmann::json& j) {
  std::string out = j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  out += '\n';
  return out;
}

std::string render_json(const Ladder& ladder) {
  return dump_json(nlohmann::json(ladder));
}

std::string render_calls_json(const std::vector<correlate::CallRecord>& calls) {
  return dump_json(nlohmann::json(calls));
}

namespace {

template <typename T>
void csv_value(std::string& out, const std::optional<T>& v) {
  if (!v) return;  // NULL is the empty field
  if constexpr (std::is_same_v<T, std::string>) {
    listing::field(out, *v);
  } else {
    char buf[32];
    // Shortest text that reads back to the same value (also for the REAL columns).
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *v);
    out.append(buf, ec == std::errc() ? end : buf);
  }
}

}  // namespace

std::string render_calls_csv(const std::vector<correlate::CallRecord>& calls) {
  std::string out =
      "id,sip_call_id,group_id,from_user,to_user,from_uri,to_uri,caller_ip,callee_ip,transport,"
      "start_us,ring_us,answer_us,end_us,state,final_code,final_reason,hangup_by,pdd_ms,"
      "duration_ms,message_count\r\n";
  for (const auto& c : calls) {
    auto sep = [&out] { out += ','; };
    csv_value(out, std::optional<int64_t>(c.id)), sep();
    listing::field(out, c.sip_call_id), sep();
    csv_value(out, c.group_id), sep();
    csv_value(out, c.from_user), sep();
    csv_value(out, c.to_user), sep();
    csv_value(out, c.from_uri), sep();
    csv_value(out, c.to_uri), sep();
    csv_value(out, c.caller_ip), sep();
    csv_value(out, c.callee_ip), sep();
    listing::field(out, decode::transport_name(c.transport)), sep();
    csv_value(out, c.start_us), sep();
    csv_value(out, c.ring_us), sep();
    csv_value(out, c.answer_us), sep();
    csv_value(out, c.end_us), sep();
    listing::field(out, correlate::call_state_name(c.state)), sep();
    csv_value(out, c.final_code), sep();
    csv_value(out, c.final_reason), sep();
    csv_value(out, c.hangup_by ? std::optional(std::string(correlate::party_name(*c.hangup_by)))
                               : std::nullopt),
        sep();
    csv_value(out, c.pdd_ms), sep();
    csv_value(out, c.duration_ms), sep();
    csv_value(out, std::optional<int64_t>(c.message_count));
    out += "\r\n";
  }
  return out;
}

}  // namespace sipscope::report
