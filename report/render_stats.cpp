// Renders `sipscope stats` as a table or JSON.
#include "report/render_stats.hpp"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "report/format.hpp"
#include "report/json.hpp"

namespace sipscope::report {

namespace {

std::string opt_fixed(const std::optional<double>& v, int decimals, const char* unit = "") {
  return v ? format::fixed(*v, decimals) + unit : std::string("-");
}

nlohmann::json opt_json(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

}  // namespace

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
      (void)std::snprintf(buf, sizeof buf, "  %-12s %10lld  retx %lld",
                          format::fit(format::terminal_safe(r.key), 12).c_str(),
                          static_cast<long long>(r.messages),
                          static_cast<long long>(r.retransmissions));
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
      (void)std::snprintf(buf, sizeof buf, "  %-40s %9lld %9lld %7s %8s",
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
  if (!s.hep_skew.empty()) {
    line("");
    line("HEP agents reporting the same messages (clock skew = second - first, ms):");
    for (const auto& k : s.hep_skew) {
      std::string row = "  ";
      row += format::terminal_safe(k.first_agent);
      row += " -> ";
      row += format::terminal_safe(k.other_agent);
      row += ": ";
      row += std::to_string(k.messages);
      row += " messages, skew mean ";
      row += format::fixed(static_cast<double>(k.mean_us) / 1000.0, 1);
      row += " min ";
      row += format::fixed(static_cast<double>(k.min_us) / 1000.0, 1);
      row += " max ";
      row += format::fixed(static_cast<double>(k.max_us) / 1000.0, 1);
      line(row);
    }
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
  nlohmann::json skew = nlohmann::json::array();
  for (const auto& k : s.hep_skew) {
    skew.push_back({{"first_agent", k.first_agent},
                    {"other_agent", k.other_agent},
                    {"messages", k.messages},
                    {"skew_mean_ms", static_cast<double>(k.mean_us) / 1000.0},
                    {"skew_min_ms", static_cast<double>(k.min_us) / 1000.0},
                    {"skew_max_ms", static_cast<double>(k.max_us) / 1000.0}});
  }
  j["hep_skew"] = skew;
  return dump_json(j);
}

}  // namespace sipscope::report
