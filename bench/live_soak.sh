#!/usr/bin/env bash
# Live capture under SIPp load on loopback (needs root, sipp). Measures; never passes or
# fails. Three runs, each `sipscope capture -i lo` against a SIPp uas (-rtp_echo) and uac:
#   soak   uac_pcap (RTP both ways, ~9.5 s calls) at --soak-rate calls/s for --minutes;
#          RSS of sipscope sampled every 10 s into soak-rss.csv, least-squares slope after
#          --warmup seconds (open calls, lingering calls and SQLite's 4 MB cache fill first)
#   rtp    uac_pcap at 20 calls/s for --load-seconds: drops, calls recorded vs made
#   sig    built-in uac (signalling only, 6 messages a call) at 200 calls/s for
#          --load-seconds: drops, calls recorded vs made
# "made" is SIPp's own count of successful calls (its final statistics screen).
#
# usage: bench/live_soak.sh [--minutes N] [--soak-rate R] [--load-seconds S] [--only soak|rtp|sig]
#   --minutes N       soak length (default 10)
#   --soak-rate R     soak calls/s (default 2: ~19 calls open, ~1900 RTP packets/s)
#   --load-seconds S  length of each load run (default 30)
#   --warmup S        soak seconds left out of the slope (default 240)
# Output in bench/work/live/ (gitignored); a summary is printed and saved as summary.txt.
# SIPSCOPE_BUILD=DIR uses the binary of another build tree (default build/release);
# SIPSCOPE_BIN=FILE names the binary itself.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$root/bench/work/live"
bin="${SIPSCOPE_BIN:-$root/${SIPSCOPE_BUILD:-build/release}/cli/sipscope}"
minutes=10
soak_rate=2
load_seconds=30
only=""
warmup=240
while [[ $# -gt 0 ]]; do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    --soak-rate) soak_rate="$2"; shift 2 ;;
    --load-seconds) load_seconds="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -e/{/^set -e/!p}' "$0"; exit 0 ;;
    *) echo "live_soak.sh: unknown option $1" >&2; exit 1 ;;
  esac
done
[[ $(id -u) -eq 0 ]] || { echo "live_soak.sh: needs root (live capture)" >&2; exit 2; }
command -v sipp >/dev/null || { echo "live_soak.sh: sipp missing (scripts/install-deps.sh --test)" >&2; exit 2; }
[[ -x "$bin" ]] || { echo "live_soak.sh: $bin missing (cmake --build --preset release)" >&2; exit 2; }

rm -rf "$work"
mkdir -p "$work/pcap"
cp /usr/share/sip-tester/*.pcap "$work/pcap/"
cd "$work"
pids=()
cleanup() { local p; for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# Ports of this benchmark only (SIP 27060/27062, media 27100+/27200+).
filter="udp and portrange 27060-27999"

start_capture() {  # start_capture NAME -> $cap_pid
  "$bin" capture -i lo --filter "$filter" --buffer 64 --db "$work/$1.db" >"$1.capture.out" 2>"$1.capture.err" &
  cap_pid=$!
  pids+=("$cap_pid")
  for _ in $(seq 100); do
    [[ -f "$work/$1.db" ]] && sqlite3 "$work/$1.db" "SELECT 1 FROM captures" 2>/dev/null | grep -q 1 && return
    sleep 0.1
  done
  echo "live_soak.sh: capture did not start: $(cat "$1.capture.err")" >&2
  exit 2
}

stop_capture() {  # stop_capture NAME: SIGINT, time to exit in ms -> $stop_ms
  local t0 t1
  t0=$(date +%s%N)
  kill -INT "$cap_pid"
  wait "$cap_pid" || true
  t1=$(date +%s%N)
  stop_ms=$(( (t1 - t0) / 1000000 ))
}

# run_sipp NAME UAS_ARGS UAC_ARGS: uas in the background, uac in the foreground with its
# final statistics screen in NAME.uac.screen; the uas is stopped after the uac ends.
run_sipp() {
  local uas_pid
  sipp $2 -i 127.0.0.1 -p 27060 -mp 27100 -nostdin >"$1.uas.out" 2>&1 &
  uas_pid=$!
  pids+=("$uas_pid")
  sleep 0.5
  sipp $3 -i 127.0.0.1 -p 27062 -mp 27200 -nostdin -trace_screen -screen_file "$1.uac.screen" \
    >"$1.uac.out" 2>&1 || true
  sleep 1
  kill -INT "$uas_pid" 2>/dev/null || true
  wait "$uas_pid" 2>/dev/null || true
}

made() {  # successful calls in SIPp's final screen
  grep -E "^ *Successful call" "$1.uac.screen" | tail -1 | awk '{print $(NF)}'
}

report_run() {  # report_run NAME MADE
  local db="$work/$1.db" rec drops ifdrops pk
  rec=$(sqlite3 "$db" "SELECT count(*) FROM calls WHERE state = 'answered'")
  read -r pk drops ifdrops < <(sqlite3 -separator ' ' "$db" "SELECT packets, kernel_drops, interface_drops FROM captures WHERE path = 'lo'")
  printf '%-5s packets %9s  kernel drops %6s  interface drops %4s  calls made %6s  answered calls recorded %6s  stop %4s ms\n' \
    "$1" "$pk" "$drops" "$ifdrops" "$2" "$rec" "$stop_ms" | tee -a summary.txt
}

: >summary.txt
if [[ -z "$only" || "$only" == soak ]]; then
  start_capture soak
  echo "t_s,rss_kb" >soak-rss.csv
  calls=$(( minutes * 60 * soak_rate ))
  ( sleep 1; run_sipp soak "-sn uas -rtp_echo" "-sn uac_pcap 127.0.0.1:27060 -r $soak_rate -m $calls" ) &
  sipp_job=$!
  t0=$(date +%s)
  while kill -0 "$sipp_job" 2>/dev/null; do
    echo "$(( $(date +%s) - t0 )),$(awk '/VmRSS/ {print $2}' /proc/$cap_pid/status)" >>soak-rss.csv
    sleep 10
  done
  sleep 2
  stop_capture soak
  report_run soak "$(made soak)"
  # Least-squares slope of RSS over time after the warm-up.
  awk -F, -v warmup="$warmup" 'NR > 1 && $1 >= warmup { n++; sx += $1; sy += $2; sxx += $1 * $1; sxy += $1 * $2 }
    END { if (n < 3) { print "soak  too short for a slope"; exit }
          b = (n * sxy - sx * sy) / (n * sxx - sx * sx);
          printf "soak  RSS slope %.2f KB/min over %d samples (mean %.0f KB)\n", b * 60, n, sy / n }' \
    soak-rss.csv | tee -a summary.txt
fi
if [[ -z "$only" || "$only" == rtp ]]; then
  start_capture rtp
  run_sipp rtp "-sn uas -rtp_echo" "-sn uac_pcap 127.0.0.1:27060 -r 20 -m $(( 20 * load_seconds ))"
  sleep 2
  stop_capture rtp
  report_run rtp "$(made rtp)"
fi
if [[ -z "$only" || "$only" == sig ]]; then
  start_capture sig
  run_sipp sig "-sn uas" "-sn uac 127.0.0.1:27060 -r 200 -m $(( 200 * load_seconds )) -d 1000"
  sleep 2
  stop_capture sig
  report_run sig "$(made sig)"
fi
echo "summary: $work/summary.txt"
