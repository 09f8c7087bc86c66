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

void write_file(const std::string& path, const std::function<void(std::ostream&)>& write) {
  if (path == "-") {
    write(std::cout);
    check_stdout();
    return;
  }
  AtomicFile out(path);
  write(out.stream());
  out.commit();
}

void write_file(const std::string& path, const std::string& content) {
  write_file(path, [&content](std::ostream& out) { out << content; });
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

void write_all_calls_html(std::ostream& out, const store::Database& db, const std::string& title) {
  // The summary table comes first: the calls are read twice, in one snapshot.
  const store::ReadSnapshot snapshot(db);
  report::HtmlPageWriter page(out, "sipscope: " + title, false);
  store::for_each_call_row(db, {}, [&page](const auto& row) { page.summary_row(row.call); });
  store::for_each_call_row(db, {}, [&](const store::CallListRow& row) {
    page.section(report::build_ladder(db, {row.call.id}));
  });
  page.finish();
}

void write_all_calls_json(std::ostream& out, const store::Database& db) {
  out << '[';
  bool first = true;
  store::for_each_call_row(db, {}, [&](const store::CallListRow& row) {
    if (!first) out << ",\n";
    first = false;
    out << report::render_json(report::build_ladder(db, {row.call.id}));
  });
  out << "]\n";
}

void print_calls_table(const store::Database& db, int max_rows, const std::string& db_path) {
  store::CallFilter filter;
  if (max_rows > 0) filter.limit = max_rows + 1;
  const store::ReadSnapshot snapshot(db);
  bool more = false;
  const auto rows = [&](const report::RowVisit<store::CallListRow>& visit) {
    int n = 0;
    store::for_each_call_row(db, filter, [&](const store::CallListRow& row) {
      if (max_rows > 0 && n++ >= max_rows) {
        more = true;
        return;
      }
      visit(row);
    });
  };
  report::write_calls_table(std::cout, rows, isatty(STDOUT_FILENO) == 0);
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
