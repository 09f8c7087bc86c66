// Picking the frames of calls from the original captures (export/frame_picker.hpp).
#include "export/frame_picker.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>

#include "capture/pcap_reader.hpp"
#include "decode/ip.hpp"
#include "decode/link.hpp"
#include "export/evidence.hpp"
#include "store/message_frames.hpp"

namespace sipscope::export_ {

namespace {

struct Tuple {
  std::string src, dst;
  int sport = 0, dport = 0;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads the defaulted <=>
  auto operator<=>(const Tuple&) const = default;
};

struct MediaWindow {
  int64_t from_us = 0, to_us = 0;
};

struct Picked {
  uint32_t capture_id = 0;
  uint64_t number = 0;
  SliceFrame frame;
};

// A messages.frames list that reached decode::kMaxMessageFrames: the pieces between its
// last two entries were not listed (decode/frame.hpp keeps the first pieces and the
// completing frame without allocating). export takes every frame in that range that
// belongs to the completing frame's flow.
struct FrameGap {
  uint32_t capture_id = 0;
  uint64_t after = 0, completing = 0;
};

Picked picked(uint32_t capture_id, const decode::Frame& f, bool sip) {
  return {capture_id,
          f.ref.number,
          {f.ref.ts_us, f.link_type, f.wire_length, sip,
           std::vector<uint8_t>(f.data.begin(), f.data.end())}};
}

// Outermost flow of a frame: addresses and protocol, plus the ports of an unfragmented
// UDP/TCP packet or the identification of an IP fragment. "" when it is not IP.
std::string outer_flow(const decode::Frame& f) {
  decode::LinkLayer link;
  decode::IpPacket ip;
  if (decode::decode_link(f.link_type, f.data, link) != decode::LinkError::ok ||
      decode::decode_ip(link.payload, ip) != decode::IpError::ok) {
    return {};
  }
  std::string key =
      ip.src.to_string() + ">" + ip.dst.to_string() + "/" + std::to_string(ip.protocol);
  if (ip.fragment) return key + "#" + std::to_string(ip.fragment_id);
  if ((ip.protocol == 6 || ip.protocol == 17) && ip.payload.size() >= 4) {
    // Appended piece by piece: GCC 12 flags `":" + std::string&&` (-Wrestrict, a false
    // positive of the inlined memcpy), and this builds no temporaries either.
    key += ':';
    key += std::to_string(ip.payload[0] << 8 | ip.payload[1]);
    key += '>';
    key += std::to_string(ip.payload[2] << 8 | ip.payload[3]);
  }
  return key;
}

// The TCP connection of a frame (outermost IP + TCP ports, both directions alike), its
// flags and payload; "" when the frame is not TCP.
std::string tcp_connection(const decode::Frame& f, decode::TcpHeader& tcp) {
  decode::LinkLayer link;
  decode::IpPacket ip;
  if (decode::decode_link(f.link_type, f.data, link) != decode::LinkError::ok ||
      decode::decode_ip(link.payload, ip) != decode::IpError::ok || ip.protocol != 6 ||
      ip.fragment || decode::decode_tcp(ip.payload, tcp) != decode::TransportError::ok) {
    return {};
  }
  std::string a = ip.src.to_string() + ":" + std::to_string(tcp.src_port);
  std::string b = ip.dst.to_string() + ":" + std::to_string(tcp.dst_port);
  return a < b ? a + "|" + b : b + "|" + a;
}

// Frames of a TCP connection that a reader of the slice needs besides the SIP: the
// handshake and teardown (where the stream starts, so reordered first segments are not
// mistaken for a gap) and an HTTP upgrade to WebSocket (RFC 6455 §4, without which
// Wireshark does not see the WebSocket frames).
bool tcp_setup_frame(const decode::TcpHeader& tcp) {
  constexpr uint8_t kSynFinRst = 0x07;
  if ((tcp.flags & kSynFinRst) != 0) return true;
  const std::string_view text(reinterpret_cast<const char*>(tcp.payload.data()),
                              tcp.payload.size());
  return text.rfind("GET ", 0) == 0 || text.rfind("HTTP/1.1 101", 0) == 0;
}

// Every frame of the calls' SIP messages: the completing frame of each (ladder events)
// and, for a message reassembled from several packets (TCP segments, IP or SCTP
// fragments), all of them (messages.frames).
std::set<std::pair<uint32_t, uint64_t>> sip_frames_of(const store::Database& db,
                                                      const report::Ladder& ladder,
                                                      const std::vector<int64_t>& ids,
                                                      std::vector<FrameGap>& gaps) {
  std::set<std::pair<uint32_t, uint64_t>> out;
  for (const auto& e : ladder.events) out.insert({e.capture_id, e.frame});
  for (const auto& m : store::message_frames(db, ids)) {
    for (const uint64_t n : m.frames) out.insert({m.capture_id, n});
    // A full list may hold one entry less: the completing frame, added twice, is
    // deduplicated after the cap overwrote the last slot.
    if (m.frames.size() >= 2 && m.frames.size() + 1 >= decode::kMaxMessageFrames) {
      gaps.push_back({m.capture_id, m.frames[m.frames.size() - 2], m.frames.back()});
    }
  }
  return out;
}

// RTP: the stream's own 5-tuple during its life (and shortly after, for RTCP-mux);
// RTCP: the RFC 3550 §11 convention of port + 1, in either direction.
std::map<Tuple, std::vector<MediaWindow>> media_windows(const report::Ladder& ladder) {
  constexpr int64_t kRtcpSlackUs = 10'000'000;
  std::map<Tuple, std::vector<MediaWindow>> media;
  for (const auto& s : ladder.streams) {
    if (!s.first_us || !s.last_us) continue;
    const MediaWindow rtp{*s.first_us, *s.last_us + kRtcpSlackUs / 2};
    const MediaWindow rtcp{*s.first_us - kRtcpSlackUs, *s.last_us + kRtcpSlackUs};
    media[{s.src_ip, s.dst_ip, s.src_port, s.dst_port}].push_back(rtp);
    media[{s.src_ip, s.dst_ip, s.src_port + 1, s.dst_port + 1}].push_back(rtcp);
    media[{s.dst_ip, s.src_ip, s.dst_port + 1, s.src_port + 1}].push_back(rtcp);
  }
  return media;
}

bool in_media(const std::map<Tuple, std::vector<MediaWindow>>& media, const decode::Frame& f) {
  decode::LinkLayer link;
  decode::IpPacket ip;
  decode::UdpHeader udp;
  if (decode::decode_link(f.link_type, f.data, link) != decode::LinkError::ok ||
      decode::decode_ip(link.payload, ip) != decode::IpError::ok || ip.protocol != 17 ||
      ip.fragment ||
      decode::decode_udp(ip.payload, ip.truncated, udp) != decode::TransportError::ok) {
    return false;
  }
  const Tuple t{ip.src.to_string(), ip.dst.to_string(), udp.src_port, udp.dst_port};
  const auto it = media.find(t);
  if (it == media.end()) return false;
  return std::any_of(it->second.begin(), it->second.end(), [&](const MediaWindow& w) {
    return f.ref.ts_us >= w.from_us && f.ref.ts_us <= w.to_us;
  });
}

}  // namespace

PickedFrames pick_frames(const store::Database& db, const report::Ladder& ladder,
                         const std::vector<int64_t>& call_ids, const std::string& capture_dir) {
  PickedFrames result;
  std::vector<FrameGap> gaps;
  const auto sip_frames = sip_frames_of(db, ladder, call_ids, gaps);
  result.sip_frames = sip_frames.size();
  // RTCP the analysis tied to the calls (rtcp_reports keeps its frames), whatever its ports.
  std::set<std::pair<uint32_t, uint64_t>> rtcp_frames;
  for (const auto& p : ladder.rtcp) rtcp_frames.insert({p.capture_id, p.frame});
  const auto media = media_windows(ladder);

  std::vector<Picked> picked_all;
  for (const auto& cap : store::list_captures(db)) {
    const bool has_sip = std::any_of(sip_frames.begin(), sip_frames.end(),
                                     [&](const auto& f) { return f.first == cap.id; });
    const bool has_rtcp = std::any_of(rtcp_frames.begin(), rtcp_frames.end(),
                                      [&](const auto& f) { return f.first == cap.id; });
    if (!has_sip && !has_rtcp && media.empty()) continue;
    std::vector<Picked> candidates;  // in a FrameGap, with their outer flow
    std::vector<std::string> candidate_flows;
    std::vector<std::pair<std::string, Picked>> setup;  // tcp_setup_frame()s
    std::set<std::string> sip_connections;
    const std::string found = locate_capture(cap, capture_dir, db.path());
    result.captures.push_back(found);
    capture::PcapReader reader(found, cap.id);
    decode::Frame f;
    while (reader.next(f)) {
      result.streams.see(f.link_type, f.data);
      const bool sip = sip_frames.count({cap.id, f.ref.number}) != 0U;
      bool take = sip || rtcp_frames.count({cap.id, f.ref.number}) != 0U;
      if (!take && !media.empty()) take = in_media(media, f);
      const auto gap = std::find_if(gaps.begin(), gaps.end(), [&](const FrameGap& g) {
        return g.capture_id == cap.id && f.ref.number > g.after && f.ref.number <= g.completing;
      });
      if (!take && gap != gaps.end()) {
        candidates.push_back(picked(cap.id, f, true));
        candidate_flows.push_back(outer_flow(f));
        continue;
      }
      if (gap != gaps.end() && f.ref.number == gap->completing) {
        const std::string flow = outer_flow(f);
        for (size_t i = 0; i < candidates.size(); ++i) {
          if (candidates[i].number > gap->after && !flow.empty() && candidate_flows[i] == flow) {
            picked_all.push_back(std::move(candidates[i]));
            candidates[i].number = 0;
          }
        }
      }
      decode::TcpHeader tcp;
      if (const std::string conn = tcp_connection(f, tcp); !conn.empty()) {
        if (sip) sip_connections.insert(conn);
        if (!take && tcp_setup_frame(tcp)) {
          setup.emplace_back(conn, picked(cap.id, f, true));
        }
      }
      if (take) picked_all.push_back(picked(cap.id, f, sip));
    }
    // Read to its end: the hash now covers the whole file.
    check_identity(cap, found, reader.info().identity);
    for (auto& [conn, p] : setup) {
      if (sip_connections.count(conn) != 0U) picked_all.push_back(std::move(p));
    }
  }
  std::stable_sort(picked_all.begin(), picked_all.end(),
                   [](const Picked& a, const Picked& b) { return a.frame.ts_us < b.frame.ts_us; });
  result.frames.reserve(picked_all.size());
  for (auto& p : picked_all) result.frames.push_back(std::move(p.frame));
  return result;
}

}  // namespace sipscope::export_
