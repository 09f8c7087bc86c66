// Store's RecordSink side: each correlate/ record (call, message, transaction, dialog,
// stream, RTCP report, ...) bound to its prepared INSERT and written as one row.
#include <sqlite3.h>

#include <optional>
#include <string>
#include <string_view>

#include "correlate/dialog.hpp"
#include "correlate/transaction.hpp"
#include "decode/rtcp.hpp"
#include "store/activity_rows.hpp"
#include "store/sql.hpp"
#include "store/store.hpp"
#include "store/store_impl.hpp"

namespace sipscope::store {

namespace {

// messages.frames, diagnostics.frames: "17,18,19".
std::string frame_list(const std::vector<uint64_t>& frames) {
  std::string out;
  for (const uint64_t f : frames) {
    if (!out.empty()) out += ',';
    out += std::to_string(f);
  }
  return out;
}

// rtcp_reports.packet_type: the RFC 3550 name, or the number for other RTCP types.
std::string rtcp_type_text(uint8_t packet_type) {
  const std::string_view name = decode::rtcp::packet_type_name(packet_type);
  return name.empty() ? std::to_string(packet_type) : std::string(name);
}

}  // namespace

void Store::on_call(correlate::CallRecord call, std::vector<correlate::MessageRecord> messages) {
  write_call(call, impl_->live);
  for (auto& m : messages) on_message(std::move(m));
}

void Store::upsert_open_call(const correlate::CallRecord& call) {
  write_call(call, true);
}

void Store::write_call(const correlate::CallRecord& call, bool upsert) {
  Impl& s = *impl_;
  s.check_open();
  s.begin_if_needed();
  if (upsert) {
    s.unindex_call->bind(1, call.id);
    s.unindex_call->run();
  }
  auto& st = upsert ? *s.upsert_call : *s.insert_call;
  st.bind_all(call.id, call.sip_call_id, call.group_id, call.from_user, call.to_user, call.from_uri,
              call.to_uri, call.caller_ip, call.callee_ip, decode::transport_name(call.transport),
              call.start_us, call.ring_us, call.answer_us, call.end_us,
              correlate::call_state_name(call.state), call.final_code, call.final_reason,
              call.hangup_by ? std::optional(correlate::party_name(*call.hangup_by)) : std::nullopt,
              call.pdd_ms, call.duration_ms, call.message_count, call.hangup_reason,
              call.q850_cause);
  st.run();
  s.add_pending_index->bind(1, call.id);
  s.add_pending_index->run();
  s.row_written();
}

void Store::on_message(correlate::MessageRecord m) {
  Impl& s = *impl_;
  s.check_open();
  s.begin_if_needed();
  auto& st = *s.insert_message;
  st.bind_all(m.call_id, static_cast<int64_t>(m.capture_id), static_cast<int64_t>(m.frame), m.ts_us,
              m.src_ip, m.src_port, m.dst_ip, m.dst_port, decode::transport_name(m.transport),
              m.method, m.status_code, m.reason, m.cseq, m.cseq_method, m.sip_call_id,
              m.retransmission ? 1 : 0, m.raw);
  st.bind(18, m.frames.empty() ? std::nullopt : std::optional(frame_list(m.frames)));
  st.bind(19, m.hep_agent);
  st.run();
  s.row_written();
}

void Store::on_anomaly(correlate::AnomalyRecord a) {
  Impl& s = *impl_;
  s.check_open();
  s.begin_if_needed();
  auto& st = *s.insert_anomaly;
  st.bind_all(static_cast<int64_t>(a.capture_id), a.call_id, a.ts_us, decode::anomaly_name(a.kind),
              a.detail);
  // Frames are 1-based; 0 means the anomaly is not tied to one frame (e.g. end of input).
  st.bind(6, nonzero(static_cast<int64_t>(a.frame)));
  st.bind(7, a.flow);
  st.run();
  s.row_written();
}

void Store::on_transaction(correlate::TransactionRecord t) {
  Impl& s = *impl_;
  s.check_open();
  s.begin_if_needed();
  auto& st = *s.insert_transaction;
  st.bind_all(t.call_id, t.sip_call_id, t.method, t.cseq, t.branch, t.src_ip, t.src_port, t.dst_ip,
              t.dst_port, correlate::tx_state_name(t.state), t.start_us, t.first_response_us,
              t.final_us, t.final_code, t.response_ms, t.requests, t.responses, t.retransmissions);
  st.run();
  s.row_written();
}

void Store::on_diagnostic(correlate::DiagnosticRecord d) {
  Impl& s = *impl_;
  s.check_open();
  s.begin_if_needed();
  auto& st = *s.insert_diagnostic;
  st.bind_all(d.call_id, d.ts_us, correlate::diagnostic_kind_name(d.kind), d.detail,
              frame_list(d.frames));
  st.run();
  s.row_written();
}

void Store::on_dialog(correlate::DialogRecord d) {
  Impl& s = *impl_;
  s.check_open();
  s.begin_if_needed();
  auto& st = *s.insert_dialog;
  st.bind_all(d.call_id, d.from_tag, d.to_tag, correlate::dialog_state_name(d.state), d.remote_ip,
              d.created_us, d.confirmed_us, d.terminated_us, d.first_code, d.final_code,
              d.reinvites, d.updates, d.pracks, d.holds);
  st.run();
  s.row_written();
}

void Store::on_call_link(correlate::CallLinkRecord l) {
  Impl& s = *impl_;
  s.check_open();
  s.begin_if_needed();
  auto& st = *s.insert_call_link;
  st.bind_all(l.call_id, l.linked_call_id, l.reason);
  st.run();
  auto& up = *s.update_group;
  up.bind_all(l.group_id, l.call_id, l.linked_call_id);
  up.run();
  s.row_written();
}

void Store::on_registration(correlate::RegistrationRecord r) {
  Impl& s = *impl_;
  s.check_open();
  s.begin_if_needed();
  auto& st = *s.insert_registration;
  st.bind_all(r.sip_call_id, r.user, r.aor, r.contact, r.registrant_ip, r.registrar_ip,
              decode::transport_name(r.transport), r.start_us, r.end_us, r.requested_expires,
              r.expires, r.result, r.final_code, r.final_reason, r.attempts, r.challenges,
              r.response_ms);
  st.run();
  s.row_written();
}

void Store::on_stream(correlate::StreamRecord r) {
  Impl& s = *impl_;
  s.check_open();
  s.begin_if_needed();
  auto& st = *s.insert_stream;
  st.bind_all(r.call_id, r.src_ip, r.src_port, r.dst_ip, r.dst_port, static_cast<int64_t>(r.ssrc),
              r.payload_type, r.codec, r.first_us, r.last_us, r.packets, r.expected, r.lost,
              r.duplicates, r.out_of_order, r.jitter_mean_ms, r.jitter_max_ms, r.max_delta_ms,
              r.mos, static_cast<int64_t>(r.capture_id), static_cast<int64_t>(r.first_frame),
              static_cast<int64_t>(r.last_frame), r.clock_rate, r.mean_delta_ms, r.seq_wraps,
              r.seq_restarts, r.loss_bursts, r.max_burst, r.markers, r.comfort_noise,
              r.telephone_event_packets, r.late_discards, r.r_factor,
              correlate::stream_association_name(r.association), r.rtcp_fraction_lost,
              r.rtcp_cumulative_lost, r.rtcp_jitter_ms, r.rtcp_rtt_ms, r.mos_limited_by);
  st.run();
  s.row_written();
  const int64_t stream_id = sqlite3_last_insert_rowid(s.db);
  for (const auto& d : r.dtmf) {
    auto& dt = *s.insert_dtmf;
    dt.bind_all(stream_id, r.call_id, d.ts_us, nonzero(static_cast<int64_t>(d.frame)),
                std::string_view(&d.digit, 1), d.event, d.volume, d.duration_ms, d.ended ? 1 : 0);
    dt.run();
    s.row_written();
  }
  for (const auto& x : r.samples) {
    auto& sp = *s.insert_sample;
    sp.bind_all(stream_id, r.call_id, x.start_us, x.interval_ms, x.packets, x.expected, x.lost,
                x.late_discards, x.jitter_ms, x.jitter_max_ms, x.max_delta_ms);
    sp.run();
    s.row_written();
  }
}

void Store::on_rtcp(correlate::RtcpRecord r) {
  Impl& s = *impl_;
  s.check_open();
  s.begin_if_needed();
  auto& st = *s.insert_rtcp;
  st.bind_all(r.call_id, static_cast<int64_t>(r.capture_id), static_cast<int64_t>(r.frame), r.ts_us,
              r.src_ip, r.src_port, r.dst_ip, r.dst_port, rtcp_type_text(r.packet_type),
              static_cast<int64_t>(r.sender_ssrc), r.source_ssrc, r.fraction_lost,
              r.cumulative_lost, r.highest_seq, r.jitter_units, r.jitter_ms, r.rtt_ms, r.xr_mos_lq,
              r.xr_mos_cq, r.xr_r_factor, r.detail);
  st.run();
  s.row_written();
}

// Non-call activity: one row each, bound by report/activity_rows.cpp.
// (Impl is deduced: the free function needs no access to the private name.)
template <typename Impl, typename Record, typename Bind>
void insert_row(Impl& s, std::optional<sql::Statement>& st, const Record& r, Bind bind) {
  s.check_open();
  s.begin_if_needed();
  bind(*st, r);
  st->run();
  s.row_written();
}

void Store::on_peer(correlate::PeerRecord r) {
  insert_row(*impl_, impl_->insert_peer, r, rows::bind_peer);
}

void Store::on_peer_event(correlate::PeerEventRecord r) {
  insert_row(*impl_, impl_->insert_peer_event, r, rows::bind_peer_event);
}

void Store::on_subscription(correlate::SubscriptionRecord r) {
  insert_row(*impl_, impl_->insert_subscription, r, rows::bind_subscription);
}

void Store::on_activity(correlate::ActivityRecord r) {
  insert_row(*impl_, impl_->insert_activity, r, rows::bind_activity);
}

}  // namespace sipscope::store
