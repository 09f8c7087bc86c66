// Is the capture on disk the one that was analysed? export and report re-find each capture
// (as stored, in --capture-dir, beside the database) and hold it against the identity
// analyze recorded in `captures` (size, SHA-256; docs/schema.md). A missing or changed file
// is an error naming it: a slice of another trace must never pass for the evidence
// (CaptureMissing / CaptureChanged, so the web server can answer 404 / 409).
//
//   const auto found = locate_capture(cap, capture_dir, db_path);  // checks the size
//   ... read it with capture::PcapReader ...;  check_identity(cap, found, reader.info().identity);
#pragma once

#include <stdexcept>
#include <string>

#include "capture/input_file.hpp"
#include "store/query.hpp"

namespace sipscope::export_ {

// The capture file is not where the database says (nor in --capture-dir / beside the
// database), or it was standard input.
class CaptureMissing : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// The file found is not the one analysed (size or SHA-256 differ).
class CaptureChanged : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The file to read for `cap`: in --capture-dir (by file name) when given, else as stored,
// else beside the database. Throws std::runtime_error (one line) when it is missing, was
// standard input, or its size differs from the recorded one.
[[nodiscard]] std::string locate_capture(const store::CaptureFile& cap,
                                         const std::string& capture_dir,
                                         const std::string& db_path);

// Throws when the identity read from `found` differs from the recorded one (size, and the
// SHA-256 when both are known).
void check_identity(const store::CaptureFile& cap, const std::string& found,
                    const capture::FileIdentity& read);

// locate_capture + one read of the whole file + check_identity; returns the path.
std::string verify_capture(const store::CaptureFile& cap, const std::string& capture_dir,
                           const std::string& db_path);

}  // namespace sipscope::export_
