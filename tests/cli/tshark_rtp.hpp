// tshark's RTP stream table (`tshark -o rtp.heuristic_rtp:TRUE -q -z rtp,streams`) and its
// comparison with sipscope's `streams` rows, shared by the CLI tests that use tshark as the
// media oracle (golden_media_test.cpp: stored corpus baselines; media_tshark_test.cpp: live
// tshark runs). Rule (issue #5 point 6): per stream (addresses, ports, SSRC) packets and lost
// equal; mean/max jitter within 2 % or 0.05 ms where tshark knows the clock rate (where it
// prints 0, sipscope may store NULL). Differences by design are listed by the caller with
// evidence; a listed difference that stops differing fails, so the lists only shrink.
//
// Usage:
//   std::set<tshark_rtp::Key> seen;
//   compared += tshark_rtp::expect_streams_match(name, query(db, "SELECT * FROM streams"),
//       tshark_rtp::parse_streams(text), kAccepted, kAcceptedExtra, seen);
#pragma once

#include <gtest/gtest.h>
#include <re2/re2.h>
#include <algorithm>

#include <cmath>
#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/cli/db_reader.hpp"

namespace sipscope::testing::tshark_rtp {

struct Stream {
  std::string src, dst;
  int64_t sport = 0, dport = 0, ssrc = 0, packets = 0, lost = 0;
  double mean_jitter = 0, max_jitter = 0;
  bool clock_known = true;  // tshark prints min jitter -1 when it has no clock rate
  std::string payload;
};

// Why a difference between a stored row and tshark's stream is not a sipscope bug, or "".
using Explain = std::function<std::string(const Stream& tshark, const Row& ours)>;

// (capture name, SSRC in hex as tshark prints it, or "src:port>dst:port" for extra streams).
using Key = std::pair<std::string, std::string>;
using Accepted = std::map<Key, std::string>;

inline std::vector<Stream> parse_streams(const std::string& text) {
  static const RE2 line(
      R"(^\s*[\d.]+\s+[\d.]+\s+(\S+)\s+(\d+)\s+(\S+)\s+(\d+)\s+0x([0-9A-Fa-f]+)\s+(.*?)\s+(\d+)\s+(-?\d+) \(\S+\)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+))");
  std::vector<Stream> out;
  std::istringstream in(text);
  std::string l;
  while (std::getline(in, l)) {
    std::string m[15];
    if (!RE2::PartialMatch(l, line, &m[1], &m[2], &m[3], &m[4], &m[5], &m[6], &m[7], &m[8], &m[9],
                           &m[10], &m[11], &m[12], &m[13], &m[14])) {
      continue;
    }
    Stream t;
    t.src = m[1];
    t.sport = std::stoll(m[2]);
    t.dst = m[3];
    t.dport = std::stoll(m[4]);
    t.ssrc = std::stoll(m[5], nullptr, 16);
    t.payload = m[6];
    t.packets = std::stoll(m[7]);
    t.lost = std::stoll(m[8]);
    t.clock_known = std::stod(m[12]) >= 0;
    t.mean_jitter = std::stod(m[13]);
    t.max_jitter = std::stod(m[14]);
    out.push_back(t);
  }
  return out;
}

inline bool close_enough(double ours, double theirs) {
  const double d = std::fabs(ours - theirs);
  return d <= 0.05 || d <= 0.02 * std::fabs(theirs);
}

inline std::string hex_ssrc(int64_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08llX", static_cast<unsigned long long>(v));
  return buf;
}

inline int64_t int_of(const Value& v) {
  return std::holds_alternative<int64_t>(v) ? std::get<int64_t>(v) : INT64_MIN;
}

// `lost` counted as tshark and RFC 3550 A.3 count it, a duplicate (a sequence number already
// received) as a received packet; sipscope does not count duplicates as received
// (docs/media.md), so its `lost` is that plus `duplicates`.
inline int64_t lost_with_duplicates(const Row& r) {
  const auto d = r.find("duplicates");
  const int64_t dups = d == r.end() ? 0 : std::max<int64_t>(0, int_of(d->second));
  return int_of(r.at("lost")) - dups;
}

inline std::string text_of(const Value& v) {
  return std::holds_alternative<std::string>(v) ? std::get<std::string>(v) : std::string();
}

// "src:port>dst:port" of a stored stream row.
inline std::string flow_of(const Row& r) {
  return text_of(r.at("src_ip")) + ":" + std::to_string(int_of(r.at("src_port"))) + ">" +
         text_of(r.at("dst_ip")) + ":" + std::to_string(int_of(r.at("dst_port")));
}

// The indices of the stored rows of a stream (addresses, ports, SSRC): several when sipscope
// split it where another call re-announced its address (docs/media.md, port reuse).
inline std::vector<size_t> find_rows(const std::vector<Row>& rows, const std::string& src,
                                     int64_t sport, const std::string& dst, int64_t dport,
                                     int64_t ssrc) {
  std::vector<size_t> out;
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    if (text_of(r.at("src_ip")) == src && int_of(r.at("src_port")) == sport &&
        text_of(r.at("dst_ip")) == dst && int_of(r.at("dst_port")) == dport &&
        int_of(r.at("ssrc")) == ssrc)
      out.push_back(i);
  }
  return out;
}

// The first stored row of a stream, or nullptr.
inline const Row* find_row(const std::vector<Row>& rows, const std::string& src, int64_t sport,
                           const std::string& dst, int64_t dport, int64_t ssrc,
                           size_t* index = nullptr) {
  const auto found = find_rows(rows, src, sport, dst, dport, ssrc);
  if (found.empty()) return nullptr;
  if (index != nullptr) *index = found.front();
  return &rows[found.front()];
}

