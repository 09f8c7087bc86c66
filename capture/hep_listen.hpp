// HEP collector input (`capture --hep-listen`): UDP sockets receiving HEP v1/v2/v3, and
// TCP listeners receiving HEP3 packets back to back (the "HEP3" + u16 length framing), from
// capture agents (Kamailio/OpenSIPS siptrace, heplify, sngrep -H, ...). Each datagram or
// HEP3 packet is handed to the pipeline as one raw-IP frame (LINKTYPE_RAW: an IPv4/IPv6 + UDP
// header from the agent's socket address to the listening one, then the datagram), so the decoder's
// HEP path (decode/hep.hpp) analyses the SIP inside with the agent's original addresses,
// ports, transport and capture time. The frame's own time is the HEP capture time when the
// packet has one, else the arrival time.
//
//   capture::HepListenSource hep({.listen = {"127.0.0.1:9060"}, .password = ""});
//   hep.set_capture_id(0, store.add_capture(hep.name(0)));
//   while (!stop) if (hep.pull(f) == FrameSource::Next::frame) decoder.on_frame(f);
//
// With a password, a packet that decodes as HEP but carries another auth key (chunk 14) or
// none is dropped and counted (auth_failures()). Bytes that are not HEP are handed on: the
// decoder names them (hep_* anomalies or plain UDP). A TCP stream that does not start a
// HEP3 packet where one must start cannot be resynchronised: the connection is closed and
// counted (framing_errors()). At most kMaxHepConnections agents are connected at once.
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <string>
#include <vector>

#include "capture/frame_source.hpp"
#include "capture/pcap_reader.hpp"

namespace sipscope::capture {

inline constexpr int kLinkTypeRaw = 101;           // LINKTYPE_RAW: frames start at IP
inline constexpr size_t kMaxHepDatagram = 65'535;  // largest UDP payload
inline constexpr uint16_t kDefaultHepListenPort = 9060;
inline constexpr size_t kMaxHepConnections = 48;  // TCP agents connected at once

struct HepListenOptions {
  // "[udp:|tcp:][ADDR:]PORT" each; UDP and ADDR 127.0.0.1 unless given
  std::vector<std::string> listen;
  std::string password;  // "" = no auth-key check
};

class HepListenSource final : public FrameSource {
 public:
  // Binds every address. Throws CaptureError with one line naming it: malformed
  // "[ADDR:]PORT", address in use, permission denied.
  explicit HepListenSource(const HepListenOptions& options);
  ~HepListenSource() override;
  HepListenSource(const HepListenSource&) = delete;
  HepListenSource& operator=(const HepListenSource&) = delete;

  // Waits at most `wait_ms` (kPollMs unless set_wait_ms) for a datagram.
  [[nodiscard]] Next pull(decode::Frame& out) override;
  [[nodiscard]] std::vector<CaptureInfo> captures() const override;
  void mark_interrupted() override {}
  void stop_waiting() override { set_wait_ms(0); }
  // "hep:udp:ADDR:PORT" or "hep:tcp:ADDR:PORT", the captures.path of listener i.
  [[nodiscard]] const std::string& name(size_t i) const;
  [[nodiscard]] size_t size() const { return sockets_.size(); }
  void set_capture_id(size_t i, uint32_t id);
  void set_wait_ms(int ms) { wait_ms_ = ms; }
  [[nodiscard]] uint64_t auth_failures() const { return auth_failures_; }
  [[nodiscard]] uint64_t framing_errors() const { return framing_errors_; }
  // HEP packets carrying something else than SIP (RTCP reports, logs, QoS): not stored.
  [[nodiscard]] uint64_t non_sip_packets() const { return non_sip_packets_; }
  [[nodiscard]] uint64_t refused_connections() const { return refused_connections_; }

 private:
  struct Socket {
    int fd = -1;
    bool tcp = false;  // a listening TCP socket
    CaptureInfo info;
    std::vector<uint8_t> local;  // bound address, 4 or 16 bytes
    uint16_t port = 0;           // bound port
  };
  struct Connection {  // one accepted TCP agent
    int fd = -1;
    size_t listener = 0;  // index into sockets_
    sockaddr_storage peer{};
    std::vector<uint8_t> data;  // received bytes not yet handed out (< one HEP3 packet + read)
  };
  std::vector<Socket> sockets_;
  std::vector<Connection> connections_;
  std::string password_;
  std::vector<uint8_t> buffer_;  // IP + UDP header room, then the datagram
  size_t next_ = 0;              // socket read first on the next pull (round robin)
  int wait_ms_;
  uint64_t auth_failures_ = 0;
  uint64_t framing_errors_ = 0;
  uint64_t non_sip_packets_ = 0;
  uint64_t refused_connections_ = 0;
  bool read_one(Socket& s, decode::Frame& out);
  bool take_buffered(decode::Frame& out);
  void accept_on(const Socket& s, size_t listener);
  void read_connection(Connection& c);
  // Accepts a HEP packet (auth key) and fills `out`; false when it was dropped.
  bool hand_out(Socket& s, size_t got, size_t wire, const sockaddr_storage& from,
                decode::Frame& out);
};

// Parses "[ADDR:]PORT" ("9060", "0.0.0.0:9060", "[::1]:9060"). False on a malformed text.
// (The "udp:"/"tcp:" prefix of --hep-listen is taken off before.)

// ADDR (an IPv4 or IPv6 literal) and PORT as a socket address; returns its length, 0 when
// ADDR is not an address.
[[nodiscard]] socklen_t socket_address(const std::string& addr, uint16_t port,
                                       sockaddr_storage& out);
[[nodiscard]] bool parse_listen_address(const std::string& text, std::string& addr, uint16_t& port);

}  // namespace sipscope::capture
