#include "store/store.hpp"

#include <sqlite3.h>

#include <filesystem>
#include <optional>
#include <system_error>

#include "correlate/dialog.hpp"
#include "correlate/transaction.hpp"
#include "decode/rtcp.hpp"
#include "store/activity_rows.hpp"
#include "store/redaction_key.hpp"
#include "store/schema.hpp"
#include "store/sql.hpp"

namespace sipscope::store {

namespace {

// Rows per transaction: large enough that a multi-GB capture is not fsync-bound, small
// enough that an interrupted run keeps nearly everything (commit() is also called at exit).
constexpr int kBatchRows = 10'000;

constexpr const char* kInsertCapture = "INSERT INTO captures (path, status) VALUES (?1, ?2)";
constexpr const char* kFinishCapture =
    "UPDATE captures SET link_type = ?1, first_us = ?2, last_us = ?3, packets = ?4, "
    "status = ?5, size = ?7, mtime_us = ?8, sha256 = ?9, kernel_drops = ?10, "
    "interface_drops = ?11 WHERE id = ?6";
constexpr const char* kInsertCall =
    "INSERT INTO calls (id, sip_call_id, group_id, from_user, to_user, from_uri, to_uri, "
    "caller_ip, callee_ip, transport, start_us, ring_us, answer_us, end_us, state, final_code, "
    "final_reason, hangup_by, pdd_ms, duration_ms, message_count, hangup_reason, q850_cause) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
    "?19, ?20, ?21, ?22, ?23)";
// Live capture: the open call's row is stored already (upsert_open_call); a later row
// replaces it under the same id, keeping a group set by a link meanwhile. Files keep the
// plain insert, so a duplicate id stays an error there.
constexpr const char* kUpsertCallTail =
    " ON CONFLICT(id) DO UPDATE SET sip_call_id = excluded.sip_call_id, "
    "group_id = coalesce(excluded.group_id, group_id), from_user = excluded.from_user, "
    "to_user = excluded.to_user, from_uri = excluded.from_uri, to_uri = excluded.to_uri, "
    "caller_ip = excluded.caller_ip, callee_ip = excluded.callee_ip, "
    "transport = excluded.transport, start_us = excluded.start_us, ring_us = excluded.ring_us, "
    "answer_us = excluded.answer_us, end_us = excluded.end_us, state = excluded.state, "
    "final_code = excluded.final_code, final_reason = excluded.final_reason, "
    "hangup_by = excluded.hangup_by, pdd_ms = excluded.pdd_ms, "
    "duration_ms = excluded.duration_ms, message_count = excluded.message_count, "
    "hangup_reason = excluded.hangup_reason, q850_cause = excluded.q850_cause";
constexpr const char* kInsertMessage =
    "INSERT INTO messages (call_id, capture_id, frame, ts_us, src_ip, src_port, dst_ip, "
    "dst_port, transport, method, status_code, reason, cseq, cseq_method, sip_call_id, "
    "retransmission, raw, frames, hep_agent) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
    "?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)";
constexpr const char* kInsertTransaction =
    "INSERT INTO transactions (call_id, sip_call_id, method, cseq, branch, src_ip, src_port, "
    "dst_ip, dst_port, state, start_us, first_response_us, final_us, final_code, response_ms, "
    "requests, responses, retransmissions) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
    "?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)";
constexpr const char* kInsertDiagnostic =
    "INSERT INTO diagnostics (call_id, ts_us, kind, detail, frames) VALUES (?1, ?2, ?3, ?4, ?5)";
constexpr const char* kInsertDialog =
    "INSERT INTO dialogs (call_id, from_tag, to_tag, state, remote_ip, created_us, "
    "confirmed_us, terminated_us, first_code, final_code, reinvites, updates, pracks, holds) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";
constexpr const char* kInsertCallLink =
    "INSERT INTO call_links (call_id, linked_call_id, reason) VALUES (?1, ?2, ?3)";
// The earlier leg may already be stored: give it the group too, and when the link merges
// two groups, every stored member of either (correlate/call_links.hpp).
constexpr const char* kUpdateGroup =
    "UPDATE calls SET group_id = ?1 WHERE id IN (?2, ?3) OR group_id IN (SELECT group_id FROM "
    "calls WHERE id IN (?2, ?3) AND group_id IS NOT NULL)";
constexpr const char* kInsertRegistration =
    "INSERT INTO registrations (sip_call_id, user, aor, contact, registrant_ip, registrar_ip, "
    "transport, start_us, end_us, requested_expires, expires, result, final_code, final_reason, "
    "attempts, challenges, response_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
    "?12, ?13, ?14, ?15, ?16, ?17)";
constexpr const char* kInsertStream =
    "INSERT INTO streams (call_id, src_ip, src_port, dst_ip, dst_port, ssrc, payload_type, codec, "
    "first_us, last_us, packets, expected, lost, duplicates, out_of_order, jitter_mean_ms, "
    "jitter_max_ms, max_delta_ms, mos, capture_id, first_frame, last_frame, clock_rate, "
    "mean_delta_ms, seq_wraps, seq_restarts, loss_bursts, max_burst, markers, comfort_noise, "
    "telephone_events, late_discards, r_factor, association, rtcp_fraction_lost, "
    "rtcp_cumulative_lost, rtcp_jitter_ms, rtcp_rtt_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
    "?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, "
    "?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37, ?38)";
constexpr const char* kInsertDtmf =
    "INSERT INTO dtmf_events (stream_id, call_id, ts_us, frame, digit, event, volume, "
    "duration_ms, ended) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
constexpr const char* kInsertSample =
    "INSERT INTO stream_samples (stream_id, call_id, start_us, interval_ms, packets, expected, "
    "lost, late_discards, jitter_ms, jitter_max_ms, max_delta_ms) VALUES (?1, ?2, ?3, ?4, ?5, "
    "?6, ?7, ?8, ?9, ?10, ?11)";
constexpr const char* kInsertRtcp =
    "INSERT INTO rtcp_reports (call_id, capture_id, frame, ts_us, src_ip, src_port, dst_ip, "
    "dst_port, packet_type, sender_ssrc, source_ssrc, fraction_lost, cumulative_lost, "
    "highest_seq, jitter_units, jitter_ms, rtt_ms, xr_mos_lq, xr_mos_cq, xr_r_factor, detail) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
    "?19, ?20, ?21)";
constexpr const char* kInsertAnomaly =
    "INSERT INTO anomalies (capture_id, call_id, ts_us, kind, detail, frame, flow) VALUES (?1, "
    "?2, ?3, ?4, ?5, ?6, ?7)";

std::optional<int64_t> nonzero(int64_t v) {
  if (v == 0) return std::nullopt;
  return v;
}

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

void remove_if_present(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove(path, ec);
  if (ec && ec != std::errc::no_such_file_or_directory) {
    throw StoreError(path + ": cannot replace existing file: " + ec.message());
  }
}

sqlite3* open_file(const std::string& path, int flags) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    std::string msg =
        path + ": cannot open database: " + (db != nullptr ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    throw StoreError(msg);
  }
  sqlite3_extended_result_codes(db, 1);
  return db;
}

}  // namespace

