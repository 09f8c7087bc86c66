#include "capture/hep_listen.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>

#include "capture/live_source.hpp"
#include "decode/hep.hpp"

namespace sipscope::capture {
namespace {

constexpr size_t kIpv4Header = 20;
constexpr size_t kIpv6Header = 40;
constexpr size_t kUdpHeader = 8;
constexpr size_t kHeaderRoom = kIpv6Header + kUdpHeader;
constexpr size_t kMaxPollSockets = 64;

int64_t now_us() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

void put_u16(uint8_t* p, size_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

// Writes the IP + UDP header in front of `payload` bytes at buffer + kHeaderRoom;
// returns where the frame starts.
uint8_t* write_headers(uint8_t* buffer, size_t payload, const sockaddr_storage& from,
                       const std::vector<uint8_t>& local, uint16_t local_port) {
  uint8_t* udp = buffer + kHeaderRoom - kUdpHeader;
  uint16_t src_port = 0;
  const bool v6 = from.ss_family == AF_INET6;
  std::array<uint8_t, 16> src{};
  if (v6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&from);
    std::memcpy(src.data(), &a->sin6_addr, 16);
    src_port = ntohs(a->sin6_port);
  } else {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&from);
    std::memcpy(src.data(), &a->sin_addr, 4);
    src_port = ntohs(a->sin_port);
  }
  put_u16(udp, src_port);
  put_u16(udp + 2, local_port);
  put_u16(udp + 4, kUdpHeader + payload);
  put_u16(udp + 6, 0);  // no checksum
  if (v6) {
    uint8_t* ip = udp - kIpv6Header;
    std::memset(ip, 0, kIpv6Header);
    ip[0] = 0x60;
    put_u16(ip + 4, kUdpHeader + payload);
    ip[6] = IPPROTO_UDP;
    ip[7] = 64;
    std::memcpy(ip + 8, src.data(), 16);
    std::memcpy(ip + 24, local.data(), local.size() == 16 ? 16 : 0);
    return ip;
  }
  uint8_t* ip = udp - kIpv4Header;
  std::memset(ip, 0, kIpv4Header);
  ip[0] = 0x45;
  put_u16(ip + 2, kIpv4Header + kUdpHeader + payload);
  ip[8] = 64;
  ip[9] = IPPROTO_UDP;
  std::memcpy(ip + 12, src.data(), 4);
  std::memcpy(ip + 16, local.data(), local.size() == 4 ? 4 : 0);
  return ip;
}

}  // namespace

bool parse_listen_address(const std::string& text, std::string& addr, uint16_t& port) {
  std::string_view port_text = text;
  addr = "127.0.0.1";
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find("]:");
    if (close == std::string::npos) return false;
    addr = text.substr(1, close - 1);
    port_text = std::string_view(text).substr(close + 2);
  } else if (const size_t colon = text.rfind(':'); colon != std::string::npos) {
    addr = text.substr(0, colon);
    port_text = std::string_view(text).substr(colon + 1);
  }
  unsigned value = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || value == 0 ||
      value > 65'535) {
    return false;
  }
  port = static_cast<uint16_t>(value);
  return true;
}

