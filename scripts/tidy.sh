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
run-clang-tidy -p "$build" -j "$(nproc)" -quiet -warnings-as-errors='*' \
  "^${root}/(capture|decode|correlate|store|report|export|web|cli)/" > "$build/tidy.log" 2>&1 || {
  grep -E "(warning|error):" "$build/tidy.log" | sed 's/\x1b\[[0-9;]*m//g' | sort -u >&2
  echo "tidy: clang-tidy found problems (full log: $build/tidy.log)" >&2
  exit 1
}
echo "tidy: clean" >&2
