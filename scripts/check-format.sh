#!/usr/bin/env bash
# Fails when a C/C++ file of the project differs from what .clang-format makes of it.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "check-format: clang-format not installed" >&2; exit 1; }
bad=0
while IFS= read -r f; do
  clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || { echo "not formatted: $f" >&2; bad=1; }
done < <(find capture decode correlate store report export web cli tests samples bench -name '*.cpp' -o -name '*.hpp' -o -name '*.c' -o -name '*.h' | grep -v node_modules | sort)
exit $bad
