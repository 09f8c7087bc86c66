// Raw packets of a live capture written as rotating pcap files (`capture --pcap-out DIR
// --rotate SIZE|SECONDS --keep N`): one series of files per interface, a new file when the
// current one reaches the size or age, the oldest deleted beyond N files. Every file is
// announced through `opened` (the caller records it in `captures` and returns its id) and
// `closed`; frames are numbered from 1 in each file, so a stored message points at its
// packet in the file (what `export` and `report` read).
//
//   PcapRotator out(options, {"lo"}, {1}, opened, closed);   // link types per interface
//   live_source.set_raw_sink(&out);  ...  out.flush() every second;  out.finish();
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "capture/live_source.hpp"
#include "capture/pcap_reader.hpp"

namespace sipscope::capture {

struct RotateOptions {
  std::string dir;
  uint64_t max_bytes = 0;  // 0 = no size limit
  int64_t max_age_us = 0;  // 0 = no time limit
  size_t keep = 0;         // 0 = keep every file
  int snaplen = 262'144;
};

// "100M", "2G", "500k" (bytes, powers of 1024) or "60", "60s", "10m", "1h" (time).
// false with `error` set for anything else.
bool parse_rotate(const std::string& text, RotateOptions& out, std::string& error);

class PcapRotator final : public RawPacketSink {
 public:
  using Opened = std::function<uint32_t(const std::string& path)>;
  using Closed = std::function<void(const CaptureInfo& info)>;
  // Creates `dir` if needed. Throws CaptureError naming the directory or file.
  PcapRotator(RotateOptions options, std::vector<std::string> interfaces,
              std::vector<int> link_types, Opened opened, Closed closed);
  ~PcapRotator() override;
  PcapRotator(const PcapRotator&) = delete;
  PcapRotator& operator=(const PcapRotator&) = delete;

  Stored write(size_t interface_index, int link_type, int64_t ts_us, uint32_t wire_length,
               std::span<const uint8_t> data) override;
  // Pushes buffered packets to the files (readers then see them).
  void flush();
  // Closes every file (each announced through `closed`, status complete).
  void finish();
  // Files written so far, oldest first (deleted ones excluded).
  [[nodiscard]] std::vector<std::string> files() const;

 private:
  struct Series;
  RotateOptions options_;
  std::vector<std::unique_ptr<Series>> series_;
  Opened opened_;
  Closed closed_;
  void open_next(Series& s, int64_t ts_us);
  void close_current(Series& s);
};

}  // namespace sipscope::capture
