#include "cli/input_paths.hpp"

#include <glob.h>

#include <filesystem>
#include <stdexcept>
#include <system_error>

#include "capture/pcap_reader.hpp"

namespace sipscope::cli {

std::vector<std::string> expand_capture_args(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  bool stdin_seen = false;
  for (const auto& arg : args) {
    std::error_code ec;
    if (arg == "-") {
      if (stdin_seen) throw std::invalid_argument("standard input '-' given twice");
      stdin_seen = true;
      out.push_back(arg);
      continue;
    }
    if (std::filesystem::exists(arg, ec) || arg.find_first_of("*?[") == std::string::npos) {
      out.push_back(arg);  // a missing plain name fails when opened, naming the file
      continue;
    }
    glob_t g{};
    // glob(3) sorts its matches (strcoll: byte order in the C locale sipscope runs in).
    const int rc = ::glob(arg.c_str(), GLOB_ERR, nullptr, &g);
    if (rc == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
    }
    globfree(&g);
    if (rc != 0) throw capture::CaptureError(arg + ": no file matches this pattern");
  }
  return out;
}

std::string default_db_path(const std::string& first_capture) {
  if (first_capture == "-") return "stdin.db";
  std::filesystem::path name = std::filesystem::path(first_capture).filename();
  if (name.extension() == ".gz") name = name.stem();
  return name.stem().string() + ".db";
}

}  // namespace sipscope::cli
