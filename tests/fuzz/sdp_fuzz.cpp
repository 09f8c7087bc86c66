// SDP parser: the whole input is an SDP body.
#include <string_view>

#include "decode/sdp/sdp.hpp"
#include "tests/fuzz/targets.hpp"

namespace sipscope::fuzz {

int sdp_one_input(const uint8_t* data, size_t size) {
  static decode::sdp::Session session;  // reused, as the correlator does
  std::string_view line;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  (void)decode::sdp::parse_sdp(body, session, &line);
  if (!line.empty() &&
      (line.data() < body.data() || line.data() + line.size() > body.data() + body.size())) {
    __builtin_trap();  // the error line must be a view into the body
  }
  return 0;
}

}  // namespace sipscope::fuzz

SIPSCOPE_FUZZ_TARGET(sdp)
