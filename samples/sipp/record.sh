#!/usr/bin/env bash
# Records real SIPp calls on loopback into samples/sipp/sipp_uac_uas.pcap and writes
# the ground truth samples/sipp/sipp_uac_uas.truth.json, derived from SIPp's built-in
# scenarios (`sipp -sd uac`, `sipp -sd uas`), then cross-checks it with tshark.
#
# Built-in uac:  INVITE ->, <- 100 (optional), <- 180 (optional), <- 183 (optional),
#                <- 200, ACK ->, pause (-d), BYE ->, <- 200
# Built-in uas:  <- INVITE, 180 ->, 200 -> (retrans 500 ms), <- ACK, <- BYE, 200 ->
# The uas sends no 100 Trying, so each call is exactly 6 SIP messages on the wire:
# INVITE, 180, 200, ACK, BYE, 200 (no retransmissions on loopback; if there were, the
# tshark cross-check below fails and the recording must be redone).
# From: sipp <sip:sipp@127.0.0.1:5061>, To: service <sip:service@127.0.0.1:5060>,
# Call-ID: [call_id] = "<call number>-<uac pid>@127.0.0.1"; the caller hangs up.
# Timing fields are null: SIPp's timing is not scripted.
#
# usage: sudo samples/sipp/record.sh [CALLS]   (default 5; needs root for tcpdump -i lo)
# Re-runnable: leftovers of a previous run (pids in $STATE) are stopped first; every
# process runs under a timeout.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
calls="${1:-5}"
out="$here/sipp_uac_uas.pcap"
truth="$here/sipp_uac_uas.truth.json"
state="${TMPDIR:-/tmp}/sipscope-sipp-record"
uas_port=5060
uac_port=5061
per_call=6

for tool in sipp tcpdump tshark python3 timeout; do
  command -v "$tool" >/dev/null || { echo "record.sh: $tool not installed" >&2; exit 2; }
done

# Stop what a previous (interrupted) run left behind: only the pids it recorded.
if [[ -f "$state/pids" ]]; then
  while read -r pid; do
    kill -INT "$pid" 2>/dev/null || true
  done <"$state/pids"
  sleep 1
  while read -r pid; do
    kill -KILL "$pid" 2>/dev/null || true
  done <"$state/pids"
fi
rm -rf "$state"
mkdir -p "$state"

if ss -lun 2>/dev/null | awk '{print $4}' | grep -Eq "127\.0\.0\.1:($uas_port|$uac_port)$|\*:($uas_port|$uac_port)$"; then
  echo "record.sh: UDP port $uas_port or $uac_port already in use on loopback" >&2
  exit 2
fi

tcpdump_pid=""
uas_pid=""
cleanup() {
  for pid in $uas_pid $tcpdump_pid; do kill -INT "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

raw="$state/capture.pcap"
timeout -s INT 120 tcpdump -i lo -U -n -w "$raw" "udp and (port $uas_port or port $uac_port)" \
  2>"$state/tcpdump.log" &
tcpdump_pid=$!
echo "$tcpdump_pid" >>"$state/pids"
for _ in $(seq 50); do
  grep -q "listening on" "$state/tcpdump.log" 2>/dev/null && break
  sleep 0.1
done
grep -q "listening on" "$state/tcpdump.log" || { echo "record.sh: tcpdump did not start:" >&2; cat "$state/tcpdump.log" >&2; exit 2; }

cd "$state"
# exec: $! is SIPp's own pid (the uac's pid is part of its Call-IDs).
(exec sipp -sn uas -i 127.0.0.1 -p "$uas_port" -m "$calls" -nostdin -timeout 60s \
  -timeout_error >uas.log 2>&1) &
uas_pid=$!
echo "$uas_pid" >>"$state/pids"
sleep 0.5

(exec sipp -sn uac "127.0.0.1:$uas_port" -i 127.0.0.1 -p "$uac_port" -m "$calls" -r 5 -d 1000 \
  -nostdin -timeout 60s -timeout_error >uac.log 2>&1) &
uac_pid=$!
echo "$uac_pid" >>"$state/pids"
uac_rc=0
wait "$uac_pid" || uac_rc=$?
uas_rc=0
wait "$uas_pid" || uas_rc=$?
uas_pid=""
sleep 0.5
kill -INT "$tcpdump_pid"
wait "$tcpdump_pid" || true
tcpdump_pid=""
rm -f "$state/pids"
if [[ $uac_rc -ne 0 || $uas_rc -ne 0 ]]; then
  echo "record.sh: sipp failed (uac exit $uac_rc, uas exit $uas_rc); logs in $state" >&2
  exit 1
fi
cp "$raw" "$out"

python3 - "$out" "$truth" "$calls" "$uac_pid" "$per_call" <<'PY'
import json, struct, sys
pcap, truth_path, calls, uac_pid, per_call = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
with open(pcap, "rb") as f:
    data = f.read()
endian = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
link = struct.unpack_from(endian + "I", data, 20)[0]
call = lambda n: {
    "sip_call_id": f"{n}-{uac_pid}@127.0.0.1",
    "from_user": "sipp", "to_user": "service",
    "from_uri": "sip:sipp@127.0.0.1:5061", "to_uri": "sip:service@127.0.0.1:5060",
    "caller_ip": "127.0.0.1", "callee_ip": "127.0.0.1", "transport": "UDP",
    "start_us": None, "ring_us": None, "answer_us": None, "end_us": None,
    "state": "answered", "final_code": 200, "final_reason": "OK", "hangup_by": "caller",
    "pdd_ms": None, "duration_ms": None, "message_count": per_call,
}
truth = {
    "generator": "samples/sipp/record.sh (SIPp built-in uac/uas)",
    "scenario": "sipp_uac_uas", "seed": None, "link_type": link,
    "packets": calls * per_call, "sip_messages": calls * per_call, "non_call_sip_messages": 0,
    "calls": [call(n) for n in range(1, calls + 1)], "rtp_streams": [],
    "notes": ["Counts, users, states and hangup side derived from the SIPp built-in scenarios "
              "(the built-in uas sends no 100 Trying)."],
}
with open(truth_path, "w") as f:
    json.dump(truth, f, indent=2)
    f.write("\n")
PY

python3 "$here/timing_from_tshark.py" "$out" "$truth"

# Cross-check: tshark's count and per-Call-ID counts must equal the truth.
want=$((calls * per_call))
got=$(tshark -r "$out" -q -z sip,stat 2>/dev/null | sed -n 's/^Number of SIP messages: //p')
if [[ "$got" != "$want" ]]; then
  echo "record.sh: tshark counts $got SIP messages, truth says $want" >&2
  exit 1
fi
python3 "$here/../check_sample.py" "$out" "$truth" 2> >(grep -v 'Running as user' >&2)
echo "record.sh: wrote $out ($want SIP messages, $calls calls) and $truth"