struct Store::Impl {
  std::string path;
  sqlite3* db = nullptr;
  std::optional<sql::Statement> insert_capture, finish_capture, insert_call, upsert_call,
      insert_message, insert_anomaly;
  std::optional<sql::Statement> insert_transaction, insert_diagnostic, insert_dialog,
      insert_call_link, update_group, insert_registration;
  std::optional<sql::Statement> insert_stream, insert_dtmf, insert_rtcp;  // media
  std::optional<sql::Statement> insert_peer, insert_peer_event, insert_subscription,
      insert_activity;  // non-call activity (report/activity_rows.hpp)
  std::optional<sql::Statement> insert_sample;
  bool in_transaction = false;
  bool live = false;  // use_wal()
  int pending_rows = 0;

  ~Impl() {
    // Statements must be finalized before the connection closes.
    reset_correlation_statements();
    insert_capture.reset();
    finish_capture.reset();
    insert_call.reset();
    upsert_call.reset();
    insert_message.reset();
    insert_anomaly.reset();
    if (db != nullptr) sqlite3_close_v2(db);
  }

  void reset_correlation_statements() {
    insert_peer.reset();
    insert_peer_event.reset();
    insert_subscription.reset();
    insert_activity.reset();
    insert_stream.reset();
    insert_dtmf.reset();
    insert_sample.reset();
    insert_rtcp.reset();
    insert_transaction.reset();
    insert_diagnostic.reset();
    insert_dialog.reset();
    insert_call_link.reset();
    update_group.reset();
    insert_registration.reset();
  }

  void check_open() const {
    if (db == nullptr) throw StoreError(path + ": database is closed");
  }

  void begin_if_needed() {
    if (!in_transaction) {
      sql::exec(db, path, "BEGIN");
      in_transaction = true;
    }
  }

  void row_written() {
    // Live: only the caller's once-a-second commit, which falls between records, so a
    // reader never sees a call without its messages.
    if (++pending_rows >= kBatchRows && !live) commit();
  }

