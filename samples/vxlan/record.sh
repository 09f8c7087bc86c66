#!/usr/bin/env bash
# Records real SIPp calls carried over VXLAN (RFC 7348) between two network namespaces
# into samples/vxlan/sipp_vxlan.pcap, with its truth samples/vxlan/sipp_vxlan.truth.json.
#
# Topology (all created here, removed on exit):
#   netns sipscope-vx1: veth vxu1 10.254.0.1/30 (underlay), vxlan0 (VNI 42, UDP 4789,
#                       remote 10.254.0.2) 10.42.0.1/24 (overlay) - SIPp uac :5061
#   netns sipscope-vx2: veth vxu2 10.254.0.2/30, vxlan0 (VNI 42, remote 10.254.0.1)
#                       10.42.0.2/24 - SIPp uas :5060
# tcpdump runs on the underlay veth in sipscope-vx1, so every packet in the capture is
# outer Ethernet/IPv4/UDP 4789/VXLAN + inner Ethernet/IPv4 (SIP over UDP, and the inner
# ARP that resolves the peer). SIPp's built-in uac/uas (samples/sipp_record.sh): 6 SIP
# messages per call; timing fields measured by tshark.
#
# usage: sudo samples/vxlan/record.sh [CALLS]   (default 3; needs root: ip netns, tcpdump)
# Re-runnable: leftover namespaces and recorded pids of an earlier run are removed first.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../sipp_record.sh"
calls="${1:-3}"
out="$here/sipp_vxlan.pcap"
truth="$here/sipp_vxlan.truth.json"
state="${TMPDIR:-/tmp}/sipscope-vxlan-record"
ns1=sipscope-vx1
ns2=sipscope-vx2

rec_require ip sipp tcpdump tshark python3 timeout
teardown() {
  ip netns del "$ns1" 2>/dev/null || true
  ip netns del "$ns2" 2>/dev/null || true
}
rec_begin
teardown
cleanup() {
  rec_kill_all
  sleep 0.3
  teardown
}
trap cleanup EXIT

ip netns add "$ns1"
ip netns add "$ns2"
ip link add vxu1 netns "$ns1" type veth peer name vxu2 netns "$ns2"
for n in 1 2; do
  ns="sipscope-vx$n"
  peer=$((3 - n))
  ip -n "$ns" link set lo up
  ip -n "$ns" addr add "10.254.0.$n/30" dev "vxu$n"
  ip -n "$ns" link set "vxu$n" up
  ip -n "$ns" link add vxlan0 type vxlan id 42 remote "10.254.0.$peer" local "10.254.0.$n" \
    dstport 4789 dev "vxu$n"
  ip -n "$ns" addr add "10.42.0.$n/24" dev vxlan0
  ip -n "$ns" link set vxlan0 up
done

rec_start_tcpdump ip netns exec "$ns1" tcpdump -i vxu1 "udp port 4789"
# `ip netns exec` execs SIPp, so $! is still SIPp's pid (part of its Call-IDs).
rec_run_calls \
  "ip netns exec $ns2 sipp -sn uas -i 10.42.0.2 -p 5060 -m $calls -nostdin -timeout 60s -timeout_error" \
  "ip netns exec $ns1 sipp -sn uac 10.42.0.2:5060 -i 10.42.0.1 -p 5061 -m $calls -r 5 -d 500 -nostdin -timeout 60s -timeout_error"
if [[ $uac_rc -ne 0 || $uas_rc -ne 0 ]]; then
  echo "record.sh: sipp failed (uac exit $uac_rc, uas exit $uas_rc); logs in $state" >&2
  exit 1
fi
cp "$raw" "$out"
rec_write_truth "$out" "$truth" "$calls" 10.42.0.1 10.42.0.2 UDP sipp_vxlan \
  "samples/vxlan/record.sh (SIPp built-in uac/uas across VXLAN, veth netns)" \
  "Captured on the underlay veth: outer 10.254.0.1 <-> 10.254.0.2 UDP 4789, VNI 42; inner 10.42.0.1:5061 (uac) <-> 10.42.0.2:5060 (uas)."
rec_check "$out" "$truth" "$calls"
