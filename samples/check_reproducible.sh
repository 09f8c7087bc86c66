#!/usr/bin/env bash
# Test: a fresh run of make_samples.sh gives byte-identical files to the checked-in ones
# (the generator is deterministic, and nobody edited a sample by hand).
# usage: check_reproducible.sh SIPSCOPE_GEN WORKDIR
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
gen="$1"
work="$2"
rm -rf "$work"
SIPSCOPE_GEN="$gen" "$here/make_samples.sh" --no-check --out "$work" 2>/dev/null
status=0
while IFS= read -r f; do
  rel="${f#"$work"/}"
  if ! cmp -s "$f" "$here/$rel"; then
    echo "differs from the checked-in file: samples/$rel (rerun samples/make_samples.sh)" >&2
    status=1
  fi
done < <(find "$work" -type f | sort)
[[ $status -eq 0 ]] && echo "all $(find "$work" -type f | wc -l) generated files identical"
exit $status
