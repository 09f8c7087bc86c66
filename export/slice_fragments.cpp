// redact_slice: IP fragments reassembled, redacted and cut again into fragments of the
// original sizes; the public entry point redact_slice() that drives the two passes.
#include <algorithm>

#include "export/slice_rewriter.hpp"

namespace sipscope::export_::slice {

// A complete datagram's fragments: reassembled, redacted, cut again. Returns one
// (template fragment index, IP packet) per output fragment.
std::vector<std::pair<size_t, Bytes>> Rewriter::refragment(const std::vector<Fragment>& fs) {
  std::vector<std::pair<size_t, Bytes>> out;
  Bytes datagram;
  bool complete = !fs.empty() && fs.front().offset == 0;
  for (const auto& f : fs) {
    if (f.offset > datagram.size()) complete = false;
    if (f.offset + f.payload.size() > datagram.size() && f.offset <= datagram.size()) {
      datagram.insert(datagram.end(),
                      f.payload.begin() + static_cast<ptrdiff_t>(datagram.size() - f.offset),
                      f.payload.end());
    }
  }
  complete = complete && !fs.back().more;
  if (!complete) {
    // Pieces missing from the slice: the parts present cannot be rewritten as text.
    for (size_t i = 0; i < fs.size(); ++i) {
      out.emplace_back(
          i, fragment_packet(fs[i], fs[i].offset, fs[i].more, Bytes(fs[i].payload.size(), 0)));
    }
    return out;
  }
  // One unfragmented packet: the first fragment's header (IPv6: the fixed 40 bytes with
  // the upper protocol), redacted through the ordinary path.
  const Fragment& first = fs.front();
  Bytes whole;
  size_t head = 0;
  if (first.v6) {
    whole.assign(first.header.begin(), first.header.begin() + 40);
    whole[6] = first.protocol;
    set16(whole.data() + 4, datagram.size());
    head = 40;
  } else {
    whole.assign(first.header.begin(), first.header.end());
    set16(whole.data() + 6, be16(whole.data() + 6) & 0x4000);  // DF kept
    set16(whole.data() + 2, whole.size() + datagram.size());
    head = whole.size();
  }
  append(whole, datagram);
  override_ = nullptr;  // `whole` is not in a frame
  const Bytes redacted = ip(whole, 0);
  const Span payload = redacted.size() >= head ? Span(redacted).subspan(head) : Span();
  // Pieces of the original sizes (multiples of 8, RFC 791 / RFC 8200 §4.5); more when
  // the datagram grew, fewer when it shrank.
  size_t largest = 8;
  for (const auto& f : fs) largest = std::max(largest, f.payload.size() & ~size_t{7});
  size_t offset = 0;
  for (size_t i = 0; offset < payload.size() || i == 0; ++i) {
    const size_t cap = i < fs.size() ? std::max<size_t>(fs[i].payload.size(), 8) : largest;
    const size_t rest = payload.size() - offset;
    const size_t take = rest <= cap ? rest : (cap & ~size_t{7});
    const size_t t = std::min(i, fs.size() - 1);
    out.emplace_back(
        t, fragment_packet(fs[t], offset, offset + take < payload.size(),
                           Bytes(payload.begin() + static_cast<ptrdiff_t>(offset),
                                 payload.begin() + static_cast<ptrdiff_t>(offset + take))));
    offset += take;
    if (take == 0) break;
  }
  return out;
}

Bytes Rewriter::fragment_packet(const Fragment& f, size_t offset, bool more, const Bytes& payload) {
  Bytes head = f.header;
  rewrite_ip_addresses(head.data() + (f.v6 ? 8 : 12), f.v6);
  redact_header_extras(head, f.v6);
  if (f.v6) {
    // The Fragment header closes the captured header (decode/ip.cpp stops there).
    uint8_t* fh = head.data() + head.size() - 8;
    set16(fh + 2, (offset & ~size_t{7}) | (more ? 1 : 0));
  } else {
    set16(head.data() + 6, (be16(head.data() + 6) & 0x4000) | (more ? 0x2000 : 0) | (offset / 8));
  }
  finish_ip(head, f.v6, payload.size());
  append(head, payload);
  return head;
}

}  // namespace sipscope::export_::slice

namespace sipscope::export_ {

using slice::Bytes;
using slice::Fragment;
using slice::Rewriter;

void redact_slice(std::vector<SliceFrame>& frames, Redactor& redactor) {
  Rewriter rw(redactor);
  rw.scan(frames);
  // Fragmented datagrams: each original fragment frame is replaced by the refragmented
  // pieces built on it (none, one, or the last one several times).
  std::map<size_t, std::vector<Bytes>> replaced;
  std::vector<bool> is_fragment(frames.size(), false);
  for (auto& [key, fs] : rw.fragments()) {
    std::stable_sort(fs.begin(), fs.end(),
                     [](const Fragment& a, const Fragment& b) { return a.offset < b.offset; });
    for (const auto& f : fs) is_fragment[f.frame] = true;
    for (auto& [t, packet] : rw.refragment(fs)) {
      const Fragment& tpl = fs[t];
      replaced[tpl.frame].push_back(rw.frame(frames[tpl.frame], tpl.at, &packet));
    }
  }
  std::vector<SliceFrame> out;
  out.reserve(frames.size());
  for (size_t i = 0; i < frames.size(); ++i) {
    const SliceFrame& f = frames[i];
    const uint32_t cut =
        f.wire_length > f.data.size() ? f.wire_length - static_cast<uint32_t>(f.data.size()) : 0;
    auto emit = [&](Bytes data) {
      SliceFrame g{f.ts_us, f.link_type, static_cast<uint32_t>(data.size()) + cut, f.sip, {}};
      g.data = std::move(data);
      out.push_back(std::move(g));
    };
    if (!is_fragment[i]) {
      emit(rw.frame(f));
      continue;
    }
    if (auto it = replaced.find(i); it != replaced.end()) {
      for (auto& d : it->second) emit(std::move(d));
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const SliceFrame& a, const SliceFrame& b) { return a.ts_us < b.ts_us; });
  frames = std::move(out);
}

}  // namespace sipscope::export_
