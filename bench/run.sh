#!/usr/bin/env bash
# End-to-end throughput of Greengage over HTTP on 127.0.0.1, next to the bare ASP.NET Core baseline measured in the
# same run (this box is noisy: compare only figures of one run). Builds Release, starts the baseline and Greengage
# (fresh data directory, free ports), reads the demo app's keys from Greengage's stdout, warms each scenario up, runs
# wrk, prints a markdown table, and stops everything it started (trap EXIT).
#
#   bench/run.sh              # full: per scenario a 15 s warm-up, then 3 runs of 10 s, interleaved (~3 min)
#   SMOKE=1 bench/run.sh      # tiny: one 2 s run per scenario, no warm-up: checks the harness, measures nothing
#
# Scenarios (wrk scripts in bench/wrk/, all with the same checks and report, see report.lua):
#   baseline  GET /json of the bare ASP.NET Core minimal API (../shared/bench/peers/bare/aspnet)
#   track     (b) POST /api with one `track` per request, users drawn from 1,000
#   multi20   (c) POST /api with a JS-shaped `multi` of 20 `track` for one user, users drawn from 1,000
# SCENARIO_SET=start instead: `start` for returning users of an app with content, next to the bare server returning a
# body of the same size and (with PEERS_DIR) Unleash's frontend API, all in this run:
#   SCENARIO_SET=start PEERS_DIR=/tmp/peers bench/run.sh        # USERS defaults to 100,000 here
#   bare-body         GET /body?bytes=N of the bare server, N = the size of one Greengage start answer (curl)
#   greengage-start   POST /api action=start (start.lua) for users drawn from USERS, after bench/start-seed.sh seeded
#                     200 variables, 30 live values, 20 audiences, 10 running A/B tests and USERS users (one start each)
#   MESSAGES=100      also seed that many active in-app messages over the 20 audiences (about 30 reach each user)
#   unleash-frontend  GET /api/frontend of Unleash (100 flags with variants) for the same user ids (unleash-frontend.lua)
#   PEERS_DIR=dir     a writable copy of ../shared/bench/peers (cp -r ../shared/bench/peers /tmp/peers; run as root):
#                     its setup.sh starts PostgreSQL and Unleash and seeds them; stop.sh unleash pg --wipe on exit
#   SEED_BATCH=1000 SEED_PARALLEL=2   users per seeding multi, multis sent at a time (bench/start-seed.sh)
#
# Env: DURATION=10s REPEAT=3 CONNS=50 THREADS=1 TIMEOUT=10s USERS=1000
#      WARMUP=15s    per scenario, discarded (0 = none); tiered JIT needs >10 s to settle on a busy 2-core box
#      WRK_CPUS=     taskset CPU list for wrk (e.g. 1); empty (default) = not pinned, like ../shared/bench/peers
#      SKIP_BUILD=1  use the Release build as it is
#      SERVER_DIR=dir   run the Greengage.Server.dll in dir as it is, no build (the smoke test passes its own build)
#      COMPARE_DIR=dir  also start the Greengage.Server.dll in dir (its own data directory and port) and run each
#                       Greengage scenario against it too, right after the same scenario on the main server, as
#                       "<name>-b": a before/after comparison of two builds under the same conditions
#      COMPARE_ENV="VAR=value ..."  extra environment for the comparison server only (a runtime knob against the same
#                       build: COMPARE_DIR=<the build> COMPARE_ENV="DOTNET_GCgen0size=0x4000000")
#      OUT_DIR=dir   raw wrk output and logs (default: a new /tmp/greengage-bench-results.* directory, kept unless SMOKE=1)
#      BASELINE_SRC=dir  the baseline's sources (default bench/baseline/aspnet: ../shared/bench/peers/bare/aspnet's /json
#                        plus /body); built once into BENCH_CACHE (default /tmp/greengage-bench-cache)
#      BARE_PORT / GG_PORT   ports (default: free ones)
#      SCENARIO_SET=mix  baseline + the tracking mix (mix.lua) instead of track/multi20; with USERS=100000
#      TRIGGERS=20   (mix only) also run the mix against a second server of the same build (or COMPARE_DIR's) whose
#                    app has that many server-triggered messages (bench/trigger-seed.sh), as "mix-b": the delivery
#                    issue's "ingestion with 20 triggered messages at most 10% slower"
#      GROW_DURATION=150s  before measuring, grow the store with multi batches of 30 tracks for this long
# Output: per-run rows, a summary table (medians) and lines `SUMMARY name=... req_s=...` for scripts and tests.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"

