// Writing a pcap slice (`sipscope export`): the classic libpcap file format (tcpdump.org
// "pcap-savefile", microsecond timestamps), written directly so report/ does not link
// libpcap (capture/ owns reading). export/frame_picker.cpp picks the frames;
// this file writes them, and for --redact rewrites the whole slice (export/slice_*.cpp,
// export/slice_rewriter.hpp):
// - every MAC (outer and tunnelled Ethernet, SLL) and every IP address at any depth
//   (IPv4/IPv6, IP-in-IP, GRE, ERSPAN, VXLAN, MPLS/VLAN, HEP v1-3 chunks) becomes its
//   pseudonym; SIP (UDP, TCP, WebSocket, SCTP, HEP payload) goes through Redactor::sip;
//   RTCP SDES items (CNAME ...) are replaced; HEP auth-key, gzip and vendor chunks dropped;
// - lengths and checksums are fixed at every layer: IPv4 header checksum, IPv4 total /
//   IPv6 payload length, UDP length + checksum (IPv6 pseudo-header; an IPv4 zero checksum
//   stays zero), TCP checksum, GRE checksum, SCTP CRC32c, HEP lengths, WebSocket lengths;
// - a fragmented datagram is reassembled, redacted and cut again into fragments of the
//   original sizes (one more when it grew, fewer when it shrank; an incomplete one is
//   blanked); a TCP stream is redacted message by message and every segment's sequence
//   and acknowledgement number moved to the redacted stream's offsets, so the slice
//   decodes to the same SIP messages as the original.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "export/redact.hpp"

namespace sipscope::export_ {

class PcapWriter {
 public:
  // Writes the file header. snaplen: the largest frame the file may hold.
  PcapWriter(std::ostream& out, int link_type, uint32_t snaplen = 262144);
  void write(int64_t ts_us, std::span<const uint8_t> data, uint32_t wire_length);

 private:
  std::ostream& out_;
};

// One frame of a slice.
struct SliceFrame {
  int64_t ts_us = 0;
  int link_type = 1;
  uint32_t wire_length = 0;
  bool sip = false;  // the database lists it as carrying (part of) a SIP message
  std::vector<uint8_t> data;
};

// Rewrites a whole slice for --redact (see the header comment); frames may be added or
// dropped (IP fragments). The result is in timestamp order.
void redact_slice(std::vector<SliceFrame>& frames, Redactor& redactor);

// RFC 1071 Internet checksum over data, starting from a partial sum (exposed for tests).
[[nodiscard]] uint16_t internet_checksum(std::span<const uint8_t> data, uint32_t sum = 0);
// CRC32c (Castagnoli) as SCTP uses it (RFC 4960 App. B), exposed for tests.
[[nodiscard]] uint32_t crc32c(std::span<const uint8_t> data);

}  // namespace sipscope::export_
