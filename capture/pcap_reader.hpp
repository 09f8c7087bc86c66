// Offline capture input through libpcap: pcap and pcapng, micro- and nanosecond
// timestamps (opened with PCAP_TSTAMP_PRECISION_NANO so no precision is lost), plain or
// gzip-compressed, a file or "-" (standard input), and several files merged by timestamp
// into one frame sequence. Each file's identity (size, mtime, SHA-256 of its bytes as
// stored) is computed while libpcap reads it (capture/input_file.hpp).
//
//   capture::MergedReader in(paths, /*first_capture_id=*/1);   // throws CaptureError
//   decode::Frame f;
//   while (in.next(f)) decoder.on_frame(f);                    // f.data valid until next()
//   for (auto& c : in.captures()) if (c.status != "complete") report(c.error);
//
// A file that ends mid-record (truncated) or fails while reading stops contributing; what
// was read before stays delivered, its status becomes "truncated" and `error` holds a
// one-line message naming the file. The other files go on. An empty file (0 bytes, e.g. a
// tcpdump killed before it wrote the header) is status "empty" with no frames, not an error.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "capture/frame_source.hpp"
#include "capture/input_file.hpp"
#include "decode/frame.hpp"

namespace sipscope::capture {

// Setup failure: missing file, unreadable file, not a capture. what() is one line that
// names the file.
class CaptureError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CaptureInfo {
  uint32_t capture_id = 0;
  std::string path;
  int link_type = 0;     // pcap_datalink() of the file (first interface for pcapng)
  int64_t first_us = 0;  // 0 until a frame was read
  int64_t last_us = 0;
  uint64_t packets = 0;
  std::string status = "complete";  // "complete" | "truncated" | "interrupted" | "empty"
  std::string error;                // one line naming the file, when status != complete
  // Live interfaces only (capture/live_source.hpp): pcap_stats ps_drop / ps_ifdrop.
  std::optional<uint64_t> kernel_drops{}, interface_drops{};
  FileIdentity identity;  // sha256 "" unless the whole file was read
};

class PcapReader {
 public:
  // Throws CaptureError naming the file when it is missing, unreadable or not a capture.
  PcapReader(std::string path, uint32_t capture_id);
  ~PcapReader();
  PcapReader(const PcapReader&) = delete;
  PcapReader& operator=(const PcapReader&) = delete;

  // Next frame, false at end of file or on a read error (see info().status / error).
  [[nodiscard]] bool next(decode::Frame& out);
  [[nodiscard]] const CaptureInfo& info() const { return info_; }
  void mark_interrupted();
  // Frames handed out after this carry the new id (ids are known once the store has them).
  void set_capture_id(uint32_t capture_id) { info_.capture_id = capture_id; }

 private:
  struct Handle;
  std::unique_ptr<Handle> handle_;
  CaptureInfo info_;
};

class MergedReader final : public FrameSource {
 public:
  // Opens every file up front (so a missing one fails before any work). capture ids are
  // first_capture_id, first_capture_id + 1, ... in argument order.
  MergedReader(const std::vector<std::string>& paths, uint32_t first_capture_id);
  ~MergedReader() override;

  // Next frame across all files in timestamp order (ties: argument order, then file
  // order). false when every file is exhausted.
  [[nodiscard]] bool next(decode::Frame& out);
  [[nodiscard]] Next pull(decode::Frame& out) override {
    return next(out) ? Next::frame : Next::end;
  }
  // One entry per file, in argument order; counts are final once next() returned false.
  [[nodiscard]] std::vector<CaptureInfo> captures() const override;
  // Marks files still being read as "interrupted" (SIGINT/SIGTERM).
  void mark_interrupted() override;
  // Renumbers the files first_capture_id, +1, ... before the first next().
  void set_first_capture_id(uint32_t first_capture_id);

 private:
  struct Source;
  std::vector<std::unique_ptr<Source>> sources_;
  std::vector<size_t> heap_;  // indices into sources_, min-heap on the pending timestamp
  bool primed_ = false;
  size_t last_ = SIZE_MAX;  // source that produced the frame handed out last
  void refill(size_t i);
};

}  // namespace sipscope::capture
