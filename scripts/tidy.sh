#!/usr/bin/env bash
# clang-tidy (.clang-tidy at the root) over every module source, warnings as errors. Needs a
# configured build tree for compile_commands.json (default build/release; or pass one).
#   scripts/tidy.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build/release}"
[[ -f "$build/compile_commands.json" ]] || { echo "tidy: no $build/compile_commands.json (configure first)" >&2; exit 1; }
command -v run-clang-tidy >/dev/null || { echo "tidy: run-clang-tidy not installed (Debian clang-tidy)" >&2; exit 1; }
root="$(pwd)"
# WarningsAsErrors in .clang-tidy makes a finding fail the run (run-clang-tidy 14 has no
# -warnings-as-errors). The compile commands are GCC's: clang must not choke on GCC-only
# warning flags (-Wno-error=restrict).
run-clang-tidy -p "$build" -j "$(nproc)" -quiet -extra-arg=-Wno-unknown-warning-option \
  "^${root}/(capture|decode|forward|correlate|store|report|export|web|cli)/" > "$build/tidy.log" 2>&1 || {
  sed 's/\x1b\[[0-9;]*m//g' "$build/tidy.log" | grep -E "(warning|error):" | sort -u >&2 || true
  echo "tidy: clang-tidy found problems (full log: $build/tidy.log)" >&2
  exit 1
}
echo "tidy: clean" >&2
