// Internal to report/: the DDL of schema version kSchemaVersion (documented column by
// column in docs/schema.md) and the application_id that marks a file as sipscope's.
// Any change to a table or column meaning bumps kSchemaVersion (store.hpp) and the doc.
#pragma once

#include <cstdint>

namespace sipscope::report::schema {

// PRAGMA application_id: "SIPS" in ASCII, so `file` and readers can tell our files apart.
inline constexpr int32_t kApplicationId = 0x53495053;

inline constexpr const char* kCreateSql = R"sql(
CREATE TABLE captures (
  id        INTEGER PRIMARY KEY,
  path      TEXT NOT NULL,
  link_type INTEGER,
  first_us  INTEGER,
  last_us   INTEGER,
  packets   INTEGER,
  status    TEXT NOT NULL
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
  message_count INTEGER NOT NULL
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
  raw            TEXT NOT NULL
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
  mos            REAL
);
CREATE INDEX streams_call_id ON streams(call_id);
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
)sql";

}  // namespace sipscope::report::schema
