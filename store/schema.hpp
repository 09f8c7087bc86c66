// Internal to store/: the DDL of schema version kSchemaVersion (documented column by
// column in docs/schema.md) and the application_id that marks a file as sipscope's.
// Any change to a table or column meaning bumps kSchemaVersion (store.hpp) and the doc.
#pragma once

#include <cstdint>

namespace sipscope::store::schema {

// PRAGMA application_id: "SIPS" in ASCII, so `file` and readers can tell our files apart.
inline constexpr int32_t kApplicationId = 0x53495053;

// captures columns added after files of this version existed: a store appending to an
// older file adds them (ALTER TABLE ... ADD COLUMN), readers treat them as NULL there.
struct AddedColumn {
  const char* name;
  const char* type;
};
inline constexpr AddedColumn kCaptureAddedColumns[] = {{"size", "INTEGER"},
                                                       {"mtime_us", "INTEGER"},
                                                       {"sha256", "TEXT"},
                                                       {"kernel_drops", "INTEGER"},
                                                       {"interface_drops", "INTEGER"}};
// The same for messages.
inline constexpr AddedColumn kMessageAddedColumns[] = {{"hep_agent", "TEXT"}};
// The same for streams.
inline constexpr AddedColumn kStreamAddedColumns[] = {{"mos_limited_by", "TEXT"}};

inline constexpr const char* kCreateSql = R"sql(
CREATE TABLE captures (
  id        INTEGER PRIMARY KEY,
  path      TEXT NOT NULL,
  link_type INTEGER,
  first_us  INTEGER,
  last_us   INTEGER,
  packets   INTEGER,
  status    TEXT NOT NULL,
  kernel_drops    INTEGER,
  interface_drops INTEGER,
  size      INTEGER,
  mtime_us  INTEGER,
  sha256    TEXT
);
CREATE TABLE calls (
  id            INTEGER PRIMARY KEY,
  sip_call_id   TEXT NOT NULL,
  group_id      INTEGER,
  from_user     TEXT,
  to_user       TEXT,
  from_uri      TEXT,
  to_uri        TEXT,
  caller_ip     TEXT,
  callee_ip     TEXT,
  transport     TEXT,
  start_us      INTEGER,
  ring_us       INTEGER,
  answer_us     INTEGER,
  end_us        INTEGER,
  state         TEXT NOT NULL,
  final_code    INTEGER,
  final_reason  TEXT,
  hangup_by     TEXT,
  pdd_ms        REAL,
  duration_ms   REAL,
  message_count INTEGER NOT NULL,
  hangup_reason TEXT,
  q850_cause    INTEGER
);
CREATE INDEX calls_sip_call_id ON calls(sip_call_id);
CREATE INDEX calls_start_us ON calls(start_us);
CREATE INDEX calls_group_id ON calls(group_id);
CREATE TABLE call_links (
  call_id        INTEGER NOT NULL,
  linked_call_id INTEGER NOT NULL,
  reason         TEXT NOT NULL
);
CREATE INDEX call_links_call_id ON call_links(call_id);
CREATE INDEX call_links_linked_call_id ON call_links(linked_call_id);
CREATE TABLE messages (
  id             INTEGER PRIMARY KEY,
  call_id        INTEGER,
  capture_id     INTEGER NOT NULL,
  frame          INTEGER NOT NULL,
  ts_us          INTEGER NOT NULL,
  src_ip         TEXT NOT NULL,
  src_port       INTEGER NOT NULL,
  dst_ip         TEXT NOT NULL,
  dst_port       INTEGER NOT NULL,
  transport      TEXT NOT NULL,
  method         TEXT,
  status_code    INTEGER,
  reason         TEXT,
  cseq           INTEGER,
  cseq_method    TEXT,
  sip_call_id    TEXT NOT NULL,
  retransmission INTEGER NOT NULL,
  raw            TEXT NOT NULL,
  frames         TEXT,
  hep_agent      TEXT
);
CREATE INDEX messages_call_id_ts ON messages(call_id, ts_us);
CREATE INDEX messages_sip_call_id ON messages(sip_call_id);
CREATE TABLE streams (
  id             INTEGER PRIMARY KEY,
  call_id        INTEGER,
  src_ip         TEXT NOT NULL,
  src_port       INTEGER NOT NULL,
  dst_ip         TEXT NOT NULL,
  dst_port       INTEGER NOT NULL,
  ssrc           INTEGER NOT NULL,
  payload_type   INTEGER,
  codec          TEXT,
  first_us       INTEGER,
  last_us        INTEGER,
  packets        INTEGER NOT NULL,
  expected       INTEGER,
  lost           INTEGER,
  duplicates     INTEGER,
  out_of_order   INTEGER,
  jitter_mean_ms REAL,
  jitter_max_ms  REAL,
  max_delta_ms   REAL,
  mos            REAL,
  capture_id     INTEGER,
  first_frame    INTEGER,
  last_frame     INTEGER,
  clock_rate     INTEGER,
  mean_delta_ms  REAL,
  seq_wraps      INTEGER,
  seq_restarts   INTEGER,
  loss_bursts    INTEGER,
  max_burst      INTEGER,
  markers        INTEGER,
  comfort_noise  INTEGER,
  telephone_events INTEGER,
  late_discards  INTEGER,
  r_factor       REAL,
  association    TEXT,
  rtcp_fraction_lost   REAL,
  rtcp_cumulative_lost INTEGER,
  rtcp_jitter_ms       REAL,
  rtcp_rtt_ms          REAL,
  mos_limited_by       TEXT
);
CREATE INDEX streams_call_id ON streams(call_id);
CREATE TABLE dtmf_events (
  id          INTEGER PRIMARY KEY,
  stream_id   INTEGER NOT NULL,
  call_id     INTEGER,
  ts_us       INTEGER NOT NULL,
  frame       INTEGER,
  digit       TEXT NOT NULL,
  event       INTEGER NOT NULL,
  volume      INTEGER NOT NULL,
  duration_ms REAL,
  ended       INTEGER NOT NULL
);
CREATE INDEX dtmf_events_call_id ON dtmf_events(call_id);
CREATE TABLE stream_samples (
  id            INTEGER PRIMARY KEY,
  stream_id     INTEGER NOT NULL,
  call_id       INTEGER,
  start_us      INTEGER NOT NULL,
  interval_ms   INTEGER NOT NULL,
  packets       INTEGER NOT NULL,
  expected      INTEGER NOT NULL,
  lost          INTEGER NOT NULL,
  late_discards INTEGER NOT NULL,
  jitter_ms     REAL,
  jitter_max_ms REAL,
  max_delta_ms  REAL
);
CREATE INDEX stream_samples_stream_id ON stream_samples(stream_id);
CREATE TABLE rtcp_reports (
  id              INTEGER PRIMARY KEY,
  call_id         INTEGER,
  capture_id      INTEGER NOT NULL,
  frame           INTEGER NOT NULL,
  ts_us           INTEGER NOT NULL,
  src_ip          TEXT NOT NULL,
  src_port        INTEGER NOT NULL,
  dst_ip          TEXT NOT NULL,
  dst_port        INTEGER NOT NULL,
  packet_type     TEXT NOT NULL,
  sender_ssrc     INTEGER NOT NULL,
  source_ssrc     INTEGER,
  fraction_lost   REAL,
  cumulative_lost INTEGER,
  highest_seq     INTEGER,
  jitter_units    INTEGER,
  jitter_ms       REAL,
  rtt_ms          REAL,
  xr_mos_lq       REAL,
  xr_mos_cq       REAL,
  xr_r_factor     REAL,
  detail          TEXT
);
CREATE INDEX rtcp_reports_call_id ON rtcp_reports(call_id);
CREATE VIEW call_quality AS
  SELECT call_id, MIN(mos) AS mos, MIN(r_factor) AS r_factor, COUNT(*) AS streams,
         SUM(packets) AS packets, SUM(lost) AS lost, MAX(jitter_max_ms) AS jitter_max_ms
  FROM streams WHERE call_id IS NOT NULL GROUP BY call_id;
CREATE TABLE diagnostics (
  id      INTEGER PRIMARY KEY,
  call_id INTEGER NOT NULL,
  ts_us   INTEGER,
  kind    TEXT NOT NULL,
  detail  TEXT,
  frames  TEXT
);
CREATE INDEX diagnostics_call_id ON diagnostics(call_id);
CREATE TABLE anomalies (
  id         INTEGER PRIMARY KEY,
  capture_id INTEGER NOT NULL,
  call_id    INTEGER,
  ts_us      INTEGER NOT NULL,
  kind       TEXT NOT NULL,
  detail     TEXT NOT NULL,
  frame      INTEGER,
  flow       TEXT
);
CREATE INDEX anomalies_kind ON anomalies(kind);
CREATE INDEX anomalies_call_id ON anomalies(call_id);
CREATE TABLE transactions (
  id                INTEGER PRIMARY KEY,
  call_id           INTEGER,
  sip_call_id       TEXT NOT NULL,
  method            TEXT NOT NULL,
  cseq              INTEGER NOT NULL,
  branch            TEXT NOT NULL,
  src_ip            TEXT NOT NULL,
  src_port          INTEGER NOT NULL,
  dst_ip            TEXT NOT NULL,
  dst_port          INTEGER NOT NULL,
  state             TEXT NOT NULL,
  start_us          INTEGER NOT NULL,
  first_response_us INTEGER,
  final_us          INTEGER,
  final_code        INTEGER,
  response_ms       REAL,
  requests          INTEGER NOT NULL,
  responses         INTEGER NOT NULL,
  retransmissions   INTEGER NOT NULL
);
CREATE INDEX transactions_call_id ON transactions(call_id);
CREATE INDEX transactions_method ON transactions(method);
CREATE TABLE dialogs (
  id            INTEGER PRIMARY KEY,
  call_id       INTEGER NOT NULL,
  from_tag      TEXT NOT NULL,
  to_tag        TEXT NOT NULL,
  state         TEXT NOT NULL,
  remote_ip     TEXT,
  created_us    INTEGER NOT NULL,
  confirmed_us  INTEGER,
  terminated_us INTEGER,
  first_code    INTEGER,
  final_code    INTEGER,
  reinvites     INTEGER NOT NULL,
  updates       INTEGER NOT NULL,
  pracks        INTEGER NOT NULL,
  holds         INTEGER NOT NULL
);
CREATE INDEX dialogs_call_id ON dialogs(call_id);
CREATE TABLE registrations (
  id                INTEGER PRIMARY KEY,
  sip_call_id       TEXT NOT NULL,
  user              TEXT,
  aor               TEXT,
  contact           TEXT,
  registrant_ip     TEXT,
  registrar_ip      TEXT,
  transport         TEXT NOT NULL,
  start_us          INTEGER NOT NULL,
  end_us            INTEGER,
  requested_expires INTEGER,
  expires           INTEGER,
  result            TEXT NOT NULL,
  final_code        INTEGER,
  final_reason      TEXT,
  attempts          INTEGER NOT NULL,
  challenges        INTEGER NOT NULL,
  response_ms       REAL
);
CREATE INDEX registrations_start_us ON registrations(start_us);
CREATE TABLE peers (
  id             INTEGER PRIMARY KEY,
  pinger_ip      TEXT NOT NULL,
  peer_ip        TEXT NOT NULL,
  peer_port      INTEGER NOT NULL,
  transport      TEXT NOT NULL,
  peer_uri       TEXT,
  first_us       INTEGER NOT NULL,
  last_us        INTEGER NOT NULL,
  pings          INTEGER NOT NULL,
  answered       INTEGER NOT NULL,
  timeouts       INTEGER NOT NULL,
  failures       INTEGER NOT NULL,
  state          TEXT NOT NULL,
  state_since_us INTEGER,
  last_code      INTEGER,
  last_rtt_ms    REAL,
  avg_rtt_ms     REAL,
  max_rtt_ms     REAL,
  down_count     INTEGER NOT NULL,
  down_ms        REAL NOT NULL
);
CREATE TABLE peer_events (
  id          INTEGER PRIMARY KEY,
  pinger_ip   TEXT NOT NULL,
  peer_ip     TEXT NOT NULL,
  peer_port   INTEGER NOT NULL,
  ts_us       INTEGER NOT NULL,
  state       TEXT NOT NULL,
  previous    TEXT NOT NULL,
  reason      TEXT NOT NULL,
  code        INTEGER,
  capture_id  INTEGER NOT NULL,
  frame       INTEGER,
  previous_ms REAL
);
CREATE INDEX peer_events_peer ON peer_events(peer_ip, peer_port, ts_us);
CREATE TABLE subscriptions (
  id                INTEGER PRIMARY KEY,
  sip_call_id       TEXT NOT NULL,
  event             TEXT NOT NULL,
  event_id          TEXT,
  subscriber_uri    TEXT,
  resource_uri      TEXT,
  subscriber_ip     TEXT,
  notifier_ip       TEXT,
  transport         TEXT NOT NULL,
  start_us          INTEGER NOT NULL,
  end_us            INTEGER,
  requested_expires INTEGER,
  expires           INTEGER,
  state             TEXT NOT NULL,
  reason            TEXT,
  final_code        INTEGER,
  final_reason      TEXT,
  response_ms       REAL,
  subscribes        INTEGER NOT NULL,
  refreshes         INTEGER NOT NULL,
  challenges        INTEGER NOT NULL,
  notifies          INTEGER NOT NULL,
  first_notify_us   INTEGER,
  last_notify_us    INTEGER,
  history           TEXT NOT NULL
);
CREATE INDEX subscriptions_start_us ON subscriptions(start_us);
CREATE TABLE activity (
  id              INTEGER PRIMARY KEY,
  method          TEXT NOT NULL,
  sip_call_id     TEXT NOT NULL,
  cseq            INTEGER NOT NULL,
  from_user       TEXT,
  to_user         TEXT,
  from_uri        TEXT,
  to_uri          TEXT,
  src_ip          TEXT NOT NULL,
  dst_ip          TEXT NOT NULL,
  transport       TEXT NOT NULL,
  capture_id      INTEGER NOT NULL,
  frame           INTEGER,
  start_us        INTEGER NOT NULL,
  final_us        INTEGER,
  final_code      INTEGER,
  final_reason    TEXT,
  response_ms     REAL,
  result          TEXT NOT NULL,
  event           TEXT,
  etag            TEXT,
  if_match        TEXT,
  action          TEXT,
  expires         INTEGER,
  granted_expires INTEGER,
  content_type    TEXT,
  body_bytes      INTEGER NOT NULL
);
CREATE INDEX activity_start_us ON activity(start_us);
)sql";

