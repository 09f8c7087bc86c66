# Shared by the SIPp recorders (samples/{sipp,sipp_tcp,vxlan}/record.sh): start tcpdump,
# run SIPp's built-in uas and uac against each other, stop everything, and write the
# truth of SIPp's built-in scenarios. Sourced, not run.
#
# Built-in uac:  INVITE ->, <- 100 (optional), <- 180 (optional), <- 183 (optional),
#                <- 200, ACK ->, pause (-d), BYE ->, <- 200
# Built-in uas:  <- INVITE, 180 ->, 200 -> (retrans 500 ms), <- ACK, <- BYE, 200 ->
# The uas sends no 100 Trying, so each call is exactly 6 SIP messages on the wire:
# INVITE, 180, 200, ACK, BYE, 200 (a retransmission would make the tshark cross-check
# fail and the recording must be redone). From: sipp <sip:sipp@UAC_IP:5061>,
# To: service <sip:service@UAS_IP:5060>, Call-ID "<call number>-<uac pid>@UAC_IP"; the
# caller hangs up. Timing fields are measured by tshark (samples/sipp/timing_from_tshark.py).
#
# The sourcing script sets `state` (a scratch directory) before calling rec_begin, and
# reads `uac_pid`, `uac_rc`, `uas_rc` and `raw` (the capture) after rec_run_calls.

rec_require() {  # rec_require TOOL...
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "record.sh: $tool not installed" >&2; exit 2; }
  done
}

# Stops what a previous (interrupted) run left behind (only the pids it recorded) and
# empties $state.
rec_begin() {
  if [[ -f "$state/pids" ]]; then
    while read -r pid; do kill -INT "$pid" 2>/dev/null || true; done <"$state/pids"
    sleep 1
    while read -r pid; do kill -KILL "$pid" 2>/dev/null || true; done <"$state/pids"
  fi
  rm -rf "$state"
  mkdir -p "$state"
  raw="$state/capture.pcap"
  tcpdump_pid=""
  uas_pid=""
}

rec_kill_all() {  # for an EXIT trap
  local pid
  for pid in $uas_pid $tcpdump_pid; do kill -INT "$pid" 2>/dev/null || true; done
}

# rec_start_tcpdump CMD...: CMD is a tcpdump command line (possibly behind `ip netns
# exec`) without -w; it writes $raw and is waited for until it listens.
rec_start_tcpdump() {
  # --immediate-mode: with TPACKET_V3 the last packets would wait for the 1 s block timeout
  # and could be lost when tcpdump is stopped right after the last call.
  timeout -s INT 120 "$@" --immediate-mode -U -n -w "$raw" 2>"$state/tcpdump.log" &
  tcpdump_pid=$!
  echo "$tcpdump_pid" >>"$state/pids"
  for _ in $(seq 50); do
    grep -q "listening on" "$state/tcpdump.log" 2>/dev/null && break
    sleep 0.1
  done
  grep -q "listening on" "$state/tcpdump.log" ||
    { echo "record.sh: tcpdump did not start:" >&2; cat "$state/tcpdump.log" >&2; exit 2; }
}

# rec_run_calls "UAS COMMAND" "UAC COMMAND": both are exec'd in $state, so $! is SIPp's
# own pid (the uac's pid is part of its Call-IDs). Waits for both, then stops tcpdump.
rec_run_calls() {
  cd "$state"
  (exec $1 >uas.log 2>&1) &
  uas_pid=$!
  echo "$uas_pid" >>"$state/pids"
  sleep 0.5
  (exec $2 >uac.log 2>&1) &
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
  cd - >/dev/null
}

# rec_write_truth OUT TRUTH CALLS UAC_IP UAS_IP TRANSPORT SCENARIO GENERATOR NOTE
# Truth of CALLS built-in calls from the uac at UAC_IP:5061 to the uas at UAS_IP:5060;
# "packets" is the record count of the capture (TCP handshakes, ARP ... included).
rec_write_truth() {
  python3 - "$@" "$uac_pid" <<'PY'
import json, struct, sys
out, truth_path, calls, uac_ip, uas_ip, transport, scenario, generator, note, uac_pid = sys.argv[1:]
calls, per_call = int(calls), 6
data = open(out, "rb").read()
endian = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
link = struct.unpack_from(endian + "I", data, 20)[0]
records, off = 0, 24
while off + 16 <= len(data):
    off += 16 + struct.unpack_from(endian + "I", data, off + 8)[0]
    records += 1
call = lambda n: {
    "sip_call_id": f"{n}-{uac_pid}@{uac_ip}",
    "from_user": "sipp", "to_user": "service",
    "from_uri": f"sip:sipp@{uac_ip}:5061", "to_uri": f"sip:service@{uas_ip}:5060",
    "caller_ip": uac_ip, "callee_ip": uas_ip, "transport": transport,
    "start_us": None, "ring_us": None, "answer_us": None, "end_us": None,
    "state": "answered", "final_code": 200, "final_reason": "OK", "hangup_by": "caller",
    "pdd_ms": None, "duration_ms": None, "message_count": per_call,
}
truth = {
    "generator": generator, "scenario": scenario, "seed": None, "link_type": link,
    "packets": records, "sip_messages": calls * per_call, "non_call_sip_messages": 0,
    "calls": [call(n) for n in range(1, calls + 1)], "rtp_streams": [],
    "notes": [note + " Counts, users, states and hangup side derived from the SIPp built-in "
              "scenarios (the built-in uas sends no 100 Trying)."],
}
with open(truth_path, "w") as f:
    json.dump(truth, f, indent=2)
    f.write("\n")
PY
}

# rec_check OUT TRUTH CALLS: timings from tshark, then the sample cross-check (counts per
# Call-ID, users, states) against tshark.
rec_check() {
  local samples
  samples="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  python3 "$samples/sipp/timing_from_tshark.py" "$1" "$2"
  python3 "$samples/check_sample.py" "$1" "$2" 2> >(grep -v 'Running as user' >&2)
  echo "record.sh: wrote $1 ($(($3 * 6)) SIP messages, $3 calls) and $2"
}
