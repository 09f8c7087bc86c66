// MediaTracker, RTP probation (RFC 3550 A.1, MIN_SEQUENTIAL = 2): RTP that no SDP announced
// becomes a stream only when a second packet of the same SSRC and addresses follows with
// the next sequence number and a plausible timestamp advance; a one-packet lookalike (a
// random SSRC per packet) never does. Candidates are bounded and wait kProbationUs; one
// still waiting when the input ends, alone on its addresses, becomes a one-packet stream
// (the capture cannot tell; tshark lists it too).
#include <algorithm>
#include <unordered_map>

#include "correlate/media/media_tracker_impl.hpp"

namespace sipscope::correlate::media {
namespace {

// A candidate waits this long for its second packet (20 ms apart in practice).
constexpr int64_t kProbationUs = 2'000'000;
// Timestamp advance at most this many RTP units per second of arrival, plus one second of
// slack: 96 kHz is above every audio clock, video's 90 kHz included.
constexpr int64_t kMaxClockHz = 96'000;

bool follows(const HeldPacket& first, const decode::UdpDatagram& d,
             const decode::rtp::RtpHeader& h) {
  if (static_cast<uint16_t>(first.header.sequence + 1) != h.sequence) return false;
  const int64_t advance = static_cast<int32_t>(h.timestamp - first.header.timestamp);
  const int64_t elapsed_us = std::max<int64_t>(0, d.frame.ts_us - first.frame.ts_us);
  return advance >= 0 && advance <= kMaxClockHz + elapsed_us * kMaxClockHz / 1'000'000;
}

}  // namespace

const HeldPacket* MediaTracker::Impl::probation_check(const StreamKey& key,
                                                      const decode::UdpDatagram& d,
                                                      const decode::rtp::RtpHeader& h) {
  HeldPacket* held = probation.find(key);
  if (held != nullptr && follows(*held, d, h)) return held;
  if (held == nullptr) {
    probation_expire();
    // Bounded like the stream table: the oldest candidate gives way.
    while (probation.size() >= std::max<size_t>(limits.max_streams, 1) &&
           !probation_order.empty()) {
      const auto [old, stamp] = probation_order.front();
      probation_order.pop_front();
      if (const HeldPacket* x = probation.find(old); x != nullptr && x->stamp == stamp)
        probation.erase(old);
    }
    held = &probation.insert(key);
    held->stamp = next_stamp++;
    probation_order.emplace_back(key, held->stamp);
  }
  // Not in sequence: this packet starts the probation again (A.1 "restart").
  held->frame = d.frame;
  held->header = h;
  held->payload_size = static_cast<uint8_t>(std::min(h.payload.size(), held->payload.size()));
  std::copy_n(h.payload.begin(), held->payload_size, held->payload.begin());
  return nullptr;
}

void MediaTracker::Impl::probation_drop(const StreamKey& key) {
  probation.erase(key);  // its probation_order entry is skipped when it comes up
}

void MediaTracker::Impl::probation_expire() {
  while (!probation_order.empty()) {
    const auto& [key, stamp] = probation_order.front();
    const HeldPacket* x = probation.find(key);
    if (x != nullptr && x->stamp == stamp) {
      if (x->frame.ts_us + kProbationUs >= now_us) break;
      probation.erase(key);
    }
    probation_order.pop_front();
  }
}

void MediaTracker::Impl::probation_finish() {
  // Lookalikes come many to one pair of addresses, each with its own "SSRC": only a
  // candidate alone on its addresses is taken for a stream.
  std::unordered_map<uint64_t, int> per_pair;
  auto pair_of = [](const StreamKey& k) { return hash_stream_key({k.src, k.dst, 0}); };
  for (const auto& [key, stamp] : probation_order) {
    const HeldPacket* x = probation.find(key);
    if (x != nullptr && x->stamp == stamp) ++per_pair[pair_of(key)];
  }
  for (const auto& [key, stamp] : probation_order) {
    const HeldPacket* x = probation.find(key);
    if (x == nullptr || x->stamp != stamp) continue;
    const HeldPacket held = *x;
    probation.erase(key);
    if (per_pair[pair_of(key)] != 1) continue;
    count_held(open_stream(key, held.frame, std::nullopt, Assoc::orphan), key, held);
  }
  probation_order.clear();
}

}  // namespace sipscope::correlate::media