// Tables and indexes added within schema version 1 (docs/schema.md "Versioning"): created
// with the others, and on --append when an older file lacks them. call_search is the web
// UI's free-text index over calls (store/call_search.cpp), kept by the writer
// (store_rows.cpp: not by triggers, whose statement savepoints make FTS5 flush a segment
// per call).
inline constexpr const char* kAddedTablesSql = R"sql(
CREATE TABLE IF NOT EXISTS hep_skew (
  first_agent TEXT NOT NULL,
  other_agent TEXT NOT NULL,
  messages    INTEGER NOT NULL,
  mean_us     INTEGER NOT NULL,
  min_us      INTEGER NOT NULL,
  max_us      INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS calls_duration_ms ON calls(duration_ms);
CREATE INDEX IF NOT EXISTS calls_pdd_ms ON calls(pdd_ms);
CREATE INDEX IF NOT EXISTS calls_message_count ON calls(message_count);
CREATE INDEX IF NOT EXISTS calls_final_code ON calls(final_code);
CREATE INDEX IF NOT EXISTS calls_state_start_us ON calls(state, start_us);
CREATE VIRTUAL TABLE IF NOT EXISTS call_search USING fts5(
  from_user, to_user, from_uri, to_uri, caller_ip, callee_ip, sip_call_id,
  content = 'calls', content_rowid = 'id', tokenize = 'trigram', detail = 'none',
  columnsize = 0
);
)sql";

// An older file gets call_search empty from kAddedTablesSql: this fills it from `calls`.
inline constexpr const char* kRebuildCallSearchSql =
    "INSERT INTO call_search (call_search) VALUES ('rebuild')";

}  // namespace sipscope::store::schema
