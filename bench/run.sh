#!/usr/bin/env bash
# Times sipscope against the bare libpcap read loop and its peers (tshark, sngrep) on the
# benchmark captures -- SIP-only at two lengths, mixed SIP+RTP and the floods of issue 12 --
# generated seeded by sipscope-gen, all in one run (ratios taken in one run are what to
# compare: absolute times drift on shared machines). Writes the tables and the machine
# description into docs/benchmarks.md. Measures; never passes or fails on time.
#
# usage: bench/run.sh [--quick | --scale F] [--shapes a,b] [--runs R] [--timeout SEC]
#                     [--calls N] [--rtp-seconds S] [--seed N] [--no-sngrep] [--tshark-rtp]
#                     [--profile SHAPE] [--label NAME] [--no-docs] [--capture FILE]
#   --shapes a,b     shapes to run (default all): sip sip2x mixed rtp_ssrc_flood esp_udp
#                    invite_flood frag_flood chatty_dialog options_flood
#   --scale F        size of every shape relative to the full one (default 1: sip = 50,000
#                    calls + 5,000 registrations over 600 s; same rate, F times as long)
#   --quick          --scale 0.05 --timeout 300: every shape in a few minutes
#   --calls N        calls in the mixed capture (default 2000 x scale)
#   --rtp-seconds S  mean talk time per answered call in the mixed capture (default 20)
#   --runs R         runs per tool, the median is reported (default 1)
#   --no-sngrep      skip sngrep
#   --tshark-rtp     `tshark -z rtp,streams` on every shape (default: mixed and RTP floods)
#   --timeout SEC    per-run limit for each tool (default 900)
#   --profile SHAPE  also `perf record -g` sipscope on SHAPE; hotspots to bench/work/
#                    and docs/benchmarks.md (only the profile when --shapes is not given)
#   --label NAME     docs/benchmarks.md section to (re)write (default: full, quick or x<F>;
#                    the profile's is profile-SHAPE, or NAME-profile-SHAPE with --label)
#   --no-docs        print only; leave docs/benchmarks.md alone
#   --capture FILE   time this capture instead of the generated shapes (no docs update)
# Everything it makes goes to bench/work/ (gitignored); the table of the last run is also in
# bench/work/last-run.md. SIPSCOPE_BUILD=DIR uses binaries from another build tree.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$root/bench/work"
all_shapes="sip sip2x mixed rtp_ssrc_flood esp_udp invite_flood frag_flood chatty_dialog options_flood"
shapes=""
scale=1
calls=""
rtp_seconds=20
seed=1
runs=1
with_sngrep=1
tshark_rtp=0
limit=900
capture=""
profile=""
label=""
label_given=0
docs=1
args_given="$*"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --shapes) shapes="${2//,/ }"; shift 2 ;;
    --scale) scale="$2"; shift 2 ;;
    --quick) scale=0.05; limit=300; shift ;;
    --calls) calls="$2"; shift 2 ;;
    --rtp-seconds) rtp_seconds="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --no-sngrep) with_sngrep=0; shift ;;
    --tshark-rtp) tshark_rtp=1; shift ;;
    --timeout) limit="$2"; shift 2 ;;
    --capture) capture="$2"; shift 2 ;;
    --profile) profile="$2"; shift 2 ;;
    --label) label="$2"; label_given=1; shift 2 ;;
    --no-docs) docs=0; shift ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 1 ;;
  esac
done
if [[ -z "$shapes" ]]; then
  if [[ -n "$profile" ]]; then shapes=""; else shapes="$all_shapes"; fi
fi
for s in $shapes $profile; do
  [[ " $all_shapes " == *" $s "* ]] || { echo "run.sh: unknown shape $s (known: $all_shapes)" >&2; exit 1; }
done
if [[ -z "$label" ]]; then
  if [[ "$scale" == 1 ]]; then label=full; elif [[ "$scale" == 0.05 ]]; then label=quick; else label="x$scale"; fi
fi
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

# truth FILE KEY: a number from the generator's truth (sip_messages, packets, streams).
truth() {
  python3 - "$1" "$2" <<'PY' 2>/dev/null || echo "-"
import json, sys
t = json.load(open(sys.argv[1]))
print(len(t["rtp_streams"]) if sys.argv[2] == "streams" else t[sys.argv[2]])
PY
}

