// The keyed Redactor of show, report and export (docs/ladder-json.md "Redaction").
#include "cli/redaction.hpp"

#include "store/redaction_key.hpp"

namespace sipscope::cli {

void add_redact_options(po::options_description& options) {
  options.add_options()  //
      ("redact-key", po::value<std::string>(),
       "with --redact: pseudonyms keyed by this hex key (32+ digits) instead of the "
       "database's own")  //
      ("keep-dtmf", "with --redact: keep DTMF digits (RFC 4733 events, INFO dtmf-relay)");
}

std::optional<Redaction> redaction_for(const po::variables_map& vm, const store::Database& db,
                                       std::string& error) {
  Redaction r;
  r.options.keep_dtmf = vm.count("keep-dtmf") != 0U;
  std::string hex;
  if (vm.count("redact-key") != 0U) {
    hex = vm["redact-key"].as<std::string>();
  } else if (auto stored = store::read_redaction_key(db)) {
    hex = *stored;
  } else {
    hex = store::ensure_redaction_key(db.path());
  }
  r.key = export_::parse_key_hex(hex);
  if (r.key.empty()) {
    error = "--redact-key must be at least 32 hex digits (16 bytes), an even number of them";
    return std::nullopt;
  }
  return r;
}

std::optional<export_::Redactor> redactor_for(const po::variables_map& vm,
                                              const store::Database& db, std::string& error) {
  auto r = redaction_for(vm, db, error);
  if (!r) return std::nullopt;
  return export_::Redactor(r->key, r->options);
}

}  // namespace sipscope::cli
