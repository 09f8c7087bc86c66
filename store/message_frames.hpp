// Reading `messages.frames` back (docs/schema.md): the frame numbers of every packet that
// carried part of a reassembled message (TCP segments, IP or SCTP fragments), for
// `export` to pick those frames from the original captures.
//
//   for (const auto& m : store::message_frames(*db, {7, 8})) use(m.capture_id, m.frames);
#pragma once

#include <cstdint>
#include <vector>

#include "store/query.hpp"

namespace sipscope::store {

// One message whose `frames` is not NULL.
struct MessageFrames {
  uint32_t capture_id = 0;
  std::vector<uint64_t> frames;  // as listed: ascending, at most kMaxMessageFrames
};

// The listed frames of every message of the given calls (messages with frames NULL, whose
// `frame` alone holds them, are left out).
[[nodiscard]] std::vector<MessageFrames> message_frames(const Database& db,
                                                        const std::vector<int64_t>& call_ids);

}  // namespace sipscope::store