if [[ "${SMOKE:-0}" == "1" ]]; then
  DURATION="${DURATION:-2s}" WARMUP="${WARMUP:-0}" REPEAT="${REPEAT:-1}"
else
  DURATION="${DURATION:-10s}" WARMUP="${WARMUP:-15s}" REPEAT="${REPEAT:-3}"
fi
SCENARIO_SET="${SCENARIO_SET:-foundation}"
[[ "$SCENARIO_SET" != "start" ]] || USERS="${USERS:-100000}"
CONNS="${CONNS:-50}" THREADS="${THREADS:-1}" TIMEOUT="${TIMEOUT:-10s}" USERS="${USERS:-1000}"
PEERS_DIR="${PEERS_DIR:-}"
WRK_CPUS="${WRK_CPUS:-}"
BENCH_CACHE="${BENCH_CACHE:-/tmp/greengage-bench-cache}"
DROP_OUT_DIR=0
if [[ -z "${OUT_DIR:-}" ]]; then
  OUT_DIR="$(mktemp -d /tmp/greengage-bench-results.XXXXXX)"
  [[ "${SMOKE:-0}" != "1" ]] || DROP_OUT_DIR=1  # a smoke run's output is printed; nothing worth keeping
fi
mkdir -p "$OUT_DIR" "$BENCH_CACHE"
CLK=$(getconf CLK_TCK)

log() { echo "run: $*" >&2; }
die() { echo "run: error: $*" >&2; exit 1; }
source "$HERE/lib.sh"  # stop_pid, free_port, wait_http, ticks_of

command -v wrk >/dev/null || die "wrk is not installed (apt-get update && apt-get install -y wrk)"
command -v curl >/dev/null || die "curl is not installed"
command -v dotnet >/dev/null || die "dotnet is not on PATH"
if [[ -n "$WRK_CPUS" ]]; then command -v taskset >/dev/null || die "WRK_CPUS is set but taskset is missing"; fi

