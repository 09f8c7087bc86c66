#!/usr/bin/env bash
# Times sipscope against the bare libpcap read loop and its peers on one large synthetic
# capture, in one run (ratios taken in one run are what to compare: absolute times drift
# on shared machines). Measures; never passes or fails on time.
#
# usage: bench/run.sh [--calls N] [--rtp-seconds S] [--seed N] [--runs R]
#                     [--no-sngrep] [--tshark-rtp] [--timeout SEC] [--capture FILE]
#   --calls N        calls in the generated mixed capture (default 1000: ~1.45M packets)
#   --rtp-seconds S  mean talk time per answered call (default 20)
#   --runs R         runs per tool, the median is reported (default 1)
#   --no-sngrep      skip sngrep (slow on RTP-heavy captures)
#   --tshark-rtp     also time `tshark -q -z rtp,streams`
#   --timeout SEC    per-run limit for each tool (default 900)
#   --capture FILE   time this capture instead of generating one
# Everything it makes goes to bench/work/ (gitignored). SIPSCOPE_BUILD=DIR uses binaries
# from another build tree instead of build/release (built with the release preset if absent).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$root/bench/work"
calls=1000
rtp_seconds=20
seed=1
runs=1
with_sngrep=1
tshark_rtp=0
limit=900
capture=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --calls) calls="$2"; shift 2 ;;
    --rtp-seconds) rtp_seconds="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --no-sngrep) with_sngrep=0; shift ;;
    --tshark-rtp) tshark_rtp=1; shift ;;
    --timeout) limit="$2"; shift 2 ;;
    --capture) capture="$2"; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 1 ;;
  esac
done
mkdir -p "$work"

build="${SIPSCOPE_BUILD:-$root/build/release}"  # another build tree of the same layout
sipscope="$build/cli/sipscope"
gen="$build/samples/sipscope-gen"
if [[ ! -x "$sipscope" || ! -x "$gen" ]]; then
  if [[ -n "${SIPSCOPE_BUILD:-}" ]]; then
    echo "== building $build" >&2
    cmake --build "$build" -j2 || cmake --build "$build" -j2 --target sipscope-gen
  else
    echo "== building the release preset" >&2
    (cd "$root" && cmake --preset release >/dev/null &&
      { cmake --build --preset release -j2 || cmake --build --preset release -j2 --target sipscope-gen; })
  fi
fi
[[ -x "$gen" ]] || { echo "run.sh: $gen missing after build" >&2; exit 2; }

if ! [[ -x /usr/bin/time ]]; then
  echo "== installing GNU time" >&2
  if [[ $(id -u) -eq 0 ]]; then apt-get install -y -qq time >/dev/null; else sudo apt-get install -y -qq time >/dev/null; fi
fi

floor="$work/floor"
if [[ ! -x "$floor" || "$root/bench/floor.c" -nt "$floor" ]]; then
  cc -O2 -o "$floor" "$root/bench/floor.c" -lpcap
fi

if [[ -z "$capture" ]]; then
  capture="$work/mixed-c${calls}-s${rtp_seconds}-seed${seed}.pcap"
  if [[ ! -s "$capture" || "$gen" -nt "$capture" ]]; then
    echo "== generating $capture" >&2
    "$gen" mixed --calls "$calls" --rtp-seconds "$rtp_seconds" --seed "$seed" -o "$capture" \
      --truth "${capture%.pcap}.truth.json"
  fi
fi
[[ -s "$capture" ]] || { echo "run.sh: no capture $capture" >&2; exit 2; }

truth="${capture%.pcap}.truth.json"
packets=$("$floor" "$capture" | awk '{print $1}')
bytes=$(stat -c %s "$capture")
echo "== capture: $capture" >&2
echo "   $packets packets, $((bytes / 1048576)) MiB$( [[ -f "$truth" ]] && python3 -c "import json,sys; t=json.load(open(sys.argv[1])); print(f', {t[\"sip_messages\"]} SIP messages, {len(t[\"calls\"])} calls, {len(t[\"rtp_streams\"])} RTP streams')" "$truth" 2>/dev/null)" >&2
echo "== warming the page cache" >&2
cat "$capture" >/dev/null

