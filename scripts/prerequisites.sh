#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine. Idempotent; safe to run often.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

need_apt=()
command -v wrk >/dev/null 2>&1 || need_apt+=(wrk)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs npm)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  fi
fi

# The real Leanplum JavaScript SDK (leanplum-sdk@1.9.0), from the committed lockfile.
if [ -f "$root/tests/js-sdk/package-lock.json" ] && [ ! -d "$root/tests/js-sdk/node_modules/leanplum-sdk" ]; then
  (cd "$root/tests/js-sdk" && npm ci --no-audit --no-fund --loglevel=error)
fi
