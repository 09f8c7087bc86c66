// Live capture from network interfaces through libpcap: one handle per interface
// (pcap_create, immediate mode, kernel buffer size, snap length, non-blocking), all polled
// from the calling thread (pcap_get_selectable_fd + poll) and merged by arrival time.
// `any` is captured as Linux SLL2 (LINKTYPE_LINUX_SLL2) where libpcap offers it.
//
//   capture::LiveSource in({.interfaces = {"eth0"}, .filter = "udp"}, /*first_capture_id=*/1);
//   decode::Frame f;
//   while (!stop) if (in.pull(f) == FrameSource::Next::frame) decoder.on_frame(f);
//   for (auto& c : in.captures()) report(c.packets, *c.kernel_drops);
//
// pull() returns idle after at most kPollMs without a packet (or at once when a signal
// interrupts the wait), so a stop request is seen within that time whatever the load.
// Frames are numbered per interface (1-based) under that interface's capture id. A frame's
// bytes stay valid until the next pull(). With a RawPacketSink (rotating pcap files,
// capture/pcap_rotator.hpp) every frame is written before it is handed out and takes the
// capture id and number of the file it was written to.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "capture/frame_source.hpp"
#include "capture/pcap_reader.hpp"

namespace sipscope::capture {

inline constexpr int kPollMs = 100;

struct LiveOptions {
  std::vector<std::string> interfaces;  // "any" = every interface
  std::string filter;                   // BPF, applied to every interface ("" = none)
  int snaplen = 262'144;                // bytes kept per packet
  int buffer_mb = 32;                   // kernel capture buffer per interface
};

// Where raw packets go before decoding (--pcap-out). `write` returns the capture id and
// 1-based frame number under which the packet is now stored.
class RawPacketSink {
 public:
  virtual ~RawPacketSink() = default;
  struct Stored {
    uint32_t capture_id = 0;
    uint64_t frame = 0;
  };
  virtual Stored write(size_t interface_index, int link_type, int64_t ts_us, uint32_t wire_length,
                       std::span<const uint8_t> data) = 0;
};

class LiveSource final : public FrameSource {
 public:
  // Opens and activates every interface. Throws CaptureError with one line naming the
  // interface: no such interface, permission denied (naming CAP_NET_RAW), or a filter
  // libpcap cannot compile.
  LiveSource(const LiveOptions& options, uint32_t first_capture_id);
  ~LiveSource() override;
  LiveSource(const LiveSource&) = delete;
  LiveSource& operator=(const LiveSource&) = delete;

  [[nodiscard]] Next pull(decode::Frame& out) override;
  // One entry per interface; kernel_drops / interface_drops read from pcap_stats now.
  [[nodiscard]] std::vector<CaptureInfo> captures() const override;
  // A live capture always ends by being stopped: nothing to mark.
  void mark_interrupted() override {}
  void stop_waiting() override { waiting_ = false; }
  // Link type of interface i (pcap_datalink after activation).
  [[nodiscard]] int link_type(size_t i) const;
  void set_raw_sink(RawPacketSink* sink) { raw_sink_ = sink; }
  // Replaces the filter of interface i (the default filter depends on its link type).
  // Throws CaptureError when it does not compile.
  void set_filter(size_t i, const std::string& filter);
  // The captures.id of interface i (known once the database is open).
  void set_capture_id(size_t i, uint32_t id);

 private:
  struct Source;
  struct Poller;
  std::vector<std::unique_ptr<Source>> sources_;
  std::unique_ptr<Poller> poller_;
  size_t last_ = SIZE_MAX;  // source whose frame was handed out last
  bool waiting_ = true;     // pull() polls (kPollMs) when nothing is buffered
  RawPacketSink* raw_sink_ = nullptr;
  // Reads a packet into every source without one; true if any is pending.
  bool refill();
  static void install_filter(Source& s, const std::string& filter);
};

}  // namespace sipscope::capture
