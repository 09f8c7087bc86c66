#!/usr/bin/env bash
# Records real SIPp calls on loopback into samples/sipp/sipp_uac_uas.pcap and writes the
# ground truth samples/sipp/sipp_uac_uas.truth.json, derived from SIPp's built-in
# scenarios (`sipp -sd uac`, `sipp -sd uas`; samples/sipp_record.sh says what they send),
# then cross-checks it with tshark.
#
# usage: sudo samples/sipp/record.sh [CALLS]   (default 5; needs root for tcpdump -i lo)
# Re-runnable: leftovers of a previous run (pids in $state) are stopped first; every
# process runs under a timeout.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../sipp_record.sh"
calls="${1:-5}"
out="$here/sipp_uac_uas.pcap"
truth="$here/sipp_uac_uas.truth.json"
state="${TMPDIR:-/tmp}/sipscope-sipp-record"

rec_require sipp tcpdump tshark python3 timeout ss
rec_begin
if ss -lun | awk '{print $4}' | grep -Eq '(127\.0\.0\.1|\*):506[01]$'; then
  echo "record.sh: UDP port 5060 or 5061 already in use on loopback" >&2
  exit 2
fi
trap rec_kill_all EXIT

rec_start_tcpdump tcpdump -i lo "udp and (port 5060 or port 5061)"
rec_run_calls \
  "sipp -sn uas -i 127.0.0.1 -p 5060 -m $calls -nostdin -timeout 60s -timeout_error" \
  "sipp -sn uac 127.0.0.1:5060 -i 127.0.0.1 -p 5061 -m $calls -r 5 -d 1000 -nostdin -timeout 60s -timeout_error"
if [[ $uac_rc -ne 0 || $uas_rc -ne 0 ]]; then
  echo "record.sh: sipp failed (uac exit $uac_rc, uas exit $uas_rc); logs in $state" >&2
  exit 1
fi
cp "$raw" "$out"
rec_write_truth "$out" "$truth" "$calls" 127.0.0.1 127.0.0.1 UDP sipp_uac_uas \
  "samples/sipp/record.sh (SIPp built-in uac/uas)" "SIPp on loopback."
rec_check "$out" "$truth" "$calls"
