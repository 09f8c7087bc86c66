#include "capture/live_source.hpp"

#include <pcap/pcap.h>
#include <poll.h>

#include <cerrno>
#include <cstring>

namespace sipscope::capture {
namespace {

// libpcap's messages may span lines; ours are one line.
std::string flat(const char* message) {
  std::string m = message != nullptr ? message : "";
  for (char& c : m) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  while (!m.empty() && m.back() == ' ') m.pop_back();
  return m;
}

[[noreturn]] void fail_activate(const std::string& name, pcap_t* p, int rc) {
  std::string why;
  switch (rc) {
    case PCAP_ERROR_NO_SUCH_DEVICE:
      why = "no such interface (list them with 'ip link')";
      break;
    case PCAP_ERROR_PERM_DENIED:
    case PCAP_ERROR_PROMISC_PERM_DENIED:
      why =
          "permission denied: live capture needs root or the CAP_NET_RAW capability "
          "(setcap cap_net_raw,cap_net_admin=eip on the sipscope binary)";
      break;
    case PCAP_ERROR_IFACE_NOT_UP:
      why = "interface is down";
      break;
    default:
      why = flat(pcap_geterr(p));
      if (why.empty()) why = pcap_statustostr(rc);
  }
  pcap_close(p);
  throw CaptureError("interface " + name + ": " + why);
}

int64_t to_us(const timeval& ts, bool nano) {
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000 +
         (nano ? static_cast<int64_t>(ts.tv_usec) / 1000 : static_cast<int64_t>(ts.tv_usec));
}

}  // namespace

struct LiveSource::Source {
  pcap_t* pcap = nullptr;
  CaptureInfo info;
  bool nano = false;
  bool failed = false;
  bool pending = false;  // `frame` holds a packet not yet handed out
  decode::Frame frame;
  ~Source() {
    if (pcap != nullptr) pcap_close(pcap);
  }
};

// The poll set, rebuilt only when an interface fails: the idle path allocates nothing.
struct LiveSource::Poller {
  std::vector<pollfd> fds;
};

LiveSource::LiveSource(const LiveOptions& options, uint32_t first_capture_id)
    : poller_(std::make_unique<Poller>()) {
  for (size_t i = 0; i < options.interfaces.size(); ++i) {
    const std::string& name = options.interfaces[i];
    auto s = std::make_unique<Source>();
    char err[PCAP_ERRBUF_SIZE] = {};
    pcap_t* p = pcap_create(name.c_str(), err);
    if (p == nullptr) throw CaptureError("interface " + name + ": " + flat(err));
    (void)pcap_set_snaplen(p, options.snaplen);
    (void)pcap_set_promisc(p, 1);  // a mirror port carries other hosts' traffic
    (void)pcap_set_immediate_mode(p, 1);
    (void)pcap_set_buffer_size(p, options.buffer_mb * 1024 * 1024);
    // Nanoseconds where the kernel offers them; otherwise libpcap keeps microseconds.
    s->nano = pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO) == 0;
    const int rc = pcap_activate(p);
    if (rc < 0) fail_activate(name, p, rc);
    s->pcap = p;
    s->nano = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
    // The "any" device offers SLL2 (libpcap >= 1.10), which also names the interface.
    if (name == "any") (void)pcap_set_datalink(p, DLT_LINUX_SLL2);
    s->info.path = name;
    if (!options.filter.empty()) install_filter(*s, options.filter);
    if (pcap_setnonblock(p, 1, err) != 0) {
      throw CaptureError("interface " + name + ": " + flat(err));
    }
    if (pcap_get_selectable_fd(p) < 0) {
      throw CaptureError("interface " + name + ": cannot be polled");
    }
    s->info.capture_id = first_capture_id + static_cast<uint32_t>(i);
    s->info.link_type = pcap_datalink(p);
    s->frame.link_type = s->info.link_type;
    poller_->fds.push_back({pcap_get_selectable_fd(p), POLLIN, 0});
    sources_.push_back(std::move(s));
  }
}

LiveSource::~LiveSource() = default;

