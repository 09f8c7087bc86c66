// Internal to store/: Store::Impl (the connection, its prepared statements, the batched
// transaction, schema creation and checks) and the SQL it prepares, shared by store.cpp
// (open, captures, close) and store_rows.cpp (one row per correlate/ record).
#pragma once

#include <sqlite3.h>

#include <optional>
#include <string>

#include "store/activity_rows.hpp"
#include "store/redaction_key.hpp"
#include "store/schema.hpp"
#include "store/sql.hpp"
#include "store/store.hpp"

namespace sipscope::store {

// Rows per transaction: large enough that a multi-GB capture is not fsync-bound, small
// enough that an interrupted run keeps nearly everything (commit() is also called at exit).
inline constexpr int kBatchRows = 10'000;
// A new temporary file (Store::use_bulk_load): an interruption loses nothing already
// committed that anyone reads, so fewer, larger transactions (each commit rewrites the
// index pages it touched and flushes the FTS5 segment).
inline constexpr int kBulkBatchRows = 100'000;

inline std::optional<int64_t> nonzero(int64_t v) {
  if (v == 0) return std::nullopt;
  return v;
}

namespace writer_sql {

inline constexpr const char* kInsertCapture = "INSERT INTO captures (path, status) VALUES (?1, ?2)";
inline constexpr const char* kFinishCapture =
    "UPDATE captures SET link_type = ?1, first_us = ?2, last_us = ?3, packets = ?4, "
    "status = ?5, size = ?7, mtime_us = ?8, sha256 = ?9, kernel_drops = ?10, "
    "interface_drops = ?11 WHERE id = ?6";
inline constexpr const char* kInsertCall =
    "INSERT INTO calls (id, sip_call_id, group_id, from_user, to_user, from_uri, to_uri, "
    "caller_ip, callee_ip, transport, start_us, ring_us, answer_us, end_us, state, final_code, "
    "final_reason, hangup_by, pdd_ms, duration_ms, message_count, hangup_reason, q850_cause) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
    "?19, ?20, ?21, ?22, ?23)";
// Live capture: the open call's row is stored already (upsert_open_call); a later row
// replaces it under the same id, keeping a group set by a link meanwhile. Files keep the
// plain insert, so a duplicate id stays an error there.
inline constexpr const char* kUpsertCallTail =
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
// call_search (docs/schema.md). Each write to an FTS5 table is a statement savepoint, at
// which FTS5 (SQLite 3.40) writes its pending terms out as a new segment: indexing call by
// call made analyze 45 % slower. So the ids of the call rows written in a transaction wait
// in a temporary table and are indexed by one statement just before COMMIT, from the rows
// as they are then. A stored row about to be replaced (live) leaves the index first,
// unless it is still waiting (FTS5 external content: removed with the values it was
// indexed with).
inline constexpr const char* kCreatePendingIndex =
    "CREATE TEMP TABLE IF NOT EXISTS call_search_pending (id INTEGER PRIMARY KEY)";
inline constexpr const char* kAddPendingIndex =
    "INSERT OR IGNORE INTO temp.call_search_pending (id) VALUES (?1)";
inline constexpr const char* kUnindexCall =
    "INSERT INTO call_search (call_search, rowid, from_user, to_user, from_uri, to_uri, "
    "caller_ip, callee_ip, sip_call_id) SELECT 'delete', id, from_user, to_user, from_uri, "
    "to_uri, caller_ip, callee_ip, sip_call_id FROM calls WHERE id = ?1 AND id NOT IN "
    "(SELECT id FROM temp.call_search_pending)";
inline constexpr const char* kIndexPending =
    "INSERT INTO call_search (rowid, from_user, to_user, from_uri, to_uri, caller_ip, callee_ip, "
    "sip_call_id) SELECT id, from_user, to_user, from_uri, to_uri, caller_ip, callee_ip, "
    "sip_call_id FROM calls WHERE id IN (SELECT id FROM temp.call_search_pending); "
    "DELETE FROM temp.call_search_pending;";
inline constexpr const char* kInsertMessage =
    "INSERT INTO messages (call_id, capture_id, frame, ts_us, src_ip, src_port, dst_ip, "
    "dst_port, transport, method, status_code, reason, cseq, cseq_method, sip_call_id, "
    "retransmission, raw, frames, hep_agent) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
    "?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)";
inline constexpr const char* kInsertTransaction =
    "INSERT INTO transactions (call_id, sip_call_id, method, cseq, branch, src_ip, src_port, "
    "dst_ip, dst_port, state, start_us, first_response_us, final_us, final_code, response_ms, "
    "requests, responses, retransmissions) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
    "?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)";
inline constexpr const char* kInsertDiagnostic =
    "INSERT INTO diagnostics (call_id, ts_us, kind, detail, frames) VALUES (?1, ?2, ?3, ?4, ?5)";
inline constexpr const char* kInsertDialog =
    "INSERT INTO dialogs (call_id, from_tag, to_tag, state, remote_ip, created_us, "
    "confirmed_us, terminated_us, first_code, final_code, reinvites, updates, pracks, holds) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";
inline constexpr const char* kInsertCallLink =
    "INSERT INTO call_links (call_id, linked_call_id, reason) VALUES (?1, ?2, ?3)";
// The earlier leg may already be stored: give it the group too, and when the link merges
// two groups, every stored member of either (correlate/call_links.hpp).
inline constexpr const char* kUpdateGroup =
    "UPDATE calls SET group_id = ?1 WHERE id IN (?2, ?3) OR group_id IN (SELECT group_id FROM "
    "calls WHERE id IN (?2, ?3) AND group_id IS NOT NULL)";
inline constexpr const char* kInsertRegistration =
    "INSERT INTO registrations (sip_call_id, user, aor, contact, registrant_ip, registrar_ip, "
    "transport, start_us, end_us, requested_expires, expires, result, final_code, final_reason, "
    "attempts, challenges, response_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
    "?12, ?13, ?14, ?15, ?16, ?17)";
inline constexpr const char* kInsertStream =
    "INSERT INTO streams (call_id, src_ip, src_port, dst_ip, dst_port, ssrc, payload_type, codec, "
    "first_us, last_us, packets, expected, lost, duplicates, out_of_order, jitter_mean_ms, "
    "jitter_max_ms, max_delta_ms, mos, capture_id, first_frame, last_frame, clock_rate, "
    "mean_delta_ms, seq_wraps, seq_restarts, loss_bursts, max_burst, markers, comfort_noise, "
    "telephone_events, late_discards, r_factor, association, rtcp_fraction_lost, "
    "rtcp_cumulative_lost, rtcp_jitter_ms, rtcp_rtt_ms, mos_limited_by) VALUES (?1, ?2, ?3, ?4, "
    "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, "
    "?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37, ?38, ?39)";
inline constexpr const char* kInsertDtmf =
    "INSERT INTO dtmf_events (stream_id, call_id, ts_us, frame, digit, event, volume, "
    "duration_ms, ended) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
inline constexpr const char* kInsertSample =
    "INSERT INTO stream_samples (stream_id, call_id, start_us, interval_ms, packets, expected, "
    "lost, late_discards, jitter_ms, jitter_max_ms, max_delta_ms) VALUES (?1, ?2, ?3, ?4, ?5, "
    "?6, ?7, ?8, ?9, ?10, ?11)";
inline constexpr const char* kInsertRtcp =
    "INSERT INTO rtcp_reports (call_id, capture_id, frame, ts_us, src_ip, src_port, dst_ip, "
    "dst_port, packet_type, sender_ssrc, source_ssrc, fraction_lost, cumulative_lost, "
    "highest_seq, jitter_units, jitter_ms, rtt_ms, xr_mos_lq, xr_mos_cq, xr_r_factor, detail) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
    "?19, ?20, ?21)";
inline constexpr const char* kInsertAnomaly =
    "INSERT INTO anomalies (capture_id, call_id, ts_us, kind, detail, frame, flow) VALUES (?1, "
    "?2, ?3, ?4, ?5, ?6, ?7)";

}  // namespace writer_sql

struct Store::Impl {
  std::string path;
  sqlite3* db = nullptr;
  std::optional<sql::Statement> insert_capture, finish_capture, insert_call, upsert_call,
      add_pending_index, unindex_call, insert_message, insert_anomaly;
  std::optional<sql::Statement> insert_transaction, insert_diagnostic, insert_dialog,
      insert_call_link, update_group, insert_registration;
  std::optional<sql::Statement> insert_stream, insert_dtmf, insert_rtcp;  // media
  std::optional<sql::Statement> insert_peer, insert_peer_event, insert_subscription,
      insert_activity;  // non-call activity (report/activity_rows.hpp)
  std::optional<sql::Statement> insert_sample;
  bool in_transaction = false;
  bool live = false;  // use_wal()
  int pending_rows = 0;
  int batch_rows = kBatchRows;  // kBulkBatchRows after use_bulk_load()

