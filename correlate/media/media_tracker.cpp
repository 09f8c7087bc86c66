// MediaTracker's public face: which UDP datagrams are RTP or RTCP, and the entry points.
#include "correlate/media/media_tracker.hpp"

#include <algorithm>

#include "correlate/media/media_tracker_impl.hpp"
#include "decode/rtcp.hpp"

namespace sipscope::correlate::media {

MediaTracker::MediaTracker(RecordSink& sink, MediaLimits limits)
    : impl_(std::make_unique<Impl>(sink, limits)) {}
MediaTracker::~MediaTracker() = default;

void MediaTracker::on_sip(const decode::SipEvent& event, std::optional<int64_t> call_id) {
  impl_->on_sip(event, call_id);
}

namespace {

// Ports of protocols that are never RTP but whose bytes often parse as an RTP header (DNS,
// NetBIOS, LLMNR, mDNS, SSDP, STUN/TURN, NTP ...). Only consulted for addresses that no SDP
// announced: RTP that SDP placed on such a port is still RTP.
bool is_non_rtp_port(uint16_t port) {
  if (port < 1024) return true;  // RFC 3551 §8: RTP uses dynamic ports (>= 1024)
  switch (port) {
    case 1900:  // SSDP
    case 4500:  // IPsec NAT traversal: ESP in UDP (RFC 3948)
    case 3478:  // STUN / TURN
    case 5349:
    case 5353:  // mDNS
    case 5355:  // LLMNR
    case 5060:  // SIP that the SIP parser rejected
    case 5061:
      return true;
    default:
      return false;
  }
}

}  // namespace

void MediaTracker::on_udp(const decode::UdpDatagram& d) {
  const Binding* to = impl_->rtp_until_answer(impl_->bindings.find(d.dst), d.dst);
  const Binding* from = impl_->rtp_until_answer(impl_->bindings.find(d.src), d.src);
  if (to != nullptr ? to->non_rtp : (from != nullptr && from->non_rtp)) return;  // T.38 ...
  if (to == nullptr && from == nullptr &&
      (is_non_rtp_port(d.src.port) || is_non_rtp_port(d.dst.port)))
    return;
  if (decode::rtp::is_rtcp_packet_type(d.payload)) {
    // RTCP to or from no SDP address counts only as a valid compound (RFC 3550 A.2);
    // on an announced address an SRTCP or damaged one still gets its clear header read.
    if (to == nullptr && from == nullptr && !decode::rtcp::is_valid_compound(d.payload)) return;
    impl_->on_rtcp(d);
    return;
  }
  decode::rtp::RtpHeader h;
  if (decode::rtp::parse_rtp(d.payload, h) != decode::rtp::RtpError::ok) return;
  impl_->on_rtp(d, h, to, from);
}

void MediaTracker::advance(int64_t now_us) {
  impl_->advance(now_us);
}

void MediaTracker::finish() {
  impl_->finish();
}

bool MediaTracker::has_open_streams(int64_t call_id) const {
  const auto it = impl_->calls.find(call_id);
  if (it == impl_->calls.end()) return false;
  return std::any_of(it->second.keys.begin(), it->second.keys.end(), [&](const StreamKey& k) {
    const StreamState* st = impl_->streams.find(k);
    return st != nullptr && st->call_id == call_id;
  });
}

const MediaStats& MediaTracker::stats() const {
  return impl_->stats;
}

MediaOpen MediaTracker::open() const {
  return {impl_->streams.size(), impl_->calls.size(), impl_->bindings.size()};
}

}  // namespace sipscope::correlate::media
