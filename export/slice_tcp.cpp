// redact_slice: TCP re-sequencing: a stream is redacted message by message and every
// segment's sequence and acknowledgement number moved to the redacted stream's offsets.
#include <algorithm>

#include "export/slice_rewriter.hpp"

namespace sipscope::export_::slice {

int64_t Direction::map(int64_t x) const {
  int64_t delta = 0;
  for (const auto& p : pieces) {
    if (x < p.old_start) break;
    if (x <= p.old_end) {
      for (const auto& u : p.units) {
        if (x < u.old_start || x > u.old_end) continue;
        if (u.old_end == u.old_start) return u.new_start;
        return u.new_start +
               (x - u.old_start) * (u.new_end - u.new_start) / (u.old_end - u.old_start);
      }
      return x + delta;
    }
    delta = p.new_start + static_cast<int64_t>(p.out.size()) - p.old_end;
  }
  return x + delta;
}

const Piece* Direction::piece_of(int64_t s, int64_t e) const {
  for (const auto& p : pieces) {
    if (s >= p.old_start && e <= p.old_end) return &p;
  }
  return nullptr;
}

std::string Rewriter::flow_key(const IpCtx& c, Span tcp_header) {
  std::string k(chars(c.orig_src));
  k += chars(c.orig_dst);
  k += chars(tcp_header.first(4));
  return k;
}

std::string Rewriter::reverse_key(const IpCtx& c, Span tcp_header) {
  std::string k(chars(c.orig_dst));
  k += chars(c.orig_src);
  k += chars(tcp_header.subspan(2, 2));
  k += chars(tcp_header.first(2));
  return k;
}

Bytes Rewriter::tcp(Span p, const IpCtx& c) {
  decode::TcpHeader t;
  if (decode::decode_tcp(p, t) != decode::TransportError::ok) return Bytes(p.size(), 0);
  const size_t head = static_cast<size_t>(t.payload.data() - p.data());
  const std::string key = flow_key(c, p);
  Bytes out(p.begin(), p.begin() + static_cast<ptrdiff_t>(head));
  if (scanning_) {
    if (!t.payload.empty()) {
      auto& d = flows_[key];
      if (!d.have_base) {
        d.have_base = true;
        d.base = t.seq;
      }
      d.segments.emplace_back(d.rel(t.seq), Bytes(t.payload.begin(), t.payload.end()));
    }
    out.resize(p.size(), 0);
    return out;
  }
  const auto fwd = flows_.find(key);
  if (fwd != flows_.end()) {
    const Direction& d = fwd->second;
    const int64_t s = d.rel(t.seq);
    const int64_t e = s + static_cast<int64_t>(t.payload.size());
    const int64_t ns = d.map(s);
    set32(out.data() + 4, static_cast<uint32_t>(d.base + static_cast<uint32_t>(ns)));
    if (const Piece* piece = t.payload.empty() ? nullptr : d.piece_of(s, e)) {
      const int64_t ne = d.map(e);
      const auto from = static_cast<size_t>(ns - piece->new_start);
      const auto to = static_cast<size_t>(ne - piece->new_start);
      if (from <= to && to <= piece->out.size()) {
        append(out, Span(piece->out).subspan(from, to - from));
      }
    }
  } else if (!t.payload.empty()) {
    append(out, units_alone(t.payload));
  }
  if ((t.flags & 0x10) != 0) {
    const auto rev = flows_.find(reverse_key(c, p));
    if (rev != flows_.end()) {
      const Direction& d = rev->second;
      set32(out.data() + 8,
            static_cast<uint32_t>(d.base + static_cast<uint32_t>(d.map(d.rel(t.ack)))));
    }
  }
  set16(out.data() + 16, 0);
  set16(out.data() + 16, transport_checksum(c, 6, out));
  return out;
}

Bytes Rewriter::units_alone(Span payload) {
  Bytes out;
  bool ws = false;
  size_t pos = 0;
  while (pos < payload.size()) {
    size_t used = 0;
    append(out, unit(payload.subspan(pos), ws, used));
    pos += std::max<size_t>(used, 1);
  }
  return out;
}

void Rewriter::build_pieces(Direction& d) {
  std::stable_sort(d.segments.begin(), d.segments.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [s, bytes] : d.segments) {
    const int64_t e = s + static_cast<int64_t>(bytes.size());
    if (!d.pieces.empty() && s <= d.pieces.back().old_end) {
      Piece& p = d.pieces.back();
      if (e > p.old_end) {
        p.in.insert(p.in.end(), bytes.begin() + (p.old_end - s), bytes.end());
        p.old_end = e;
      }
      continue;
    }
    Piece p;
    p.old_start = s;
    p.old_end = e;
    p.in = bytes;
    d.pieces.push_back(std::move(p));
  }
  int64_t delta = 0;
  bool ws = false;  // past an HTTP upgrade: WebSocket frames (RFC 6455)
  for (auto& p : d.pieces) {
    p.new_start = p.old_start + delta;
    size_t pos = 0;
    while (pos < p.in.size()) {
      size_t used = 0;
      Bytes u = unit(Span(p.in).subspan(pos), ws, used);
      used = std::clamp<size_t>(used, 1, p.in.size() - pos);
      const int64_t ns = p.new_start + static_cast<int64_t>(p.out.size());
      p.units.push_back({p.old_start + static_cast<int64_t>(pos),
                         p.old_start + static_cast<int64_t>(pos + used), ns,
                         ns + static_cast<int64_t>(u.size())});
      append(p.out, u);
      pos += used;
    }
    delta = p.new_start + static_cast<int64_t>(p.out.size()) - p.old_end;
    p.in.clear();
  }
}

}  // namespace sipscope::export_::slice