  ~Impl() {
    // Statements must be finalized before the connection closes.
    reset_correlation_statements();
    insert_capture.reset();
    finish_capture.reset();
    insert_call.reset();
    upsert_call.reset();
    add_pending_index.reset();
    unindex_call.reset();
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
    if (++pending_rows >= batch_rows && !live) commit();
  }

  void commit() {
    if (in_transaction) {
      sql::exec(db, path, writer_sql::kIndexPending);
      sql::exec(db, path, "COMMIT");
      in_transaction = false;
    }
    pending_rows = 0;
  }

  void prepare() {
    // Every record is bound from values that outlive the run() (sql.hpp: Text::borrowed).
    constexpr auto kBorrowed = sql::Statement::Text::borrowed;
    insert_capture.emplace(db, path, writer_sql::kInsertCapture, kBorrowed);
    finish_capture.emplace(db, path, writer_sql::kFinishCapture, kBorrowed);
    insert_call.emplace(db, path, writer_sql::kInsertCall, kBorrowed);
    upsert_call.emplace(
        db, path, (std::string(writer_sql::kInsertCall) + writer_sql::kUpsertCallTail).c_str(),
        kBorrowed);
    sql::exec(db, path, writer_sql::kCreatePendingIndex);
    add_pending_index.emplace(db, path, writer_sql::kAddPendingIndex, kBorrowed);
    unindex_call.emplace(db, path, writer_sql::kUnindexCall, kBorrowed);
    insert_message.emplace(db, path, writer_sql::kInsertMessage, kBorrowed);
    insert_anomaly.emplace(db, path, writer_sql::kInsertAnomaly, kBorrowed);
    insert_transaction.emplace(db, path, writer_sql::kInsertTransaction, kBorrowed);
    insert_diagnostic.emplace(db, path, writer_sql::kInsertDiagnostic, kBorrowed);
    insert_dialog.emplace(db, path, writer_sql::kInsertDialog, kBorrowed);
    insert_call_link.emplace(db, path, writer_sql::kInsertCallLink, kBorrowed);
    update_group.emplace(db, path, writer_sql::kUpdateGroup, kBorrowed);
    insert_registration.emplace(db, path, writer_sql::kInsertRegistration, kBorrowed);
    insert_peer.emplace(db, path, rows::kInsertPeer, kBorrowed);
    insert_peer_event.emplace(db, path, rows::kInsertPeerEvent, kBorrowed);
    insert_subscription.emplace(db, path, rows::kInsertSubscription, kBorrowed);
    insert_activity.emplace(db, path, rows::kInsertActivity, kBorrowed);
    insert_stream.emplace(db, path, writer_sql::kInsertStream, kBorrowed);
    insert_dtmf.emplace(db, path, writer_sql::kInsertDtmf, kBorrowed);
    insert_sample.emplace(db, path, writer_sql::kInsertSample, kBorrowed);
    insert_rtcp.emplace(db, path, writer_sql::kInsertRtcp, kBorrowed);
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
        std::string has = "SELECT count(*) FROM pragma_table_info('";
        has += table;
        has += "') WHERE name = '";
        has += column.name;
        has += "'";
        if (sql::query_int(db, path, has.c_str()) == 0) {
          std::string add = "ALTER TABLE ";
          add += table;
          add += " ADD COLUMN ";
          add += column.name;
          add += " ";
          add += column.type;
          sql::exec(db, path, add.c_str());
        }
      }
    };
    add_missing("captures", schema::kCaptureAddedColumns);
    add_missing("messages", schema::kMessageAddedColumns);
    add_missing("streams", schema::kStreamAddedColumns);
    const bool has_call_search =
        sql::query_int(db, path, "SELECT count(*) FROM sqlite_schema WHERE name = 'call_search'") !=
        0;
    sql::exec(db, path, schema::kAddedTablesSql);
    if (!has_call_search) sql::exec(db, path, schema::kRebuildCallSearchSql);
  }

  void configure() {
    // One file for the user: no WAL side files. synchronous=OFF because a crash mid-analysis
    // means re-running it anyway; the rollback journal still keeps the file consistent.
    sql::exec(db, path,
              "PRAGMA journal_mode = DELETE; PRAGMA synchronous = OFF; "
              "PRAGMA cache_size = -32768; PRAGMA busy_timeout = 5000;");
  }
};

}  // namespace sipscope::store
