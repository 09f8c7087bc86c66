#!/usr/bin/env bash
# Web UI server time with 100,000 calls (issue 17: under 100 ms per page): analyzes
# samples/basic.pcap, multiplies its calls to N rows with sqlite3 (distinct numbers, users,
# addresses, Call-IDs and start times), starts `sipscope serve` and times list, sort and
# search pages (curl's time to first byte on loopback, median of 5). Prints a table.
#   bench/web_bench.sh [BUILD_DIR] [N]      (defaults build/release, 100000)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build/release}"
n="${2:-100000}"
exe="$build/cli/sipscope"
work="$(mktemp -d)"
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

db="$work/web.db"
"$exe" analyze "$root/samples/basic.pcap" --db "$db" >/dev/null
sqlite3 "$db" <<SQL
WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < $n / 8)
INSERT INTO calls (sip_call_id, from_user, to_user, from_uri, to_uri, caller_ip, callee_ip,
  transport, start_us, ring_us, answer_us, end_us, state, final_code, final_reason, hangup_by,
  pdd_ms, duration_ms, message_count)
SELECT printf('%08x-%d@bench', k.i * 7919, c.id), '+4930' || (1000000 + k.i * 8 + c.id),
  '+4940' || (2000000 + k.i * 13 + c.id), 'sip:' || c.from_user || k.i || '@a.example',
  'sip:' || c.to_user || k.i || '@b.example', '10.' || (k.i % 250) || '.' || c.id || '.1',
  '172.16.' || (k.i % 250) || '.' || c.id, c.transport, c.start_us + k.i * 1000000,
  c.ring_us + k.i * 1000000, c.answer_us + k.i * 1000000, c.end_us + k.i * 1000000, c.state,
  c.final_code, c.final_reason, c.hangup_by, c.pdd_ms + (k.i % 97), c.duration_ms + (k.i % 911),
  c.message_count
FROM k, calls c WHERE c.id <= 8;
SQL
# Rows written behind sipscope's back: fill the search index from them (docs/schema.md;
# a build from before the index has none).
if [ "$(sqlite3 "$db" "SELECT count(*) FROM sqlite_schema WHERE name = 'call_search'")" = 1 ]; then
  sqlite3 "$db" "INSERT INTO call_search (call_search) VALUES ('rebuild')"
fi
calls=$(sqlite3 "$db" "SELECT count(*) FROM calls")

"$exe" serve --db "$db" --listen 127.0.0.1:0 >"$work/out" &
server=$!
for _ in $(seq 50); do grep -q http "$work/out" && break; sleep 0.1; done
base=$(grep -o 'http://[^ ]*' "$work/out")

time_ms() {  # median time to first byte of 5 requests, in ms
  for _ in 1 2 3 4 5; do
    curl -s -o /dev/null -w '%{time_starttransfer}\n' "$base$1"
  done | sort -n | sed -n 3p | awk '{printf "%.1f", $1 * 1000}'
}
echo "calls in database: $calls"
printf '| %-46s | %8s |\n' "page (50 rows)" "ms"
printf '|%s|%s|\n' "------------------------------------------------" "----------"
for page in "api/calls" "api/calls?offset=50000" "api/calls?sort=start&dir=desc" \
    "api/calls?sort=duration&dir=desc" "api/calls?sort=pdd" "api/calls?sort=messages&dir=desc" \
    "api/calls?q=%2B49301234" "api/calls?q=10.42.3.1" "api/calls?q=00012345" \
    "api/calls?q=alice&sort=duration&dir=desc" "api/calls?state=busy&offset=5000" \
    "api/calls/version" "api/calls/5000" ""; do
  printf '| %-46s | %8s |\n' "/$page" "$(time_ms "$page")"
done
