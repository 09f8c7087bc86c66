#include "correlate/media/sdp_bindings.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <string>

#include "correlate/media/codec.hpp"

namespace sipscope::correlate::media {

const PayloadInfo* Binding::payload(uint8_t pt) const {
  for (const auto& p : payloads)
    if (p.payload_type == pt) return &p;
  return nullptr;
}

bool parse_connection_address(std::string_view addr_type, std::string_view text,
                              decode::IpAddress& out) {
  char buf[64];
  if (text.empty() || text.size() >= sizeof buf) return false;
  std::copy(text.begin(), text.end(), buf);
  buf[text.size()] = '\0';
  uint8_t bytes[16];
  if (addr_type == "IP6") {
    if (inet_pton(AF_INET6, buf, bytes) != 1) return false;
    out = decode::IpAddress::v6(bytes);
    return true;
  }
  if (inet_pton(AF_INET, buf, bytes) != 1) return false;
  out = decode::IpAddress::v4(bytes);
  return true;
}

namespace {

void fill_payloads(const decode::sdp::Media& m, Binding& b) {
  constexpr size_t kMaxPayloads = 16;
  b.payloads.clear();
  for (std::string_view f : m.formats) {
    if (b.payloads.size() == kMaxPayloads) break;
    int pt = -1;
    if (std::from_chars(f.data(), f.data() + f.size(), pt).ec != std::errc() || pt < 0 || pt > 127)
      continue;
    PayloadInfo& p = b.payloads.emplace_back();
    p.payload_type = static_cast<uint8_t>(pt);
    std::string_view name;
    if (const auto* rm = m.rtpmap(pt); rm != nullptr) {
      name = rm->encoding;
      p.clock_rate = rm->clock_rate;
    } else if (const auto* sp = static_payload(static_cast<uint8_t>(pt)); sp != nullptr) {
      name = sp->name;
      p.clock_rate = sp->clock_rate;
    }
    if (p.clock_rate == 0 && !name.empty()) p.clock_rate = clock_rate_for_encoding(name);
    const size_t n = std::min(name.size(), p.name.size() - 1);
    std::copy_n(name.data(), n, p.name.data());
    p.name[n] = '\0';
  }
}

}  // namespace

void SdpBindings::put(const decode::Endpoint& ep, const Binding& value, AnnounceResult& r,
                      std::vector<std::pair<decode::Endpoint, Binding>>* replaced) {
  if (auto it = map_.find(ep); it != map_.end()) {
    if (replaced != nullptr) replaced->emplace_back(ep, it->second.binding);
    const auto shared = it->second.binding.shared;
    const bool same_call = it->second.binding.call_id == value.call_id;
    it->second.binding = value;
    if (same_call) it->second.binding.shared = shared;       // re-announced: still shared
    by_age_.splice(by_age_.end(), by_age_, it->second.age);  // announced again: youngest
    return;
  }
  if (map_.size() >= max_) {
    erase(map_.find(by_age_.front()));
    ++evicted_;
    ++r.evicted;
  }
  by_age_.push_back(ep);
  map_.emplace(ep, Entry{value, std::prev(by_age_.end()), by_port_.emplace(ep.port, ep)});
}

void SdpBindings::erase(Map::iterator it) {
  by_port_.erase(it->second.port);
  by_age_.erase(it->second.age);
  map_.erase(it);
}

AnnounceResult SdpBindings::announce(int64_t call_id, const decode::FrameRef& frame,
                                     const decode::Endpoint& announcer,
                                     const decode::sdp::Session& s,
                                     std::vector<decode::Endpoint>* bound,
                                     std::vector<std::pair<decode::Endpoint, Binding>>* replaced) {
  AnnounceResult r;
  for (const auto& m : s.media) {
    const auto dir = m.effective_direction(s);
    const bool hold_dir =
        dir == decode::sdp::Direction::sendonly || dir == decode::sdp::Direction::inactive;
    const auto& c = m.effective_connection(s);
    if (!c.present || m.port == 0) continue;  // rejected m-line (RFC 3264 §6)
    decode::IpAddress ip;
    if (!parse_connection_address(c.addr_type, c.address, ip)) continue;
    const bool null_addr = (ip.version == 4 && ip.bytes[0] == 0 && ip.bytes[1] == 0 &&
                            ip.bytes[2] == 0 && ip.bytes[3] == 0);
    if (m.media == "audio") {
      r.hold = r.hold || hold_dir || null_addr;
      r.null_address = r.null_address || null_addr;
    }
    if (null_addr) continue;  // RFC 3264 §8.4 (old-style hold): no media address
    Binding b;
    b.call_id = call_id;
    b.since_us = frame.ts_us;
    b.frame = frame.number;
    b.capture_id = frame.capture_id;
    b.hold = hold_dir;
    b.non_rtp = m.proto.substr(0, 4) != "RTP/" && m.proto.substr(0, 4) != "rtp/";
    b.announcer = announcer;
    fill_payloads(m, b);
    const decode::Endpoint rtp{ip, m.port};
    put(rtp, b, r, replaced);
    if (bound != nullptr) bound->push_back(rtp);
    ++r.bound;
    if (!m.rtcp_mux) {
      const uint16_t rtcp_port = m.rtcp_port != 0 ? m.rtcp_port : static_cast<uint16_t>(m.port + 1);
      const decode::Endpoint rtcp{ip, rtcp_port};
      if (rtcp != rtp) {
        Binding rb = b;
        rb.rtcp = true;
        rb.payloads = {};
        // An RTP binding of the same address (another m-line or call) is not demoted to RTCP.
        auto it = map_.find(rtcp);
        if (it == map_.end() || it->second.binding.rtcp) {
          put(rtcp, rb, r, replaced);
          if (bound != nullptr) bound->push_back(rtcp);
        }
      }
    }
  }
  return r;
}

const Binding* SdpBindings::find_port(uint16_t port, decode::Endpoint* where) const {
  const Binding* best = nullptr;
  auto [lo, hi] = by_port_.equal_range(port);
  for (auto it = lo; it != hi; ++it) {
    auto b = map_.find(it->second);
    if (b == map_.end() || b->second.binding.rtcp) continue;
    if (best == nullptr || b->second.binding.since_us > best->since_us) {
      best = &b->second.binding;
      if (where != nullptr) *where = it->second;
    }
  }
  return best;
}

void SdpBindings::expire(int64_t before_us) {
  while (!by_age_.empty()) {
    auto it = map_.find(by_age_.front());
    if (it->second.binding.since_us >= before_us) break;
    erase(it);
  }
}

void SdpBindings::restore(const decode::Endpoint& ep, const Binding& before) {
  auto it = map_.find(ep);
  if (it == map_.end() || it->second.binding.call_id != before.call_id) return;
  it->second.binding = before;
}

void SdpBindings::share(const decode::Endpoint& ep, int64_t call_id,
                        const std::array<int64_t, kMaxShared>& also) {
  auto it = map_.find(ep);
  if (it == map_.end()) return;
  Binding& b = it->second.binding;
  auto add = [&](int64_t id) {
    if (id == 0 || id == b.call_id || b.shared_with(id)) return;
    for (auto& x : b.shared) {
      if (x == 0) {
        x = id;
        return;
      }
    }
  };
  add(call_id);
  for (const int64_t id : also) add(id);
}

void SdpBindings::forget(int64_t call_id, const decode::Endpoint& ep) {
  auto it = map_.find(ep);
  if (it != map_.end() && it->second.binding.call_id == call_id) erase(it);
}

}  // namespace sipscope::correlate::media
