// `sipscope-gen flood KIND`: the benchmark's stress captures (issue 12), each a long run of
// one kind of traffic that exposes growth with capture length or retained state:
//
//   rtp_ssrc_flood  RTP-looking UDP packets (version 2, even high ports), a new SSRC each
//   esp_udp         ESP in UDP on port 4500 (RFC 3948), SPIs whose first byte is 0x80-0xBF
//   invite_flood    INVITEs (with an SDP offer), each a new call, never answered
//   frag_flood      INVITEs fragmented at MTU 576 whose second fragment never arrives
//   chatty_dialog   one answered call with COUNT in-dialog requests (INFO, OPTIONS, re-INVITE)
//   options_flood   OPTIONS keep-alives and their 200 OK from many monitors
//
// Items are made a chunk at a time from a Scheduler timer, so millions of packets stream
// to disk with bounded memory. The truth records totals in `flood` (kind, count, seconds,
// SIP messages, real RTP streams: none in any flood); the calls of invite_flood are
// counted there, not listed one by one. frag_flood sets the writer's fragment MTU.
//
//   FloodOptions o; o.kind = "invite_flood";
//   if (!run_flood(o, writer, sched, truth)) usage();
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "pcap_writer.hpp"
#include "scenarios.hpp"
#include "timeline.hpp"
#include "truth.hpp"

namespace sipscope::gen {

struct FloodOptions {
  std::string kind;
  std::optional<std::uint64_t> count;  // items (packets, INVITEs, requests, pings)
  std::optional<double> seconds;       // span of the capture
  double scale = 1.0;                  // multiplies the kind's default count and span
  bool ipv6 = false;
  std::uint64_t seed = 1;
};

// Kind names with a one-line summary (`sipscope-gen flood list`).
[[nodiscard]] std::span<const ScenarioInfo> flood_list();

// False if `opt.kind` is not a flood kind; otherwise the whole capture is written.
[[nodiscard]] bool run_flood(const FloodOptions& opt, PcapWriter& writer, Scheduler& sched,
                             Truth& truth);

}  // namespace sipscope::gen
