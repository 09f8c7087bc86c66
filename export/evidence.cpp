// Locating the analysed captures again and verifying their identity (export/evidence.hpp).
#include "export/evidence.hpp"

#include <filesystem>
#include <stdexcept>
#include <system_error>

namespace sipscope::export_ {

namespace fs = std::filesystem;

namespace {

std::string changed(const store::CaptureFile& cap, const std::string& found,
                    const std::string& what) {
  std::string m = found + ": not the capture that was analysed (" + what + ")";
  if (found != cap.path) m += "; analysed as " + cap.path;
  return m + "; give the original's folder with --capture-dir";
}

}  // namespace

std::string locate_capture(const store::CaptureFile& cap, const std::string& capture_dir,
                           const std::string& db_path) {
  if (cap.path == "-") {
    throw CaptureMissing("capture " + std::to_string(cap.id) +
                         " was read from standard input and cannot be read again "
                         "(analyze a saved file instead)");
  }
  std::error_code ec;
  const fs::path p(cap.path);
  std::string found;
  if (!capture_dir.empty()) {
    // An explicit folder is the user's word: look nowhere else.
    const fs::path c = fs::path(capture_dir) / p.filename();
    if (fs::is_regular_file(c, ec)) found = c.string();
  } else if (fs::is_regular_file(p, ec)) {
    found = cap.path;
  } else if (p.is_relative()) {
    const fs::path dir = fs::path(db_path).parent_path();
    for (const fs::path& beside : {dir / p, dir / p.filename()}) {
      if (found.empty() && fs::is_regular_file(beside, ec)) found = beside.string();
    }
  }
  if (found.empty()) {
    throw CaptureMissing(
        cap.path + ": capture file not found" +
        (capture_dir.empty() ? " (give its folder with --capture-dir)" : " in " + capture_dir));
  }
  const auto size = fs::file_size(found, ec);
  if (!ec && cap.size && static_cast<int64_t>(size) != *cap.size) {
    throw CaptureChanged(
        changed(cap, found,
                "size " + std::to_string(size) + " bytes, analysed " + std::to_string(*cap.size)));
  }
  return found;
}

void check_identity(const store::CaptureFile& cap, const std::string& found,
                    const capture::FileIdentity& read) {
  if (cap.size && static_cast<int64_t>(read.size) != *cap.size) {
    throw CaptureChanged(changed(
        cap, found,
        "size " + std::to_string(read.size) + " bytes, analysed " + std::to_string(*cap.size)));
  }
  if (cap.sha256 && !read.sha256.empty() && read.sha256 != *cap.sha256) {
    throw CaptureChanged(
        changed(cap, found, "SHA-256 " + read.sha256 + ", analysed " + *cap.sha256));
  }
}

std::string verify_capture(const store::CaptureFile& cap, const std::string& capture_dir,
                           const std::string& db_path) {
  std::string found = locate_capture(cap, capture_dir, db_path);
  check_identity(cap, found, capture::identify_file(found));
  return found;
}

}  // namespace sipscope::export_
