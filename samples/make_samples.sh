#!/usr/bin/env bash
# Regenerates every synthetic capture under samples/ (and its .truth.json) with
# sipscope-gen. Deterministic: the same generator version gives byte-identical files.
# Then, if tshark is installed, cross-checks each file against its truth
# (samples/check_sample.py). The SIPp capture under samples/sipp/ is made by
# samples/sipp/record.sh instead (it needs root for tcpdump on loopback).
#
# usage: samples/make_samples.sh [--no-check] [--out DIR]
#   --out DIR  write under DIR instead of samples/ (same layout; used by the
#              reproducibility test to compare a fresh run with the checked-in files)
#   SIPSCOPE_GEN=/path/to/sipscope-gen to use a given binary; otherwise the release
#   build's (build/release/samples/sipscope-gen), brought up to date first.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
check=1
dest="$here"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-check) check=0; shift ;;
    --out) dest="$2"; shift 2 ;;
    *) echo "make_samples.sh: unknown option $1" >&2; exit 1 ;;
  esac
done
mkdir -p "$dest"

gen="${SIPSCOPE_GEN:-}"
if [[ -z "$gen" ]]; then
  # Always (incrementally) rebuild: a stale generator would write stale samples.
  gen="$root/build/release/samples/sipscope-gen"
  echo "building sipscope-gen (release preset)" >&2
  (cd "$root" && { [[ -f build/release/CMakeCache.txt ]] || cmake --preset release >/dev/null; } &&
    cmake --build --preset release --target sipscope-gen -j2 >/dev/null)
fi

made=()
make_one() {  # make_one OUT SCENARIO [generator options...]
  local out="$1" scenario="$2"
  shift 2
  local truth="${out%.*}.truth.json"
  "$gen" scenario "$scenario" -o "$dest/$out" --truth "$dest/$truth" --seed 1 "$@" 2>/dev/null
  made+=("$dest/$out" "$dest/$truth")
}

# One scenario per file, Ethernet + IPv4, classic pcap (microseconds).
for s in basic proxy no_final in_progress retransmissions callid_reuse mid_call; do
  make_one "$s.pcap" "$s"
done

# Correlation scenarios (generator/dialog_scenarios.cpp): forking, CANCEL races, hold,
# 100rel/PRACK, REFER transfer, B2BUA legs, a 2xx never ACKed, REGISTER challenges; and
# some of them again over TCP and IPv6.
for s in fork_early cancel_race hold_resume prack refer_transfer refer_replaces \
  b2bua_xcallid b2bua_session_id no_ack register_auth register_forbidden; do
  make_one "$s.pcap" "$s"
done
mkdir -p "$dest/tcp" "$dest/ipv6"
make_one tcp/fork_early.pcap fork_early --transport tcp
make_one tcp/b2bua_session_id.pcap b2bua_session_id --transport tcp
make_one ipv6/hold_resume.pcap hold_resume --ipv6
make_one ipv6/refer_transfer.pcap refer_transfer --ipv6

# The same one-call scenario in every encapsulation the decoder must handle.
mkdir -p "$dest/encaps"
make_one encaps/ethernet.pcap encaps
make_one encaps/vlan.pcap encaps --link vlan
make_one encaps/qinq.pcap encaps --link qinq
make_one encaps/sll.pcap encaps --link sll
make_one encaps/sll2.pcap encaps --link sll2
make_one encaps/raw.pcap encaps --link raw
make_one encaps/null.pcap encaps --link null
make_one encaps/ipv6.pcap encaps --ipv6
make_one encaps/raw-ipv6.pcap encaps --link raw --ipv6
make_one encaps/null-ipv6.pcap encaps --link null --ipv6
make_one encaps/pcap-ns.pcap encaps --format pcap-ns
make_one encaps/pcapng.pcapng encaps --format pcapng

# Tunnels and label stacks around the same call (outer IPv4 198.18.0.1 -> 198.18.0.2).
mkdir -p "$dest/tunnels"
for t in gre gre-teb erspan2 erspan3 ipip vxlan; do
  make_one "tunnels/$t.pcap" encaps --tunnel "$t"
done
make_one tunnels/6in4.pcap encaps --tunnel 6in4 --ipv6
make_one tunnels/gre-ipv6.pcap encaps --tunnel gre --ipv6
make_one tunnels/mpls.pcap encaps --link mpls

# IP fragmentation: the call's INVITE and 200 OK (with SDP) exceed the MTU.
mkdir -p "$dest/frag"
make_one frag/mtu576.pcap encaps --fragment 576
make_one frag/mtu576-ipv6.pcap encaps --fragment 576 --ipv6
make_one frag/gre-mtu576.pcap encaps --fragment 576 --tunnel gre
for s in reorder duplicate incomplete; do
  make_one "frag/$s.pcap" "frag_$s"
done
make_one frag/reorder-ipv6.pcap frag_reorder --ipv6

# SIP over TCP: a clean connection, then the segmentation pathologies.
mkdir -p "$dest/tcp"
make_one tcp/proxy.pcap proxy --transport tcp
make_one tcp/basic.pcap basic --transport tcp
make_one tcp/ipv6.pcap encaps --transport tcp --ipv6
for s in packed split reorder retrans midstream keepalive gap; do
  make_one "tcp/$s.pcap" "tcp_$s"
done

# SIP over SCTP, and SIP mirrored by a HEP agent (10.0.0.99 -> 10.0.0.100:9060).
mkdir -p "$dest/sctp" "$dest/hep-gen"
make_one sctp/sctp.pcap sctp
make_one sctp/ipv6.pcap sctp --ipv6
make_one hep-gen/hep3.pcap encaps --hep 3
make_one hep-gen/hep3-ipv6.pcap encaps --hep 3 --ipv6
make_one hep-gen/hep2.pcap encaps --hep 2
make_one hep-gen/hep3-basic.pcap basic --hep 3

# Non-call activity (OPTIONS peers, SUBSCRIBE/NOTIFY, MESSAGE/PUBLISH) and RFC 4028
# session timers, with their expectations in the truth (tests/cli/golden_activity_test.cpp).
mkdir -p "$dest/activity"
for s in peers subscribe message session_timer; do
  make_one "activity/$s.pcap" "activity_$s"
done

# RTCP (SR/RR/SDES/BYE/APP/XR) consistent with the RTP sent: rtcp_reports truth.
mkdir -p "$dest/media"
make_one media/rtcp.pcap media_rtcp
make_one media/rtcp-ipv6.pcap media_rtcp --ipv6

# RTP impairments (loss, duplicates, reordering, jitter, wrap, SSRC change, talkspurts, hold,
# port move and reuse, early media, NAT), truth counted in capture order with its Call-ID.
make_one media/impair.pcap media_impair
make_one media/impair-ipv6.pcap media_impair --ipv6
make_one media/impair-vlan.pcap media_impair --link vlan

echo "generated $((${#made[@]} / 2)) captures in $dest" >&2
if [[ $check -eq 1 ]]; then
  if command -v tshark >/dev/null && command -v python3 >/dev/null; then
    python3 "$here/check_sample.py" "${made[@]}" 2> >(grep -v 'Running as user' >&2)
  else
    echo "tshark or python3 not installed: cross-check skipped" >&2
  fi
fi