void LiveSource::install_filter(Source& s, const std::string& filter) {
  bpf_program prog{};
  if (pcap_compile(s.pcap, &prog, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    throw CaptureError("bad capture filter '" + filter + "': " + flat(pcap_geterr(s.pcap)));
  }
  const int set = pcap_setfilter(s.pcap, &prog);
  pcap_freecode(&prog);
  if (set != 0) throw CaptureError("interface " + s.info.path + ": " + flat(pcap_geterr(s.pcap)));
}

void LiveSource::set_filter(size_t i, const std::string& filter) {
  install_filter(*sources_[i], filter);
}

int LiveSource::link_type(size_t i) const {
  return sources_[i]->info.link_type;
}

void LiveSource::set_capture_id(size_t i, uint32_t id) {
  sources_[i]->info.capture_id = id;
}

bool LiveSource::refill() {
  bool any = false;
  for (auto& sp : sources_) {
    Source& s = *sp;
    if (!s.pending && !s.failed) {
      pcap_pkthdr* hdr = nullptr;
      const u_char* data = nullptr;
      const int rc = pcap_next_ex(s.pcap, &hdr, &data);
      if (rc == 1) {
        s.pending = true;
        s.frame.ref.ts_us = to_us(hdr->ts, s.nano);
        s.frame.wire_length = hdr->len;
        s.frame.data = std::span<const uint8_t>(data, hdr->caplen);
      } else if (rc < 0) {
        // The interface went away (or another read error): what was read stays.
        s.failed = true;
        const int fd = pcap_get_selectable_fd(s.pcap);
        std::erase_if(poller_->fds, [fd](const pollfd& p) { return p.fd == fd; });
        s.info.status = "truncated";
        s.info.error = "interface " + s.info.path + ": capture stopped after " +
                       std::to_string(s.info.packets) + " packets (" + flat(pcap_geterr(s.pcap)) +
                       ")";
      }
    }
    any = any || s.pending;
  }
  return any;
}

FrameSource::Next LiveSource::pull(decode::Frame& out) {
  if (last_ != SIZE_MAX) {
    // Only now may libpcap reuse the buffer of the frame handed out last.
    sources_[last_]->pending = false;
    last_ = SIZE_MAX;
  }
  if (!refill()) {
    auto& fds = poller_->fds;
    if (fds.empty()) return Next::end;
    if (!waiting_) return Next::idle;
    // A signal interrupts the wait (EINTR): the caller sees idle and checks its stop flag.
    if (poll(fds.data(), fds.size(), kPollMs) <= 0) return Next::idle;
    if (!refill()) return Next::idle;
  }
  // The earliest pending packet first: interfaces merged by arrival time.
  size_t best = SIZE_MAX;
  for (size_t i = 0; i < sources_.size(); ++i) {
    if (!sources_[i]->pending) continue;
    if (best == SIZE_MAX || sources_[i]->frame.ref.ts_us < sources_[best]->frame.ref.ts_us) {
      best = i;
    }
  }
  Source& s = *sources_[best];
  CaptureInfo& info = s.info;
  ++info.packets;
  const int64_t ts = s.frame.ref.ts_us;
  if (info.packets == 1 || ts < info.first_us) info.first_us = ts;
  if (info.packets == 1 || ts > info.last_us) info.last_us = ts;
  s.frame.ref.capture_id = info.capture_id;
  s.frame.ref.number = info.packets;
  if (raw_sink_ != nullptr) {
    const auto stored =
        raw_sink_->write(best, info.link_type, ts, s.frame.wire_length, s.frame.data);
    s.frame.ref.capture_id = stored.capture_id;
    s.frame.ref.number = stored.frame;
  }
  last_ = best;
  out = s.frame;
  return Next::frame;
}

std::vector<CaptureInfo> LiveSource::captures() const {
  std::vector<CaptureInfo> out;
  out.reserve(sources_.size());
  for (const auto& s : sources_) {
    CaptureInfo info = s->info;
    pcap_stat st{};
    if (pcap_stats(s->pcap, &st) == 0) {
      info.kernel_drops = st.ps_drop;
      info.interface_drops = st.ps_ifdrop;
    }
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace sipscope::capture
