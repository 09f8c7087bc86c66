// The capture file reader on hostile files: the input is written to a file and read by
// capture::MergedReader as `sipscope analyze FILE` reads it — libpcap's pcap and pcapng
// parsers behind our gzip/plain input layer (capture/input_file.hpp), the identity hash,
// the truncation and error paths. Byte 0 picks the form: bit 0 set = the rest is
// gzip-compressed on the way to the file (so the inflating reader sees the same hostile
// content), bit 1 set = a second copy of the file is merged in (two inputs, timestamp
// merge). Every frame's bytes are touched so that a view past the record shows under ASan.
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <string>
#include <vector>

#include "capture/pcap_reader.hpp"
#include "tests/fuzz/scratch_path.hpp"
#include "tests/fuzz/targets.hpp"

namespace sipscope::fuzz {
namespace {

std::string input_path(const char* suffix) {
  return scratch_path("pcap-fuzz", suffix);
}

bool write_plain(const std::string& path, const uint8_t* data, size_t size) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  const bool ok = size == 0 || std::fwrite(data, 1, size, f) == size;
  return std::fclose(f) == 0 && ok;
}

bool write_gzip(const std::string& path, const uint8_t* data, size_t size) {
  gzFile f = gzopen(path.c_str(), "wb1");
  if (f == nullptr) return false;
  const bool ok = size == 0 || gzwrite(f, data, static_cast<unsigned>(size)) > 0;
  return gzclose(f) == Z_OK && ok;
}

}  // namespace

int pcap_reader_one_input(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const bool gzip = (data[0] & 1) != 0;
  const bool twice = (data[0] & 2) != 0;
  const std::string path = input_path(gzip ? ".pcap.gz" : ".pcap");
  const bool written =
      gzip ? write_gzip(path, data + 1, size - 1) : write_plain(path, data + 1, size - 1);
  uint64_t sum = 0;
  if (written) {
    std::vector<std::string> paths{path};
    if (twice) paths.push_back(path);
    try {
      capture::MergedReader reader(paths, 1);
      decode::Frame frame;
      while (reader.next(frame)) {
        for (uint8_t b : frame.data) sum += b;
        sum += frame.wire_length + static_cast<uint64_t>(frame.ref.ts_us);
      }
      for (const auto& c : reader.captures()) sum += c.packets + c.status.size() + c.error.size();
    } catch (const capture::CaptureError& e) {
      sum += std::string_view(e.what()).size();  // not a capture: the one-line error
    }
  }
  unlink(path.c_str());
  return sum == 0xdeadbeef ? 1 : 0;  // keeps the touching from being optimised away
}

}  // namespace sipscope::fuzz

SIPSCOPE_FUZZ_TARGET(pcap_reader)
