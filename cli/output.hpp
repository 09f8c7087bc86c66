// Output helpers shared by the subcommands: files, tables, summaries.
#pragma once

#include <ostream>
#include <string>

#include "store/query.hpp"

namespace sipscope::cli {

// Writes `content` to `path` ("-" = stdout) through a temporary file renamed into place
// (cli/safe_output.hpp); creates parent directories. Throws std::runtime_error naming the
// file on failure (a full disk included).
void write_file(const std::string& path, const std::string& content);

std::string all_calls_html(const store::Database& db, const std::string& title);
std::string all_calls_json(const store::Database& db);

// The calls table on stdout; with more than max_rows calls (max_rows > 0) says how to
// list the rest.
void print_calls_table(const store::Database& db, int max_rows, const std::string& db_path);

// "calls: 8 (answered 3, busy 1, ...)" / messages / anomalies lines.
void print_summary(const store::Database& db, std::ostream& out);

}  // namespace sipscope::cli
