// Reads `streams` back for `sipscope streams`, the web streams page and one call's detail
// (docs/schema.md), each through one WHERE builder and one row reader.
#include "store/streams.hpp"

#include <algorithm>
#include <string>

#include "store/sql.hpp"
#include "store/sql_where.hpp"

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

namespace {

// Every stream reader's SELECT: the StreamRow columns in first-packet order.
std::string stream_select(const Database& db, const sql::Where& where) {
  return "SELECT " + stream_columns(db) + " FROM streams" + where.text() +
         " ORDER BY first_us IS NULL, first_us, id";
}

}  // namespace

void for_each_stream(const Database& db, const StreamFilter& f,
                     const std::function<void(const StreamRow&)>& visit) {
  sql::Where where;
  if (f.orphan) where.add("call_id IS NULL");
  if (f.codec) where.add("lower(codec) = lower(?)", {*f.codec});
  if (f.min_loss_pct) where.add("expected > 0 AND lost * 100.0 / expected >= ?", {*f.min_loss_pct});
  if (f.max_mos) where.add("mos <= ?", {*f.max_mos});
  if (f.ip) where.add("src_ip = ? OR dst_ip = ?", {*f.ip, *f.ip});
  sql::Statement st(db.handle(), db.path(), stream_select(db, where).c_str());
  where.bind(st);
  const int64_t limit = f.limit && *f.limit >= 0 ? *f.limit : int64_t{-1};
  int64_t count = 0;
  while (st.step()) {
    if (limit >= 0 && count >= limit) break;
    const StreamRow r = stream_row(st);
    if (f.call_ids && (!r.call_id || std::find(f.call_ids->begin(), f.call_ids->end(),
                                               *r.call_id) == f.call_ids->end())) {
      continue;
    }
    ++count;
    visit(r);
  }
}

std::vector<StreamRow> list_streams(const Database& db, const StreamFilter& f) {
  std::vector<StreamRow> out;
  for_each_stream(db, f, [&out](const StreamRow& r) { out.push_back(r); });
  return out;
}

StreamPage search_streams(const Database& db, const std::optional<std::string>& q, int64_t offset,
                          int64_t limit) {
  sql::Where where;
  if (q && !q->empty()) {
    std::string needle = *q;
    for (char& c : needle) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    where.add(
        "instr(lower(src_ip || char(10) || dst_ip || char(10) || coalesce(codec, '')), ?) > 0",
        {std::move(needle)});
  }
  StreamPage page;
  {
    sql::Statement st(db.handle(), db.path(),
                      ("SELECT count(*) FROM streams" + where.text()).c_str());
    where.bind(st);
    if (st.step()) page.total = st.column_int64(0);
  }
  sql::Statement st(db.handle(), db.path(),
                    (stream_select(db, where) + " LIMIT ? OFFSET ?").c_str());
  const int next = where.bind(st);
  st.bind(next, std::clamp<int64_t>(limit, 1, 1000));
  st.bind(next + 1, std::max<int64_t>(offset, 0));
  while (st.step()) page.streams.push_back(stream_row(st));
  return page;
}

}  // namespace sipscope::store
