#include "cli/output.hpp"

#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <stdexcept>

#include "cli/safe_output.hpp"
#include "report/ladder.hpp"
#include "report/render_calls.hpp"
#include "store/call_list.hpp"

namespace sipscope::cli {

void write_file(const std::string& path, const std::string& content) {
  if (path == "-") {
    std::cout << content;
    check_stdout();
    return;
  }
  AtomicFile out(path);
  out.stream() << content;
  out.commit();
}

std::vector<NamedPath> database_inputs(const store::Database& db, const std::string& db_path) {
  namespace fs = std::filesystem;
  std::vector<NamedPath> inputs{{"--db", db_path}};
  const fs::path dir = fs::path(db_path).parent_path();
  for (const auto& cap : store::list_captures(db)) {
    if (cap.path == "-") continue;
    inputs.emplace_back("capture", cap.path);
    const fs::path p(cap.path);
    if (p.is_relative()) {
      inputs.emplace_back("capture", (dir / p).string());
      inputs.emplace_back("capture", (dir / p.filename()).string());
    }
  }
  return inputs;
}

namespace {
std::vector<int64_t> all_call_ids(const store::Database& db) {
  std::vector<int64_t> ids;
  for (const auto& call : store::list_calls(db, {})) ids.push_back(call.id);
  return ids;
}
}  // namespace

std::string all_calls_html(const store::Database& db, const std::string& title) {
  std::vector<report::Ladder> ladders;
  for (int64_t id : all_call_ids(db)) ladders.push_back(report::build_ladder(db, {id}));
  return report::render_html(ladders, "sipscope: " + title);
}

std::string all_calls_json(const store::Database& db) {
  std::string out = "[";
  bool first = true;
  for (int64_t id : all_call_ids(db)) {
    if (!first) out += ",\n";
    first = false;
    out += report::render_json(report::build_ladder(db, {id}));
  }
  out += "]\n";
  return out;
}

void print_calls_table(const store::Database& db, int max_rows, const std::string& db_path) {
  store::CallFilter filter;
  if (max_rows > 0) filter.limit = max_rows + 1;
  auto calls = store::list_call_rows(db, filter);
  const bool more = max_rows > 0 && calls.size() > static_cast<size_t>(max_rows);
  if (more) calls.resize(static_cast<size_t>(max_rows));
  std::cout << report::render_calls_table(calls, isatty(STDOUT_FILENO) == 0);
  if (more) {
    std::cout << "... more calls: sipscope calls --db " << db_path << "\n";
  }
}

namespace {
// " (a 2, b 1)" for a non-empty breakdown.
void print_breakdown(const std::map<std::string, int64_t>& counts, std::ostream& out) {
  if (counts.empty()) return;
  out << " (";
  bool first = true;
  for (const auto& [name, n] : counts) {
    out << (first ? "" : ", ") << name << " " << n;
    first = false;
  }
  out << ")";
}
}  // namespace

void print_summary(const store::Database& db, std::ostream& out) {
  const auto s = store::summarize(db);
  out << "calls: " << s.calls;
  print_breakdown(s.calls_by_state, out);
  out << "\nSIP messages: " << s.messages << " (" << s.call_messages << " in calls, "
      << s.messages - s.call_messages << " outside calls)\n";
  out << "RTP streams: " << s.streams << " (" << s.call_streams << " in calls, "
      << s.streams - s.call_streams << " orphan)\n";
  out << "diagnostics: " << s.diagnostics;
  print_breakdown(s.diagnostics_by_kind, out);
  out << "\nanomalies: " << s.anomalies;
  print_breakdown(s.anomalies_by_kind, out);
  out << "\n";
}

}  // namespace sipscope::cli
