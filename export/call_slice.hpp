// The pcap slice of calls, as `sipscope export` and the web server's download write it:
// the calls' frames picked from the verified original captures (export/frame_picker.hpp),
// each TCP connection's sequence space renumbered so the kept segments follow each other
// (export/tcp_renumber.hpp), and for redact the whole slice pseudonymised
// (redact_slice, with the pseudonyms the calls' ladder gets).
//
//   const auto slice = export_::build_slice(*db, ids, {.capture_dir = "", .redact = true});
//   export_::write_slice(out, slice);
#pragma once

#include <cstdint>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "export/pcap_slice.hpp"
#include "export/redact.hpp"
#include "store/query.hpp"

namespace sipscope::export_ {

struct SliceOptions {
  std::string capture_dir;  // "" or the folder holding the captures, if they moved
  bool redact = false;
  // The pseudonyms' key (export/redact.hpp): the database's or the user's; empty = a
  // random one for this slice only.
  std::vector<uint8_t> redact_key = {};
  RedactOptions redact_options = {};
};

struct Slice {
  std::vector<SliceFrame> frames;     // timestamp order
  int link_type = 1;                  // of every frame (one pcap holds one link type)
  size_t sip_frames = 0;              // frames the database lists for the calls' SIP
  std::vector<std::string> captures;  // the original files read (each verified)
};

// The calls' frames come from captures of different link types.
class SliceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws CaptureMissing / CaptureChanged (export/evidence.hpp), capture::CaptureError,
// SliceError when the frames come from captures of different link types.
[[nodiscard]] Slice build_slice(const store::Database& db, const std::vector<int64_t>& call_ids,
                                const SliceOptions& options);

// The classic pcap file (PcapWriter) of the slice.
void write_slice(std::ostream& out, const Slice& slice);

}  // namespace sipscope::export_
