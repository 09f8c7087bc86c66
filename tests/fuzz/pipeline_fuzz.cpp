// The whole pipeline on raw frames: link -> IP -> transport -> SIP/SDP/RTP/RTCP ->
// call, dialog, transaction and media correlation -> SQLite store -> every call read back
// and rendered as text, JSON, Mermaid and HTML. What `sipscope analyze` does with a
// hostile capture, with tiny table limits so that every bound and expiry is reached.
// Input: byte 0 picks the link type; then frames [u8 time step][u16 length][bytes] (a
// short last frame takes what is left). Time step: low 7 bits, in 100 us units, or in
// seconds when the high bit is set (so calls, streams and transactions expire).
#include <unistd.h>

#include <array>
#include <csignal>
#include <string>
#include <vector>

#include "capture/pcap_reader.hpp"
#include "cli/pipeline.hpp"
#include "decode/frame.hpp"
#include "report/ladder.hpp"
#include "store/query.hpp"
#include "store/store.hpp"
#include "tests/fuzz/scratch_path.hpp"
#include "tests/fuzz/targets.hpp"

namespace sipscope::fuzz {
namespace {

constexpr std::array<int, 6> kLinkTypes = {
    decode::link_type::kEthernet,  decode::link_type::kRaw,  decode::link_type::kLinuxSll,
    decode::link_type::kLinuxSll2, decode::link_type::kNull, decode::link_type::kIpv6};

// The fuzz input's frames, handed out as a capture file would.
class BytesSource final : public capture::FrameSource {
 public:
  BytesSource(const uint8_t* data, size_t size) : data_(data), size_(size) {
    info_.capture_id = 1;
    info_.path = "fuzz";
    info_.link_type = size > 0 ? kLinkTypes[data[0] % kLinkTypes.size()] : 1;
  }
  Next pull(decode::Frame& out) override {
    if (pos_ >= size_) return Next::end;
    const uint8_t step = data_[pos_++];
    size_t len = size_ - pos_;
    if (len >= 2) {
      len = std::min<size_t>((size_t{data_[pos_]} << 8) | data_[pos_ + 1], len - 2);
      pos_ += 2;
    }
    ts_us_ += (step & 0x80) != 0 ? int64_t{step & 0x7f} * 1'000'000 : int64_t{step} * 100;
    out.link_type = info_.link_type;
    out.ref.capture_id = info_.capture_id;
    out.ref.number = ++info_.packets;
    out.ref.ts_us = ts_us_;
    out.data = {data_ + pos_, len};
    out.wire_length = static_cast<uint32_t>(len);
    if (info_.first_us == 0) info_.first_us = ts_us_;
    info_.last_us = ts_us_;
    pos_ += len;
    return Next::frame;
  }
  [[nodiscard]] std::vector<capture::CaptureInfo> captures() const override { return {info_}; }
  void mark_interrupted() override { info_.status = "interrupted"; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 1;
  int64_t ts_us_ = 1'700'000'000'000'000;
  capture::CaptureInfo info_;
};

// One database per process, replaced by every input (on /dev/shm when there is one).
std::string database_path() {
  return scratch_path("pipeline-fuzz", ".db");
}

}  // namespace

int pipeline_one_input(const uint8_t* data, size_t size) {
  if (size < 2) return 0;  // no frame
  const std::string path = database_path();
  {
    auto store = store::Store::open(path, store::Store::Mode::replace);
    store->add_capture("fuzz");
    BytesSource source(data, size);
    correlate::Limits limits;
    limits.max_open_calls = 4;
    limits.max_open_transactions = 4;
    limits.max_call_messages = 16;
    limits.max_call_transactions = 4;
    limits.max_call_dialogs = 2;
    limits.max_open_registrations = 4;
    limits.max_open_peers = 4;
    limits.max_open_subscriptions = 4;
    correlate::media::MediaLimits media;
    media.max_streams = 4;
    media.max_sdp_bindings = 4;
    media.max_call_media = 4;
    static const volatile std::sig_atomic_t kNoStop = 0;
    (void)cli::run_pipeline(source, *store, limits, kNoStop, {}, media);
    store->close();
  }
  // Read back every call (at most 8) the way `show` and `report` do.
  const auto db = store::Database::open_read_only(path);
  size_t rendered = 0;
  for (int64_t id = 1; id <= 8; ++id) {
    const report::Ladder ladder = report::build_ladder(*db, {id});
    if (ladder.calls.empty()) continue;
    rendered += report::render_text(ladder).size() + report::render_json(ladder).size() +
                report::render_mermaid(ladder).size() +
                report::render_html({ladder}, "fuzz").size();
  }
  unlink(path.c_str());
  return rendered == 1 ? 1 : 0;  // keeps the rendering from being optimised away
}

}  // namespace sipscope::fuzz

SIPSCOPE_FUZZ_TARGET(pipeline)