  void commit() {
    if (in_transaction) {
      sql::exec(db, path, "COMMIT");
      in_transaction = false;
    }
    pending_rows = 0;
  }

  void prepare() {
    insert_capture.emplace(db, path, kInsertCapture);
    finish_capture.emplace(db, path, kFinishCapture);
    insert_call.emplace(db, path, kInsertCall);
    upsert_call.emplace(db, path, (std::string(kInsertCall) + kUpsertCallTail).c_str());
    insert_message.emplace(db, path, kInsertMessage);
    insert_anomaly.emplace(db, path, kInsertAnomaly);
    insert_transaction.emplace(db, path, kInsertTransaction);
    insert_diagnostic.emplace(db, path, kInsertDiagnostic);
    insert_dialog.emplace(db, path, kInsertDialog);
    insert_call_link.emplace(db, path, kInsertCallLink);
    update_group.emplace(db, path, kUpdateGroup);
    insert_registration.emplace(db, path, kInsertRegistration);
    insert_peer.emplace(db, path, rows::kInsertPeer);
    insert_peer_event.emplace(db, path, rows::kInsertPeerEvent);
    insert_subscription.emplace(db, path, rows::kInsertSubscription);
    insert_activity.emplace(db, path, rows::kInsertActivity);
    insert_stream.emplace(db, path, kInsertStream);
    insert_dtmf.emplace(db, path, kInsertDtmf);
    insert_sample.emplace(db, path, kInsertSample);
    insert_rtcp.emplace(db, path, kInsertRtcp);
  }

  void create_schema() {
    sql::exec(db, path, "BEGIN");
    sql::exec(db, path, schema::kCreateSql);
    sql::exec(db, path, schema::kAddedTablesSql);
    const std::string pragmas =
        "PRAGMA application_id = " + std::to_string(schema::kApplicationId) +
        "; PRAGMA user_version = " + std::to_string(kSchemaVersion) + ";";
    sql::exec(db, path, pragmas.c_str());
    detail::create_redaction_key(db, path);  // pseudonyms of this database (--redact)
    sql::exec(db, path, "COMMIT");
  }

  // append mode on an existing file: it must be ours and of this schema version.
  void check_schema() {
    int64_t app_id = 0;
    int64_t version = 0;
    int64_t tables = 0;
    try {
      app_id = sql::query_int(db, path, "PRAGMA application_id");
      version = sql::query_int(db, path, "PRAGMA user_version");
      tables = sql::query_int(db, path, "SELECT count(*) FROM sqlite_schema");
    } catch (const StoreError&) {
      throw StoreError(path + ": not a sipscope database (" + sqlite3_errmsg(db) + ")");
    }
    if (app_id == 0 && version == 0 && tables == 0) {
      create_schema();  // an empty SQLite file: nothing to preserve
      return;
    }
    if (app_id != schema::kApplicationId || version != kSchemaVersion) {
      throw StoreError(path + ": not a sipscope database (schema version " +
                       std::to_string(version) + ", expected " + std::to_string(kSchemaVersion) +
                       ")");
    }
    // Columns added within this version (docs/schema.md "Versioning") before appending.
    const auto add_missing = [&](const char* table, const auto& columns) {
      for (const auto& column : columns) {
        const std::string has = std::string("SELECT count(*) FROM pragma_table_info('") + table +
                                "') WHERE name = '" + column.name + "'";
        if (sql::query_int(db, path, has.c_str()) == 0) {
          const std::string add = std::string("ALTER TABLE ") + table + " ADD COLUMN " +
                                  column.name + " " + column.type;
          sql::exec(db, path, add.c_str());
        }
      }
    };
    add_missing("captures", schema::kCaptureAddedColumns);
    add_missing("messages", schema::kMessageAddedColumns);
    sql::exec(db, path, schema::kAddedTablesSql);
  }

  void configure() {
    // One file for the user: no WAL side files. synchronous=OFF because a crash mid-analysis
    // means re-running it anyway; the rollback journal still keeps the file consistent.
    sql::exec(db, path,
              "PRAGMA journal_mode = DELETE; PRAGMA synchronous = OFF; "
              "PRAGMA cache_size = -32768; PRAGMA busy_timeout = 5000;");
  }
};

