// --redact, --redact-key and --keep-dtmf of show, report and export: one Redactor keyed by
// the database's redaction key (created on first use in an older database) or the user's.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "export/redact.hpp"
#include "store/query.hpp"

namespace sipscope::cli {

// "redact-key HEX" and "keep-dtmf" (--redact itself stays in each command's list).
void add_redact_options(po::options_description& options);

struct Redaction {
  std::vector<uint8_t> key;
  export_::RedactOptions options;
};

// The key and options of this command's --redact; nullopt with a one-line `error` when
// --redact-key is malformed. Throws StoreError when the database holds no key and cannot
// store one (status 2).
[[nodiscard]] std::optional<Redaction> redaction_for(const po::variables_map& vm,
                                                     const store::Database& db, std::string& error);
// The Redactor of redaction_for().
[[nodiscard]] std::optional<export_::Redactor> redactor_for(const po::variables_map& vm,
                                                            const store::Database& db,
                                                            std::string& error);

}  // namespace sipscope::cli
