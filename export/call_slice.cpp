// Building and writing the pcap slice of calls (export/call_slice.hpp).
#include "export/call_slice.hpp"

#include "export/frame_picker.hpp"
#include "export/redact.hpp"
#include "report/ladder.hpp"

namespace sipscope::export_ {

Slice build_slice(const store::Database& db, const std::vector<int64_t>& call_ids,
                  const SliceOptions& options) {
  const auto ladder = report::build_ladder(db, call_ids);
  auto picked = pick_frames(db, ladder, call_ids, options.capture_dir);
  Slice slice;
  slice.frames = std::move(picked.frames);
  slice.sip_frames = picked.sip_frames;
  slice.captures = std::move(picked.captures);
  slice.link_type = slice.frames.empty() ? 1 : slice.frames.front().link_type;
  for (const auto& f : slice.frames) {
    if (f.link_type != slice.link_type) {
      throw SliceError("the calls' frames come from captures of different link types (" +
                       std::to_string(slice.link_type) + ", " + std::to_string(f.link_type) +
                       "): one pcap cannot hold both");
    }
  }
  picked.streams.renumber(slice.frames);
  if (options.redact) {
    Redactor r = options.redact_key.empty() ? Redactor()
                                            : Redactor(options.redact_key, options.redact_options);
    r.learn_ladder(ladder);
    redact_slice(slice.frames, r);
  }
  return slice;
}

void write_slice(std::ostream& out, const Slice& slice) {
  PcapWriter writer(out, slice.link_type);
  for (const auto& f : slice.frames) writer.write(f.ts_us, f.data, f.wire_length);
}

}  // namespace sipscope::export_
