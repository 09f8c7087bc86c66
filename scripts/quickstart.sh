#!/usr/bin/env bash
# README command (a): install what is missing, build, analyze the bundled sample.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh release sipscope >/dev/null
scripts/run-sample.sh