std::unique_ptr<Store> Store::open(const std::string& path, Mode mode) {
  std::unique_ptr<Store> store(new Store());
  store->impl_ = std::make_unique<Impl>();
  Impl& s = *store->impl_;
  s.path = path;
  std::error_code ec;
  const bool exists = std::filesystem::exists(path, ec);
  if (mode == Mode::replace || !exists) {
    remove_if_present(path);
    remove_if_present(path + "-journal");
    remove_if_present(path + "-wal");
    remove_if_present(path + "-shm");
    s.db = open_file(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    s.configure();
    s.create_schema();
  } else {
    s.db = open_file(path, SQLITE_OPEN_READWRITE);
    s.check_schema();
    s.configure();
  }
  s.prepare();
  return store;
}

Store::~Store() {
  try {
    close();
  } catch (const StoreError&) {
    // A destructor cannot report; callers who care call close() themselves.
  }
}

uint32_t Store::add_capture(const std::string& path) {
  Impl& s = *impl_;
  s.check_open();
  s.begin_if_needed();
  s.insert_capture->bind(1, path);
  // Until finish_capture() says otherwise, a capture whose analysis never finished is
  // exactly that: interrupted.
  s.insert_capture->bind(2, std::string_view("interrupted"));
  s.insert_capture->run();
  s.row_written();
  return static_cast<uint32_t>(sqlite3_last_insert_rowid(s.db));
}

void Store::add_hep_skew(const correlate::HepSkewRecord& row) {
  Impl& s = *impl_;
  s.check_open();
  s.begin_if_needed();
  sql::Statement st(s.db, s.path,
                    "INSERT INTO hep_skew (first_agent, other_agent, messages, mean_us, min_us, "
                    "max_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  st.bind_all(row.first_agent, row.other_agent, row.messages, row.mean_us, row.min_us, row.max_us);
  st.run();
}

void Store::finish_capture(const CaptureSummary& summary) {
  Impl& s = *impl_;
  s.check_open();
  s.begin_if_needed();
  auto& st = *s.finish_capture;
  std::optional<std::string> sha256;
  if (!summary.sha256.empty()) sha256 = summary.sha256;
  // Size unknown (a file sipscope wrote itself, e.g. a --pcap-out rotation): NULL, not 0,
  // so evidence checks do not take it for an empty file.
  std::optional<int64_t> size;
  if (summary.size != 0 || sha256) size = static_cast<int64_t>(summary.size);
  st.bind_all(summary.link_type, nonzero(summary.first_us), nonzero(summary.last_us),
              static_cast<int64_t>(summary.packets), summary.status,
              static_cast<int64_t>(summary.capture_id), size, summary.mtime_us, sha256,
              summary.kernel_drops, summary.interface_drops);
  st.run();
  s.commit();
}

int64_t Store::next_call_id() const {
  const Impl& s = *impl_;
  s.check_open();
  return sql::query_int(s.db, s.path, "SELECT coalesce(max(id), 0) + 1 FROM calls");
}

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
  auto& st = upsert ? *s.upsert_call : *s.insert_call;
  st.bind_all(call.id, call.sip_call_id, call.group_id, call.from_user, call.to_user, call.from_uri,
              call.to_uri, call.caller_ip, call.callee_ip, decode::transport_name(call.transport),
              call.start_us, call.ring_us, call.answer_us, call.end_us,
              correlate::call_state_name(call.state), call.final_code, call.final_reason,
              call.hangup_by ? std::optional(correlate::party_name(*call.hangup_by)) : std::nullopt,
              call.pdd_ms, call.duration_ms, call.message_count, call.hangup_reason,
              call.q850_cause);
  st.run();
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
              r.rtcp_cumulative_lost, r.rtcp_jitter_ms, r.rtcp_rtt_ms);
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

void Store::use_wal() {
  Impl& s = *impl_;
  s.check_open();
  s.commit();
  // Readers (sqlite3, `sipscope calls`, the web UI) see the last commit while the writer
  // goes on; synchronous=NORMAL keeps the file consistent across a power loss in WAL mode.
  // The writer only appends: a small page cache keeps a capture that runs for days flat
  // in memory (the 32 MB of analyze would fill over the first half hour).
  sql::exec(s.db, s.path,
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -4096;");
  s.live = true;
}

void Store::commit() {
  Impl& s = *impl_;
  s.check_open();
  s.commit();
}

void Store::close() {
  if (!impl_ || impl_->db == nullptr) return;
  Impl& s = *impl_;
  s.commit();
  s.insert_capture.reset();
  s.finish_capture.reset();
  s.insert_call.reset();
  s.upsert_call.reset();
  s.insert_message.reset();
  s.insert_anomaly.reset();
  s.reset_correlation_statements();
  if (sqlite3_close_v2(s.db) != SQLITE_OK) {
    std::string msg = s.path + ": cannot close database: " + sqlite3_errmsg(s.db);
    s.db = nullptr;
    throw StoreError(msg);
  }
  s.db = nullptr;
}

}  // namespace sipscope::store
