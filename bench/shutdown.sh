#!/usr/bin/env bash
# How long Greengage takes to stop (SIGTERM to exit) with many users active: starts the Release server on a fresh
# data directory, activates users with the tracking mix (wrk + mix.lua, USERS distinct users) for LOAD, waits a
# moment, sends SIGTERM and measures until the process exits. Repeats REPEAT times (fresh server each time) and prints
# each time and the median. Stops everything it started (trap EXIT).
#
#   bench/shutdown.sh                         # USERS=100000 LOAD=60s REPEAT=3
#   SERVER_DIR=dir bench/shutdown.sh          # run the Greengage.Server.dll in dir as it is (e.g. an older build)
#
# Env: USERS=100000 LOAD=60s REPEAT=3 CONNS=50 SKIP_BUILD=1 SERVER_DIR=
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
USERS="${USERS:-100000}" LOAD="${LOAD:-60s}" REPEAT="${REPEAT:-3}" CONNS="${CONNS:-50}"
WORK="$(mktemp -d /tmp/greengage-shutdown.XXXXXX)"
PID=""

log() { printf '[shutdown] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
source "$HERE/lib.sh"  # free_port, wait_http
cleanup() {
  if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then kill -KILL "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

command -v wrk >/dev/null || die "wrk is not installed (apt-get install -y wrk)"
SERVER_BIN="${SERVER_DIR:-$ROOT/src/Greengage.Server/bin/Release/net10.0}"
if [[ -z "${SERVER_DIR:-}" && "${SKIP_BUILD:-0}" != "1" ]]; then
  log "building Greengage.Server (Release)"
  dotnet build "$ROOT/src/Greengage.Server/Greengage.Server.csproj" -c Release --nologo -v q --disable-build-servers >&2
fi
cp -r "$SERVER_BIN" "$WORK/server"

times=()
for run in $(seq 1 "$REPEAT"); do
  port=$(free_port)
  rm -rf "$WORK/data" && mkdir -p "$WORK/data"
  (cd "$WORK/server" && exec dotnet Greengage.Server.dll --urls "http://127.0.0.1:$port" \
    --Greengage:DataDirectory="$WORK/data" --Greengage:AdminToken=shutdown-bench-token) >"$WORK/server.log" 2>&1 </dev/null &
  PID=$!
  wait_http "http://127.0.0.1:$port/healthz" 90 "$PID" "$WORK/server.log"
  app=$(sed -n 's/^Demo app created\. appId: *\([^ ]*\).*/\1/p' "$WORK/server.log" | head -1)
  key=$(sed -n 's/^ *production key: *\([^ ]*\).*/\1/p' "$WORK/server.log" | head -1)
  [[ -n "$app" && -n "$key" ]] || die "no demo app in the server's output"
  GG_APP_ID="$app" GG_CLIENT_KEY="$key" USERS="$USERS" ITEMS=17.5 BENCH_WRK_DIR="$HERE/wrk" \
    wrk -t1 -c"$CONNS" -d"$LOAD" --timeout 10s -s "$HERE/wrk/mix.lua" "http://127.0.0.1:$port/" >"$WORK/wrk.txt" 2>&1
  if ! kill -0 "$PID" 2>/dev/null; then
    cp "$WORK/server.log" /tmp/greengage-shutdown-server.log
    tail -n 40 "$WORK/server.log" >&2
    die "the server died under load (log kept in /tmp/greengage-shutdown-server.log)"
  fi
  actions=$(sed -n 's/.*"actions_s":\([0-9.]*\).*/\1/p' "$WORK/wrk.txt" | head -1)
  sleep 2
  start=$(date +%s.%N)
  kill -TERM "$PID"
  rc=0
  wait "$PID" || rc=$?
  end=$(date +%s.%N)
  PID=""
  if [[ $rc -ne 0 ]]; then
    cp "$WORK/server.log" /tmp/greengage-shutdown-server.log
    tail -n 40 "$WORK/server.log" >&2
    die "the server exited with code $rc after SIGTERM"
  fi
  t=$(echo "$end - $start" | bc)
  times+=("$t")
  printf 'run %d: %s users drawn, load %s at %s actions/s, stop took %.2f s\n' "$run" "$USERS" "$LOAD" "${actions:-?}" "$t"
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')
printf 'SUMMARY shutdown_median_s=%.2f runs=%d users=%s load=%s\n' "$median" "$REPEAT" "$USERS" "$LOAD"