# ---- cleanup: every process this script starts is recorded here and stopped by PID on exit ----
PIDS=()
WORK="$(mktemp -d /tmp/greengage-bench-work.XXXXXX)"
cleanup() {
  local rc=$? pid
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  if [[ -n "$PEERS_DIR" && "${PEERS_STARTED:-0}" == "1" ]]; then
    "$PEERS_DIR/stop.sh" unleash pg --wipe 2>&1 | sed 's/^/run: /' >&2 || true
  fi
  rm -rf "$WORK"
  if [[ "$DROP_OUT_DIR" == "1" && $rc -eq 0 ]]; then rm -rf "$OUT_DIR"; elif [[ $rc -ne 0 ]]; then log "logs kept in $OUT_DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- build ----
# --disable-build-servers: no MSBuild nodes or compiler servers are left running after the build.
SERVER_BIN="${SERVER_DIR:-$ROOT/src/Greengage.Server/bin/Release/net10.0}"
if [[ -z "${SERVER_DIR:-}" && "${SKIP_BUILD:-0}" != "1" ]]; then
  log "building Greengage.Server (Release)"
  dotnet build "$ROOT/src/Greengage.Server/Greengage.Server.csproj" -c Release --nologo -v q --disable-build-servers \
    >"$OUT_DIR/build-greengage.log" 2>&1 || { tail -n 40 "$OUT_DIR/build-greengage.log" >&2; die "Greengage build failed"; }
fi
[[ -f "$SERVER_BIN/Greengage.Server.dll" ]] || die "no Greengage.Server.dll in $SERVER_BIN (build it, or run without SKIP_BUILD/SERVER_DIR)"
# Run from a private copy: other builds in the same checkout may rewrite bin/ while the server runs.
cp -a "$SERVER_BIN" "$WORK/server"

# Our copy of ../shared/bench/peers/bare/aspnet: the same /json, plus /body?bytes=N for SCENARIO_SET=start.
BASELINE_SRC="$(cd "${BASELINE_SRC:-$HERE/baseline/aspnet}" && pwd)"
# The shared folder is read-only and a build inside this checkout would pick up its Directory.Build.props: the
# sources are copied to the cache (keyed by their hash) and published there once.
HASH=$(cat "$BASELINE_SRC/BareAspNet.csproj" "$BASELINE_SRC/Program.cs" | sha256sum | cut -c1-16)
BARE_DIR="$BENCH_CACHE/bare-aspnet-$HASH"
if [[ ! -f "$BARE_DIR/out/BareAspNet.dll" ]]; then
  log "building the baseline from $BASELINE_SRC (Release, once; cached in $BARE_DIR)"
  tmp="$BENCH_CACHE/.bare-aspnet-$HASH.$$"
  rm -rf "$tmp"; mkdir -p "$tmp/src"
  cp "$BASELINE_SRC/BareAspNet.csproj" "$BASELINE_SRC/Program.cs" "$tmp/src/"
  (cd "$tmp/src" && dotnet publish -c Release -o "$tmp/out" --nologo -v q --disable-build-servers) \
    >"$OUT_DIR/build-baseline.log" 2>&1 || { tail -n 40 "$OUT_DIR/build-baseline.log" >&2; rm -rf "$tmp"; die "baseline build failed"; }
  rm -rf "$BARE_DIR"; mv "$tmp" "$BARE_DIR"
fi

# ---- start the servers ----
BARE_PORT="${BARE_PORT:-$(free_port)}"
env ASPNETCORE_URLS="http://127.0.0.1:$BARE_PORT" DOTNET_CLI_TELEMETRY_OPTOUT=1 \
  dotnet "$BARE_DIR/out/BareAspNet.dll" >"$OUT_DIR/baseline.log" 2>&1 </dev/null &
BARE_PID=$!; PIDS+=("$BARE_PID")
log "baseline started (pid $BARE_PID) on 127.0.0.1:$BARE_PORT"

GG_PORT="${GG_PORT:-$(free_port)}"
[[ "$GG_PORT" != "$BARE_PORT" ]] || GG_PORT=$(free_port)
ADMIN_TOKEN="bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
mkdir -p "$WORK/data"
# The content root is the working directory: start in the build output so its appsettings.json applies.
# Webhooks may reach loopback (the triggered messages of TRIGGERS call the bare server); both servers alike.
(cd "$WORK/server" && exec dotnet Greengage.Server.dll --urls "http://127.0.0.1:$GG_PORT" \
  --Greengage:DataDirectory="$WORK/data" --Greengage:AdminToken="$ADMIN_TOKEN" \
  --Greengage:Delivery:Webhook:AllowPrivateNetworks=true) >"$OUT_DIR/greengage.log" 2>&1 </dev/null &
GG_PID=$!; PIDS+=("$GG_PID")
log "greengage started (pid $GG_PID) on 127.0.0.1:$GG_PORT, data $WORK/data"

wait_http "http://127.0.0.1:$BARE_PORT/json" 60 "$BARE_PID" "$OUT_DIR/baseline.log"
wait_http "http://127.0.0.1:$GG_PORT/healthz" 90 "$GG_PID" "$OUT_DIR/greengage.log"
GG_APP_ID=$(sed -n 's/^Demo app created\. appId: *\([^ ]*\).*/\1/p' "$OUT_DIR/greengage.log" | head -1)
GG_CLIENT_KEY=$(sed -n 's/^ *production key: *\([^ ]*\).*/\1/p' "$OUT_DIR/greengage.log" | head -1)
GG_DEV_KEY=$(sed -n 's/^ *development key: *\([^ ]*\).*/\1/p' "$OUT_DIR/greengage.log" | head -1)
[[ -n "$GG_APP_ID" && -n "$GG_CLIENT_KEY" ]] || die "no demo app id / production key in Greengage's stdout ($OUT_DIR/greengage.log)"
log "demo app $GG_APP_ID"

if [[ -n "${TRIGGERS:-}" ]]; then
  [[ "$SCENARIO_SET" == "mix" ]] || die "TRIGGERS needs SCENARIO_SET=mix"
  COMPARE_DIR="${COMPARE_DIR:-$SERVER_BIN}"
fi
if [[ -n "${COMPARE_DIR:-}" ]]; then
  [[ -f "$COMPARE_DIR/Greengage.Server.dll" ]] || die "no Greengage.Server.dll in COMPARE_DIR=$COMPARE_DIR"
  cp -a "$COMPARE_DIR" "$WORK/server-b"
  GG_PORT_B=$(free_port)
  while [[ "$GG_PORT_B" == "$GG_PORT" || "$GG_PORT_B" == "$BARE_PORT" ]]; do GG_PORT_B=$(free_port); done
  mkdir -p "$WORK/data-b"
  # shellcheck disable=SC2086 # COMPARE_ENV is a list of VAR=value words
  (cd "$WORK/server-b" && exec env ${COMPARE_ENV:-} dotnet Greengage.Server.dll --urls "http://127.0.0.1:$GG_PORT_B" \
    --Greengage:DataDirectory="$WORK/data-b" --Greengage:AdminToken="$ADMIN_TOKEN" \
    --Greengage:Delivery:Webhook:AllowPrivateNetworks=true) >"$OUT_DIR/greengage-b.log" 2>&1 </dev/null &
  GG_PID_B=$!; PIDS+=("$GG_PID_B")
  log "comparison greengage started (pid $GG_PID_B) on 127.0.0.1:$GG_PORT_B from $COMPARE_DIR"
  wait_http "http://127.0.0.1:$GG_PORT_B/healthz" 90 "$GG_PID_B" "$OUT_DIR/greengage-b.log"
  GG_APP_ID_B=$(sed -n 's/^Demo app created\. appId: *\([^ ]*\).*/\1/p' "$OUT_DIR/greengage-b.log" | head -1)
  GG_CLIENT_KEY_B=$(sed -n 's/^ *production key: *\([^ ]*\).*/\1/p' "$OUT_DIR/greengage-b.log" | head -1)
  [[ -n "$GG_APP_ID_B" && -n "$GG_CLIENT_KEY_B" ]] || die "no demo app id / production key in $OUT_DIR/greengage-b.log"
  if [[ -n "${TRIGGERS:-}" ]]; then
    log "seeding $TRIGGERS triggered messages on the comparison server (bench/trigger-seed.sh)"
    env GG_URL="http://127.0.0.1:$GG_PORT_B" GG_APP_ID="$GG_APP_ID_B" ADMIN_TOKEN="$ADMIN_TOKEN" TRIGGERS="$TRIGGERS"       WEBHOOK_URL="http://127.0.0.1:$BARE_PORT/json" "$HERE/trigger-seed.sh" || die "seeding triggered messages failed"
  fi
fi

# One request of each kind before load: fail fast, with the answer, if the keys or shapes are wrong.
pre=$(curl -s -m 10 -X POST -H 'Content-Type: application/x-www-form-urlencoded' \
  --data "userId=preflight&deviceId=preflight&event=e&value=1" \
  "http://127.0.0.1:$GG_PORT/api?appId=$GG_APP_ID&client=js&clientKey=$GG_CLIENT_KEY&sdkVersion=1.9.0&action=track")
[[ "$pre" == *'"success":true'* ]] || die "a single track was not accepted: $pre"
pre=$(curl -s -m 10 -X POST -H 'Content-Type: text/plain' \
  --data '{"data":[{"userId":"preflight","action":"track","event":"e"},{"userId":"preflight","action":"track","event":"f"}]}' \
  "http://127.0.0.1:$GG_PORT/api?appId=$GG_APP_ID&client=js&clientKey=$GG_CLIENT_KEY&sdkVersion=1.9.0&action=multi")
[[ "$pre" != *'"success":false'* && "$pre" == *'"success":true'* ]] || die "a multi was not accepted: $pre"

if [[ "$SCENARIO_SET" == "start" ]]; then
  [[ -z "${COMPARE_DIR:-}" ]] || die "COMPARE_DIR is not supported with SCENARIO_SET=start"
  [[ -n "$GG_DEV_KEY" ]] || die "no development key in Greengage's stdout ($OUT_DIR/greengage.log)"
  if [[ -n "$PEERS_DIR" ]]; then
    # Unleash (with its PostgreSQL) starts and seeds while Greengage is seeded; both are idle before the runs.
    [[ -x "$PEERS_DIR/setup.sh" ]] || die "PEERS_DIR=$PEERS_DIR has no setup.sh (cp -r ../shared/bench/peers /tmp/peers)"
    log "starting Unleash and PostgreSQL: $PEERS_DIR/setup.sh pg unleash (log $OUT_DIR/peers-setup.log)"
    PEERS_STARTED=1
    "$PEERS_DIR/setup.sh" pg unleash >"$OUT_DIR/peers-setup.log" 2>&1 </dev/null &
    PEERS_SETUP_PID=$!; PIDS+=("$PEERS_SETUP_PID")
  fi
  log "seeding the app and $USERS users (bench/start-seed.sh)"
  env GG_URL="http://127.0.0.1:$GG_PORT" GG_APP_ID="$GG_APP_ID" GG_CLIENT_KEY="$GG_CLIENT_KEY" GG_DEV_KEY="$GG_DEV_KEY" \
    ADMIN_TOKEN="$ADMIN_TOKEN" USERS="$USERS" MESSAGES="${MESSAGES:-0}" "$HERE/start-seed.sh" 2>&1 | tee "$OUT_DIR/seed.log" >&2
  [[ ${PIPESTATUS[0]} -eq 0 ]] || die "seeding failed (see $OUT_DIR/seed.log)"
  # The bare server answers a body as large as one start answer of a returning user (the request of start.lua).
  START_BODY="$OUT_DIR/start-answer.json"
  curl -s -m 10 -o "$START_BODY" -X POST -H 'Content-Type: application/x-www-form-urlencoded' \
    --data "userId=u1&deviceId=d1&appVersion=1.0&includeDefaults=false&country=DE&locale=de_DE&time=$(date +%s)" \
    "http://127.0.0.1:$GG_PORT/api?appId=$GG_APP_ID&client=js&clientKey=$GG_CLIENT_KEY&sdkVersion=1.9.0&action=start"
  grep -q '"success":true' "$START_BODY" || die "a start was not accepted: $(head -c 500 "$START_BODY")"
  BODY_BYTES=$(stat -c %s "$START_BODY")
  log "one start answer: $BODY_BYTES bytes, $(grep -o '"whenTriggers"' "$START_BODY" | wc -l) messages (kept in $START_BODY)"
  curl -fs -m 10 -o /dev/null "http://127.0.0.1:$BARE_PORT/body?bytes=$BODY_BYTES" || die "the baseline has no /body?bytes=$BODY_BYTES"
  if [[ -n "$PEERS_DIR" ]]; then
    wait "$PEERS_SETUP_PID" || { tail -n 30 "$OUT_DIR/peers-setup.log" >&2; die "$PEERS_DIR/setup.sh pg unleash failed (log $OUT_DIR/peers-setup.log)"; }
    sed 's/^/run: peers: /' "$OUT_DIR/peers-setup.log" >&2
    UNLEASH_PID=$(cat "$PEERS_DIR/run/unleash.pid")
    UNLEASH_URL="http://127.0.0.1:$(source "$PEERS_DIR/env.sh"; echo "$UNLEASH_PORT")"
  fi
fi

# ---- measure ----
# name | url | script | items per request | pid of the server under test | app id | client key
G="$GG_APP_ID|$GG_CLIENT_KEY"
BASE_NAME=baseline
if [[ "$SCENARIO_SET" == "start" ]]; then
  BASE_NAME=bare-body
  SCENARIOS=(
    "bare-body|http://127.0.0.1:$BARE_PORT/body?bytes=$BODY_BYTES|get.lua|1|$BARE_PID|$G"
    "greengage-start|http://127.0.0.1:$GG_PORT/|start.lua|1|$GG_PID|$G"
  )
  [[ -z "$PEERS_DIR" ]] || SCENARIOS+=("unleash-frontend|$UNLEASH_URL|unleash-frontend.lua|1|$UNLEASH_PID|$G")
elif [[ "$SCENARIO_SET" == "mix" ]]; then
  # The tracking issue's realistic mix over USERS users (set USERS=100000), after growing the store (GROW_DURATION).
  SCENARIOS=(
    "baseline|http://127.0.0.1:$BARE_PORT/json|get.lua|1|$BARE_PID|$G"
    "mix|http://127.0.0.1:$GG_PORT/|mix.lua|17.5|$GG_PID|$G"
  )
else
  SCENARIOS=(
    "baseline|http://127.0.0.1:$BARE_PORT/json|get.lua|1|$BARE_PID|$G"
    "track|http://127.0.0.1:$GG_PORT/|track.lua|1|$GG_PID|$G"
    "multi20|http://127.0.0.1:$GG_PORT/|multi20.lua|20|$GG_PID|$G"
  )
fi
if [[ -n "${COMPARE_DIR:-}" ]]; then
  # Each Greengage scenario is followed by the same one against the comparison build.
  WITH_B=()
  for s in "${SCENARIOS[@]}"; do
    WITH_B+=("$s")
    IFS='|' read -r name _ lua items _ _ _ <<<"$s"
    [[ "$name" == "baseline" ]] || WITH_B+=("$name-b|http://127.0.0.1:$GG_PORT_B/|$lua|$items|$GG_PID_B|$GG_APP_ID_B|$GG_CLIENT_KEY_B")
  done
  SCENARIOS=("${WITH_B[@]}")
fi
WRK_PREFIX=(); [[ -z "$WRK_CPUS" ]] || WRK_PREFIX=(taskset -c "$WRK_CPUS")
export BENCH_WRK_DIR="$HERE/wrk" GG_APP_ID GG_CLIENT_KEY USERS

json_val() { grep -o "\"$2\":[0-9.]*" <<<"$1" | head -1 | cut -d: -f2; }

run_wrk() {  # name url script items duration outfile [app key]
  env SCENARIO="$1" ITEMS="$4" BATCH="$4" GG_APP_ID="${7:-$GG_APP_ID}" GG_CLIENT_KEY="${8:-$GG_CLIENT_KEY}" "${WRK_PREFIX[@]}" \
    wrk -t"$THREADS" -c"$CONNS" -d"$5" --timeout "$TIMEOUT" --latency -s "$HERE/wrk/$3" "$2" >"$6" 2>&1
}

{
  echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(free -g | awk '/Mem:/{print $2}') GiB, kernel $(uname -r)"
  echo "# tools: $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2); dotnet sdk $(dotnet --version); runtime $(dotnet --list-runtimes | awk '/Microsoft.NETCore.App/{v=$2} END{print v}')"
  echo "# wrk: -t$THREADS -c$CONNS -d$DURATION --timeout $TIMEOUT, warm-up $WARMUP per scenario, $REPEAT runs interleaved; wrk pinned to: ${WRK_CPUS:-not pinned}"
  echo "# greengage: $SERVER_BIN, source $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?') + $(git -C "$ROOT" status --porcelain 2>/dev/null | grep -c . || true) changed files; baseline: $BASELINE_SRC"
  echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT_DIR/header.txt"

if [[ -n "${GROW_DURATION:-}" ]]; then
  # Grow the store first (multi of 30 tracks over USERS users), so the measured runs write into a large database.
  log "growing the store ($GROW_DURATION of multi30)"
  run_wrk grow "http://127.0.0.1:$GG_PORT/" multi20.lua 30 "$GROW_DURATION" "$OUT_DIR/grow.txt" || true
  if [[ -n "${COMPARE_DIR:-}" ]]; then
    log "growing the comparison store too"
    run_wrk grow-b "http://127.0.0.1:$GG_PORT_B/" multi20.lua 30 "$GROW_DURATION" "$OUT_DIR/grow-b.txt" "$GG_APP_ID_B" "$GG_CLIENT_KEY_B" || true
  fi
  grown=$(grep -o '"actions_s":[0-9.]*' "$OUT_DIR/grow.txt" | cut -d: -f2)
  log "grew by about $(awk -v a="${grown:-0}" -v d="${GROW_DURATION%s}" 'BEGIN{printf "%.0f", a*d}') actions ($grown actions/s)"
fi

if [[ "$WARMUP" != "0" ]]; then
  for s in "${SCENARIOS[@]}"; do
    IFS='|' read -r name url lua items pid app key <<<"$s"
    log "warm-up $name ($WARMUP)"
    run_wrk "$name" "$url" "$lua" "$items" "$WARMUP" "$OUT_DIR/$name-warmup.txt" "$app" "$key" || true
  done
fi

TSV="$OUT_DIR/runs.tsv"
printf 'scenario\trun\treq_s\tactions_s\tp50_ms\tp90_ms\tp99_ms\tmax_ms\tnon2xx\tfailed_items\tsocket_errors\tserver_cpu_pct\twrk_cpu_pct\n' >"$TSV"
for r in $(seq 1 "$REPEAT"); do
  for s in "${SCENARIOS[@]}"; do
    IFS='|' read -r name url lua items pid app key <<<"$s"
    sleep 1
    out="$OUT_DIR/$name-$r.txt"
    s0=$(ticks_of "$pid"); t0=$(date +%s.%N)
    TIMEFORMAT='%U %S'
    { time run_wrk "$name" "$url" "$lua" "$items" "$DURATION" "$out" "$app" "$key"; } 2>"$out.time" || true
    t1=$(date +%s.%N); s1=$(ticks_of "$pid")
    kill -0 "$pid" 2>/dev/null || die "the $name server (pid $pid) died during the run"
    j=$(grep -o 'WRKJSON .*' "$out" | cut -d' ' -f2- || true)
    [[ -n "$j" ]] || { cat "$out" >&2; die "$name run $r produced no result (see $out)"; }
    read -r wu ws <"$out.time"
    row=$(awk -v n="$name" -v r="$r" -v rs="$(json_val "$j" req_s)" -v as="$(json_val "$j" actions_s)" \
      -v p50="$(json_val "$j" lat_p50_us)" -v p90="$(json_val "$j" lat_p90_us)" -v p99="$(json_val "$j" lat_p99_us)" \
      -v mx="$(json_val "$j" lat_max_us)" -v bad="$(json_val "$j" non2xx)" -v fi="$(json_val "$j" failed_items)" \
      -v se="$(( $(json_val "$j" err_connect) + $(json_val "$j" err_read) + $(json_val "$j" err_write) + $(json_val "$j" err_timeout) ))" \
      -v st="$((s1 - s0))" -v clk="$CLK" -v t0="$t0" -v t1="$t1" -v wu="$wu" -v ws="$ws" \
      'BEGIN { wall = t1 - t0;
               printf "%s\t%d\t%.0f\t%.0f\t%.2f\t%.2f\t%.2f\t%.1f\t%d\t%d\t%d\t%.0f\t%.0f\n", n, r, rs, as, p50 / 1000, p90 / 1000,
                 p99 / 1000, mx / 1000, bad, fi, se, 100 * st / clk / wall, 100 * (wu + ws) / wall }')
    echo "$row" >>"$TSV"
    log "$(grep -v '^WRKJSON' "$out" | grep "^$name:" || echo "$row")"
  done
done

# ---- report ----
echo
echo "Runs:"
echo
echo "| scenario | run | req/s | actions/s | p50 ms | p90 ms | p99 ms | max ms | non-2xx | failed items | socket errors | server CPU % | wrk CPU % |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
tail -n +2 "$TSV" | while IFS= read -r row; do echo "| ${row//$'\t'/ | } |"; done

# medians per scenario (of an even count: the mean of the middle two)
median() {  # scenario column
  awk -F'\t' -v n="$1" -v c="$2" 'NR > 1 && $1 == n { v[++k] = $c } END {
    if (k == 0) { print 0; exit }
    for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    print (k % 2) ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2 }' "$TSV"
}
total() { awk -F'\t' -v n="$1" -v c="$2" 'NR > 1 && $1 == n { s += $c } END { print s + 0 }' "$TSV"; }

BASE_RPS=$(median "$BASE_NAME" 3)
: >"$OUT_DIR/summary.txt"
echo
echo "Summary (medians of $REPEAT runs; ratio = scenario req/s / $BASE_NAME req/s of this run):"
echo
echo "| scenario | req/s | actions/s | p50 ms | p99 ms | vs baseline | non-2xx | failed items | socket errors | server CPU % | wrk CPU % |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for s in "${SCENARIOS[@]}"; do
  IFS='|' read -r name _ _ _ _ _ _ <<<"$s"
  rps=$(median "$name" 3); aps=$(median "$name" 4); p50=$(median "$name" 5); p99=$(median "$name" 7)
  bad=$(total "$name" 9); fi=$(total "$name" 10); se=$(total "$name" 11); scpu=$(median "$name" 12); wcpu=$(median "$name" 13)
  ratio=$(awk -v a="$rps" -v b="$BASE_RPS" 'BEGIN { printf (b > 0 ? "%.1f%%" : "-"), 100 * a / b }')
  printf '| %s | %.0f | %.0f | %.2f | %.2f | %s | %d | %d | %d | %.0f | %.0f |\n' "$name" "$rps" "$aps" "$p50" "$p99" "$ratio" "$bad" "$fi" "$se" "$scpu" "$wcpu"
  echo "SUMMARY name=$name req_s=$rps actions_s=$aps p50_ms=$p50 p99_ms=$p99 non2xx=$bad failed_items=$fi socket_errors=$se server_cpu_pct=$scpu wrk_cpu_pct=$wcpu" >>"$OUT_DIR/summary.txt"
done
echo
echo "CPU % = CPU seconds / wall seconds x 100 over one run (200 = both cores); server = the process under test."
echo "Greengage data directory after the runs: $(du -sh "$WORK/data" | cut -f1) ($(cd "$WORK/data" && ls -l | awk 'NR > 1 { printf "%s %.0f MB; ", $9, $5 / 1048576 }'))"
echo "Load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "Targets:"
if [[ "$SCENARIO_SET" == "start" ]]; then
  START_RPS=$(median greengage-start 3)
  ta=$(awk -v a="$START_RPS" -v b="$BASE_RPS" 'BEGIN { print (b > 0 && a / b >= 0.40) ? "met" : "NOT met" }')
  echo "- (a) greengage-start req/s >= 40% of bare-body ($BODY_BYTES-byte body): $(awk -v a="$START_RPS" -v b="$BASE_RPS" 'BEGIN { printf (b > 0 ? "%.1f%%" : "-"), 100 * a / b }') -> $ta"
  if [[ -n "$PEERS_DIR" ]]; then
    UNLEASH_RPS=$(median unleash-frontend 3)
    tu=$(awk -v a="$START_RPS" -v b="$UNLEASH_RPS" 'BEGIN { print (b > 0 && a / b >= 20) ? "met" : "NOT met" }')
    echo "- (b) greengage-start req/s >= 20 x unleash-frontend: $(awk -v a="$START_RPS" -v b="$UNLEASH_RPS" 'BEGIN { printf (b > 0 ? "%.1fx" : "-"), a / b }') -> $tu"
  else
    echo "- (b) greengage-start vs Unleash: not measured (set PEERS_DIR)"
  fi
elif [[ "$SCENARIO_SET" == "mix" ]]; then
  MIX_APS=$(median mix 4); MIX_P99=$(median mix 7)
  tm=$(awk -v a="$MIX_APS" -v p="$MIX_P99" 'BEGIN { print (a >= 100000 && p < 50) ? "met" : "NOT met" }')
  echo "- tracking mix >= 100,000 durable actions/s with p99 < 50 ms: $(printf '%.0f' "$MIX_APS") actions/s, p99 $(printf '%.2f' "$MIX_P99") ms -> $tm"
  if [[ -n "${TRIGGERS:-}" ]]; then
    TRIG_APS=$(median mix-b 4); TRIG_P99=$(median mix-b 7)
    tt=$(awk -v a="$TRIG_APS" -v b="$MIX_APS" 'BEGIN { print (b > 0 && a >= 0.9 * b) ? "met" : "NOT met" }')
    echo "- the mix with $TRIGGERS triggered messages (mix-b) at most 10% slower: $(printf '%.0f' "$TRIG_APS") vs $(printf '%.0f' "$MIX_APS") actions/s ($(awk -v a="$TRIG_APS" -v b="$MIX_APS" 'BEGIN { printf (b > 0 ? "%+.1f%%" : "-"), 100 * (a / b - 1) }')), p99 $(printf '%.2f' "$TRIG_P99") ms -> $tt"
  fi
else
  TRACK_RPS=$(median track 3); MULTI_APS=$(median multi20 4); MULTI_P99=$(median multi20 7)
  tb=$(awk -v a="$TRACK_RPS" -v b="$BASE_RPS" 'BEGIN { print (b > 0 && a / b >= 0.40) ? "met" : "NOT met" }')
  tc=$(awk -v a="$MULTI_APS" -v p="$MULTI_P99" 'BEGIN { print (a >= 100000 && p < 50) ? "met" : "NOT met" }')
  echo "- (b) track req/s >= 40% of baseline: $(awk -v a="$TRACK_RPS" -v b="$BASE_RPS" 'BEGIN { printf (b > 0 ? "%.1f%%" : "-"), 100 * a / b }') -> $tb"
  echo "- (c) multi20 >= 100,000 acknowledged actions/s with p99 < 50 ms: $(printf '%.0f' "$MULTI_APS") actions/s, p99 $(printf '%.2f' "$MULTI_P99") ms -> $tc"
fi
[[ "${SMOKE:-0}" != "1" ]] || echo "  (SMOKE=1: a ${DURATION} cold run; these figures mean nothing)"
echo
cat "$OUT_DIR/summary.txt"
echo
[[ "$DROP_OUT_DIR" == "1" ]] || echo "Raw output: $OUT_DIR"
