// Which frames of the original captures belong to a set of calls (`sipscope export`, the
// web server's pcap download): every frame of their SIP messages (messages.frames, with the
// frames between the last two listed of a capped list that share the completing frame's
// flow), the RTCP the analysis tied to them, their RTP/RTCP by 5-tuple during each
// stream's life, and for TCP the handshake/teardown and HTTP upgrade of the connections
// that carry their SIP (the other calls' segments are left out: TcpStreams renumbers the
// rest). Each capture is located and verified against the identity analyze recorded
// (export/evidence.hpp).
//
//   auto picked = export_::pick_frames(*db, ladder, ids, capture_dir);   // throws
//   for (const auto& f : picked.frames) ...;   // in timestamp order
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "export/pcap_slice.hpp"
#include "export/tcp_renumber.hpp"
#include "report/ladder.hpp"
#include "store/query.hpp"

namespace sipscope::export_ {

struct PickedFrames {
  std::vector<SliceFrame> frames;     // timestamp order
  size_t sip_frames = 0;              // frames the database lists for the calls' SIP
  std::vector<std::string> captures;  // the files read (each verified)
  TcpStreams streams;                 // what the captures held of every TCP stream
};

// ladder: report::build_ladder(db, call_ids). capture_dir: "" or where moved captures are.
// Throws CaptureMissing / CaptureChanged (export/evidence.hpp) or capture::CaptureError.
[[nodiscard]] PickedFrames pick_frames(const store::Database& db, const report::Ladder& ladder,
                                       const std::vector<int64_t>& call_ids,
                                       const std::string& capture_dir);

}  // namespace sipscope::export_
