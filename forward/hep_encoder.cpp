#include "forward/hep_encoder.hpp"

#include <array>
#include <cstring>

namespace sipscope::forward {
namespace {

constexpr size_t kChunkHeader = 6;
enum ChunkType : uint16_t {
  kFamily = 1,
  kIpProtocol = 2,
  kIpv4Src = 3,
  kIpv4Dst = 4,
  kIpv6Src = 5,
  kIpv6Dst = 6,
  kSrcPort = 7,
  kDstPort = 8,
  kTimeSec = 9,
  kTimeUsec = 10,
  kPayloadType = 11,
  kCaptureId = 12,
  kAuthKey = 14,
  kPayload = 15,
  kNodeName = 19,
};
constexpr uint8_t kAfInet = 2;    // chunk 1 values: the Linux AF_INET / AF_INET6 numbers
constexpr uint8_t kAfInet6 = 10;  // the specification uses

// Writes big-endian values and chunks at a cursor into a buffer sized beforehand.
class Writer {
 public:
  explicit Writer(uint8_t* at) : at_(at) {}
  void u16(size_t v) {
    *at_++ = static_cast<uint8_t>(v >> 8);
    *at_++ = static_cast<uint8_t>(v);
  }
  void bytes(std::span<const uint8_t> v) {
    if (!v.empty()) std::memcpy(at_, v.data(), v.size());
    at_ += v.size();
  }
  void chunk(uint16_t type, std::span<const uint8_t> value) {
    u16(0);  // vendor 0: the specification's own chunk types
    u16(type);
    u16(kChunkHeader + value.size());
    bytes(value);
  }
  void chunk8(uint16_t type, uint8_t v) { chunk(type, std::span<const uint8_t>(&v, 1)); }
  void chunk16(uint16_t type, uint16_t v) {
    const std::array<uint8_t, 2> b = {static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
    chunk(type, b);
  }
  void chunk32(uint16_t type, uint32_t v) {
    const std::array<uint8_t, 4> b = {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
                                      static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
    chunk(type, b);
  }
  void chunk_text(uint16_t type, std::string_view text) {
    chunk(type,
          std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  }

 private:
  uint8_t* at_;
};

}  // namespace

uint8_t hep_ip_protocol(decode::Transport t) {
  switch (t) {
    case decode::Transport::udp:
      return 17;
    case decode::Transport::sctp:
      return 132;
    case decode::Transport::tls:
      return 22;  // IPPROTO_IDP: what captagent and Kamailio's siptrace write for TLS
    case decode::Transport::tcp:
    case decode::Transport::ws:
    case decode::Transport::wss:
      return 6;
  }
  return 0;
}

bool encode_hep3(const HepMessage& m, const HepIdentity& id, std::vector<uint8_t>& out) {
  out.clear();
  const uint8_t version = m.src.ip.version;
  if ((version != 4 && version != 6) || m.dst.ip.version != version) return false;
  const size_t address = version == 4 ? 4 : 16;
  // Fixed chunks: family, protocol, 2 addresses, 2 ports, 2 times, type, capture id.
  const size_t size = 6 + 2 * (kChunkHeader + 1) + 2 * (kChunkHeader + address) +
                      2 * (kChunkHeader + 2) + 3 * (kChunkHeader + 4) + (kChunkHeader + 1) +
                      (id.password.empty() ? 0 : kChunkHeader + id.password.size()) +
                      (id.node_name.empty() ? 0 : kChunkHeader + id.node_name.size()) +
                      kChunkHeader + m.payload.size();
  if (size > kMaxHep3Size) return false;
  out.resize(size);
  Writer w(out.data());
  w.bytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>("HEP3"), 4));
  w.u16(size);
  w.chunk8(kFamily, version == 4 ? kAfInet : kAfInet6);
  w.chunk8(kIpProtocol, m.ip_protocol);
  w.chunk(version == 4 ? kIpv4Src : kIpv6Src, std::span(m.src.ip.bytes.data(), address));
  w.chunk(version == 4 ? kIpv4Dst : kIpv6Dst, std::span(m.dst.ip.bytes.data(), address));
  w.chunk16(kSrcPort, m.src.port);
  w.chunk16(kDstPort, m.dst.port);
  const int64_t ts = m.ts_us < 0 ? 0 : m.ts_us;
  w.chunk32(kTimeSec, static_cast<uint32_t>(ts / 1'000'000));
  w.chunk32(kTimeUsec, static_cast<uint32_t>(ts % 1'000'000));
  w.chunk8(kPayloadType, m.payload_type);
  w.chunk32(kCaptureId, id.capture_id);
  if (!id.password.empty()) w.chunk_text(kAuthKey, id.password);
  if (!id.node_name.empty()) w.chunk_text(kNodeName, id.node_name);
  w.chunk(kPayload, m.payload);
  return true;
}

}  // namespace sipscope::forward
