#include "rtcp_scenarios.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "parties.hpp"
#include "rtcp.hpp"
#include "scenario_support.hpp"

namespace sipscope::gen {
namespace {

using Json = nlohmann::ordered_json;

// 1024/65536 s: a DLSR of whole quanta is exact, so the round trip derived from it is too.
constexpr std::int64_t kQuantumUs = 15625;
constexpr std::uint32_t kClockRate = 8000;  // G.711

enum class RtcpAddress { kPortPlusOne, kAttribute, kMux };

// One phone of a call as its RTCP sees it. `delay_us` is the one-way network delay between
// the phone and the capture point: what the phone sends is captured delay_us after it
// leaves, what it receives reaches it delay_us after the capture. Phones' clocks agree with
// the capture clock (NTP-synchronised).
struct Phone {
  Party party;
  Endpoint rtcp;  // where it sends RTCP from and receives it
  std::int64_t delay_us = 0;
  std::uint32_t ssrc = 0;
  std::string cname;
  std::optional<RtpSpec> sends;  // its RTP stream
  // RFC 3550 Appendix A.3 state about the peer's stream.
  std::uint32_t expected_prior = 0, received_prior = 0;
  struct SentSr {
    std::int64_t at_us;  // phone clock
    rtcp::Ntp ntp;
  };
  std::vector<SentSr> srs;
  std::vector<std::int64_t> reports;  // times of its compounds (the SR-or-RR rule)
};

// What a receiver knows of an RTP stream at one moment: every packet captured up to
// `cutoff_us` (RFC 3550 Appendix A.1 counters, A.8 jitter; packets stay in order because
// the scenario's delay is below the packet interval).
struct Received {
  std::uint32_t packets = 0;
  std::int64_t max_index = -1;
  double jitter = 0;  // timestamp units
};

Received receive(const RtpSpec& s, std::int64_t cutoff_us) {
  Received r;
  std::size_t d = 0;
  double prev_transit = 0;
  for (std::uint32_t i = 0; i < s.count; ++i) {
    if (d < s.drop.size() && s.drop[d] == i) {
      ++d;
      continue;
    }
    const std::int64_t t = s.send_time(i);
    if (t > cutoff_us) break;
    // Transit in timestamp units relative to the stream's start; the constant delay to the
    // receiver cancels in the differences.
    const double transit = static_cast<double>(t - s.start_us) * kClockRate / 1e6 -
                           static_cast<double>(i) * s.samples_per_packet;
    if (r.packets > 0) r.jitter += (std::fabs(transit - prev_transit) - r.jitter) / 16.0;
    prev_transit = transit;
    ++r.packets;
    r.max_index = i;
  }
  return r;
}

// Packets the phone has sent by its time `t` (the dropped ones were sent and lost).
std::uint32_t sent_by(const Phone& p, std::int64_t t) {
  if (!p.sends) return 0;
  const RtpSpec& s = *p.sends;
  const std::int64_t since = t + p.delay_us - s.start_us;
  if (since < 0) return 0;
  const std::int64_t n = since / s.interval_us + 1;
  return static_cast<std::uint32_t>(std::min<std::int64_t>(n, s.count));
}

std::string ep_ip(const Endpoint& e) {
  return e.ip.text;
}

struct Extras {
  bool app = false, xr = false, bye = false;
  std::string bye_reason;
};

class RtcpCall {
 public:
  explicit RtcpCall(Context ctx) : ctx_(ctx) {}