# measure NAME CMD... : runs CMD $runs times under a timeout; wall time from the clock
# (ns), peak RSS from GNU time (%M, KiB; covers the timeout wrapper's child). Records the
# median wall time, the peak RSS of that run and the exit status.
declare -a names walls rsss notes
measure() {
  local name="$1"
  shift
  local -a w=() m=()
  local rc=0 note="ok"
  for ((i = 0; i < runs; i++)); do
    local tf="$work/time.$$"
    rc=0
    local t0 t1
    t0=$(date +%s%N)
    /usr/bin/time -f '%M' -o "$tf" timeout "$limit" "$@" >"$work/last.out" 2>"$work/last.err" || rc=$?
    t1=$(date +%s%N)
    if [[ $rc -eq 124 ]]; then note="timeout ${limit}s"; elif [[ $rc -ne 0 ]]; then note="exit $rc"; fi
    local ws ms
    ws=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
    ms=$(tail -n 1 "$tf")
    w+=("$ws")
    m+=("$ms")
    rm -f "$tf"
    echo "   $name run $((i + 1)): ${ws}s, $((ms / 1024)) MiB ($note)" >&2
    [[ $note == ok ]] || { tail -n 3 "$work/last.err" | sed 's/^/     stderr: /' >&2; break; }
  done
  local mid=$(( ${#w[@]} / 2 ))
  local sorted
  sorted=$(paste <(printf '%s\n' "${w[@]}") <(printf '%s\n' "${m[@]}") | sort -n | sed -n "$((mid + 1))p")
  names+=("$name")
  walls+=("$(echo "$sorted" | cut -f1)")
  rsss+=("$(echo "$sorted" | cut -f2)")
  notes+=("$note")
}

echo "== timing ($runs run(s) each, median)" >&2
measure "floor (libpcap read loop)" "$floor" "$capture"
if [[ -x "$sipscope" ]]; then
  rm -f "$work/x.db"
  measure "sipscope analyze" "$sipscope" analyze "$capture" --db "$work/x.db"
else
  echo "   sipscope: $sipscope not built, skipped" >&2
fi
measure "tshark -z sip,stat" tshark -r "$capture" -q -z sip,stat
[[ $tshark_rtp -eq 1 ]] && measure "tshark -z rtp,streams" tshark -r "$capture" -o rtp.heuristic_rtp:TRUE -q -z rtp,streams
if [[ $with_sngrep -eq 1 ]] && command -v sngrep >/dev/null; then
  measure "sngrep -I -N -q" sngrep -I "$capture" -N -q
fi

floor_wall="${walls[0]}"
sip_wall=""
for i in "${!names[@]}"; do
  [[ "${names[$i]}" == "sipscope analyze" && "${notes[$i]}" == ok ]] && sip_wall="${walls[$i]}"
done

report="$work/last-run.txt"
{
  echo "capture: $capture ($packets packets, $bytes bytes), $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores"
  printf '%-26s %9s %12s %12s %9s %11s  %s\n' tool "wall s" "peak RSS MB" "packets/s" "x floor" "x sipscope" status
  for i in "${!names[@]}"; do
    awk -v n="${names[$i]}" -v w="${walls[$i]}" -v m="${rsss[$i]}" -v f="$floor_wall" \
      -v s="$sip_wall" -v p="$packets" -v st="${notes[$i]}" 'BEGIN {
        xs = (s == "" || s == 0) ? "-" : sprintf("%.2f", w / s);
        xf = (f == 0) ? "-" : sprintf("%.1f", w / f);
        pps = (w == 0) ? "-" : sprintf("%.0f", p / w);
        printf "%-26s %9.3f %12.1f %12s %9s %11s  %s\n", n, w, m / 1024, pps, xf, xs, st }'
  done
} | tee "$report"
echo "(saved to $report)" >&2
