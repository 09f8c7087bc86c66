// The web UI's call list (docs/web.md): free-text search through the call_search trigram
// index, filters, an index walk per sort order, paging; and a call's change marker.
#include "store/call_search.hpp"

#include <algorithm>
#include <string_view>
#include <utility>

#include "store/call_row.hpp"
#include "store/sql.hpp"
#include "store/sql_where.hpp"

namespace sipscope::store {

namespace {

// The columns a free-text search looks in (docs/web.md), each indexed by call_search.
constexpr const char* kSearchedColumns[] = {"from_user", "to_user",   "from_uri",   "to_uri",
                                            "caller_ip", "callee_ip", "sip_call_id"};

// LIKE '%text%' with % _ \ escaped: ASCII case-insensitive, compared in place.
std::string like_pattern(const std::string& text) {
  std::string out = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out + "%";
}

// An FTS5 query over call_search (trigram tokenizer, docs/schema.md) that every row holding
// text in one column matches: each 3-character piece of text as a quoted string, joined by
// AND. The rows it finds are a superset (the pieces may lie in different columns, and FTS5
// folds case beyond ASCII), so the LIKE test still decides. nullopt when the index cannot
// help: fewer than 3 characters, or bytes outside printable ASCII (trigrams count
// characters, not bytes).
std::optional<std::string> trigram_query(const std::string& text) {
  if (text.size() < 3) return std::nullopt;
  for (char c : text) {
    if (c < 0x20 || c > 0x7e) return std::nullopt;
  }
  std::string out;
  for (size_t i = 0; i + 3 <= text.size(); ++i) {
    if (!out.empty()) out += " AND ";
    out += '"';
    for (char c : std::string_view(text).substr(i, 3)) {
      out += c;
      if (c == '"') out += '"';
    }
    out += '"';
  }
  return out;
}

// call_search exists in every database this version creates or appends to; a file last
// written by an older version has none, and is searched by LIKE alone.
bool has_search_index(const Database& db) {
  sql::Statement st(db.handle(), db.path(),
                    "SELECT count(*) FROM sqlite_schema WHERE name = 'call_search'");
  return st.step() && st.column_int64(0) != 0;
}

int64_t clamp_limit(int64_t limit) {
  return std::clamp<int64_t>(limit, 1, 1000);
}

// Up to this many matches, a page fetches them by id and sorts them; above, it walks the
// index of the sort order and keeps the rows among the matches (`+id` keeps SQLite from
// choosing the lookups), which stops after one page where matches are dense.
constexpr int64_t kFetchAndSortMax = 2000;

// The conditions of search; matches is the count of calls matching when known (nullopt for
// the count query itself).
sql::Where call_where(const Database& db, const CallSearch& search,
                      std::optional<int64_t> matches) {
  sql::Where where;
  if (search.q && !search.q->empty()) {
    if (const auto fts = trigram_query(*search.q); fts && has_search_index(db)) {
      const bool walk = matches && *matches > kFetchAndSortMax;
      where.add(std::string(walk ? "+" : "") +
                    "id IN (SELECT rowid FROM call_search WHERE call_search MATCH ?)",
                {*fts});
    }
    std::string condition;
    std::vector<sql::Where::Value> patterns;
    for (const char* column : kSearchedColumns) {
      if (!condition.empty()) condition += " OR ";
      condition += std::string(column) + " LIKE ? ESCAPE '\\'";
      patterns.emplace_back(like_pattern(*search.q));
    }
    where.add(condition, std::move(patterns));
  }
  if (search.state && !search.state->empty()) where.add("state = ?", {*search.state});
  if (search.since_us) where.add("start_us >= ?", {*search.since_us});
  if (search.until_us) where.add("start_us < ?", {*search.until_us});
  return where;
}

// Each order is an index walk (calls_start_us, the rowid, or the index of the sort
// column), so a page costs its rows, not a sort of the table. start and id put a NULL
// start_us first ascending (SQLite's order); the other keys put NULLs last both ways
// (descending, SQLite's order already does).
std::string order_by(SearchSort sort, bool descending) {
  static constexpr std::pair<SearchSort, const char*> kOrder[] = {
      {SearchSort::start, "start_us"},
      {SearchSort::id, "id"},
      {SearchSort::duration, "duration_ms"},
      {SearchSort::pdd, "pdd_ms"},
      {SearchSort::messages, "message_count"},
      {SearchSort::code, "final_code"},
      {SearchSort::state, "state"}};
  std::string key = "start_us";
  for (const auto& [k, column] : kOrder) {
    if (k == sort) key = column;
  }
  const bool nulls_first = sort == SearchSort::start || sort == SearchSort::id;
  if (descending) return " ORDER BY " + key + " DESC, id DESC";
  return " ORDER BY " + key + (nulls_first ? "" : " NULLS LAST") + ", id";
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
  CallPage page;
  {
    const sql::Where where = call_where(db, search, std::nullopt);
    sql::Statement st(db.handle(), db.path(),
                      ("SELECT count(*) FROM calls" + where.text()).c_str());
    where.bind(st);
    if (st.step()) page.total = st.column_int64(0);
  }
  const sql::Where where = call_where(db, search, page.total);
  sql::Statement st(db.handle(), db.path(),
                    (std::string("SELECT " CALL_COLUMNS " FROM calls") + where.text() +
                     order_by(search.sort, search.descending) + " LIMIT ? OFFSET ?")
                        .c_str());
  const int next = where.bind(st);
  st.bind(next, clamp_limit(search.limit));
  st.bind(next + 1, std::max<int64_t>(search.offset, 0));
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

}  // namespace sipscope::store