  // One compound from `from` at its time `t`: SR or RR (+ report block about the peer's
  // stream), SDES CNAME, then the extras.
  void compound(Phone& from, Phone& to, std::int64_t t, const Extras& x) {
    rtcp::Compound c;
    const std::int64_t captured = t + from.delay_us;
    Json base = {{"ts_us", captured},          {"src_ip", ep_ip(from.rtcp)},
                 {"src_port", from.rtcp.port}, {"dst_ip", ep_ip(to.rtcp)},
                 {"dst_port", to.rtcp.port},   {"sender_ssrc", from.ssrc}};
    std::vector<rtcp::ReportBlock> blocks;
    Json block_row;
    if (auto b = report_block(from, to, t, block_row)) blocks.push_back(*b);
    // RFC 3550 §6.4: an SR when the phone sent RTP since its last report or the one before.
    const std::uint32_t sent = sent_by(from, t);
    const std::int64_t since =
        from.reports.size() >= 2 ? from.reports[from.reports.size() - 2] : INT64_MIN;
    const bool sender = sent > (since == INT64_MIN ? 0 : sent_by(from, since));
    if (sender) {
      const rtcp::Ntp ntp = rtcp::ntp_from_unix_us(t);
      const RtpSpec& s = *from.sends;
      const auto rtp_ts = static_cast<std::uint32_t>(
          s.ts0 +
          static_cast<std::uint64_t>((t + from.delay_us - s.start_us) * kClockRate / 1000000));
      c.sr(from.ssrc, ntp, rtp_ts, sent, sent * s.payload_bytes, blocks);
      from.srs.push_back({t, ntp});
    } else {
      c.rr(from.ssrc, blocks);
    }
    from.reports.push_back(t);
    base["packet_type"] = sender ? "SR" : "RR";
    Json row = base;
    for (const auto& [k, v] : block_row.items()) row[k] = v;
    add(row);
    c.sdes_cname(from.ssrc, from.cname);
    add_packet(base, "SDES", from.cname);
    if (x.app) {
      c.app(from.ssrc, 1, "SGEN", "sipscope-gen");
      add_packet(base, "APP", "SGEN");
    }
    if (x.xr) xr(c, from, to, t, base);
    if (x.bye) {
      c.bye(from.ssrc, x.bye_reason);
      add_packet(base, "BYE", x.bye_reason);
    }
    // Emission::sip carries any UDP datagram written as is (the Scheduler's SipSource); the
    // truth's SIP counts come from the Call scripts, so RTCP does not count as SIP.
    ctx_.out.sip.push_back(SipPacket{captured, from.rtcp, to.rtcp, c.bytes()});
  }

  // Per stream, the last report block about it (streams.rtcp_* of docs/schema.md).
  void stream_truth(Json& out, const Phone& sender, const Phone& receiver) {
    const auto it = last_.find(sender.ssrc);
    if (it == last_.end()) return;
    const Json& r = it->second;
    out.push_back({{"src", sender.sends->src.host_port()},
                   {"dst", sender.sends->dst.host_port()},
                   {"ssrc", sender.ssrc},
                   {"reported_by", receiver.cname},
                   {"rtcp_fraction_lost", r["fraction_lost"]},
                   {"rtcp_cumulative_lost", r["cumulative_lost"]},
                   {"rtcp_jitter_ms", r["jitter_ms"]},
                   {"rtcp_rtt_ms", last_rtt(sender.ssrc)}});
  }

  Json& rows() { return rows_; }