# capture_for SHAPE: generates the shape's capture (unless it exists and is newer than the
# generator) and prints its path.
capture_for() {
  local shape="$1" out args=()
  case "$shape" in
    sip) args=(sip --scale "$scale") ;;
    sip2x) args=(sip --scale "$(awk -v s="$scale" 'BEGIN { print 2 * s }')") ;;
    mixed)
      local n="${calls:-$(awk -v s="$scale" 'BEGIN { printf "%d", 2000 * s + 0.5 }')}"
      args=(mixed --calls "$n" --rtp-seconds "$rtp_seconds") ;;
    *) args=(flood "$shape" --scale "$scale") ;;
  esac
  if [[ "$shape" == mixed ]]; then
    out="$work/mixed-c${args[2]}-s${rtp_seconds}-seed${seed}.pcap"
  else
    out="$work/${shape}-x${scale}-seed${seed}.pcap"
  fi
  if [[ ! -s "$out" || "$gen" -nt "$out" ]]; then
    echo "== generating $out" >&2
    "$gen" "${args[@]}" --seed "$seed" -o "$out" --truth "${out%.pcap}.truth.json" >&2
  fi
  echo "$out"
}

# measure NAME CMD... : runs CMD $runs times under a timeout. Wall time from the clock (ns),
# user+sys CPU and peak RSS from GNU time (%U %S %M; they cover the timeout wrapper's
# child). Appends the median run's wall, CPU, RSS and the exit status to the row arrays;
# the last run's stdout stays in $work/last.out.
declare -a names walls cpus rsss notes founds
measure() {
  local name="$1"
  shift
  local -a rows=()
  local rc note="ok"
  for ((i = 0; i < runs; i++)); do
    local tf="$work/time.$$" t0 t1
    rc=0
    t0=$(date +%s%N)
    # SIGTERM at the limit, SIGKILL 120 s later if still running.
    /usr/bin/time -f '%U %S %M' -o "$tf" timeout -k 120 "$limit" "$@" >"$work/last.out" 2>"$work/last.err" || rc=$?
    t1=$(date +%s%N)
    if [[ $rc -eq 124 || $rc -eq 137 ]]; then
      # How long the tool took to stop after SIGTERM (whether it honours signals under load).
      note="timeout ${limit}s, stopped $(awk -v a="$t0" -v b="$t1" -v l="$limit" 'BEGIN { printf "%.0f", (b - a) / 1e9 - l }') s after SIGTERM"
      [[ $rc -eq 137 ]] && note="$note (SIGKILL)"
    elif [[ $rc -ne 0 ]]; then
      note="exit $rc"
    fi
    local row
    row=$(tail -n 1 "$tf" | awk -v a="$t0" -v b="$t1" '{ printf "%.3f\t%.2f\t%d", (b - a) / 1e9, $1 + $2, $3 }')
    rm -f "$tf"
    rows+=("$row")
    echo "   $name run $((i + 1)): $(cut -f1 <<<"$row") s wall, $(cut -f2 <<<"$row") s CPU, $(( $(cut -f3 <<<"$row") / 1024 )) MiB ($note)" >&2
    [[ $note == ok ]] || { tail -n 3 "$work/last.err" | sed 's/^/     stderr: /' >&2; break; }
  done
  local mid=$(( ${#rows[@]} / 2 )) median
  median=$(printf '%s\n' "${rows[@]}" | sort -n | sed -n "$((mid + 1))p")
  names+=("$name")
  walls+=("$(cut -f1 <<<"$median")")
  cpus+=("$(cut -f2 <<<"$median")")
  rsss+=("$(cut -f3 <<<"$median")")
  notes+=("$note")
  founds+=("-")
}
found() { founds[${#founds[@]} - 1]="$1"; }

# run_shape SHAPE CAPTURE: every tool on one capture; appends a markdown table to $table
# and a line to $summary.
run_shape() {
  local shape="$1" cap="$2" t="${2%.pcap}.truth.json"
  names=() walls=() cpus=() rsss=() notes=() founds=()
  local packets bytes msgs streams
  packets=$("$floor" "$cap" | awk '{print $1}')
  bytes=$(stat -c %s "$cap")
  msgs=$(truth "$t" sip_messages)
  streams=$(truth "$t" streams)
  echo "== $shape: $cap: $packets packets, $((bytes / 1048576)) MiB, $msgs SIP messages, $streams RTP streams (truth)" >&2
  cat "$cap" >/dev/null  # warm the page cache
  measure "floor (libpcap read loop)" "$floor" "$cap"
  local db="$work/$shape.db"
  rm -f "$db" "$db-wal" "$db-shm"
  measure "sipscope analyze" "$sipscope" analyze "$cap" --db "$db"
  [[ -s "$db" ]] && found "$(sqlite3 "$db" 'select count(*) from streams' 2>/dev/null || echo '?') stream rows"
  measure "tshark -z sip,stat" tshark -r "$cap" -q -z sip,stat
  found "$(sed -n 's/.*Number of SIP messages: *\([0-9]*\).*/\1/p' "$work/last.out" | head -n 1) SIP msgs"
  if [[ $tshark_rtp -eq 1 || "$shape" =~ ^(mixed|rtp_ssrc_flood|esp_udp|capture)$ ]]; then
    measure "tshark -z rtp,streams" tshark -r "$cap" -q -z rtp,streams
    found "$(grep -c ' 0x[0-9A-Fa-f]\{8\} ' "$work/last.out" || true) streams"
  fi
  if [[ $with_sngrep -eq 1 ]] && command -v sngrep >/dev/null; then
    measure "sngrep -I -N -q" sngrep -I "$cap" -N -q
  fi
  local fw="${walls[0]}" fc="${cpus[0]}" sw="-" sc="-" sr="-" tw="-" nw="-" rows="-" sst="-"
  for i in "${!names[@]}"; do
    if [[ "${names[$i]}" == "sipscope analyze" ]]; then  # shown even when it failed
      sw="${walls[$i]}" sc="${cpus[$i]}" sr="${rsss[$i]}" rows="${founds[$i]% stream rows}"
      sst="${notes[$i]%%,*}"
    fi
    [[ "${notes[$i]}" == ok ]] || continue
    case "${names[$i]}" in
      "tshark -z sip,stat") tw="${walls[$i]}" ;;
      "sngrep -I -N -q") nw="${walls[$i]}" ;;
    esac
  done
  {
    echo
    echo "### $shape"
    echo
    echo "\`$(basename "$cap")\`: $packets packets, $((bytes / 1048576)) MiB, $msgs SIP messages, $streams RTP streams in the truth."
    echo
    echo "| tool | wall s | CPU s | peak RSS MiB | SIP msgs/s | packets/s | x floor wall | x floor CPU | x sipscope wall | found | status |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|"
    for i in "${!names[@]}"; do
      awk -v n="${names[$i]}" -v w="${walls[$i]}" -v c="${cpus[$i]}" -v m="${rsss[$i]}" \
        -v fw="$fw" -v fc="$fc" -v s="$sw" -v p="$packets" -v g="$msgs" -v st="${notes[$i]}" \
        -v f="${founds[$i]}" 'function r(a, b) { return (b == "-" || b + 0 == 0) ? "-" : sprintf("%.1f", a / b) }
        BEGIN {
          ok = st == "ok"
          mps = (!ok || g == "-" || g + 0 == 0 || w + 0 == 0) ? "-" : sprintf("%.0f", g / w)
          pps = (!ok || w + 0 == 0) ? "-" : sprintf("%.0f", p / w)
          printf "| %s | %.2f | %.2f | %.1f | %s | %s | %s | %s | %s | %s | %s |\n", n, w, c, m / 1024,
            mps, pps, ok ? r(w, fw) : "-", ok ? r(c, fc) : "-", ok ? r(w, s) : "-", f, st }'
    done
  } >>"$table"
  awk -v sh="$shape" -v p="$packets" -v g="$msgs" -v fw="$fw" -v fc="$fc" -v sw="$sw" -v sc="$sc" -v sr="$sr" \
    -v tw="$tw" -v nw="$nw" -v rows="$rows" -v ts="$streams" -v st="$sst" '
    function r(a, b) { return (a == "-" || b == "-" || b + 0 == 0) ? "-" : sprintf("%.1f", a / b) }
    BEGIN {
      ok = st == "ok"
      mps = (!ok || sw == "-" || g == "-" || g + 0 == 0) ? "-" : sprintf("%.0f", g / sw)
      mpc = (!ok || sc == "-" || sc + 0 == 0 || g == "-" || g + 0 == 0) ? "-" : sprintf("%.0f", g / sc)
      printf "| %s | %d | %s | %.2f / %.2f | %s / %s%s | %s | %s / %s | %s / %s | %s | %s | %s%s / %s |\n", sh, p,
        g, fw, fc, sw, sc, ok ? "" : " (" st ")", (sr == "-") ? "-" : sprintf("%.0f", sr / 1024), mps,
        mpc, ok ? r(sw, fw) : "-", ok ? r(sc, fc) : "-", ok ? r(tw, sw) : "-", ok ? r(nw, sw) : "-",
        (ok || rows == "-") ? "" : ">= ", rows, ts }' >>"$summary"
}

# version: what was measured (SIPSCOPE_COMMIT names the source of a copied build tree).
version() {
  echo "sipscope at ${SIPSCOPE_COMMIT:-$(git -C "$root" describe --always --dirty 2>/dev/null)}, $build"
}

# machine: the description that goes above the tables.
machine() {
  echo "- date: $(date -u +%Y-%m-%dT%H:%MZ); $(version)"
  echo "- machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM, kernel $(uname -r)"
  echo "- tools: $(tshark --version 2>/dev/null | head -n 1); $(sngrep -V 2>/dev/null | head -n 1); $(cc --version | head -n 1); libpcap $(dpkg-query -W -f '${Version}' libpcap0.8 2>/dev/null || echo '?'); SQLite $(sqlite3 --version | cut -d' ' -f1)"
  echo "- load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
}

# update_docs LABEL FILE: replaces (or appends) the section between the LABEL markers.
update_docs() {
  local doc="$root/docs/benchmarks.md"
  [[ -f "$doc" ]] || printf '# Benchmarks\n\nWritten by `bench/run.sh` (bench/README.md).\n' >"$doc"
  python3 - "$doc" "$1" "$2" <<'PY'
import sys
doc, label, body = sys.argv[1], sys.argv[2], open(sys.argv[3]).read().strip("\n")
text = open(doc).read()
begin, end = f"<!-- bench:{label} -->", f"<!-- /bench:{label} -->"
block = f"{begin}\n{body}\n{end}"
if begin in text and end in text:
    text = text[: text.index(begin)] + block + text[text.index(end) + len(end):]
else:
    text = text.rstrip("\n") + "\n\n" + block + "\n"
open(doc, "w").write(text)
PY
  echo "(docs/benchmarks.md section '$1' updated)" >&2
}

table="$work/table.$$"
summary="$work/summary.$$"
: >"$table"
: >"$summary"
trap 'rm -f "$table" "$summary"' EXIT
if [[ -n "$capture" ]]; then
  [[ -s "$capture" ]] || { echo "run.sh: no capture $capture" >&2; exit 2; }
  docs=0
  run_shape capture "$capture"
else
  for s in $shapes; do run_shape "$s" "$(capture_for "$s")"; done
fi

report="$work/last-run.md"
{
  if [[ -s "$summary" ]]; then
    machine
    echo "- command: \`bench/run.sh${args_given:+ $args_given}\`, scale $scale, $runs run(s) per tool (median), timeout ${limit}s"
    echo
    echo "| shape | packets | SIP msgs (truth) | floor wall / CPU s | sipscope wall / CPU s | sipscope peak RSS MiB | sipscope SIP msgs per wall / CPU s | sipscope x floor (wall / CPU) | tshark sip,stat wall / sipscope | sngrep wall / sipscope | sipscope stream rows / truth streams |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    cat "$summary"
    cat "$table"
  fi
} >"$report"
[[ -s "$report" ]] && cat "$report"

if [[ -n "$profile" ]]; then
  cap="$(capture_for "$profile")"
  data="$work/perf-$profile.data"
  echo "== perf record -g: sipscope analyze on $cap" >&2
  rm -f "$work/prof.db"
  perf record -g -o "$data" -- "$sipscope" analyze "$cap" --db "$work/prof.db" -q >/dev/null 2>"$work/perf.err" ||
    { tail -n 3 "$work/perf.err" >&2; exit 2; }
  perf report -i "$data" --stdio --no-children 2>/dev/null >"$work/profile-$profile.txt"
  perf report -i "$data" --stdio --no-children -g none --percent-limit 0.5 2>/dev/null |
    grep -v "^#" | grep -v "^$" | head -n 25 | cut -c1-160 >"$work/hotspots-$profile.txt"
  echo "== hotspots ($work/hotspots-$profile.txt; call graphs in profile-$profile.txt)" >&2
  cat "$work/hotspots-$profile.txt"
  if [[ $docs -eq 1 ]]; then
    {
      echo "Hotspots of \`sipscope analyze\` on \`$(basename "$cap")\` ($(date -u +%Y-%m-%d), $(version);"
      echo "\`perf record -g\`, then \`perf report --stdio --no-children -g none --percent-limit 0.5\`, first 25 lines):"
      echo
      echo '```'
      cat "$work/hotspots-$profile.txt"
      echo '```'
    } >"$work/prof.$$"
    plabel="profile-$profile"
    [[ $label_given -eq 1 ]] && plabel="$label-$plabel"
    update_docs "$plabel" "$work/prof.$$"
    rm -f "$work/prof.$$"
  fi
fi

[[ $docs -eq 1 && -s "$summary" ]] && update_docs "$label" "$report"
exit 0