// A stream sipscope split into rows of different calls (a port reused by the next call with
// the same SSRC, as replayed RTP does) while tshark keeps one: explained when the rows' packets
// add up to tshark's; their lost and jitter are per call and not comparable. "" otherwise.
inline std::string explain_split(const std::vector<Row>& rows, const std::vector<size_t>& found,
                                 const Stream& t) {
  if (found.size() < 2) return {};
  int64_t packets = 0;
  std::set<int64_t> calls;
  for (size_t i : found) {
    packets += int_of(rows[i].at("packets"));
    calls.insert(int_of(rows[i].at("call_id")));
  }
  if (packets != t.packets || calls.size() != found.size()) return {};
  std::string ids;
  for (int64_t c : calls) ids += (ids.empty() ? "" : ", ") + std::to_string(c);
  return "sipscope split it into " + std::to_string(found.size()) + " rows of calls " + ids +
         " where the next call re-announced the address; tshark keeps one stream; packets add "
         "up";
}

// Compares the `streams` rows of one capture (`name`) with tshark's table. Differences listed
// in `accepted` (by SSRC) / `accepted_extra` (by flow) are expected to differ and are added to
// `seen`. `explain_lost` may explain a difference in `lost` alone (the jitter is still
// compared), `explain_extra` a stored stream tshark does not list; explained differences are
// printed. Returns the number of tshark streams compared.
inline size_t expect_streams_match(const std::string& name, const std::vector<Row>& rows,
                                   const std::vector<Stream>& tshark, const Accepted& accepted,
                                   const Accepted& accepted_extra, std::set<Key>& seen,
                                   const Explain& explain_lost = {},
                                   const Explain& explain_extra = {}) {
  std::set<size_t> matched;
  size_t compared = 0;
  for (const auto& t : tshark) {
    const std::string key = hex_ssrc(t.ssrc);
    const auto found = find_rows(rows, t.src, t.sport, t.dst, t.dport, t.ssrc);
    matched.insert(found.begin(), found.end());
    const Row* got = found.empty() ? nullptr : &rows[found.front()];
    const std::string what = name + " " + t.src + ":" + std::to_string(t.sport) + " -> " + t.dst +
                             ":" + std::to_string(t.dport) + " SSRC 0x" + key;
    if (const std::string why = explain_split(rows, found, t);
        !why.empty() && accepted.count({name, key}) == 0) {
      std::cout << "[ explained] " << what << ": " << why << "\n";
      ++compared;
      continue;
    }
    bool same = got != nullptr && int_of(got->at("packets")) == t.packets;
    std::string detail;
    if (got != nullptr && lost_with_duplicates(*got) != t.lost) {
      const std::string why = explain_lost ? explain_lost(t, *got) : std::string();
      same = same && !why.empty();
      if (!why.empty())
        std::cout << "[ explained] " << what << ": lost " << lost_with_duplicates(*got) << " vs "
                  << t.lost << ": " << why << "\n";
    }
    if (got != nullptr) {
      const Value& mean = got->at("jitter_mean_ms");
      const Value& max = got->at("jitter_max_ms");
      if (!t.clock_known) {
        // tshark has no clock rate for the payload (dynamic type without SDP it saw): no
        // jitter to compare.
      } else if (t.mean_jitter == 0 && t.max_jitter == 0) {
        // tshark prints 0 when it does not know the clock rate; sipscope may know it from
        // SDP, or store NULL. Either is consistent with tshark's 0.
        if (const auto* d = std::get_if<double>(&mean)) same = same && *d < 0.05;
      } else {
        const auto* dm = std::get_if<double>(&mean);
        const auto* dx = std::get_if<double>(&max);
        same = same && dm != nullptr && dx != nullptr && close_enough(*dm, t.mean_jitter) &&
               close_enough(*dx, t.max_jitter);
        if (dm != nullptr && dx != nullptr)
          detail = " jitter mean " + std::to_string(*dm) + " vs " + std::to_string(t.mean_jitter) +
                   ", max " + std::to_string(*dx) + " vs " + std::to_string(t.max_jitter);
      }
      detail += " packets " + std::to_string(int_of(got->at("packets"))) + " vs " +
                std::to_string(t.packets) + ", lost " + std::to_string(int_of(got->at("lost"))) +
                " vs " + std::to_string(t.lost);
    }
    ++compared;
    if (accepted.count({name, key}) != 0) {
      seen.insert({name, key});
      EXPECT_FALSE(same) << what << " now matches tshark: remove it from the accepted list";
      continue;
    }
    EXPECT_NE(got, nullptr) << what << ": tshark lists it, sipscope stored no such stream";
    EXPECT_TRUE(same) << what << ":" << detail;
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    if (matched.count(i) != 0) continue;
    const std::string flow = flow_of(rows[i]);
    if (accepted_extra.count({name, flow}) != 0) {
      seen.insert({name, flow});
      continue;
    }
    if (const std::string why = explain_extra ? explain_extra(Stream{}, rows[i]) : std::string();
        !why.empty()) {
      std::cout << "[ explained] " << name << ": sipscope stored " << flow
                << " that tshark does not list: " << why << "\n";
      continue;
    }
    ADD_FAILURE() << name << ": sipscope stored " << flow << " SSRC 0x"
                  << hex_ssrc(int_of(rows[i].at("ssrc"))) << " that tshark does not list";
  }
  return compared;
}

}  // namespace sipscope::testing::tshark_rtp