 private:
  // The report block `from` sends about the peer's stream at its time `t` (RFC 3550 §6.4.1,
  // Appendix A.3), if it heard from it since its last report; `row` gets its truth fields.
  std::optional<rtcp::ReportBlock> report_block(Phone& from, const Phone& to, std::int64_t t,
                                                Json& row) {
    if (!to.sends) return std::nullopt;
    const RtpSpec& s = *to.sends;
    const Received r = receive(s, t - from.delay_us);
    if (r.packets <= from.received_prior) return std::nullopt;
    rtcp::ReportBlock b;
    b.ssrc = to.ssrc;
    const auto expected = static_cast<std::uint32_t>(r.max_index + 1);
    const std::int64_t lost = static_cast<std::int64_t>(expected) - r.packets;
    const std::int64_t expected_interval = expected - from.expected_prior;
    const std::int64_t lost_interval =
        expected_interval - (static_cast<std::int64_t>(r.packets) - from.received_prior);
    from.expected_prior = expected;
    from.received_prior = r.packets;
    b.fraction_lost = expected_interval == 0 || lost_interval <= 0
                          ? 0
                          : static_cast<std::uint8_t>((lost_interval << 8) / expected_interval);
    b.cumulative_lost = static_cast<std::int32_t>(lost);
    b.highest_seq = static_cast<std::uint32_t>(s.seq0) + static_cast<std::uint32_t>(r.max_index);
    b.jitter = static_cast<std::uint32_t>(r.jitter);
    // The last SR of the peer that has reached this phone (LSR/DLSR).
    std::optional<double> rtt_ms;
    for (auto it = to.srs.rbegin(); it != to.srs.rend(); ++it) {
      const std::int64_t arrival = it->at_us + to.delay_us + from.delay_us;
      if (arrival > t) continue;
      b.lsr = rtcp::mid32(it->ntp);
      b.dlsr = static_cast<std::uint32_t>((t - arrival) * 65536 / 1000000);
      // What a passive observer derives: report captured - SR captured - DLSR.
      rtt_ms = static_cast<double>(t + from.delay_us - (it->at_us + to.delay_us)) / 1000.0 -
               b.dlsr * 1000.0 / 65536.0;
      break;
    }
    row["source_ssrc"] = b.ssrc;
    row["fraction_lost"] = b.fraction_lost / 256.0;
    row["cumulative_lost"] = b.cumulative_lost;
    row["highest_seq"] = b.highest_seq;
    row["jitter_units"] = b.jitter;
    row["jitter_ms"] = b.jitter * 1000.0 / kClockRate;
    row["rtt_ms"] = rtt_ms ? Json(*rtt_ms) : Json();
    row["lsr"] = b.lsr;
    row["dlsr"] = b.dlsr;
    row["fraction_lost_256"] = b.fraction_lost;
    last_[to.ssrc] = row;
    return b;
  }

  void add(Json row) {
    for (const char* k :
         {"source_ssrc", "fraction_lost", "cumulative_lost", "highest_seq", "jitter_units",
          "jitter_ms", "rtt_ms", "xr_mos_lq", "xr_mos_cq", "xr_r_factor", "detail"}) {
      if (!row.contains(k)) row[k] = nullptr;
    }
    if (!row["rtt_ms"].is_null() && row.contains("fraction_lost_256"))
      rtt_[row["source_ssrc"].get<std::uint32_t>()] = row["rtt_ms"];
    rows_.push_back(std::move(row));
  }

  void add_packet(const Json& base, const char* type, const std::string& detail) {
    Json row = base;
    row["packet_type"] = type;
    row["detail"] = detail.empty() ? Json() : Json(detail);
    add(row);
  }

  Json last_rtt(std::uint32_t ssrc) const {
    const auto it = rtt_.find(ssrc);
    return it == rtt_.end() ? Json() : it->second;
  }

  // RFC 3611 XR: the phone's own view of the peer's stream as a VoIP Metrics block.
  void xr(rtcp::Compound& c, const Phone& from, const Phone& to, std::int64_t t, const Json& base) {
    if (!to.sends) return;
    const Received r = receive(*to.sends, t - from.delay_us);
    const auto expected = static_cast<std::uint32_t>(r.max_index + 1);
    rtcp::VoipMetrics v;
    v.ssrc = to.ssrc;
    v.loss_rate = static_cast<std::uint8_t>((expected - r.packets) * 256 / expected);
    v.gap_density = v.loss_rate;
    v.gap_duration =
        static_cast<std::uint16_t>(std::min<std::int64_t>(65535, (t - to.sends->start_us) / 1000));
    // The phone's own round trip: both legs of the path, twice.
    v.round_trip_delay = static_cast<std::uint16_t>(2 * (from.delay_us + to.delay_us) / 1000);
    v.end_system_delay = 40;
    v.signal_level = -20;
    v.noise_level = -60;
    v.r_factor = 88;
    v.mos_lq = 41;
    v.mos_cq = 40;
    v.rx_config = 0xB0;  // PLC enhanced, adaptive jitter buffer (RFC 3611 §4.7.7)
    v.jb_nominal = 40;
    v.jb_maximum = 80;
    v.jb_abs_max = 200;
    c.xr(from.ssrc, rtcp::ntp_from_unix_us(t), v);
    Json row = base;
    row["packet_type"] = "XR";
    row["source_ssrc"] = v.ssrc;
    row["fraction_lost"] = v.loss_rate / 256.0;
    row["rtt_ms"] = static_cast<double>(v.round_trip_delay);
    row["xr_mos_lq"] = v.mos_lq / 10.0;
    row["xr_mos_cq"] = v.mos_cq / 10.0;
    row["xr_r_factor"] = static_cast<double>(v.r_factor);
    add(row);
  }

