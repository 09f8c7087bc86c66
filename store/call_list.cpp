// The calls listing with its filters, sort keys and extra columns (store/call_list.hpp).
#include "store/call_list.hpp"

#include <re2/re2.h>

#include <memory>
#include <string>

#include "store/call_row.hpp"
#include "store/sql.hpp"

namespace sipscope::store {

std::optional<CallSort> parse_call_sort(std::string_view name) {
  static constexpr std::pair<std::string_view, CallSort> kNames[] = {
      {"start", CallSort::start},      {"id", CallSort::id},     {"duration", CallSort::duration},
      {"pdd", CallSort::pdd},          {"loss", CallSort::loss}, {"mos", CallSort::mos},
      {"messages", CallSort::messages}};
  for (const auto& [n, k] : kNames) {
    if (n == name) return k;
  }
  return std::nullopt;
}

namespace {

// RE2, not libstdc++ regex: its matching time is linear in the value and it does not recurse,
// so a hostile 50,000-character user part can neither hang nor overflow the stack.
std::unique_ptr<RE2> compile(const std::string& text) {
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_unique<RE2>(text, options);
  if (!re->ok()) throw CallFilterError("bad regular expression '" + text + "': " + re->error());
  return re;
}

}  // namespace

void check_call_filter(const CallFilter& filter) {
  if (filter.from_regex) (void)compile(*filter.from_regex);
  if (filter.to_regex) (void)compile(*filter.to_regex);
}

void for_each_call_row(const Database& db, const CallFilter& filter,
                       const std::function<void(const CallListRow&)>& visit) {
  // A NULL parameter disables its condition, so the SQL text never depends on user input;
  // the ORDER BY is one of a fixed set of constant texts. Substring matches are
  // case-insensitive for ASCII. loss_pct and min_mos are defined in docs/stats.md. A
  // party's port is read from the call's first message that it sent or received (the
  // callee's as the destination first: caller and callee may share an address).
  static constexpr const char* kSelect =
      "SELECT " CALL_COLUMNS
      ", loss_pct, min_mos, caller_port, callee_port, first_seen_us"
      " FROM (SELECT calls.*,"
      " (SELECT CASE WHEN sum(s.expected) > 0 THEN 100.0 * sum(s.lost) / sum(s.expected) END"
      "  FROM streams s WHERE s.call_id = calls.id AND s.expected IS NOT NULL"
      "  AND s.lost IS NOT NULL) AS loss_pct,"
      " (SELECT min(s.mos) FROM streams s WHERE s.call_id = calls.id) AS min_mos,"
      " (SELECT CASE WHEN m.src_ip = calls.caller_ip THEN m.src_port ELSE m.dst_port END"
      "  FROM messages m WHERE m.call_id = calls.id AND (m.src_ip = calls.caller_ip"
      "  OR m.dst_ip = calls.caller_ip) ORDER BY m.ts_us, m.id LIMIT 1) AS caller_port,"
      " (SELECT CASE WHEN m.dst_ip = calls.callee_ip THEN m.dst_port ELSE m.src_port END"
      "  FROM messages m WHERE m.call_id = calls.id AND (m.src_ip = calls.callee_ip"
      "  OR m.dst_ip = calls.callee_ip) ORDER BY m.ts_us, m.id LIMIT 1) AS callee_port,"
      " (SELECT min(m.ts_us) FROM messages m WHERE m.call_id = calls.id) AS first_seen_us"
      " FROM calls) AS c WHERE (?1 IS NULL OR state = ?1)"
      " AND (?2 IS NULL OR sip_call_id = ?2)"
      " AND (?3 IS NULL OR instr(lower(from_user), lower(?3)) > 0)"
      " AND (?4 IS NULL OR instr(lower(to_user), lower(?4)) > 0)"
      " AND (?5 IS NULL OR coalesce(start_us, first_seen_us) >= ?5)"
      " AND (?6 IS NULL OR coalesce(start_us, first_seen_us) < ?6)"
      " AND (?7 IS NULL OR loss_pct >= ?7)"
      " AND (?8 IS NULL OR min_mos <= ?8)"
      " AND (?9 IS NULL OR EXISTS (SELECT 1 FROM diagnostics d WHERE d.call_id = c.id"
      "  AND (?9 = '' OR d.kind = ?9)))"
      " AND (?10 IS NULL OR duration_ms >= ?10)"
      " AND (?11 IS NULL OR duration_ms <= ?11)"
      " AND (?13 IS NULL OR instr(lower(from_user), lower(?13)) > 0"
      "  OR instr(lower(to_user), lower(?13)) > 0)"
      " AND (?14 IS NULL OR caller_ip = ?14 OR callee_ip = ?14)"
      " AND (?15 IS NULL OR final_code = ?15)";
  // A call first seen mid-dialog sorts by its first message, as the time filters read it.
  static constexpr std::pair<CallSort, const char*> kOrder[] = {
      {CallSort::start, "coalesce(start_us, first_seen_us)"},
      {CallSort::id, "id"},
      {CallSort::duration, "duration_ms"},
      {CallSort::pdd, "pdd_ms"},
      {CallSort::loss, "loss_pct"},
      {CallSort::mos, "min_mos"},
      {CallSort::messages, "message_count"}};
  const char* key = kOrder[0].second;
  for (const auto& [k, column] : kOrder) {
    if (k == filter.sort) key = column;
  }
  const std::string dir = filter.descending ? " DESC" : "";
  std::string sql = kSelect;
  sql.append(" ORDER BY ").append(key).append(" IS NULL, ").append(key).append(dir);
  sql.append(", id").append(dir).append(" LIMIT ?12");

  std::unique_ptr<RE2> from_re;
  std::unique_ptr<RE2> to_re;
  if (filter.from_regex) from_re = compile(*filter.from_regex);
  if (filter.to_regex) to_re = compile(*filter.to_regex);
  const bool post_filter = from_re || to_re;
  const int64_t limit = filter.limit && *filter.limit >= 0 ? *filter.limit : int64_t{-1};

  sql::Statement st(db.handle(), db.path(), sql.c_str());
  st.bind_all(filter.state, filter.call_id, filter.from_user, filter.to_user, filter.since_us,
              filter.until_us, filter.min_loss_pct, filter.max_mos, filter.diagnostic,
              filter.min_duration_ms, filter.max_duration_ms);
  // The regexes run here, so SQL may not cut the list before them.
  st.bind(12, post_filter ? int64_t{-1} : limit);
  st.bind(13, filter.party);
  st.bind(14, filter.address);
  st.bind(15, filter.final_code);
  auto matches = [](const std::unique_ptr<RE2>& re, const std::optional<std::string>& v) {
    return !re || (v && RE2::PartialMatch(*v, *re));
  };
  constexpr int kExtra = 21;  // first column after CALL_COLUMNS
  int64_t count = 0;
  while (st.step()) {
    if (limit >= 0 && count >= limit) break;
    CallListRow row;
    row.call = read_call_row(st);
    if (!matches(from_re, row.call.from_user) || !matches(to_re, row.call.to_user)) continue;
    row.loss_pct = st.column_opt_double(kExtra);
    row.worst_mos = st.column_opt_double(kExtra + 1);
    row.caller_port = st.column_opt_int(kExtra + 2);
    row.callee_port = st.column_opt_int(kExtra + 3);
    row.first_seen_us = st.column_opt_int64(kExtra + 4);
    ++count;
    visit(row);
  }
}

std::vector<CallListRow> list_call_rows(const Database& db, const CallFilter& filter) {
  std::vector<CallListRow> out;
  for_each_call_row(db, filter, [&out](const CallListRow& row) { out.push_back(row); });
  return out;
}

std::vector<correlate::CallRecord> list_calls(const Database& db, const CallFilter& filter) {
  std::vector<correlate::CallRecord> out;
  for_each_call_row(db, filter, [&out](const CallListRow& row) { out.push_back(row.call); });
  return out;
}

}  // namespace sipscope::store
