// redact_slice: what an IP header carries beyond its two addresses. IPv4 options (RFC 791
// §3.1: record route, source routes and timestamps hold addresses) are blanked to End of
// Option List; IPv6 extension headers (RFC 8200 §4) keep their chain and sizes: options
// headers become one PadN, routing headers get every address pseudonymised, AH its ICV
// zeroed, the rest of any other header zeroed.
#include <algorithm>
#include <cstring>

#include "export/slice_rewriter.hpp"

namespace sipscope::export_::slice {
namespace {

constexpr uint8_t kHopByHop = 0, kRouting = 43, kFragment = 44, kAh = 51, kDestOptions = 60;

// RFC 8200 §4.2: PadN (type 1) covering all `n` (>= 2) option bytes of an options header.
void pad_options(uint8_t* options, size_t n) {
  std::memset(options, 0, n);
  options[0] = 1;
  options[1] = static_cast<uint8_t>(n - 2);
}

}  // namespace

void Rewriter::redact_header_extras(Bytes& head, bool v6) {
  if (v6) {
    redact_ipv6_extensions(head);
  } else if (head.size() > 20) {
    std::fill(head.begin() + 20, head.end(), 0);  // options: End of Option List
  }
}

// Routing header (RFC 8200 §4.4): next(1) length(1) type(1) segments left(1), then data.
// Types 0 (RFC 2460), 2 (RFC 6275 §6.4) and 4 (segment routing, RFC 8754 §2) list 16-byte
// addresses from offset 8 (type 4: last entry + 1 of them, TLVs after, zeroed); other
// types' data is zeroed.
void Rewriter::redact_routing_header(uint8_t* h, size_t total) {
  const uint8_t type = h[2];
  size_t addresses = 0;
  if (type == 0 || type == 2) addresses = (total - 8) / 16;
  if (type == 4) addresses = std::min<size_t>(size_t{h[4]} + 1, (total - 8) / 16);
  for (size_t k = 0; k < addresses; ++k) rewrite_one_ip(h + 8 + 16 * k, true);
  const size_t kept = addresses > 0 ? 8 + 16 * addresses : 4;
  if (kept < total) std::memset(h + kept, 0, total - kept);
}

void Rewriter::redact_ipv6_extensions(Bytes& head) {
  uint8_t next = head[6];
  size_t at = 40;
  while (at + 8 <= head.size()) {
    uint8_t* h = head.data() + at;
    const size_t total = next == kAh ? (size_t{h[1]} + 2) * 4 : (size_t{h[1]} + 1) * 8;
    if (next == kFragment || at + total > head.size()) break;  // the fragment header ends it
    if (next == kHopByHop || next == kDestOptions) {
      pad_options(h + 2, total - 2);
    } else if (next == kRouting) {
      redact_routing_header(h, total);
    } else if (next == kAh) {
      if (total > 12) std::memset(h + 12, 0, total - 12);  // RFC 4302 §2: ICV after SPI + seq
    } else {
      std::memset(h + 2, 0, total - 2);  // mobility, HIP, shim6: unknown to us, blanked
    }
    next = h[0];
    at += total;
  }
}

}  // namespace sipscope::export_::slice
