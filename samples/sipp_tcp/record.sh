#!/usr/bin/env bash
# Records real SIPp calls over TCP (`-t t1`: one TCP connection) on loopback into
# samples/sipp_tcp/sipp_tcp.pcap and writes the ground truth samples/sipp_tcp/sipp_tcp.truth.json,
# derived from SIPp's built-in scenarios (samples/sipp_record.sh), then cross-checks it
# with tshark. The capture holds the TCP handshake, ACKs and FINs too: truth "packets" is
# the record count of the file, "sip_messages" what SIPp sent.
#
# usage: sudo samples/sipp_tcp/record.sh [CALLS]   (default 5; needs root for tcpdump -i lo)
# Re-runnable: leftovers of a previous run (pids in $state) are stopped first; every
# process runs under a timeout.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../sipp_record.sh"
calls="${1:-5}"
out="$here/sipp_tcp.pcap"
truth="$here/sipp_tcp.truth.json"
state="${TMPDIR:-/tmp}/sipscope-sipp-tcp-record"

rec_require sipp tcpdump tshark python3 timeout ss
rec_begin
if ss -ltn | awk '{print $4}' | grep -Eq '(127\.0\.0\.1|\*):506[01]$'; then
  echo "record.sh: TCP port 5060 or 5061 already in use on loopback" >&2
  exit 2
fi
trap rec_kill_all EXIT

rec_start_tcpdump tcpdump -i lo "tcp and (port 5060 or port 5061)"
rec_run_calls \
  "sipp -sn uas -t t1 -i 127.0.0.1 -p 5060 -m $calls -nostdin -timeout 60s -timeout_error" \
  "sipp -sn uac -t t1 127.0.0.1:5060 -i 127.0.0.1 -p 5061 -m $calls -r 5 -d 1000 -nostdin -timeout 60s -timeout_error"
# The uas counts its last call as failed when the uac closes the connection right after
# the final 200 (SIPp's TCP teardown); what matters is the wire, checked with tshark.
if [[ $uas_rc -ne 0 ]]; then
  echo "record.sh: note: sipp uas exit $uas_rc (connection closed by the uac)" >&2
fi
if [[ $uac_rc -ne 0 ]]; then
  echo "record.sh: sipp uac failed (exit $uac_rc); logs in $state" >&2
  exit 1
fi
cp "$raw" "$out"
rec_write_truth "$out" "$truth" "$calls" 127.0.0.1 127.0.0.1 TCP sipp_tcp \
  "samples/sipp_tcp/record.sh (SIPp built-in uac/uas over TCP)" "SIPp over one TCP connection on loopback."
rec_check "$out" "$truth" "$calls"
