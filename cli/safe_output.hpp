// Outputs that never destroy evidence: an output path that names an input (or another
// output) is refused before anything is written, and every file is built under a temporary
// name in its directory and renamed into place only when complete, so a failed or killed
// run leaves the previous file as it was. Write errors (a full disk) are exceptions.
//
//   if (auto e = overlap_error({{"capture", cap}}, {{"--html", html}})) return usage_error(...);
//   AtomicFile f("out.pcap");  f.stream() << bytes;  f.commit();   // else removed
#pragma once

#include <fstream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sipscope::cli {

// A path with the name users know it by ("--db", "capture", ...).
using NamedPath = std::pair<std::string, std::string>;

// True when both name one existing file (same device and inode: hard and symbolic links
// included), or they resolve to the same path (symbolic links, "." and ".." resolved).
[[nodiscard]] bool same_file(const std::string& a, const std::string& b);

// One line when an output names an input or another output ("-" = stdout is never one).
[[nodiscard]] std::optional<std::string> overlap_error(const std::vector<NamedPath>& inputs,
                                                       const std::vector<NamedPath>& outputs);

// A temporary "PATH.tmp-XXXXXX" beside `path` (parent directories created), renamed onto
// `path` by commit(); removed by the destructor when not committed. With open_stream
// false the caller writes temp_path() itself (e.g. SQLite builds a database there).
class AtomicFile {
 public:
  explicit AtomicFile(std::string path, bool open_stream = true);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  [[nodiscard]] const std::string& temp_path() const { return temp_; }
  // The open temporary file (binary); not used when only temp_path() is written.
  [[nodiscard]] std::ofstream& stream() { return out_; }
  // Closes the stream, checks every write, renames into place. Throws naming the path.
  void commit();

 private:
  std::string path_;
  std::string temp_;
  std::ofstream out_;
  bool done_ = false;
  bool direct_ = false;  // the path is a device or pipe: written in place
};

// Throws naming standard output when a write to it failed (after flushing it).
void check_stdout();

}  // namespace sipscope::cli
