// Output helpers shared by the subcommands: files, tables, summaries.
#pragma once

#include <ostream>
#include <string>

#include "report/query.hpp"

namespace sipscope::cli {

// Writes `content` to `path` ("-" = stdout); creates parent directories. Throws
// std::runtime_error naming the file on failure.
void write_file(const std::string& path, const std::string& content);

std::string all_calls_html(const report::Database& db, const std::string& title);
std::string all_calls_json(const report::Database& db);

// The calls table on stdout; with more than max_rows calls (max_rows > 0) says how to
// list the rest.
void print_calls_table(const report::Database& db, int max_rows, const std::string& db_path);

// "calls: 8 (answered 3, busy 1, ...)" / messages / anomalies lines.
void print_summary(const report::Database& db, std::ostream& out);

}  // namespace sipscope::cli