socklen_t socket_address(const std::string& addr, uint16_t port, sockaddr_storage& out) {
  out = {};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out);
  if (inet_pton(AF_INET, addr.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    return sizeof(sockaddr_in);
  }
  if (inet_pton(AF_INET6, addr.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    return sizeof(sockaddr_in6);
  }
  return 0;
}

HepListenSource::HepListenSource(const HepListenOptions& options)
    : password_(options.password), buffer_(kHeaderRoom + kMaxHepDatagram), wait_ms_(kPollMs) {
  if (options.listen.size() > kMaxPollSockets) throw CaptureError("too many --hep-listen");
  for (const std::string& given : options.listen) {
    std::string text = given;
    const bool tcp = text.starts_with("tcp:");
    if (tcp || text.starts_with("udp:")) text.erase(0, 4);
    std::string addr;
    uint16_t port = 0;
    if (!parse_listen_address(text, addr, port)) {
      throw CaptureError("--hep-listen '" + given + "': expected [udp:|tcp:][ADDR:]PORT");
    }
    sockaddr_storage ss{};
    const socklen_t len = socket_address(addr, port, ss);
    if (len == 0) {
      throw CaptureError(std::string("--hep-listen '")
                             .append(given)
                             .append("': '")
                             .append(addr)
                             .append("' is not an IP address"));
    }
    Socket s;
    if (ss.ss_family == AF_INET) {
      s.local.resize(4);
      std::memcpy(s.local.data(), &reinterpret_cast<const sockaddr_in*>(&ss)->sin_addr, 4);
    } else {
      s.local.resize(16);
      std::memcpy(s.local.data(), &reinterpret_cast<const sockaddr_in6*>(&ss)->sin6_addr, 16);
    }
    s.tcp = tcp;
    s.fd = socket(ss.ss_family, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const int one = 1;
    if (tcp && s.fd >= 0) (void)setsockopt(s.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (s.fd < 0 || bind(s.fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 ||
        (tcp && listen(s.fd, 16) != 0)) {
      const std::string why = std::strerror(errno);
      if (s.fd >= 0) close(s.fd);
      throw CaptureError(std::string("--hep-listen ").append(given).append(": ").append(why));
    }
    const int rcvbuf = 8 * 1024 * 1024;  // bursts from many agents
    (void)setsockopt(s.fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    std::string& path = s.info.path;
    path = tcp ? "hep:tcp:" : "hep:udp:";
    if (s.local.size() == 16) path += '[';
    path += addr;
    if (s.local.size() == 16) path += ']';
    path += ':';
    path += std::to_string(port);
    s.info.link_type = kLinkTypeRaw;
    s.port = port;
    sockets_.push_back(std::move(s));
  }
}

HepListenSource::~HepListenSource() {
  for (const Socket& s : sockets_) close(s.fd);
  for (const Connection& c : connections_) close(c.fd);
}

const std::string& HepListenSource::name(size_t i) const {
  return sockets_[i].info.path;
}

void HepListenSource::set_capture_id(size_t i, uint32_t id) {
  sockets_[i].info.capture_id = id;
}

bool HepListenSource::hand_out(Socket& s, size_t got, size_t wire, const sockaddr_storage& from,
                               decode::Frame& out) {
  const std::span<const uint8_t> packet(buffer_.data() + kHeaderRoom, got);
  int64_t ts = now_us();
  decode::HepPacket hep;
  if (decode::decode_hep(packet, hep) == decode::HepError::ok) {
    if (!password_.empty() && hep.auth_key != password_) {
      ++auth_failures_;
      return false;
    }
    if (hep.has_time) ts = hep.ts_us();
    if (hep.payload_type != 0 && hep.payload_type != decode::kHepPayloadSip) ++non_sip_packets_;
  }
  const uint8_t* start = write_headers(buffer_.data(), got, from, s.local, s.port);
  const auto frame_size = static_cast<size_t>(buffer_.data() + kHeaderRoom + got - start);
  CaptureInfo& info = s.info;
  ++info.packets;
  if (info.packets == 1 || ts < info.first_us) info.first_us = ts;
  if (info.packets == 1 || ts > info.last_us) info.last_us = ts;
  out.link_type = kLinkTypeRaw;
  out.ref = {info.capture_id, info.packets, ts};
  out.data = std::span<const uint8_t>(start, frame_size);
  out.wire_length = static_cast<uint32_t>(frame_size - got + wire);
  return true;
}

bool HepListenSource::read_one(Socket& s, decode::Frame& out) {
  if (s.tcp) return false;
  for (;;) {
    sockaddr_storage from{};
    socklen_t from_len = sizeof from;
    const ssize_t n = recvfrom(s.fd, buffer_.data() + kHeaderRoom, kMaxHepDatagram, MSG_TRUNC,
                               reinterpret_cast<sockaddr*>(&from), &from_len);
    if (n < 0) return false;  // EAGAIN (or an error the next poll will show again)
    const size_t got = std::min(static_cast<size_t>(n), kMaxHepDatagram);
    if (hand_out(s, got, static_cast<size_t>(n), from, out)) return true;
  }
}

// HEP over TCP: "HEP3", u16 total length (>= 6), the rest of the packet; packets follow
// each other without gaps (heplify, Kamailio siptrace, captagent).
bool HepListenSource::take_buffered(decode::Frame& out) {
  for (size_t i = 0; i < connections_.size(); ++i) {
    Connection& c = connections_[(next_ + i) % connections_.size()];
    while (c.fd >= 0 && c.data.size() >= decode::kHepV3HeaderSize) {
      const size_t total = (size_t{c.data[4]} << 8) | c.data[5];
      if (std::memcmp(c.data.data(), "HEP3", 4) != 0 || total < decode::kHepV3HeaderSize) {
        ++framing_errors_;
        close(c.fd);
        c.fd = -1;
        break;
      }
      if (c.data.size() < total) break;
      std::memcpy(buffer_.data() + kHeaderRoom, c.data.data(), total);
      c.data.erase(c.data.begin(), c.data.begin() + static_cast<std::ptrdiff_t>(total));
      if (hand_out(sockets_[c.listener], total, total, c.peer, out)) return true;
    }
  }
  std::erase_if(connections_, [](const Connection& c) { return c.fd < 0; });
  return false;
}

void HepListenSource::accept_on(const Socket& s, size_t listener) {
  for (;;) {
    Connection c;
    socklen_t len = sizeof c.peer;
    c.fd = accept4(s.fd, reinterpret_cast<sockaddr*>(&c.peer), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (c.fd < 0) return;
    if (connections_.size() >= kMaxHepConnections) {
      ++refused_connections_;
      close(c.fd);
      continue;
    }
    c.listener = listener;
    c.data.reserve(kMaxHepDatagram);
    connections_.push_back(std::move(c));
  }
}

void HepListenSource::read_connection(Connection& c) {
  // Never more than one packet's worth buffered: a packet is at most kMaxHepDatagram.
  const size_t room = kMaxHepDatagram + decode::kHepV3HeaderSize - c.data.size();
  if (room == 0) return;
  const size_t had = c.data.size();
  c.data.resize(had + room);
  const ssize_t n = recv(c.fd, c.data.data() + had, room, 0);
  c.data.resize(had + (n > 0 ? static_cast<size_t>(n) : 0));
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {  // closed by the agent
    close(c.fd);
    c.fd = -1;
  }
}

FrameSource::Next HepListenSource::pull(decode::Frame& out) {
  if (take_buffered(out)) return Next::frame;
  for (size_t k = 0; k < sockets_.size(); ++k) {
    Socket& s = sockets_[(next_ + k) % sockets_.size()];
    if (read_one(s, out)) {
      next_ = (next_ + k + 1) % sockets_.size();
      return Next::frame;
    }
  }
  // UDP alone needs no poll when not waiting (recvfrom said there is nothing); TCP does,
  // for new agents and their bytes.
  const bool tcp =
      std::any_of(sockets_.begin(), sockets_.end(), [](const Socket& s) { return s.tcp; });
  if (sockets_.empty() || (wait_ms_ <= 0 && !tcp)) return Next::idle;
  std::array<pollfd, kMaxPollSockets + kMaxHepConnections> fds{};
  const size_t listeners = sockets_.size();
  for (size_t i = 0; i < listeners; ++i) fds[i] = {sockets_[i].fd, POLLIN, 0};
  for (size_t i = 0; i < connections_.size(); ++i) {
    fds[listeners + i] = {connections_[i].fd, POLLIN, 0};
  }
  if (poll(fds.data(), listeners + connections_.size(), std::max(wait_ms_, 0)) <= 0) {
    return Next::idle;
  }
  const size_t polled = connections_.size();
  for (size_t i = 0; i < polled; ++i) {
    if (fds[listeners + i].revents != 0) read_connection(connections_[i]);
  }
  for (size_t i = 0; i < listeners; ++i) {
    if ((fds[i].revents & POLLIN) == 0) continue;
    if (sockets_[i].tcp) {
      accept_on(sockets_[i], i);
    } else if (read_one(sockets_[i], out)) {
      return Next::frame;
    }
  }
  return take_buffered(out) ? Next::frame : Next::idle;
}

std::vector<CaptureInfo> HepListenSource::captures() const {
  std::vector<CaptureInfo> out;
  for (const Socket& s : sockets_) out.push_back(s.info);
  return out;
}

}  // namespace sipscope::capture
