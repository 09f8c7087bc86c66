#include "capture/pcap_rotator.hpp"

#include <pcap/pcap.h>

#include <cctype>
#include <ctime>
#include <deque>
#include <filesystem>
#include <system_error>
#include <utility>

namespace sipscope::capture {

bool parse_rotate(const std::string& text, RotateOptions& out, std::string& error) {
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits])) != 0) {
    ++digits;
  }
  const std::string unit = text.substr(digits);
  uint64_t n = 0;
  if (digits == 0 || digits > 12 || unit.size() > 1) {
    error =
        "--rotate takes SIZE (100M, 2G, 500k) or SECONDS (60, 60s, 10m, 1h), got '" + text + "'";
    return false;
  }
  n = std::stoull(text.substr(0, digits));
  const char u = unit.empty() ? 's' : unit[0];
  switch (u) {
    case 'k':
    case 'K':
      out.max_bytes = n << 10;
      break;
    case 'M':
      out.max_bytes = n << 20;
      break;
    case 'G':
      out.max_bytes = n << 30;
      break;
    case 's':
      out.max_age_us = static_cast<int64_t>(n) * 1'000'000;
      break;
    case 'm':
      out.max_age_us = static_cast<int64_t>(n) * 60'000'000;
      break;
    case 'h':
      out.max_age_us = static_cast<int64_t>(n) * 3'600'000'000;
      break;
    default:
      error = "--rotate unit must be k, M, G (size) or s, m, h (time), got '" + text + "'";
      return false;
  }
  if (n == 0) {
    error = "--rotate must be more than 0";
    return false;
  }
  return true;
}

struct PcapRotator::Series {
  std::string interface;
  int link_type = 0;
  pcap_t* dead = nullptr;
  pcap_dumper_t* dumper = nullptr;
  CaptureInfo current;  // the file being written
  uint64_t bytes = 0;
  int64_t opened_us = 0;
  unsigned sequence = 0;
  std::deque<std::string> kept;  // closed and current files, oldest first
  ~Series() {
    if (dumper != nullptr) pcap_dump_close(dumper);
    if (dead != nullptr) pcap_close(dead);
  }
};

PcapRotator::PcapRotator(RotateOptions options, std::vector<std::string> interfaces,
                         std::vector<int> link_types, Opened opened, Closed closed)
    : options_(std::move(options)), opened_(std::move(opened)), closed_(std::move(closed)) {
  std::error_code ec;
  std::filesystem::create_directories(options_.dir, ec);
  if (ec) throw CaptureError(options_.dir + ": cannot create directory: " + ec.message());
  // captures.path is read later from anywhere (export, report): make it absolute.
  options_.dir = std::filesystem::absolute(options_.dir, ec).string();
  for (size_t i = 0; i < interfaces.size(); ++i) {
    auto s = std::make_unique<Series>();
    s->interface = interfaces[i];
    s->link_type = link_types[i];
    s->dead = pcap_open_dead(s->link_type, options_.snaplen);
    if (s->dead == nullptr) throw CaptureError(options_.dir + ": cannot start a pcap writer");
    series_.push_back(std::move(s));
  }
}

PcapRotator::~PcapRotator() = default;

void PcapRotator::open_next(Series& s, int64_t ts_us) {
  const std::time_t secs = static_cast<std::time_t>(ts_us / 1'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[32];
  (void)std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  // The interface name comes from the command line; '/' would leave the directory.
  std::string name = s.interface;
  for (char& c : name) {
    if (c == '/') c = '_';
  }
  const std::string path = (std::filesystem::path(options_.dir) /
                            (name + "-" + stamp + "-" + std::to_string(++s.sequence) + ".pcap"))
                               .string();
  s.dumper = pcap_dump_open(s.dead, path.c_str());
  if (s.dumper == nullptr) throw CaptureError(path + ": " + pcap_geterr(s.dead));
  s.current = CaptureInfo{};
  s.current.path = path;
  s.current.link_type = s.link_type;
  s.current.capture_id = opened_(path);
  s.bytes = 24;  // pcap file header
  s.opened_us = ts_us;
  s.kept.push_back(path);
  while (options_.keep != 0 && s.kept.size() > options_.keep) {
    std::error_code ec;
    std::filesystem::remove(s.kept.front(), ec);  // already gone is fine
    s.kept.pop_front();
  }
}

void PcapRotator::close_current(Series& s) {
  if (s.dumper == nullptr) return;
  pcap_dump_close(s.dumper);
  s.dumper = nullptr;
  closed_(s.current);
}

RawPacketSink::Stored PcapRotator::write(size_t interface_index, int /*link_type*/, int64_t ts_us,
                                         uint32_t wire_length, std::span<const uint8_t> data) {
  Series& s = *series_[interface_index];
  const uint64_t record = 16 + data.size();
  const bool full =
      options_.max_bytes != 0 && s.bytes + record > options_.max_bytes && s.current.packets > 0;
  const bool old = options_.max_age_us != 0 && ts_us - s.opened_us >= options_.max_age_us;
  if (s.dumper != nullptr && (full || old)) close_current(s);
  if (s.dumper == nullptr) open_next(s, ts_us);
  pcap_pkthdr hdr{};
  hdr.ts.tv_sec = static_cast<time_t>(ts_us / 1'000'000);
  hdr.ts.tv_usec = static_cast<suseconds_t>(ts_us % 1'000'000);
  hdr.caplen = static_cast<bpf_u_int32>(data.size());
  hdr.len = wire_length;
  pcap_dump(reinterpret_cast<u_char*>(s.dumper), &hdr, data.data());
  s.bytes += record;
  CaptureInfo& c = s.current;
  ++c.packets;
  if (c.packets == 1) c.first_us = ts_us;
  c.last_us = ts_us;
  return {c.capture_id, c.packets};
}

void PcapRotator::flush() {
  for (auto& s : series_) {
    if (s->dumper != nullptr) (void)pcap_dump_flush(s->dumper);
  }
}

void PcapRotator::finish() {
  for (auto& s : series_) close_current(*s);
}

std::vector<std::string> PcapRotator::files() const {
  std::vector<std::string> out;
  for (const auto& s : series_) out.insert(out.end(), s->kept.begin(), s->kept.end());
  return out;
}

}  // namespace sipscope::capture
