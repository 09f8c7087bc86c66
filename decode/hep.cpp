#include "decode/hep.hpp"

#include "decode/byte_reader.hpp"

namespace sipscope::decode {
namespace {

constexpr uint8_t kFamilyInet = 2;    // AF_INET
constexpr uint8_t kFamilyInet6 = 10;  // AF_INET6 on Linux, what every HEP sender writes
constexpr size_t kHepV12HeaderSize = 8;

bool is_hep3_magic(std::span<const uint8_t> d) {
  return d.size() >= 4 && d[0] == 'H' && d[1] == 'E' && d[2] == 'P' && d[3] == '3';
}

// The v2 time header is a raw little-endian C struct (see the header comment).
uint32_t read_le32(std::span<const uint8_t> b) {
  return uint32_t{b[0]} | (uint32_t{b[1]} << 8) | (uint32_t{b[2]} << 16) | (uint32_t{b[3]} << 24);
}

HepError decode_v12(std::span<const uint8_t> data, HepPacket& out) {
  ByteReader r(data);
  uint8_t length = 0;
  uint8_t family = 0;
  if (!r.read_u8(out.version) || !r.read_u8(length) || !r.read_u8(family) ||
      !r.read_u8(out.ip_protocol) || !r.read_u16(out.src.port) || !r.read_u16(out.dst.port)) {
    return HepError::truncated;
  }
  size_t addr_len = 0;
  if (family == kFamilyInet) {
    addr_len = 4;
  } else if (family == kFamilyInet6) {
    addr_len = 16;
  } else {
    return HepError::unsupported_version;
  }
  // Senders set the length byte to header + addresses; anything else is not a layout we
  // know how to read.
  if (length != kHepV12HeaderSize + 2 * addr_len) return HepError::bad_chunk;
  std::span<const uint8_t> src;
  std::span<const uint8_t> dst;
  if (!r.subspan(addr_len, src) || !r.subspan(addr_len, dst)) return HepError::truncated;
  out.src.ip = addr_len == 4 ? IpAddress::v4(src.data()) : IpAddress::v6(src.data());
  out.dst.ip = addr_len == 4 ? IpAddress::v4(dst.data()) : IpAddress::v6(dst.data());
  if (out.version == 2) {
    std::span<const uint8_t> t;
    if (!r.subspan(kHepV2TimeHeaderSize, t)) return HepError::truncated;
    out.has_time = true;
    out.ts_sec = read_le32(t.subspan(0, 4));
    out.ts_usec = read_le32(t.subspan(4, 4));
    out.capture_id = uint32_t{t[8]} | (uint32_t{t[9]} << 8);
  }
  out.payload_type = kHepPayloadSip;  // v1/v2 carry SIP only
  out.payload = r.rest();
  out.size = data.size();
  return HepError::ok;
}

bool read_chunk_u8(std::span<const uint8_t> body, uint8_t& v) {
  if (body.size() != 1) return false;
  v = body[0];
  return true;
}
bool read_chunk_u16(std::span<const uint8_t> body, uint16_t& v) {
  ByteReader r(body);
  return body.size() == 2 && r.read_u16(v);
}
bool read_chunk_u32(std::span<const uint8_t> body, uint32_t& v) {
  ByteReader r(body);
  return body.size() == 4 && r.read_u32(v);
}

HepError decode_v3(std::span<const uint8_t> data, HepPacket& out) {
  out.version = 3;  // the magic is enough to call it HEP, even if the rest is broken
  ByteReader head(data);
  uint16_t total = 0;
  if (!head.skip(4) || !head.read_u16(total)) return HepError::truncated;
  if (total < kHepV3HeaderSize) return HepError::bad_chunk;
  if (total > data.size()) return HepError::truncated;
  out.size = total;
  ByteReader r(data.subspan(kHepV3HeaderSize, total - kHepV3HeaderSize));
  bool have_src = false;
  bool have_dst = false;
  bool have_payload = false;
  bool have_sport = false;
  bool have_dport = false;
  while (r.remaining() > 0) {
    uint16_t vendor = 0;
    uint16_t type = 0;
    uint16_t length = 0;
    if (!r.read_u16(vendor) || !r.read_u16(type) || !r.read_u16(length)) {
      return HepError::truncated;
    }
    if (length < kHepChunkHeaderSize) return HepError::bad_chunk;
    std::span<const uint8_t> body;
    if (!r.subspan(length - kHepChunkHeaderSize, body)) return HepError::truncated;
    if (vendor != 0) continue;  // vendor-specific chunks carry nothing we analyse
    bool ok = true;
    uint8_t family = 0;
    switch (type) {
      case 1:
        ok = read_chunk_u8(body, family) && (family == kFamilyInet || family == kFamilyInet6);
        break;
      case 2:
        ok = read_chunk_u8(body, out.ip_protocol);
        break;
      case 3:
      case 4: {
        ok = body.size() == 4;
        if (ok) (type == 3 ? out.src : out.dst).ip = IpAddress::v4(body.data());
        (type == 3 ? have_src : have_dst) = ok;
        break;
      }
      case 5:
      case 6: {
        ok = body.size() == 16;
        if (ok) (type == 5 ? out.src : out.dst).ip = IpAddress::v6(body.data());
        (type == 5 ? have_src : have_dst) = ok;
        break;
      }
      case 7:
        ok = have_sport = read_chunk_u16(body, out.src.port);
        break;
      case 8:
        ok = have_dport = read_chunk_u16(body, out.dst.port);
        break;
      case 9:
        ok = out.has_time = read_chunk_u32(body, out.ts_sec);
        break;
      case 10:
        ok = read_chunk_u32(body, out.ts_usec);
        break;
      case 11:
        ok = read_chunk_u8(body, out.payload_type);
        break;
      case 12:
        ok = read_chunk_u32(body, out.capture_id);
        break;
      case 15:
      case 16:
        out.payload = body;
        out.compressed = type == 16;
        have_payload = true;
        break;
      case 14:
        out.auth_key = {reinterpret_cast<const char*>(body.data()), body.size()};
        break;
      case 17:
        out.correlation_id = {reinterpret_cast<const char*>(body.data()), body.size()};
        break;
      case 19:
        out.node_name = {reinterpret_cast<const char*>(body.data()), body.size()};
        break;
      default:
        break;  // keep-alive timer, VLAN ... not needed here
    }
    if (!ok) return HepError::bad_chunk;
  }
  if (!have_src || !have_dst || !have_sport || !have_dport || !have_payload) {
    return HepError::missing_field;
  }
  if (out.src.ip.version != out.dst.ip.version) return HepError::bad_chunk;
  return HepError::ok;
}

}  // namespace

bool looks_like_hep(std::span<const uint8_t> data) {
  if (is_hep3_magic(data)) return true;
  if (data.size() < kHepV12HeaderSize) return false;
  const uint8_t version = data[0];
  const uint8_t length = data[1];
  const uint8_t family = data[2];
  if (version != 1 && version != 2) return false;
  return (family == kFamilyInet && length == kHepV12HeaderSize + 8) ||
         (family == kFamilyInet6 && length == kHepV12HeaderSize + 32);
}

HepError decode_hep(std::span<const uint8_t> data, HepPacket& out) {
  out = HepPacket{};
  if (is_hep3_magic(data)) return decode_v3(data, out);
  if (data.empty()) return HepError::truncated;
  if (data[0] == 1 || data[0] == 2) return decode_v12(data, out);
  return HepError::unsupported_version;
}

AnomalyKind hep_error_anomaly(HepError e) {
  switch (e) {
    case HepError::truncated:
      return AnomalyKind::hep_truncated;
    case HepError::unsupported_version:
      return AnomalyKind::hep_unsupported_version;
    case HepError::ok:
    case HepError::bad_chunk:
    case HepError::missing_field:
      break;
  }
  return AnomalyKind::hep_bad_chunk;
}

std::string_view hep_error_name(HepError e) {
  switch (e) {
    case HepError::ok:
      return "ok";
    case HepError::truncated:
      return "truncated";
    case HepError::bad_chunk:
      return "bad chunk";
    case HepError::unsupported_version:
      return "unsupported version or address family";
    case HepError::missing_field:
      return "missing address, port or payload chunk";
  }
  return "unknown";
}

}  // namespace sipscope::decode
