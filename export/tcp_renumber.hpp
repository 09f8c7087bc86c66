// Sequence space of TCP connections in a slice (issue 13 point 4): a slice of some calls
// leaves out the segments of the other calls that share a connection; left as they were,
// a reader of the slice sees holes in the stream (tcp_gap, Wireshark's "previous segment
// not captured") and loses the messages after them. Each direction of a connection is
// renumbered instead: bytes the original capture held but the slice leaves out are taken
// out of the sequence space, so the kept segments follow each other; acknowledgement
// numbers move with the other direction; the TCP checksum is updated (RFC 1624). A hole
// that was already in the original capture stays a hole. Only the outermost IP/TCP is
// renumbered (not TCP inside tunnels).
//
//   TcpStreams streams;
//   for (each frame of the original captures) streams.see(frame.link_type, frame.data);
//   streams.renumber(slice_frames);
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "export/pcap_slice.hpp"

namespace sipscope::export_ {

class TcpStreams {
 public:
  // Notes the stream bytes one frame of an original capture carries.
  void see(int link_type, std::span<const uint8_t> data);
  // Rewrites the sequence and acknowledgement numbers of the slice's TCP frames.
  void renumber(std::vector<SliceFrame>& frames) const;

 private:
  struct Direction {
    uint32_t base = 0;  // sequence number of offset 0: the first one seen
    // Stream bytes the captures held, as merged [start, end) offsets from base.
    std::map<int64_t, int64_t> seen;
  };
  std::map<std::string, Direction> directions_;  // "src:port>dst:port"
};

}  // namespace sipscope::export_
