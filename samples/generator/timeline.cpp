#include "timeline.hpp"

#include <algorithm>
#include <array>
#include <span>

#include "rtp_plan.hpp"
#include "sip_builder.hpp"

namespace sipscope::gen {

std::uint32_t RtpSpec::paused_before(std::uint32_t i) const {
  std::uint32_t slots = 0;
  for (const auto& p : pauses) {
    if (p.index <= i) slots += p.slots;
  }
  return slots;
}

std::int64_t RtpSpec::slot_time(std::uint32_t i) const {
  return start_us + static_cast<std::int64_t>(i + paused_before(i)) * interval_us;
}

std::int64_t RtpSpec::send_time(std::uint32_t i) const {
  std::int64_t t = slot_time(i);
  if (jitter_us > 0) {
    Rng r(jitter_seed ^ (0x9e37ULL * (i + 1)));
    t += r.below(jitter_us);
  }
  return t;
}

std::int64_t RtpSpec::arrival_time(std::uint32_t i) const {
  for (const auto& l : late) {
    if (l.index == i && i + l.after < count) return send_time(i + l.after) + 1000;
  }
  return send_time(i);
}

std::uint32_t RtpSpec::rtp_timestamp(std::uint32_t i) const {
  return ts0 + (i + paused_before(i)) * samples_per_packet;
}

bool RtpSpec::marker(std::uint32_t i) const {
  return i == 0 || std::any_of(pauses.begin(), pauses.end(),
                               [i](const Pause& p) { return p.index == i && p.slots > 0; });
}

StreamTruth RtpSpec::truth() const {
  StreamTruth s;
  s.src = src.host_port();
  s.dst = dst.host_port();
  s.ssrc = ssrc;
  s.payload_type = payload_type;
  s.codec = std::string(codec_name(payload_type));
  SeqCounter c;
  TsharkLost tshark;
  RtpPlan plan(*this);
  bool first = true;
  for (const RtpPlan::Packet* p = plan.front(); p != nullptr; p = plan.front()) {
    c.update(static_cast<std::uint16_t>(seq0 + p->index));
    tshark.update(static_cast<std::uint16_t>(seq0 + p->index), rtp_timestamp(p->index));
    if (first) s.first_us = p->ts_us;
    first = false;
    s.last_us = p->ts_us;
    s.max_delay_us = std::max(s.max_delay_us, p->ts_us - slot_time(p->index));
    plan.pop();
  }
  s.packets = c.packets();
  s.expected = static_cast<std::uint64_t>(c.expected());
  s.lost = c.expected() - static_cast<std::int64_t>(c.packets());
  s.duplicates = c.duplicates();
  s.out_of_order = c.out_of_order();
  s.tshark_lost = tshark.lost();
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
  explicit RtpSource(RtpSpec&& spec) : spec_(std::move(spec)), plan_(spec_) {
    buf_.resize(12 + spec_.payload_bytes);
    buf_[0] = 0x80;  // V=2, no padding/extension/CSRC
    for (int k = 0; k < 4; ++k) buf_[8 + k] = static_cast<std::uint8_t>(spec_.ssrc >> (24 - 8 * k));
    // G.711 "silence" octet (PCMU 0xFF, PCMA 0xD5), varied slightly so the payload is not
    // constant.
    const std::uint8_t fill = spec_.payload_type == 8 ? 0xD5 : 0xFF;
    for (std::size_t k = 12; k < buf_.size(); ++k)
      buf_[k] = fill ^ static_cast<std::uint8_t>(k & 1);
    next_ = plan_.front();
  }
  std::int64_t ts() const override { return next_->ts_us; }
  bool emit_and_advance(Scheduler&, PcapWriter& w) override {
    const std::uint32_t i = next_->index;
    const std::int64_t t = next_->ts_us;
    const std::uint16_t seq = static_cast<std::uint16_t>(spec_.seq0 + i);
    const std::uint32_t rtp_ts = spec_.rtp_timestamp(i);
    buf_[1] = static_cast<std::uint8_t>((spec_.marker(i) ? 0x80 : 0) | spec_.payload_type);
    buf_[2] = static_cast<std::uint8_t>(seq >> 8);
    buf_[3] = static_cast<std::uint8_t>(seq & 0xff);
    for (int k = 0; k < 4; ++k) buf_[4 + k] = static_cast<std::uint8_t>(rtp_ts >> (24 - 8 * k));
    w.write_udp(t, spec_.src, spec_.dst, buf_);
    plan_.pop();
    next_ = plan_.front();
    return next_ != nullptr;
  }

 private:
  RtpSpec spec_;
  RtpPlan plan_;  // refers to spec_
  const RtpPlan::Packet* next_ = nullptr;
  std::vector<std::uint8_t> buf_;
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
    if (RtpPlan(r).front() != nullptr) push(new RtpSource(std::move(r)));
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
