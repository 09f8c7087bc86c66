
#include "report/format.hpp"
#include "report/json.hpp"
#include "report/ladder.hpp"

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
      {"sdp", e.sdp},
      {"media_change", correlate::opt(e.media_change)},
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
      {"mos_limited_by", correlate::opt(s.mos_limited_by)},
      {"rtcp_fraction_lost", correlate::opt(s.rtcp_fraction_lost)},
      {"rtcp_cumulative_lost", correlate::opt(s.rtcp_cumulative_lost)},
      {"rtcp_jitter_ms", correlate::opt(s.rtcp_jitter_ms)},
      {"rtcp_rtt_ms", correlate::opt(s.rtcp_rtt_ms)},
  };
}

void to_json(nlohmann::json& j, const DtmfRow& d) {
  j = nlohmann::json{{"stream_id", d.stream_id}, {"call_id", d.call_id},
                     {"ts_us", d.ts_us},         {"frame", d.frame},
                     {"digit", d.digit},         {"duration_ms", correlate::opt(d.duration_ms)}};
}

void to_json(nlohmann::json& j, const LinkRow& l) {
  j = nlohmann::json{
      {"call_id", l.call_id}, {"linked_call_id", l.linked_call_id}, {"reason", l.reason}};
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
  // Each call also says when it was first seen (its first event): the only time a call
  // first seen mid-dialog (start_us null, mid_dialog true) has.
  nlohmann::json calls = nlohmann::json::array();
  for (const auto& c : l.calls) {
    nlohmann::json call = c;
    call["first_seen_us"] = correlate::opt(first_seen_us(l, c.id));
    call["mid_dialog"] = !c.start_us.has_value();
    calls.push_back(std::move(call));
  }
  j = nlohmann::json{{"version", kLadderJsonVersion},
                     {"redacted", l.redacted},
                     {"calls", std::move(calls)},
                     {"participants", l.participants},
                     {"events", l.events},
                     {"streams", l.streams},
                     {"diagnostics", l.diagnostics},
                     {"anomalies", l.anomalies},
                     {"dtmf", l.dtmf},
                     {"links", l.links}};
}

std::string dump_json(const nlohmann::json& j) {
  std::string out = j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  out += '\n';
  return out;
}

std::string render_json(const Ladder& ladder) {
  return dump_json(nlohmann::json(ladder));
}

}  // namespace sipscope::report
