// Byte builders for SCTP packets (RFC 9260 §3) and HEP packets (HEP3 spec), shared by
// sctp_test, hep_test and decoder_test. Values are written exactly as the RFC/spec lays
// them out, so tests derive expectations from these layouts, not from the decoder.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "tests/decode/frame_builder.hpp"

namespace sipscope::decode::test {

// RFC 9260 §3.3.1 DATA chunk: type 0, flags (U=4 B=2 E=1), length = 16 + payload
// (padding not counted), TSN, stream id, stream seq, PPID, payload, padding to 4.
inline Bytes sctp_data(uint8_t flags, uint32_t tsn, const Bytes& payload, uint16_t sid = 0,
                       uint16_t ssn = 0) {
  Bytes b = {0, flags};
  put16(b, static_cast<uint16_t>(16 + payload.size()));
  put32(b, tsn);
  put16(b, sid);
  put16(b, ssn);
  put32(b, 0);  // PPID unspecified, as in the corpus capture
  b.insert(b.end(), payload.begin(), payload.end());
  while (b.size() % 4 != 0) b.push_back(0);
  return b;
}

// RFC 9260 §3.1 common header: ports, verification tag, checksum (not verified).
inline Bytes sctp(uint16_t sport, uint16_t dport, const Bytes& chunks, uint32_t vtag = 0x138d67a4) {
  Bytes b;
  put16(b, sport);
  put16(b, dport);
  put32(b, vtag);
  put32(b, 0);
  return cat(b, chunks);
}

// One HEP v3 chunk: vendor, type, length (6 + value), value.
inline Bytes hep_chunk(uint16_t type, const Bytes& value, uint16_t vendor = 0) {
  Bytes b;
  put16(b, vendor);
  put16(b, type);
  put16(b, static_cast<uint16_t>(6 + value.size()));
  b.insert(b.end(), value.begin(), value.end());
  return b;
}
inline Bytes be16(uint16_t v) {
  Bytes b;
  put16(b, v);
  return b;
}
inline Bytes be32(uint32_t v) {
  Bytes b;
  put32(b, v);
  return b;
}
inline Bytes hep3(const Bytes& chunks) {
  Bytes b = bytes_of("HEP3");
  put16(b, static_cast<uint16_t>(6 + chunks.size()));
  return cat(b, chunks);
}

struct HepFields {
  uint8_t ip_protocol = 17;
  std::array<uint8_t, 4> src = {10, 0, 0, 1};
  std::array<uint8_t, 4> dst = {10, 0, 0, 2};
  uint16_t sport = 5062;
  uint16_t dport = 5060;
  uint32_t sec = 1767261600;
  uint32_t usec = 200000;
  uint16_t payload_chunk = 15;  // 16 = gzip
};

// The chunk set a capture agent (sngrep -H, heplify) sends for one SIP message.
inline Bytes hep3_ipv4(const Bytes& payload, const HepFields& f = {}) {
  Bytes c;
  c = cat(c, hep_chunk(1, {2}));
  c = cat(c, hep_chunk(2, {f.ip_protocol}));
  c = cat(c, hep_chunk(3, Bytes(f.src.begin(), f.src.end())));
  c = cat(c, hep_chunk(4, Bytes(f.dst.begin(), f.dst.end())));
  c = cat(c, hep_chunk(7, be16(f.sport)));
  c = cat(c, hep_chunk(8, be16(f.dport)));
  c = cat(c, hep_chunk(9, be32(f.sec)));
  c = cat(c, hep_chunk(10, be32(f.usec)));
  c = cat(c, hep_chunk(11, {1}));
  c = cat(c, hep_chunk(12, be32(2002)));
  c = cat(c, hep_chunk(f.payload_chunk, payload));
  return hep3(c);
}

}  // namespace sipscope::decode::test
