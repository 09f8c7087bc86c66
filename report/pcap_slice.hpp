// Writing a pcap slice (`sipscope export`): the classic libpcap file format (tcpdump.org
// "pcap-savefile", microsecond timestamps), written directly so report/ does not link
// libpcap (capture/ owns reading). cli/ reads the original captures and picks the frames;
// this file writes them, and for --redact rewrites each frame: IP addresses replaced by
// the Redactor's pseudonyms, a SIP payload redacted, and then the IPv4 total length, IPv6
// payload length, UDP length, TCP sequence numbers and every checksum recomputed so the
// slice still decodes in Wireshark/tshark. An IP fragment of a SIP datagram cannot be
// redacted alone: its payload is blanked (the message then no longer decodes).
//
//   report::PcapWriter out(file, link_type);
//   out.write(ts_us, bytes, wire_length);
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "report/redact.hpp"

namespace sipscope::report {

class PcapWriter {
 public:
  // Writes the file header. snaplen: the largest frame the file may hold.
  PcapWriter(std::ostream& out, int link_type, uint32_t snaplen = 262144);
  void write(int64_t ts_us, std::span<const uint8_t> data, uint32_t wire_length);

 private:
  std::ostream& out_;
};

// Per-direction TCP byte shifts caused by redacted payloads of different length.
using TcpShifts = std::map<std::string, int64_t>;

// Rewrites `frame` for a redacted slice (see the header comment). `sip_payload`: the
// UDP/TCP payload is a SIP message. Frames that are not IP are left as they are and false
// is returned. wire_length is adjusted by the change in size.
bool redact_frame(int link_type, std::vector<uint8_t>& frame, uint32_t& wire_length,
                  bool sip_payload, Redactor& redactor, TcpShifts& shifts);

// RFC 1071 Internet checksum over data, starting from a partial sum (exposed for tests).
[[nodiscard]] uint16_t internet_checksum(std::span<const uint8_t> data, uint32_t sum = 0);

}  // namespace sipscope::report
