#include "forward/hep_sender.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sys/time.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "capture/hep_listen.hpp"

namespace sipscope::forward {

HepSender::HepSender(HepSendOptions options) : options_(std::move(options)) {
  std::string text = options_.target;
  if (text.starts_with("tcp:")) {
    tcp_ = true;
    text.erase(0, 4);
  } else if (text.starts_with("udp:")) {
    text.erase(0, 4);
  }
  if (text.find(':') == std::string::npos ||
      !capture::parse_listen_address(text, address_, port_)) {
    throw std::invalid_argument("--hep-send '" + options_.target +
                                "': expected [udp:|tcp:]ADDR:PORT");
  }
  address_length_ = capture::socket_address(address_, port_, address_storage_);
  if (address_length_ == 0) {
    throw std::invalid_argument("--hep-send '" + options_.target + "': '" + address_ +
                                "' is not an IP address");
  }
  slots_.resize(options_.queue == 0 ? 1 : options_.queue);
  thread_ = std::thread([this] { run(); });
}

HepSender::~HepSender() {
  close();
}

void HepSender::send(const HepMessage& message) {
  const HepIdentity id{options_.capture_id, options_.password, options_.node_name};
  const bool encoded = encode_hep3(message, id, scratch_);
  const std::lock_guard lock(mutex_);
  if (!encoded || closing_ || count_ == slots_.size()) {
    ++stats_.dropped;
    return;
  }
  std::swap(scratch_, slots_[(head_ + count_) % slots_.size()]);
  ++count_;
  wake_.notify_one();
}

void HepSender::close() {
  {
    const std::lock_guard lock(mutex_);
    if (closing_) return;
    closing_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

HepSendStats HepSender::stats() const {
  const std::lock_guard lock(mutex_);
  return stats_;
}

bool HepSender::connect_socket() {
  if (fd_ >= 0) return true;
  const auto now = std::chrono::steady_clock::now();
  if (now < next_connect_) return false;
  next_connect_ = now + kReconnectMs;
  fd_ = socket(address_storage_.ss_family, (tcp_ ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
  // Bounds connect() and send() on Linux: a collector that hangs costs the sender thread
  // at most this per message, and close() stays bounded.
  const timeval limit{1, 0};
  if (fd_ >= 0) (void)setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
  if (fd_ >= 0 &&
      connect(fd_, reinterpret_cast<const sockaddr*>(&address_storage_), address_length_) == 0)
    return true;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  const std::lock_guard lock(mutex_);
  ++stats_.errors;
  return false;
}

bool HepSender::write_out(const std::vector<uint8_t>& packet) {
  if (!connect_socket()) return false;
  size_t done = 0;
  while (done < packet.size()) {
    const ssize_t n = ::send(fd_, packet.data() + done, packet.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      // UDP: an ICMP unreachable from an earlier datagram; TCP: the connection broke
      // (reconnected at the next message, kReconnectMs later at the earliest).
      ::close(fd_);
      fd_ = -1;
      const std::lock_guard lock(mutex_);
      ++stats_.errors;
      return false;
    }
    done += static_cast<size_t>(n);
    if (!tcp_) break;
  }
  return true;
}

void HepSender::run() {
  std::vector<uint8_t> packet;
  std::chrono::steady_clock::time_point drain_until{};
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return count_ > 0 || closing_; });
    if (closing_ && drain_until == std::chrono::steady_clock::time_point{}) {
      drain_until = std::chrono::steady_clock::now() + kDrainMs;
    }
    if (count_ == 0 || (closing_ && std::chrono::steady_clock::now() > drain_until)) {
      stats_.dropped += count_;
      count_ = 0;
      if (closing_) return;
      continue;
    }
    std::swap(packet, slots_[head_]);
    head_ = (head_ + 1) % slots_.size();
    --count_;
    lock.unlock();
    const bool ok = write_out(packet);
    lock.lock();
    ++(ok ? stats_.sent : stats_.dropped);
  }
}

}  // namespace sipscope::forward
