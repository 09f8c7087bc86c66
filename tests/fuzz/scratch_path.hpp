// Where the file-based fuzz targets (pcap_reader, pipeline) keep their per-process scratch
// file: on /dev/shm when it is writable (no disk I/O per input), else /tmp.
#pragma once

#include <unistd.h>

#include <string>
#include <string_view>

namespace sipscope::fuzz {

// "/dev/shm/sipscope-<name>-<pid><suffix>" (or under /tmp).
inline std::string scratch_path(std::string_view name, std::string_view suffix) {
  const char* dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  return std::string(dir) + "/sipscope-" + std::string(name) + "-" + std::to_string(getpid()) +
         std::string(suffix);
}

}  // namespace sipscope::fuzz
