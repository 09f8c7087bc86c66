#include "store/call_search.hpp"

#include <algorithm>
#include <string_view>
#include <utility>

#include "store/call_row.hpp"
#include "store/sql.hpp"

namespace sipscope::store {

namespace {

// The conditions of a call search; a NULL parameter disables its condition, so the SQL
// text never depends on user input. ?1 is the LIKE pattern '%text%' with % _ \ escaped
// (LIKE is ASCII case-insensitive and compares in place: no string built per row).
constexpr const char* kCallWhere =
    " WHERE (?1 IS NULL OR from_user LIKE ?1 ESCAPE '\\' OR to_user LIKE ?1 ESCAPE '\\'"
    " OR from_uri LIKE ?1 ESCAPE '\\' OR to_uri LIKE ?1 ESCAPE '\\'"
    " OR caller_ip LIKE ?1 ESCAPE '\\' OR callee_ip LIKE ?1 ESCAPE '\\'"
    " OR sip_call_id LIKE ?1 ESCAPE '\\')"
    " AND (?2 IS NULL OR state = ?2)"
    " AND (?3 IS NULL OR start_us >= ?3)"
    " AND (?4 IS NULL OR start_us < ?4)";

std::optional<std::string> like_pattern(const std::optional<std::string>& text) {
  if (!text || text->empty()) return std::nullopt;
  std::string out = "%";
  for (char c : *text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out + "%";
}

std::optional<std::string> lowered(const std::optional<std::string>& text) {
  if (!text || text->empty()) return std::nullopt;
  std::string out = *text;
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

int64_t clamp_limit(int64_t limit) {
  return std::clamp<int64_t>(limit, 1, 1000);
}

}  // namespace

std::optional<SearchSort> parse_search_sort(std::string_view name) {
  static constexpr std::pair<std::string_view, SearchSort> kNames[] = {
      {"start", SearchSort::start},       {"id", SearchSort::id},
      {"duration", SearchSort::duration}, {"pdd", SearchSort::pdd},
      {"messages", SearchSort::messages}, {"code", SearchSort::code},
      {"state", SearchSort::state}};
  for (const auto& [n, k] : kNames) {
    if (n == name) return k;
  }
  return std::nullopt;
}

CallPage search_calls(const Database& db, const CallSearch& search) {
  static constexpr std::pair<SearchSort, const char*> kOrder[] = {
      {SearchSort::start, "start_us"},
      {SearchSort::id, "id"},
      {SearchSort::duration, "duration_ms"},
      {SearchSort::pdd, "pdd_ms"},
      {SearchSort::messages, "message_count"},
      {SearchSort::code, "final_code"},
      {SearchSort::state, "state"}};
  const char* key = "start_us";
  for (const auto& [k, column] : kOrder) {
    if (k == search.sort) key = column;
  }
  const std::string dir = search.descending ? " DESC" : "";
  // start and id walk their index (calls_start_us, the rowid) in either direction, so a
  // page costs its rows, not a sort of the table; a NULL start_us sorts first ascending
  // (SQLite's order). The other keys put NULLs last in both directions.
  const bool indexed = search.sort == SearchSort::start || search.sort == SearchSort::id;
  const std::string order = std::string(" ORDER BY ") +
                            (indexed ? "" : std::string(key) + " IS NULL, ") + key + dir + ", id" +
                            dir;
  const auto q = like_pattern(search.q);
  const auto state = search.state && !search.state->empty() ? search.state : std::nullopt;

  CallPage page;
  {
    sql::Statement st(db.handle(), db.path(),
                      (std::string("SELECT count(*) FROM calls") + kCallWhere).c_str());
    st.bind_all(q, state, search.since_us, search.until_us);
    if (st.step()) page.total = st.column_int64(0);
  }
  sql::Statement st(db.handle(), db.path(),
                    (std::string("SELECT " CALL_COLUMNS " FROM calls") + kCallWhere + order +
                     " LIMIT ?5 OFFSET ?6")
                        .c_str());
  st.bind_all(q, state, search.since_us, search.until_us, clamp_limit(search.limit),
              std::max<int64_t>(search.offset, 0));
  while (st.step()) page.calls.push_back(read_call_row(st));
  return page;
}

std::string call_version(const Database& db, int64_t call_id) {
  sql::Statement st(db.handle(), db.path(),
                    "SELECT (SELECT count(*) FROM messages WHERE call_id = ?1),"
                    " (SELECT coalesce(max(id), 0) FROM messages WHERE call_id = ?1),"
                    " (SELECT coalesce(sum(packets), 0) FROM streams WHERE call_id = ?1),"
                    " (SELECT count(*) FROM diagnostics WHERE call_id = ?1),"
                    " (SELECT count(*) FROM anomalies WHERE call_id = ?1),"
                    " (SELECT coalesce(end_us, 0) || state FROM calls WHERE id = ?1)");
  st.bind(1, call_id);
  std::string out;
  if (st.step()) {
    for (int i = 0; i < 5; ++i) out += std::to_string(st.column_int64(i)) + ".";
    out += st.column_text(5);
  }
  return out;
}

StreamPage search_streams(const Database& db, const std::optional<std::string>& q, int64_t offset,
                          int64_t limit) {
  static constexpr const char* kWhere =
      " WHERE (?1 IS NULL OR instr(lower(src_ip || char(10) || dst_ip || char(10) ||"
      " coalesce(codec, '')), ?1) > 0)";
  const auto needle = lowered(q);
  StreamPage page;
  {
    sql::Statement st(db.handle(), db.path(),
                      (std::string("SELECT count(*) FROM streams") + kWhere).c_str());
    st.bind(1, needle);
    if (st.step()) page.total = st.column_int64(0);
  }
  sql::Statement st(db.handle(), db.path(),
                    (std::string("SELECT id, call_id, src_ip, src_port, dst_ip, dst_port, ssrc,"
                                 " codec, first_us, last_us, packets, expected, lost,"
                                 " jitter_mean_ms, mos FROM streams") +
                     kWhere + " ORDER BY first_us IS NULL, first_us, id LIMIT ?2 OFFSET ?3")
                        .c_str());
  st.bind_all(needle, clamp_limit(limit), std::max<int64_t>(offset, 0));
  while (st.step()) {
    StreamSummary s;
    s.id = st.column_int64(0);
    s.call_id = st.column_opt_int64(1);
    s.src_ip = st.column_text(2);
    s.src_port = static_cast<int>(st.column_int64(3));
    s.dst_ip = st.column_text(4);
    s.dst_port = static_cast<int>(st.column_int64(5));
    s.ssrc = static_cast<uint32_t>(st.column_int64(6));
    s.codec = st.column_opt_text(7);
    s.first_us = st.column_opt_int64(8);
    s.last_us = st.column_opt_int64(9);
    s.packets = st.column_int64(10);
    s.expected = st.column_opt_int64(11);
    s.lost = st.column_opt_int64(12);
    s.jitter_mean_ms = st.column_opt_double(13);
    s.mos = st.column_opt_double(14);
    page.streams.push_back(std::move(s));
  }
  return page;
}

}  // namespace sipscope::store
