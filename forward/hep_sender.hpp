// `--hep-send`: forwards decoded SIP (and RTCP) as HEP3 to a collector (Homer, sngrep -L,
// another sipscope) over UDP or TCP. The capture thread only encodes into a reused buffer
// and swaps it into a bounded queue (send() never waits for the network); one sender
// thread writes the queue to the socket. A full queue, a message too large for HEP3, or a
// collector that is down drops the message and counts it (stats()), never the capture.
//
//   forward::HepSender hep({.target = "tcp:10.0.0.5:9060", .capture_id = 2001});
//   hep.send({.src = s, .dst = d, .ip_protocol = 17, .ts_us = t, .payload = sip});
//   hep.close();   // waits up to kDrainMs for the queue to go out
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "forward/hep_encoder.hpp"

namespace sipscope::forward {

inline constexpr size_t kDefaultHepQueue = 8192;  // messages waiting for the socket
inline constexpr std::chrono::milliseconds kDrainMs{2000};
inline constexpr std::chrono::milliseconds kReconnectMs{1000};

struct HepSendOptions {
  std::string target;  // "[udp:|tcp:]ADDR:PORT" ("[v6]:PORT" for IPv6); UDP by default
  uint32_t capture_id = 0;
  std::string password;   // HEP3 auth key (chunk 14); "" = none
  std::string node_name;  // chunk 19; "" = none
  size_t queue = kDefaultHepQueue;
};

struct HepSendStats {
  uint64_t sent = 0;
  uint64_t dropped = 0;  // queue full, too large, or the collector unreachable
  uint64_t errors = 0;   // socket errors (connect/send failures)
};

class HepSender {
 public:
  // Parses the target (std::invalid_argument with one line when malformed) and starts the
  // sender thread; connecting happens there, so an absent collector never stops a capture.
  explicit HepSender(HepSendOptions options);
  ~HepSender();
  HepSender(const HepSender&) = delete;
  HepSender& operator=(const HepSender&) = delete;

  void send(const HepMessage& message);
  // Sends what is queued (waiting at most kDrainMs), then stops the thread. Idempotent.
  void close();
  [[nodiscard]] HepSendStats stats() const;
  [[nodiscard]] const std::string& target() const { return options_.target; }

 private:
  void run();
  bool connect_socket();
  bool write_out(const std::vector<uint8_t>& packet);

  HepSendOptions options_;
  bool tcp_ = false;
  std::string address_;
  uint16_t port_ = 0;
  sockaddr_storage address_storage_{};
  socklen_t address_length_ = 0;
  int fd_ = -1;
  std::chrono::steady_clock::time_point next_connect_{};
  std::vector<uint8_t> scratch_;             // the capture thread's encoding buffer
  std::vector<std::vector<uint8_t>> slots_;  // ring of encoded packets
  size_t head_ = 0, count_ = 0;
  bool closing_ = false;
  HepSendStats stats_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::thread thread_;
};

}  // namespace sipscope::forward
