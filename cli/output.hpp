// Output helpers shared by the subcommands: files, tables, summaries.
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "cli/safe_output.hpp"
#include "store/query.hpp"

namespace sipscope::cli {

// Writes `content` to `path` ("-" = stdout) through a temporary file renamed into place
// (cli/safe_output.hpp); creates parent directories. Throws std::runtime_error naming the
// file on failure (a full disk included).
void write_file(const std::string& path, const std::string& content);
// The same, the content written by `write` straight into the file as it is produced.
void write_file(const std::string& path, const std::function<void(std::ostream&)>& write);

// What a command reading `db` must never write over: the database and every capture it was
// analysed from, as stored and where export would look for it beside the database
// (standard input left no file). For overlap_error().
[[nodiscard]] std::vector<NamedPath> database_inputs(const store::Database& db,
                                                     const std::string& db_path);

// Every call's HTML page / JSON ladder written as the calls are read, one call in memory
// at a time.
void write_all_calls_html(std::ostream& out, const store::Database& db, const std::string& title);
void write_all_calls_json(std::ostream& out, const store::Database& db);

// The calls table on stdout; with more than max_rows calls (max_rows > 0) says how to
// list the rest.
void print_calls_table(const store::Database& db, int max_rows, const std::string& db_path);

// "calls: 8 (answered 3, busy 1, ...)" / messages / anomalies lines.
void print_summary(const store::Database& db, std::ostream& out);

}  // namespace sipscope::cli
