#!/usr/bin/env bash
# README command (b): install what is missing, then build and run the whole test suite in
# the release preset (with clang-tidy over every module source, scripts/tidy.sh) and again
# under AddressSanitizer + UndefinedBehaviorSanitizer. Both presets build with -Werror.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
for preset in release asan; do
  echo "== $preset: build" >&2
  start=$(date +%s)
  scripts/build.sh "$preset" >/dev/null
  if [[ "$preset" == release ]]; then
    echo "== release: clang-tidy" >&2
    scripts/tidy.sh build/release
  fi
  echo "== $preset: test" >&2
  ctest --preset "$preset" -j "$(nproc)"
  echo "== $preset: done in $(( $(date +%s) - start )) s" >&2
done
