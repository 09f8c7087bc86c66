#!/usr/bin/env bash
# How long `sipscope capture` takes to stop (SIGINT to exit) with many calls open. Measures;
# never passes or fails. For each N in --open: a capture with --hep-listen only (no
# privilege needed), bench/hep_calls.py sends N answered calls without BYE (INVITE, 200,
# ACK as HEP3, stamped with the wall clock) so all N stay open, the script waits until the
# live database shows N calls, lets one more tick pass, then sends SIGINT and times the
# exit. Output in bench/work/stop/ (gitignored); a summary is printed and saved.
#
# usage: bench/live_stop.sh [--open "20000 50000"] [--rate MSG_PER_S] [--runs R]
# SIPSCOPE_BIN=FILE names the binary (default build/release/cli/sipscope).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$root/bench/work/stop"
bin="${SIPSCOPE_BIN:-$root/build/release/cli/sipscope}"
open_counts="20000 50000"
rate=8000
runs=3
while [[ $# -gt 0 ]]; do
  case "$1" in
    --open) open_counts="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -e/{/^set -e/!p}' "$0"; exit 0 ;;
    *) echo "live_stop.sh: unknown option $1" >&2; exit 1 ;;
  esac
done
[[ -x "$bin" ]] || { echo "live_stop.sh: $bin missing" >&2; exit 2; }
rm -rf "$work"
mkdir -p "$work"
cd "$work"
port=27960
summary="$work/summary.txt"
: >"$summary"
for n in $open_counts; do
  for r in $(seq "$runs"); do
    db="$work/open-$n-$r.db"
    "$bin" capture --hep-listen "127.0.0.1:$port" --db "$db" >"open-$n-$r.out" 2>"open-$n-$r.err" &
    pid=$!
    for _ in $(seq 100); do
      sqlite3 "$db" "SELECT 1 FROM captures" 2>/dev/null | grep -q 1 && break
      sleep 0.1
    done
    python3 "$root/bench/hep_calls.py" --port "$port" --calls "$n" --rate "$rate" >"open-$n-$r.send"
    seen=0
    for _ in $(seq 600); do
      seen=$(sqlite3 "$db" "SELECT count(*) FROM calls" 2>/dev/null || echo 0)
      [[ "$seen" -ge "$n" ]] && break
      sleep 0.1
    done
    sleep 1.2
    rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
    t0=$(date +%s%N)
    kill -INT "$pid"
    wait "$pid" || true
    t1=$(date +%s%N)
    stop_ms=$(( (t1 - t0) / 1000000 ))
    open_after=$(sqlite3 "$db" "SELECT count(*) FROM calls WHERE end_us IS NULL")
    msgs=$(sqlite3 "$db" "SELECT count(*) FROM messages")
    txs=$(sqlite3 "$db" "SELECT count(*) FROM transactions")
    echo "open $n run $r: calls seen $seen, stop ${stop_ms} ms, rss ${rss_kb} kB, after stop: open calls $open_after, messages $msgs, transactions $txs" | tee -a "$summary"
    port=$((port + 1))
  done
done
