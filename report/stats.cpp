#include "report/stats.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "report/format.hpp"
#include "report/json.hpp"
#include "report/sql.hpp"

namespace sipscope::report {

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

std::string opt_fixed(const std::optional<double>& v, int decimals, const char* unit = "") {
  return v ? format::fixed(*v, decimals) + unit : std::string("-");
}

nlohmann::json opt_json(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
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
  return s;
}

std::string render_stats_table(const Stats& s) {
  std::string out;
  auto line = [&out](const std::string& l) { out += l + "\n"; };
  line("calls: " + std::to_string(s.calls) + " (attempts " + std::to_string(s.attempts) +
       ", answered " + std::to_string(s.answered) + ")");
  line("ASR: " + opt_fixed(s.asr_pct, 1, " %") + "   NER: " + opt_fixed(s.ner_pct, 1, " %") +
       "   ACD: " + opt_fixed(s.acd_s, 1, " s"));
  line("PDD ms (" + std::to_string(s.pdd_ms.samples) + " calls): p50 " +
       opt_fixed(s.pdd_ms.p50, 0) + "  p90 " + opt_fixed(s.pdd_ms.p90, 0) + "  p95 " +
       opt_fixed(s.pdd_ms.p95, 0) + "  p99 " + opt_fixed(s.pdd_ms.p99, 0) + "  max " +
       opt_fixed(s.pdd_ms.max, 0));
  line("messages: " + std::to_string(s.messages) + "  retransmissions: " +
       std::to_string(s.retransmissions) + " (" + opt_fixed(s.retransmission_pct, 2, " %") + ")");
  auto counts = [&](const char* title, const std::vector<CountRow>& rows) {
    line("");
    line(std::string(title));
    for (const auto& r : rows) {
      char buf[160];
      std::snprintf(buf, sizeof buf, "  %-12s %10lld  retx %lld",
                    format::fit(format::terminal_safe(r.key), 12).c_str(),
                    static_cast<long long>(r.messages), static_cast<long long>(r.retransmissions));
      line(buf);
    }
  };
  counts("requests by method:", s.methods);
  counts("responses by code:", s.responses);
  auto peers = [&](const char* title, const std::vector<PeerRow>& rows) {
    line("");
    line(std::string(title));
    line("  peer                                        calls  answered     ASR      ACD");
    for (const auto& r : rows) {
      char buf[200];
      std::snprintf(buf, sizeof buf, "  %-40s %9lld %9lld %7s %8s",
                    format::fit(format::terminal_safe(r.peer), 40).c_str(),
                    static_cast<long long>(r.calls), static_cast<long long>(r.answered),
                    opt_fixed(r.asr_pct, 1, "%").c_str(), opt_fixed(r.acd_s, 1, "s").c_str());
      line(buf);
    }
  };
  peers("by destination (callee_ip):", s.by_destination);
  peers("by source (caller_ip):", s.by_source);
  line("");
  line("top failure causes:");
  for (const auto& f : s.failures) {
    line("  " + std::to_string(f.code) + " " + format::fit(format::terminal_safe(f.reason), 40) +
         ": " + std::to_string(f.calls));
  }
  return out;
}

std::string render_stats_json(const Stats& s) {
  nlohmann::json j;
  j["calls"] = s.calls;
  j["attempts"] = s.attempts;
  j["answered"] = s.answered;
  j["network_effective"] = s.network_effective;
  j["asr_pct"] = opt_json(s.asr_pct);
  j["ner_pct"] = opt_json(s.ner_pct);
  j["acd_s"] = opt_json(s.acd_s);
  j["pdd_ms"] = {{"samples", s.pdd_ms.samples},   {"p50", opt_json(s.pdd_ms.p50)},
                 {"p90", opt_json(s.pdd_ms.p90)}, {"p95", opt_json(s.pdd_ms.p95)},
                 {"p99", opt_json(s.pdd_ms.p99)}, {"max", opt_json(s.pdd_ms.max)}};
  j["messages"] = s.messages;
  j["retransmissions"] = s.retransmissions;
  j["retransmission_pct"] = opt_json(s.retransmission_pct);
  auto counts = [](const std::vector<CountRow>& rows) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& r : rows) {
      a.push_back(
          {{"key", r.key}, {"messages", r.messages}, {"retransmissions", r.retransmissions}});
    }
    return a;
  };
  j["methods"] = counts(s.methods);
  j["responses"] = counts(s.responses);
  auto peers = [](const std::vector<PeerRow>& rows) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& r : rows) {
      a.push_back({{"peer", r.peer},
                   {"calls", r.calls},
                   {"answered", r.answered},
                   {"asr_pct", opt_json(r.asr_pct)},
                   {"acd_s", opt_json(r.acd_s)}});
    }
    return a;
  };
  j["by_destination"] = peers(s.by_destination);
  j["by_source"] = peers(s.by_source);
  nlohmann::json f = nlohmann::json::array();
  for (const auto& r : s.failures) {
    f.push_back({{"code", r.code}, {"reason", r.reason}, {"calls", r.calls}});
  }
  j["failures"] = f;
  return dump_json(j);
}

}  // namespace sipscope::report
