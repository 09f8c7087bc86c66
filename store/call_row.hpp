// Internal to store/: the `calls` columns in the order read_call_row() expects, so every
// query that returns calls selects them the same way.
#pragma once

#include "correlate/records.hpp"
#include "decode/net.hpp"
#include "store/sql.hpp"

// A macro so it can be concatenated with string literals into one constant SQL text.
#define CALL_COLUMNS                                                                        \
  "id, sip_call_id, group_id, from_user, to_user, from_uri, to_uri, caller_ip, callee_ip, " \
  "transport, start_us, ring_us, answer_us, end_us, state, final_code, final_reason, "      \
  "hangup_by, pdd_ms, duration_ms, message_count"

namespace sipscope::store {

inline correlate::CallRecord read_call_row(const sql::Statement& st) {
  correlate::CallRecord c;
  c.id = st.column_int64(0);
  c.sip_call_id = st.column_text(1);
  c.group_id = st.column_opt_int64(2);
  c.from_user = st.column_opt_text(3);
  c.to_user = st.column_opt_text(4);
  c.from_uri = st.column_opt_text(5);
  c.to_uri = st.column_opt_text(6);
  c.caller_ip = st.column_opt_text(7);
  c.callee_ip = st.column_opt_text(8);
  c.transport = st.column_enum(9, decode::parse_transport);
  c.start_us = st.column_opt_int64(10);
  c.ring_us = st.column_opt_int64(11);
  c.answer_us = st.column_opt_int64(12);
  c.end_us = st.column_opt_int64(13);
  c.state = st.column_enum(14, correlate::parse_call_state);
  c.final_code = st.column_opt_int(15);
  c.final_reason = st.column_opt_text(16);
  c.hangup_by = st.column_opt_enum(17, correlate::parse_party);
  c.pdd_ms = st.column_opt_double(18);
  c.duration_ms = st.column_opt_double(19);
  c.message_count = st.column_int64(20);
  return c;
}

}  // namespace sipscope::store
