// HEP v1/v2/v3 decoding, packets back to back as in HEP over TCP.
#include <span>

#include "decode/hep.hpp"
#include "tests/fuzz/targets.hpp"

namespace sipscope::fuzz {

int hep_one_input(const uint8_t* data, size_t size) {
  std::span<const uint8_t> rest(data, size);
  size_t sum = 0;
  while (!rest.empty()) {
    (void)decode::looks_like_hep(rest);
    decode::HepPacket hep;
    if (decode::decode_hep(rest, hep) != decode::HepError::ok) break;
    for (uint8_t b : hep.payload) sum += b;
    sum += hep.correlation_id.size();
    if (hep.size == 0 || hep.size > rest.size()) __builtin_trap();
    rest = rest.subspan(hep.size);
  }
  return sum == 0xdeadbeef ? 1 : 0;
}

}  // namespace sipscope::fuzz

SIPSCOPE_FUZZ_TARGET(hep)
