#!/usr/bin/env bash
# Installs the Debian 12 packages sipscope needs, only those missing. Safe to re-run.
#   scripts/install-deps.sh          build + run
#   scripts/install-deps.sh --test   also the tools the test suite drives (tshark, sipp, ...)
set -euo pipefail

packages=(cmake g++ make pkg-config libpcap-dev libboost-program-options-dev libsqlite3-dev
          nlohmann-json3-dev libgtest-dev libcpp-httplib-dev zlib1g-dev libssl-dev libre2-dev)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(sqlite3 python3 tshark sip-tester tcpdump clang-format clang-tidy chromium sngrep kamailio)
  # Node.js and npm: machines often carry their own (not Debian's packages, which would
  # conflict with it); install Debian's only when the commands are missing.
  command -v node >/dev/null || packages+=(nodejs)
  command -v npm >/dev/null || packages+=(npm)
fi

missing=()
for p in "${packages[@]}"; do
  if [[ "$p" == nodejs || "$p" == npm ]]; then missing+=("$p"); continue; fi
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "sipscope: installing ${missing[*]}" >&2
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Browser tests (tests/browser): npm playwright-core drives Debian's chromium. It goes into
# the gitignored node_modules/ at the repository root, never system-wide.
if [[ "${1:-}" == "--test" ]]; then
  root="$(cd "$(dirname "$0")/.." && pwd)"
  # mermaid: tests/browser/mermaid_test.cjs renders `show --format mermaid` with the real
  # parser. Both are installed together so a later one never prunes the other.
  if [[ ! -d "$root/node_modules/playwright-core" || ! -d "$root/node_modules/mermaid" ]]; then
    echo "sipscope: installing npm playwright-core and mermaid into $root/node_modules" >&2
    npm install --prefix "$root" --no-save --no-package-lock --no-audit --no-fund \
      playwright-core mermaid >/dev/null
  fi
fi
