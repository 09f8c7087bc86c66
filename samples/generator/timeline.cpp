#include "timeline.hpp"

#include <algorithm>
#include <array>
#include <span>

#include "sip_builder.hpp"

namespace sipscope::gen {

std::int64_t RtpSpec::send_time(std::uint32_t i) const {
  std::int64_t t = start_us + static_cast<std::int64_t>(i) * interval_us;
  if (jitter_us > 0) {
    Rng r(jitter_seed ^ (0x9e37ULL * (i + 1)));
    t += r.below(jitter_us);
  }
  return t;
}

StreamTruth RtpSpec::truth() const {
  StreamTruth s;
  s.src = src.host_port();
  s.dst = dst.host_port();
  s.ssrc = ssrc;
  s.payload_type = payload_type;
  s.codec = std::string(codec_name(payload_type));
  s.packets = count - drop.size();
  s.expected = count;
  s.lost = drop.size();
  s.first_us = send_time(0);
  s.last_us = send_time(count - 1);
  return s;
}

class Scheduler::Source {
 public:
  virtual ~Source() = default;
  [[nodiscard]] virtual std::int64_t ts() const = 0;
  // Writes the current packet (if any) and moves on; false when exhausted.
  virtual bool emit_and_advance(Scheduler& s, PcapWriter& w) = 0;
};

namespace {

class SipSource final : public Scheduler::Source {
 public:
  explicit SipSource(std::vector<SipPacket>&& p) : packets_(std::move(p)) {
    std::stable_sort(packets_.begin(), packets_.end(),
                     [](const SipPacket& a, const SipPacket& b) { return a.ts_us < b.ts_us; });
  }
  std::int64_t ts() const override { return packets_[i_].ts_us; }
  bool emit_and_advance(Scheduler&, PcapWriter& w) override {
    const auto& p = packets_[i_];
    FragDamage frag = FragDamage::kNone;
    if (p.damage == Damage::kFragReorder) frag = FragDamage::kReorder;
    if (p.damage == Damage::kFragDuplicate) frag = FragDamage::kDuplicate;
    if (p.damage == Damage::kFragDrop) frag = FragDamage::kDropOne;
    w.write_udp(p.ts_us, p.src, p.dst,
                std::span(reinterpret_cast<const std::uint8_t*>(p.text.data()), p.text.size()),
                frag);
    return ++i_ < packets_.size();
  }

 private:
  std::vector<SipPacket> packets_;
  std::size_t i_ = 0;
};

class WireSource final : public Scheduler::Source {
 public:
  explicit WireSource(std::vector<WirePacket>&& p) : packets_(std::move(p)) {
    std::stable_sort(packets_.begin(), packets_.end(),
                     [](const WirePacket& a, const WirePacket& b) { return a.ts_us < b.ts_us; });
  }
  std::int64_t ts() const override { return packets_[i_].ts_us; }
  bool emit_and_advance(Scheduler&, PcapWriter& w) override {
    auto& p = packets_[i_];
    w.write_ip(p.ts_us, p.src, p.dst, p.proto, p.l4);
    return ++i_ < packets_.size();
  }

 private:
  std::vector<WirePacket> packets_;
  std::size_t i_ = 0;
};

class RtpSource final : public Scheduler::Source {
 public:
  explicit RtpSource(RtpSpec&& spec) : spec_(std::move(spec)) {
    buf_.resize(12 + spec_.payload_bytes);
    buf_[0] = 0x80;  // V=2, no padding/extension/CSRC
    for (int k = 0; k < 4; ++k) buf_[8 + k] = static_cast<std::uint8_t>(spec_.ssrc >> (24 - 8 * k));
    // G.711 "silence" octet (PCMU 0xFF, PCMA 0xD5), varied slightly so the payload is not
    // constant.
    const std::uint8_t fill = spec_.payload_type == 8 ? 0xD5 : 0xFF;
    for (std::size_t k = 12; k < buf_.size(); ++k)
      buf_[k] = fill ^ static_cast<std::uint8_t>(k & 1);
    skip_dropped();
  }
  std::int64_t ts() const override { return next_ts_; }
  bool emit_and_advance(Scheduler&, PcapWriter& w) override {
    const std::uint16_t seq = static_cast<std::uint16_t>(spec_.seq0 + i_);
    const std::uint32_t rtp_ts = spec_.ts0 + i_ * spec_.samples_per_packet;
    buf_[1] = static_cast<std::uint8_t>((i_ == 0 ? 0x80 : 0) | spec_.payload_type);  // M on first
    buf_[2] = static_cast<std::uint8_t>(seq >> 8);
    buf_[3] = static_cast<std::uint8_t>(seq & 0xff);
    for (int k = 0; k < 4; ++k) buf_[4 + k] = static_cast<std::uint8_t>(rtp_ts >> (24 - 8 * k));
    w.write_udp(next_ts_, spec_.src, spec_.dst, buf_);
    ++i_;
    skip_dropped();
    return i_ < spec_.count;
  }

 private:
  void skip_dropped() {
    while (d_ < spec_.drop.size() && spec_.drop[d_] < i_) ++d_;
    while (d_ < spec_.drop.size() && spec_.drop[d_] == i_) {
      ++i_;
      ++d_;
    }
    if (i_ < spec_.count) next_ts_ = spec_.send_time(i_);
  }

  RtpSpec spec_;
  std::vector<std::uint8_t> buf_;
  std::uint32_t i_ = 0;
  std::size_t d_ = 0;
  std::int64_t next_ts_ = 0;
};

class TimerSource final : public Scheduler::Source {
 public:
  TimerSource(std::int64_t ts, std::function<void(Scheduler&)> fn) : ts_(ts), fn_(std::move(fn)) {}
  std::int64_t ts() const override { return ts_; }
  bool emit_and_advance(Scheduler& s, PcapWriter&) override {
    fn_(s);
    return false;
  }

 private:
  std::int64_t ts_;
  std::function<void(Scheduler&)> fn_;
};

}  // namespace

Scheduler::~Scheduler() {
  while (!heap_.empty()) {
    delete heap_.top().src;
    heap_.pop();
  }
}

void Scheduler::push(Source* s) {
  heap_.push(Entry{s->ts(), order_++, s});
}

void Scheduler::add(Emission&& e) {
  if (!e.sip.empty()) push(new SipSource(std::move(e.sip)));
  if (!e.wire.empty()) push(new WireSource(std::move(e.wire)));
  for (auto& r : e.rtp) {
    if (r.count > 0) push(new RtpSource(std::move(r)));
  }
}

void Scheduler::at(std::int64_t ts_us, std::function<void(Scheduler&)> fn) {
  push(new TimerSource(ts_us, std::move(fn)));
}

void Scheduler::run() {
  while (!heap_.empty()) {
    Entry e = heap_.top();
    heap_.pop();
    const std::uint64_t before = writer_.packets();
    const bool more = e.src->emit_and_advance(*this, writer_);
    if (writer_.packets() != before) last_ts_ = e.ts;
    if (more) {
      heap_.push(Entry{e.src->ts(), e.order, e.src});
    } else {
      delete e.src;
    }
  }
}

}  // namespace sipscope::gen
