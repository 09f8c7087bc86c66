#include "capture/pcap_reader.hpp"

#include <pcap/pcap.h>

#include <algorithm>
#include <utility>

namespace sipscope::capture {
namespace {

// libpcap messages may end in a newline; our errors are one line.
std::string one_line(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  std::replace(s.begin(), s.end(), '\r', ' ');
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

// libpcap names the file in errno-style messages ("PATH: No such file or directory") but
// not in format errors ("unknown file format"): prefix the path only when missing.
std::string naming_file(const std::string& path, const char* message) {
  std::string m = one_line(message != nullptr ? message : "");
  if (m.empty()) m = "cannot open capture";
  if (m.find(path) != std::string::npos) return m;
  return path + ": " + m;
}

}  // namespace

struct PcapReader::Handle {
  explicit Handle(const std::string& path) : input(path) {}
  InputFile input;  // outlives pcap, which reads through its stream
  pcap_t* pcap = nullptr;
  bool done = false;
  ~Handle() {
    if (pcap != nullptr) pcap_close(pcap);
  }
  void finish(CaptureInfo& info) {
    done = true;
    if (info.status != "interrupted") input.finish();
    info.identity = input.identity();
  }
};

PcapReader::PcapReader(std::string path, uint32_t capture_id)
    : handle_(std::make_unique<Handle>(path)) {
  info_.capture_id = capture_id;
  info_.path = std::move(path);
  char err[PCAP_ERRBUF_SIZE] = {};
  FILE* stream = handle_->input.release_stream();
  // Nanosecond precision: libpcap scales microsecond files up, so no file loses digits.
  handle_->pcap = pcap_fopen_offline_with_tstamp_precision(stream, PCAP_TSTAMP_PRECISION_NANO, err);
  if (handle_->pcap == nullptr) {
    (void)std::fclose(stream);  // read-only, and the open already failed: nothing to report
    if (handle_->input.delivered() == 0 && handle_->input.error().empty()) {
      info_.status = "empty";
      info_.error = info_.path + ": empty file (no capture header)";
      handle_->finish(info_);
      return;
    }
    const std::string why = handle_->input.error();
    throw CaptureError(why.empty() ? naming_file(info_.path, err) : why);
  }
  info_.link_type = pcap_datalink(handle_->pcap);
}

PcapReader::~PcapReader() = default;

bool PcapReader::next(decode::Frame& out) {
  if (handle_->done) return false;
  pcap_pkthdr* hdr = nullptr;
  const u_char* data = nullptr;
  const int rc = pcap_next_ex(handle_->pcap, &hdr, &data);
  if (rc == 1) {
    // With nanosecond precision tv_usec holds nanoseconds in [0, 1e9): the division
    // truncates toward the earlier microsecond. The seconds are an unsigned 32-bit field
    // in the file (pcap-savefile(5), draft-ietf-opsawg-pcap); libpcap reads them into a
    // signed 32-bit value, so times after 2038-01-19 arrive negative: take them back as
    // unsigned, as tshark does.
    const auto seconds = static_cast<uint32_t>(hdr->ts.tv_sec);
    const int64_t ts_us =
        static_cast<int64_t>(seconds) * 1'000'000 + static_cast<int64_t>(hdr->ts.tv_usec) / 1000;
    ++info_.packets;
    if (info_.packets == 1 || ts_us < info_.first_us) info_.first_us = ts_us;
    if (info_.packets == 1 || ts_us > info_.last_us) info_.last_us = ts_us;
    out.ref.capture_id = info_.capture_id;
    out.ref.number = info_.packets;
    out.ref.ts_us = ts_us;
    out.link_type = info_.link_type;
    out.wire_length = hdr->len;
    out.data = std::span<const uint8_t>(data, hdr->caplen);
    return true;
  }
  if (rc != PCAP_ERROR_BREAK) {  // -2: end of file
    // PCAP_ERROR: a record cut short (a copy interrupted mid-write) or an invalid record.
    const std::string why = handle_->input.error();
    info_.status = "truncated";
    info_.error = info_.path + ": truncated capture after " + std::to_string(info_.packets) +
                  " packets (" + (why.empty() ? one_line(pcap_geterr(handle_->pcap)) : why) + ")";
  }
  handle_->finish(info_);
  return false;
}

void PcapReader::mark_interrupted() {
  if (handle_->done || info_.status != "complete") return;
  info_.status = "interrupted";
  info_.error = info_.path + ": interrupted after " + std::to_string(info_.packets) + " packets";
  handle_->finish(info_);  // size and mtime; no hash of a file not read to its end
}

// One pending frame per source: the merge compares pending timestamps.
struct MergedReader::Source {
  Source(const std::string& path, uint32_t id) : reader(path, id) {}
  PcapReader reader;
  decode::Frame pending;
};

MergedReader::MergedReader(const std::vector<std::string>& paths, uint32_t first_capture_id) {
  sources_.reserve(paths.size());
  for (size_t i = 0; i < paths.size(); ++i) {
    sources_.push_back(
        std::make_unique<Source>(paths[i], first_capture_id + static_cast<uint32_t>(i)));
  }
}

MergedReader::~MergedReader() = default;

namespace {
// std heap functions build a max-heap: "later" puts the earliest pending frame on top;
// equal timestamps go to the lower source index (argument order). A template so that it
// can name MergedReader's private Source through the argument type.
template <class Sources>
struct Later {
  const Sources& sources;
  bool operator()(size_t a, size_t b) const {
    const int64_t ta = sources[a]->pending.ref.ts_us;
    const int64_t tb = sources[b]->pending.ref.ts_us;
    return ta != tb ? ta > tb : a > b;
  }
};
}  // namespace

void MergedReader::refill(size_t i) {
  if (sources_[i]->reader.next(sources_[i]->pending)) {
    heap_.push_back(i);
    std::push_heap(heap_.begin(), heap_.end(), Later<decltype(sources_)>{sources_});
  }
}

bool MergedReader::next(decode::Frame& out) {
  if (!primed_) {
    primed_ = true;
    for (size_t i = 0; i < sources_.size(); ++i) refill(i);
  } else if (last_ != SIZE_MAX) {
    // Only now may the previous frame's buffer be reused by libpcap.
    const size_t i = last_;
    last_ = SIZE_MAX;
    refill(i);
  }
  if (heap_.empty()) return false;
  std::pop_heap(heap_.begin(), heap_.end(), Later<decltype(sources_)>{sources_});
  last_ = heap_.back();
  heap_.pop_back();
  out = sources_[last_]->pending;
  return true;
}

std::vector<CaptureInfo> MergedReader::captures() const {
  std::vector<CaptureInfo> out;
  out.reserve(sources_.size());
  for (const auto& s : sources_) out.push_back(s->reader.info());
  return out;
}

void MergedReader::mark_interrupted() {
  for (auto& s : sources_) s->reader.mark_interrupted();
}

void MergedReader::set_first_capture_id(uint32_t first_capture_id) {
  for (size_t i = 0; i < sources_.size(); ++i) {
    sources_[i]->reader.set_capture_id(first_capture_id + static_cast<uint32_t>(i));
  }
}

}  // namespace sipscope::capture
