// Aggregate statistics over a stored analysis (`sipscope stats`): SIP method and response
// counts, the ITU-T E.411-style call ratios ASR and NER, ACD, post-dial delay percentiles,
// a per-peer breakdown, the top failure causes and the retransmission rate. Every number
// is defined in docs/stats.md; a ratio with no denominator is nullopt, never 0.
//
//   auto s = store::compute_stats(*db);
//   std::cout << store::render_stats_table(s);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "correlate/hep_agents.hpp"
#include "correlate/records.hpp"
#include "store/query.hpp"

namespace sipscope::store {

struct CountRow {
  std::string key;  // method name, or status code as text
  int64_t messages = 0;
  int64_t retransmissions = 0;
};

struct PeerRow {
  std::string peer;  // an IP address (callee_ip or caller_ip)
  int64_t calls = 0;
  int64_t answered = 0;
  std::optional<double> asr_pct;
  std::optional<double> acd_s;
};

struct FailureRow {
  int code = 0;
  std::string reason;  // the most frequent reason phrase of that code
  int64_t calls = 0;
};

struct Percentiles {
  int64_t samples = 0;
  std::optional<double> p50, p90, p95, p99, max;
};

struct Stats {
  int64_t calls = 0;
  int64_t attempts = 0;  // calls with a known outcome (not in_progress/unknown)
  int64_t answered = 0;
  int64_t network_effective = 0;
  std::optional<double> asr_pct, ner_pct, acd_s;
  Percentiles pdd_ms;
  std::vector<CountRow> methods;    // ordered by messages, descending
  std::vector<CountRow> responses;  // ordered by code
  int64_t messages = 0;
  int64_t retransmissions = 0;
  std::optional<double> retransmission_pct;
  std::vector<PeerRow> by_destination;  // calls grouped by callee_ip
  std::vector<PeerRow> by_source;       // calls grouped by caller_ip
  std::vector<FailureRow> failures;     // top 10 final codes >= 400 by calls
  // HEP agents that reported the same messages, and their clock skew (hep_skew table).
  std::vector<correlate::HepSkewRecord> hep_skew;
};

// Nearest-rank percentile (docs/stats.md) of sorted values; nullopt when empty.
[[nodiscard]] std::optional<double> nearest_rank(const std::vector<double>& sorted, double pct);

[[nodiscard]] Stats compute_stats(const Database& db);

}  // namespace sipscope::store
