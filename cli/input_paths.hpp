// The CAPTURE arguments of `analyze` as files: "-" is standard input (once), an argument
// that is no existing file but holds a glob pattern ('cap-*.pcap', quoted so the shell
// leaves it, e.g. a `tcpdump -G` rotated set) is expanded by glob(3) in name order.
#pragma once

#include <string>
#include <vector>

namespace sipscope::cli {

// Throws capture::CaptureError naming the pattern when one matches no file, and
// std::invalid_argument when "-" is given twice.
[[nodiscard]] std::vector<std::string> expand_capture_args(const std::vector<std::string>& args);

// The default --db: CAPTURE-STEM.db in the current directory ("trace.pcap.gz" ->
// "trace.db"), "stdin.db" for standard input.
[[nodiscard]] std::string default_db_path(const std::string& first_capture);

}  // namespace sipscope::cli
