// Reads `streams` back for `sipscope streams` and for one call's detail (docs/schema.md).
#include "store/streams.hpp"

#include <algorithm>
#include <string>

#include "store/sql.hpp"

namespace sipscope::store {

std::string stream_columns(const Database& db) {
  const bool limited_by =
      sql::query_int(db.handle(), db.path(),
                     "SELECT count(*) FROM pragma_table_info('streams') WHERE name = "
                     "'mos_limited_by'") > 0;
  return std::string(
             "id, call_id, src_ip, src_port, dst_ip, dst_port, ssrc, payload_type, codec, "
             "first_us, last_us, packets, expected, lost, duplicates, out_of_order, "
             "jitter_mean_ms, jitter_max_ms, max_delta_ms, mos, rtcp_fraction_lost, "
             "rtcp_cumulative_lost, rtcp_jitter_ms, rtcp_rtt_ms, ") +
         (limited_by ? "mos_limited_by" : "NULL");
}

StreamRow stream_row(const sql::Statement& st) {
  StreamRow r;
  r.id = st.column_int64(0);
  r.call_id = st.column_opt_int64(1);
  r.src_ip = st.column_text(2);
  r.src_port = static_cast<int>(st.column_int64(3));
  r.dst_ip = st.column_text(4);
  r.dst_port = static_cast<int>(st.column_int64(5));
  r.ssrc = static_cast<uint32_t>(st.column_int64(6));
  r.payload_type = st.column_opt_int(7);
  r.codec = st.column_opt_text(8);
  r.first_us = st.column_opt_int64(9);
  r.last_us = st.column_opt_int64(10);
  r.packets = st.column_int64(11);
  r.expected = st.column_opt_int64(12);
  r.lost = st.column_opt_int64(13);
  r.duplicates = st.column_opt_int64(14);
  r.out_of_order = st.column_opt_int64(15);
  r.jitter_mean_ms = st.column_opt_double(16);
  r.jitter_max_ms = st.column_opt_double(17);
  r.max_delta_ms = st.column_opt_double(18);
  r.mos = st.column_opt_double(19);
  r.rtcp_fraction_lost = st.column_opt_double(20);
  r.rtcp_cumulative_lost = st.column_opt_int64(21);
  r.rtcp_jitter_ms = st.column_opt_double(22);
  r.rtcp_rtt_ms = st.column_opt_double(23);
  r.mos_limited_by = st.column_opt_text(24);
  return r;
}

std::vector<StreamRow> list_streams(const Database& db, const StreamFilter& f) {
  const std::string sql = "SELECT " + stream_columns(db) +
                          " FROM streams WHERE (?1 = 0 OR call_id IS NULL)"
                          " AND (?2 IS NULL OR lower(codec) = lower(?2))"
                          " AND (?3 IS NULL OR (expected > 0 AND lost * 100.0 / expected >= ?3))"
                          " AND (?4 IS NULL OR mos <= ?4)"
                          " AND (?5 IS NULL OR src_ip = ?5 OR dst_ip = ?5)"
                          " ORDER BY first_us IS NULL, first_us, id";
  sql::Statement st(db.handle(), db.path(), sql.c_str());
  st.bind_all(int64_t{f.orphan ? 1 : 0}, f.codec, f.min_loss_pct, f.max_mos, f.ip);
  const int64_t limit = f.limit && *f.limit >= 0 ? *f.limit : int64_t{-1};
  std::vector<StreamRow> out;
  while (st.step()) {
    if (limit >= 0 && static_cast<int64_t>(out.size()) >= limit) break;
    StreamRow r = stream_row(st);
    if (f.call_ids && (!r.call_id || std::find(f.call_ids->begin(), f.call_ids->end(),
                                               *r.call_id) == f.call_ids->end())) {
      continue;
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace sipscope::store
