#!/usr/bin/env bash
# Analyzes the bundled sample capture: SQLite file and HTML ladder under out/, calls printed,
# then where the binary is.
#   SIPSCOPE_EXE   binary to use (default build/release/cli/sipscope)
#   OUT            output folder (default out)
set -euo pipefail
cd "$(dirname "$0")/.."
exe="${SIPSCOPE_EXE:-build/release/cli/sipscope}"
out="${OUT:-out}"
mkdir -p "$out"
"$exe" analyze samples/basic.pcap --db "$out/basic.db" --html "$out/basic.html"
echo "binary:   $(realpath "$exe")"