  Context ctx_;
  Json rows_ = Json::array();
  std::map<std::uint32_t, Json> last_;
  std::map<std::uint32_t, Json> rtt_;
};

// The SDP of `p` gains its RTCP attribute (RFC 3605 / RFC 5761) in every message of the
// call: appended to the body, Content-Length fixed.
void add_sdp_attribute(Emission& e, const std::string& call_id, const Party& p,
                       const std::string& line) {
  const std::string m = "m=audio " + std::to_string(p.media.port) + " ";
  for (auto& pkt : e.sip) {
    std::string& s = pkt.text;
    const auto body = s.find("\r\n\r\n");
    if (body == std::string::npos || s.find("Call-ID: " + call_id + "\r\n") == std::string::npos)
      continue;
    if (s.find(m, body) == std::string::npos) continue;
    if (s.find("\r\no=" + p.user + " ", body) == std::string::npos) continue;
    s += line + "\r\n";
    const auto cl = s.find("Content-Length: ");
    const auto eol = s.find("\r\n", cl);
    const std::size_t len = s.size() - (body + 4);
    s.replace(cl + 16, eol - (cl + 16), std::to_string(len));
  }
}

struct RtcpCallPlan {
  Party caller, callee;
  RtcpAddress address = RtcpAddress::kPortPlusOne;
  std::uint16_t caller_rtcp_port = 0, callee_rtcp_port = 0;  // kAttribute
  int codec = 0;
  double invite_s = 1.0;
  std::vector<std::uint32_t> drop_to_callee, drop_to_caller;
  std::uint32_t jitter_to_callee_us = 0, jitter_to_caller_us = 0;
  int rounds = 2;       // SR/RR exchanges before the BYE compounds
  bool hold = false;    // caller re-INVITEs sendonly before the callee's first report
  bool extras = false;  // caller's first compound carries APP, callee's second an XR
};

// One-way delays between the phones and the capture point: a passive observer's round
// trip is 2 x 10 ms for reports sent by the caller and 2 x 25 ms for the callee's.
constexpr std::int64_t kCallerDelayUs = 10000;
constexpr std::int64_t kCalleeDelayUs = 25000;

void rtcp_call(Context ctx, const RtcpCallPlan& plan, Json& rows, Json& streams) {
  Call c(ctx, call_id(ctx.rng, plan.caller), plan.caller, plan.callee);
  c.set_codec(plan.codec);
  const double t = plan.invite_s;
  c.invite(at(t));
  c.trying(at(t) + 20 * kMs);
  c.ringing(at(t + 0.3));
  c.answer(at(t + 1.0));
  c.ack(at(t + 1.0) + 20 * kMs);
  const std::int64_t media_start = at(t + 1.0) + 50 * kMs;

  auto phone = [&](const Party& p, std::uint16_t attr_port, std::int64_t delay) {
    Phone ph;
    ph.party = p;
    ph.rtcp = p.media;
    if (plan.address == RtcpAddress::kPortPlusOne) ph.rtcp.port = p.media.port + 1;
    if (plan.address == RtcpAddress::kAttribute) ph.rtcp.port = attr_port;
    ph.delay_us = delay;
    ph.ssrc = static_cast<std::uint32_t>(ctx.rng.next()) | 1U;
    ph.cname = p.user + "@" + p.media.ip.text;
    return ph;
  };
  Phone a = phone(plan.caller, plan.caller_rtcp_port, kCallerDelayUs);
  Phone b = phone(plan.callee, plan.callee_rtcp_port, kCalleeDelayUs);

  // Report times (phone clocks), alternating so that every DLSR is whole quanta: a report
  // goes out n quanta after the peer's last SR reached the phone.
  const std::int64_t path = kCallerDelayUs + kCalleeDelayUs;
  auto quanta = [&] { return kQuantumUs * (128 + ctx.rng.below(64)); };  // 2 .. 3 s
  std::vector<std::int64_t> a_times, b_times;
  std::int64_t ta = media_start + 1000 * kMs;
  for (int k = 0; k < plan.rounds; ++k) {
    a_times.push_back(ta);
    b_times.push_back(ta + path + quanta());
    ta = b_times.back() + path + quanta();
  }
  a_times.push_back(ta);                          // caller hangs up: its BYE compound
  b_times.push_back(ta + path + kQuantumUs * 4);  // the callee's, 62.5 ms after it arrives
  const std::int64_t hold_us = a_times.front() + 500 * kMs;

  auto stream = [&](Phone& from, const Phone& to, std::int64_t start, std::int64_t end,
                    std::vector<std::uint32_t> drop, std::uint32_t jitter) {
    RtpSpec r;
    r.src = from.party.media;
    r.dst = to.party.media;
    r.ssrc = from.ssrc;
    r.payload_type = static_cast<std::uint8_t>(plan.codec);
    r.seq0 = static_cast<std::uint16_t>(ctx.rng.next());
    r.ts0 = static_cast<std::uint32_t>(ctx.rng.next());
    r.start_us = start;
    // Slots the phone sends before `end` (capture time).
    r.count = static_cast<std::uint32_t>((end - start) / r.interval_us);
    r.drop = std::move(drop);
    r.jitter_us = jitter;
    r.jitter_seed = ctx.rng.next();
    ctx.truth.streams.push_back(r.truth());
    ctx.out.rtp.push_back(r);
    from.sends = std::move(r);
  };
  stream(a, b, media_start, a_times.back() + kCallerDelayUs, plan.drop_to_callee,
         plan.jitter_to_callee_us);
  stream(b, a, media_start + 7 * kMs, plan.hold ? hold_us : b_times.back() + kCalleeDelayUs,
         plan.drop_to_caller, plan.jitter_to_caller_us);
  if (plan.hold) c.reinvite(hold_us, Side::kCaller, Media::kHold);

  RtcpCall rc(ctx);
  for (std::size_t k = 0; k < a_times.size(); ++k) {
    const bool last = k + 1 == a_times.size();
    Extras xa, xb;
    xa.app = plan.extras && k == 0;
    xb.xr = plan.extras && k == 1;
    xa.bye = xb.bye = last;
    xa.bye_reason = last ? "hangup" : "";
    rc.compound(a, b, a_times[k], xa);
    rc.compound(b, a, b_times[k], xb);
  }
  c.bye(a_times.back() + kCallerDelayUs + 5 * kMs, Side::kCaller);

  switch (plan.address) {
    case RtcpAddress::kPortPlusOne:
      break;
    case RtcpAddress::kAttribute:
      add_sdp_attribute(ctx.out, c.truth().sip_call_id, plan.caller,
                        "a=rtcp:" + std::to_string(plan.caller_rtcp_port));
      add_sdp_attribute(ctx.out, c.truth().sip_call_id, plan.callee,
                        "a=rtcp:" + std::to_string(plan.callee_rtcp_port));
      break;
    case RtcpAddress::kMux:
      add_sdp_attribute(ctx.out, c.truth().sip_call_id, plan.caller, "a=rtcp-mux");
      add_sdp_attribute(ctx.out, c.truth().sip_call_id, plan.callee, "a=rtcp-mux");
      break;
  }
  for (auto& r : rc.rows()) rows.push_back(std::move(r));
  rc.stream_truth(streams, a, b);
  rc.stream_truth(streams, b, a);
}

}  // namespace

void media_rtcp(const ScenarioOptions& o, Context ctx) {
  const bool v6 = o.ipv6;
  Json rows = Json::array();
  Json streams = Json::array();

  // 1: RTCP on port + 1 (RFC 3550 §11); loss both ways, jitter, APP and XR.
  RtcpCallPlan p1;
  p1.caller = party("alice", "Alice", kAtlanta, {192, 0, 2, 10}, 5060, 49170, v6);
  p1.callee = party("bob", "", kBiloxi, {203, 0, 113, 20}, 5060, 3456, v6);
  p1.drop_to_callee = {40, 41, 42, 130, 260};
  p1.drop_to_caller = {75};
  p1.jitter_to_callee_us = 3000;
  p1.jitter_to_caller_us = 6000;
  p1.extras = true;
  rtcp_call(ctx, p1, rows, streams);

  // 2: RTCP ports from a=rtcp (RFC 3605); PCMA; the caller holds (sendonly), the callee
  // answers recvonly, stops sending RTP and its reports turn from SR into RR.
  RtcpCallPlan p2;
  p2.caller = party("carol", "Carol", kAtlanta, {192, 0, 2, 20}, 5060, 40000, v6);
  p2.callee = party("dave", "", kBiloxi, {203, 0, 113, 30}, 5060, 40002, v6);
  p2.address = RtcpAddress::kAttribute;
  p2.caller_rtcp_port = 40100;
  p2.callee_rtcp_port = 40200;
  p2.codec = 8;
  p2.invite_s = 1.5;
  p2.drop_to_callee = {100};
  p2.rounds = 3;
  p2.hold = true;
  rtcp_call(ctx, p2, rows, streams);

  // 3: rtcp-mux (RFC 5761): RTCP on the RTP ports; a burst of 10 lost packets.
  RtcpCallPlan p3;
  p3.caller = party("erin", "", kAtlanta, {192, 0, 2, 11}, 5060, 41000, v6);
  p3.callee = party("frank", "", kBiloxi, {203, 0, 113, 21}, 5060, 41002, v6);
  p3.address = RtcpAddress::kMux;
  p3.invite_s = 2.0;
  p3.drop_to_callee = {150, 151, 152, 153, 154, 155, 156, 157, 158, 159};
  p3.jitter_to_caller_us = 4000;
  rtcp_call(ctx, p3, rows, streams);

  // Capture order across the calls (a compound's rows keep their order).
  std::vector<Json> sorted(rows.begin(), rows.end());
  std::stable_sort(sorted.begin(), sorted.end(), [](const Json& x, const Json& y) {
    return x["ts_us"].get<std::int64_t>() < y["ts_us"].get<std::int64_t>();
  });
  ctx.truth.activity["rtcp_reports"] = sorted;
  ctx.truth.activity["rtcp_streams"] = streams;
  ctx.truth.activity["rtcp_one_way_delay_ms"] = {{"caller", kCallerDelayUs / 1000.0},
                                                 {"callee", kCalleeDelayUs / 1000.0}};
  ctx.truth.notes.push_back(
      "media_rtcp: every phone sends a compound SR/RR + SDES CNAME about every 5 s; the "
      "capture point is 10 ms from the callers and 25 ms from the callees, so the round trip "
      "from LSR/DLSR seen there is 20 ms for reports sent by a caller and 50 ms for a "
      "callee's (DLSR in whole 15.625 ms quanta: exact). rtcp_reports lists one row per "
      "report block or per packet as docs/schema.md stores them (lsr, dlsr and "
      "fraction_lost_256 are the raw fields); rtcp_streams the last block about each "
      "stream. Call 1 RTCP on port + 1 with APP and XR (VoIP metrics, RTT 70 ms = the "
      "phone's own), call 2 a=rtcp ports and a hold (the callee's reports become RR), call 3 "
      "rtcp-mux.");
}

}  // namespace sipscope::gen
