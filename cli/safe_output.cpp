#include "cli/safe_output.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <stdexcept>

namespace sipscope::cli {

namespace fs = std::filesystem;

bool same_file(const std::string& a, const std::string& b) {
  if (a == "-" || b == "-") return false;
  std::error_code ec;
  const bool a_exists = fs::exists(a, ec);
  const bool b_exists = fs::exists(b, ec);
  if (a_exists && b_exists && fs::equivalent(a, b, ec) && !ec) return true;
  // Also by resolved name: "dir/missing/../trace.pcap" does not resolve today but names
  // trace.pcap once an output's parent directories are created.
  const fs::path ca = fs::weakly_canonical(a, ec);
  if (ec) return false;
  const fs::path cb = fs::weakly_canonical(b, ec);
  return !ec && ca == cb;
}

std::optional<std::string> overlap_error(const std::vector<NamedPath>& inputs,
                                         const std::vector<NamedPath>& outputs) {
  for (size_t i = 0; i < outputs.size(); ++i) {
    const auto& [name, path] = outputs[i];
    for (const auto& [in_name, in_path] : inputs) {
      if (same_file(path, in_path)) {
        std::string error = name;
        error.append(" ").append(path).append(" is the ").append(in_name).append(" ");
        error.append(in_path).append(": refusing to overwrite an input");
        return error;
      }
    }
    for (size_t j = 0; j < i; ++j) {
      if (same_file(path, outputs[j].second)) {
        std::string error = name;
        error.append(" and ").append(outputs[j].first).append(" name the same file ").append(path);
        return error;
      }
    }
  }
  return std::nullopt;
}

namespace {
// The mode a plain create would give: 0666 less the umask (mkstemp makes 0600).
mode_t create_mode() {
  const mode_t mask = ::umask(0);
  (void)::umask(mask);
  return 0666 & ~mask;
}
}  // namespace

AtomicFile::AtomicFile(std::string path, bool open_stream) : path_(std::move(path)) {
  const fs::path parent = fs::path(path_).parent_path();
  std::error_code ec;
  if (fs::exists(path_, ec) && !fs::is_regular_file(path_, ec)) {
    // A device or pipe (/dev/stdout, a FIFO): written directly, never replaced.
    temp_ = path_;
    direct_ = true;
    out_.open(path_, std::ios::binary);
    if (!out_) throw std::runtime_error(path_ + ": cannot write file");
    return;
  }
  if (!parent.empty()) fs::create_directories(parent, ec);
  std::string pattern = path_ + ".tmp-XXXXXX";
  const int fd = ::mkstemp(pattern.data());
  if (fd < 0) throw std::runtime_error(path_ + ": cannot create file: " + std::strerror(errno));
  (void)::fchmod(fd, create_mode());
  ::close(fd);
  temp_ = pattern;
  if (!open_stream) return;
  out_.open(temp_, std::ios::binary | std::ios::trunc);
  if (!out_) throw std::runtime_error(path_ + ": cannot write file");
}

AtomicFile::~AtomicFile() {
  if (!done_ && !direct_) {
    if (out_.is_open()) out_.close();
    std::error_code ec;
    fs::remove(temp_, ec);
    fs::remove(temp_ + "-journal", ec);  // SQLite's, when a database was built there
  }
}

void AtomicFile::commit() {
  errno = 0;
  if (out_.is_open()) out_.close();
  if (!out_) {
    const int err = errno;
    throw std::runtime_error(path_ + ": write failed" +
                             (err != 0 ? std::string(": ") + std::strerror(err) : ""));
  }
  done_ = direct_;
  if (!done_ && std::rename(temp_.c_str(), path_.c_str()) != 0) {
    throw std::runtime_error(path_ + ": cannot replace file: " + std::strerror(errno));
  }
  done_ = true;
}

void check_stdout() {
  errno = 0;
  std::cout.flush();  // synced with stdio: fflush(stdout), whose errno says why
  int err = errno;
  bool failed = !std::cout;
  if (std::fflush(stdout) != 0) {
    failed = true;
    if (err == 0) err = errno;
  }
  if (failed || std::ferror(stdout) != 0) {
    throw std::runtime_error(std::string("standard output: write failed") +
                             (err != 0 ? std::string(": ") + std::strerror(err) : ""));
  }
}

}  // namespace sipscope::cli
