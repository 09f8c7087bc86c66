// Computes `sipscope stats` (docs/stats.md) from the calls and messages tables.
#include "store/stats.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "store/sql.hpp"

namespace sipscope::store {

namespace {

struct PeerAcc {
  int64_t calls = 0, attempts = 0, answered = 0, with_duration = 0;
  double duration_ms = 0;
};

// docs/stats.md: outcomes that say the network delivered the call to the user, whatever
// the user did with it (ITU-T E.411 "answer, user busy, ring no answer, terminal rejection").
bool network_effective(const std::string& state, bool rang) {
  return state == "answered" || state == "busy" || state == "rejected" || state == "cancelled" ||
         (state == "no_answer" && rang);
}

bool attempted(const std::string& state) {
  return state != "in_progress" && state != "unknown";
}

std::optional<double> pct(int64_t num, int64_t den) {
  if (den <= 0) return std::nullopt;
  return 100.0 * static_cast<double>(num) / static_cast<double>(den);
}

std::vector<PeerRow> peer_rows(const std::map<std::string, PeerAcc>& acc) {
  std::vector<PeerRow> rows;
  for (const auto& [peer, a] : acc) {
    PeerRow r;
    r.peer = peer;
    r.calls = a.calls;
    r.answered = a.answered;
    r.asr_pct = pct(a.answered, a.attempts);
    if (a.with_duration > 0) r.acd_s = a.duration_ms / static_cast<double>(a.with_duration) / 1e3;
    rows.push_back(std::move(r));
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const PeerRow& x, const PeerRow& y) { return x.calls > y.calls; });
  return rows;
}
}  // namespace

std::optional<double> nearest_rank(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return std::nullopt;
  // Nearest rank: the smallest value with at least p% of the samples at or below it.
  const auto n = static_cast<double>(sorted.size());
  auto rank = static_cast<size_t>(std::ceil(p / 100.0 * n));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

Stats compute_stats(const Database& db) {
  Stats s;
  sqlite3* h = db.handle();
  const std::string& path = db.path();
  std::vector<double> pdd;
  double duration_sum = 0;
  int64_t with_duration = 0;
  std::map<std::string, PeerAcc> dst, src;
  std::map<int, std::map<std::string, int64_t>> failures;
  {
    sql::Statement st(h, path,
                      "SELECT state, final_code, final_reason, caller_ip, callee_ip, ring_us, "
                      "pdd_ms, duration_ms FROM calls");
    while (st.step()) {
      const std::string state = st.column_text(0);
      const auto code = st.column_opt_int(1);
      const std::string reason = st.column_text(2);
      const auto caller = st.column_opt_text(3);
      const auto callee = st.column_opt_text(4);
      const bool rang = !st.column_is_null(5);
      const auto pdd_ms = st.column_opt_double(6);
      const auto dur = st.column_opt_double(7);
      ++s.calls;
      const bool att = attempted(state);
      const bool ans = state == "answered";
      if (att) ++s.attempts;
      if (ans) ++s.answered;
      if (att && network_effective(state, rang)) ++s.network_effective;
      if (pdd_ms) pdd.push_back(*pdd_ms);
      if (ans && dur) {
        duration_sum += *dur;
        ++with_duration;
      }
      if (code && *code >= 400) ++failures[*code][reason];
      for (auto* acc : {callee ? &dst[*callee] : nullptr, caller ? &src[*caller] : nullptr}) {
        if (acc == nullptr) continue;
        ++acc->calls;
        if (att) ++acc->attempts;
        if (ans) ++acc->answered;
        if (ans && dur) {
          acc->duration_ms += *dur;
          ++acc->with_duration;
        }
      }
    }
  }
  s.asr_pct = pct(s.answered, s.attempts);
  s.ner_pct = pct(s.network_effective, s.attempts);
  if (with_duration > 0) s.acd_s = duration_sum / static_cast<double>(with_duration) / 1e3;
  std::sort(pdd.begin(), pdd.end());
  s.pdd_ms.samples = static_cast<int64_t>(pdd.size());
  s.pdd_ms.p50 = nearest_rank(pdd, 50);
  s.pdd_ms.p90 = nearest_rank(pdd, 90);
  s.pdd_ms.p95 = nearest_rank(pdd, 95);
  s.pdd_ms.p99 = nearest_rank(pdd, 99);
  s.pdd_ms.max = nearest_rank(pdd, 100);
  s.by_destination = peer_rows(dst);
  s.by_source = peer_rows(src);
  for (const auto& [code, reasons] : failures) {
    FailureRow f;
    f.code = code;
    int64_t best = -1;
    for (const auto& [reason, n] : reasons) {
      f.calls += n;
      if (n > best) best = n, f.reason = reason;
    }
    s.failures.push_back(std::move(f));
  }
  std::stable_sort(s.failures.begin(), s.failures.end(),
                   [](const FailureRow& a, const FailureRow& b) { return a.calls > b.calls; });
  if (s.failures.size() > 10) s.failures.resize(10);

  {
    sql::Statement st(h, path,
                      "SELECT method, count(*), sum(retransmission) FROM messages WHERE method IS "
                      "NOT NULL GROUP BY method ORDER BY count(*) DESC, method");
    while (st.step())
      s.methods.push_back({st.column_text(0), st.column_int64(1), st.column_int64(2)});
  }
  {
    sql::Statement st(h, path,
                      "SELECT status_code, count(*), sum(retransmission) FROM messages WHERE "
                      "status_code IS NOT NULL GROUP BY status_code ORDER BY status_code");
    while (st.step()) {
      s.responses.push_back(
          {std::to_string(st.column_int64(0)), st.column_int64(1), st.column_int64(2)});
    }
  }
  s.messages = sql::query_int(h, path, "SELECT count(*) FROM messages");
  s.retransmissions =
      sql::query_int(h, path, "SELECT count(*) FROM messages WHERE retransmission <> 0");
  s.retransmission_pct = pct(s.retransmissions, s.messages);
  // Older files of this schema version may lack the table (docs/schema.md "Versioning").
  if (sql::query_int(h, path, "SELECT count(*) FROM sqlite_schema WHERE name = 'hep_skew'") != 0) {
    sql::Statement st(h, path,
                      "SELECT first_agent, other_agent, messages, mean_us, min_us, max_us FROM "
                      "hep_skew ORDER BY first_agent, other_agent");
    while (st.step()) {
      s.hep_skew.push_back({st.column_text(0), st.column_text(1), st.column_int64(2),
                            st.column_int64(3), st.column_int64(4), st.column_int64(5)});
    }
  }
  return s;
}

}  // namespace sipscope::store
