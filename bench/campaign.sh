#!/usr/bin/env bash
# A scheduled push campaign to USERS users with FCM tokens, sent to a fake FCM on loopback (bench/fake-fcm): the
# delivery issue's item 8. Measures sends per second from the activation of the message to the last send the fake
# answered, and the server's memory (peak RSS sampled every 0.5 s during the campaign, and VmHWM at the end).
# Targets (item 8): at least 20,000 sends/s, and flat memory: the peak RSS of a campaign to 1,000,000 users at most
# 1.25 times that of a campaign to 100,000.
#
#   bench/campaign.sh                  # 100,000 users
#   USERS=1000000 bench/campaign.sh    # the million (seeding alone takes a while: progress is printed)
#   USERS=200 SKIP_BUILD=1 bench/campaign.sh   # a quick check of the harness
#
# What it does: builds Greengage and the fake FCM (Release, unless SKIP_BUILD=1 or SERVER_DIR/FAKE_FCM_DIR are
# given); starts the fake and Greengage (fresh data directory, free ports, Greengage__Delivery__Fcm__BaseUrl at the
# fake, schedule poll every second); creates an app (admin API) and uploads an FCM service account (a fresh RSA key
# made by the fake) whose token_uri is the fake's /token; seeds USERS users u1..uN, each with `start` and
# `setDeviceAttributes gcmRegistrationId=tok-N` (device dN), as `multi` batches; restarts Greengage on the same data
# directory (RESTART=1, so that the campaign starts in a process without the seeding's grains and memory); then
# drafts a push with a schedule `once` at the next whole second + 2 s in UTC and activates it. It polls the fake's
# /stats until it counted USERS sends, printing progress, and samples VmRSS of both processes every 0.5 s from the
# activation on. sends/s = USERS / (the fake's last send - T0), where T0 is the schedule's instant (`at`, when the
# campaign is due; the schedule runner picks it up at its next poll, at most 1 s later); the same from the activation
# (LEAD s before `at`) is reported too (activation_sends_s).
#
# Why `at` is a little after the activation: the figure then counts from the moment the campaign is due, not from
# an instant already past (a time up to ScheduleRules.Grace before the activation would be sent too, at once).
#
# Env:
#   USERS=100000        users seeded, each with one FCM token; the campaign goes to all of them
#   SEED_BATCH=1000     users per seeding `multi` (2 items each: start, setDeviceAttributes)
#   SEED_PARALLEL=2     seeding multis in flight at once
#   RESTART=1           restart Greengage between seeding and the campaign (0: same process, seeding's memory included)
#   LEAD=3              seconds from now to the schedule's `at` (the message is created and activated meanwhile);
#                       more on a loaded box (the smoke test uses 15): sends/s counts from `at` either way
#   TIMEOUT=            seconds the campaign may take before the script gives up (default 300 + USERS / 250)
#   STALL=120           give up when the fake counted no new send for this many seconds
#   OUT_DIR=dir         logs, RSS samples, /stats and /runs answers (default: a new /tmp/greengage-campaign.* directory, kept)
#   SKIP_BUILD=1        use the Release builds as they are
#   SERVER_DIR=dir      run the Greengage.Server.dll in dir as it is (no build)
#   FAKE_FCM_DIR=dir    run the FakeFcm.dll in dir as it is (no build)
#   GG_PORT, FCM_PORT   ports (default: free ones)
# Other Greengage settings can be given as environment variables (Greengage__Delivery__Outbox__MaxInFlight=128, ...):
# the server inherits the environment.
# Output: progress on stderr; a summary on stdout ending with the line
#   SUMMARY users=N sends_s=X peak_rss_mb=Y seconds=Z sent=N ...
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"

log() { echo "campaign: $*" >&2; }
die() { echo "campaign: error: $*" >&2; exit 1; }
source "$HERE/lib.sh"  # stop_pid, free_port, wait_http, ticks_of
now_ms() { date +%s%3N; }

USERS="${USERS:-100000}" SEED_BATCH="${SEED_BATCH:-1000}" SEED_PARALLEL="${SEED_PARALLEL:-2}" RESTART="${RESTART:-1}"
for v in USERS SEED_BATCH SEED_PARALLEL; do [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive number"; done
((SEED_BATCH <= 5000)) || die "SEED_BATCH is at most 5000 (2 items per user, at most 10,000 items per request)"
TIMEOUT="${TIMEOUT:-$((300 + USERS / 250))}" STALL="${STALL:-120}"
OUT_DIR="${OUT_DIR:-$(mktemp -d /tmp/greengage-campaign.XXXXXX)}"
mkdir -p "$OUT_DIR"

command -v curl >/dev/null || die "curl is not installed"
command -v dotnet >/dev/null || die "dotnet is not on PATH"

# ---- cleanup: every process this script starts is recorded here and stopped by PID on exit ----
PIDS=() KILLED=0
WORK="$(mktemp -d /tmp/greengage-campaign-work.XXXXXX)"
cleanup() {
  local rc=$? pid
  for pid in "${PIDS[@]}"; do stop_pid "$pid" 15; done
  rm -rf "$WORK"
  [[ $rc -eq 0 ]] || log "logs kept in $OUT_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

kb_of() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }  # VmRSS / VmHWM in kB
json_num() { grep -o "\"$2\":-\?[0-9.]*" <<<"$1" | head -1 | cut -d: -f2; }
json_str() { grep -o "\"$2\":\"[^\"]*\"" <<<"$1" | head -1 | cut -d'"' -f4; }

# ---- build ----
# --disable-build-servers: no MSBuild nodes or compiler servers are left running after the build.
SERVER_BIN="${SERVER_DIR:-$ROOT/src/Greengage.Server/bin/Release/net10.0}"
FAKE_BIN="${FAKE_FCM_DIR:-$HERE/fake-fcm/bin/Release/net10.0}"
if [[ "${SKIP_BUILD:-0}" != "1" ]]; then
  if [[ -z "${SERVER_DIR:-}" ]]; then
    log "building Greengage.Server (Release)"
    dotnet build "$ROOT/src/Greengage.Server/Greengage.Server.csproj" -c Release --nologo -v q --disable-build-servers \
      >"$OUT_DIR/build-greengage.log" 2>&1 || { tail -n 40 "$OUT_DIR/build-greengage.log" >&2; die "Greengage build failed"; }
  fi
  if [[ -z "${FAKE_FCM_DIR:-}" ]]; then
    log "building the fake FCM (Release)"
    dotnet build "$HERE/fake-fcm/FakeFcm.csproj" -c Release --nologo -v q --disable-build-servers \
      >"$OUT_DIR/build-fake-fcm.log" 2>&1 || { tail -n 40 "$OUT_DIR/build-fake-fcm.log" >&2; die "fake FCM build failed"; }
  fi
fi
[[ -f "$SERVER_BIN/Greengage.Server.dll" ]] || die "no Greengage.Server.dll in $SERVER_BIN (build it, or run without SKIP_BUILD/SERVER_DIR)"
[[ -f "$FAKE_BIN/FakeFcm.dll" ]] || die "no FakeFcm.dll in $FAKE_BIN (build bench/fake-fcm, or run without SKIP_BUILD/FAKE_FCM_DIR)"
# Run from private copies: other builds in the same checkout may rewrite bin/ while the servers run.
cp -a "$SERVER_BIN" "$WORK/server"
cp -a "$FAKE_BIN" "$WORK/fake-fcm"

# ---- start the fake FCM and Greengage ----
FCM_PORT="${FCM_PORT:-$(free_port)}"
FCM_URL="http://127.0.0.1:$FCM_PORT"
(cd "$WORK/fake-fcm" && exec dotnet FakeFcm.dll --port "$FCM_PORT") >"$OUT_DIR/fake-fcm.log" 2>&1 </dev/null &
FCM_PID=$!; PIDS+=("$FCM_PID")
log "fake FCM started (pid $FCM_PID) on $FCM_URL"

GG_PORT="${GG_PORT:-$(free_port)}"
[[ "$GG_PORT" != "$FCM_PORT" ]] || GG_PORT=$(free_port)
GG_URL="http://127.0.0.1:$GG_PORT"
ADMIN_TOKEN="bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
mkdir -p "$WORK/data"
GG_PID=
start_greengage() {  # logfile
  # The content root is the working directory: start in the build output so its appsettings.json applies.
  (cd "$WORK/server" && exec env Greengage__Delivery__Fcm__BaseUrl="$FCM_URL" Greengage__Delivery__Schedule__PollInterval=00:00:01 \
    dotnet Greengage.Server.dll --urls "$GG_URL" --Greengage:DataDirectory="$WORK/data" --Greengage:AdminToken="$ADMIN_TOKEN") \
    >"$1" 2>&1 </dev/null &
  GG_PID=$!; PIDS+=("$GG_PID")
  log "greengage started (pid $GG_PID) on $GG_URL, data $WORK/data, log $1"
  wait_http "$GG_URL/healthz" 120 "$GG_PID" "$1"
}
wait_http "$FCM_URL/stats" 60 "$FCM_PID" "$OUT_DIR/fake-fcm.log"
start_greengage "$OUT_DIR/greengage-seed.log"
GG_LOG="$OUT_DIR/greengage-seed.log"

admin() {  # method path [json body | @file] -> prints the answer; fails on a non-2xx status
  local method=$1 path=$2 body=${3:-} out="$WORK/admin.out" code
  code=$(curl -s -m 60 -o "$out" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $ADMIN_TOKEN" \
    ${body:+-H 'Content-Type: application/json' --data-binary "$body"} "$GG_URL/admin/v1$path") || code="curl failed"
  [[ "$code" == 2* ]] || die "$method $path -> $code $(head -c 500 "$out" 2>/dev/null)"
  cat "$out"
}

# ---- the app and its FCM credentials ----
app=$(admin POST /apps '{"name":"campaign bench"}')
APP_ID=$(json_str "$app" appId); CLIENT_KEY=$(json_str "$app" production)
[[ -n "$APP_ID" && -n "$CLIENT_KEY" ]] || die "no appId / production key in the created app: ${app:0:300}"
curl -fs -m 30 -o "$WORK/service-account.json" "$FCM_URL/service-account?project=greengage-bench" || die "the fake FCM made no service account"
fcm=$(admin PUT "/apps/$APP_ID/delivery/fcm" "@$WORK/service-account.json")
log "app $APP_ID; FCM credentials stored (token_uri $FCM_URL/token): ${fcm:0:200}"

# ---- USERS users, each with an FCM token, in multi batches of SEED_BATCH users ----
t0=$(now_ms)
mkdir -p "$WORK/seed"
awk -v users="$USERS" -v batch="$SEED_BATCH" -v dir="$WORK/seed" 'BEGIN {
  for (u = 1; u <= users; u++) {
    if ((u - 1) % batch == 0) { if (f) { printf "]}" > f; close(f) } f = sprintf("%s/users-%07d.json", dir, u); printf "{\"data\":[" > f; sep = "" }
    printf "%s{\"userId\":\"u%d\",\"deviceId\":\"d%d\",\"action\":\"start\",\"appVersion\":\"1.0\"},{\"userId\":\"u%d\",\"deviceId\":\"d%d\",\"action\":\"setDeviceAttributes\",\"gcmRegistrationId\":\"tok-%d\"}", sep, u, u, u, u, u > f
    sep = ","
  }
  if (f) { printf "]}" > f; close(f) }
}'
BATCHES=$(find "$WORK/seed" -name 'users-*.json' | wc -l)
export GG_URL APP_ID CLIENT_KEY
# one line per batch: "<file> <count> "success":true <count> "success":false"
find "$WORK/seed" -name 'users-*.json' | sort | xargs -P "$SEED_PARALLEL" -I{} bash -c \
  'a=$(curl -s -m 600 -X POST -H "Content-Type: text/plain" --data-binary "@{}" \
     "$GG_URL/api?appId=$APP_ID&client=android&clientKey=$CLIENT_KEY&sdkVersion=7.0.0&action=multi&time=$(date +%s)" \
     | grep -o "\"success\":[a-z]*" | sort | uniq -c | tr "\n" " "); echo "{} $a"' >"$WORK/seed.log" &
SEED_PID=$!; PIDS+=("$SEED_PID")
last_report=$t0
while kill -0 "$SEED_PID" 2>/dev/null; do
  sleep 1
  kill -0 "$GG_PID" 2>/dev/null || die "greengage (pid $GG_PID) died while seeding (log $GG_LOG)"
  now=$(now_ms)
  if ((now - last_report >= 5000)); then
    done_=$(wc -l <"$WORK/seed.log")
    log "seeding: $done_ of $BATCHES batches ($((done_ * SEED_BATCH < USERS ? done_ * SEED_BATCH : USERS)) users), $(awk -v n="$((done_ * SEED_BATCH))" -v ms="$((now - t0))" 'BEGIN { printf "%.0f", n * 1000 / ms }') users/s, RSS $(( $(kb_of "$GG_PID" VmRSS) / 1024 )) MB"
    last_report=$now
  fi
done
wait "$SEED_PID" || die "seeding failed"
ok=$(awk '{ for (i = 2; i < NF; i += 2) if ($(i + 1) == "\"success\":true") s += $i } END { print s + 0 }' "$WORK/seed.log")
bad=$(awk '{ for (i = 2; i < NF; i += 2) if ($(i + 1) == "\"success\":false") s += $i } END { print s + 0 }' "$WORK/seed.log")
SEED_SECS=$(awk -v ms="$(( $(now_ms) - t0 ))" 'BEGIN { printf "%.1f", ms / 1000 }')
cp "$WORK/seed.log" "$OUT_DIR/seed.log"
if [[ "$ok" -ne $((2 * USERS)) || "$bad" -ne 0 ]]; then
  grep -v "$((2 * SEED_BATCH)) \"success\":true *$" "$WORK/seed.log" | head -n 5 >&2 || true
  die "seeding: $ok items succeeded and $bad failed of $((2 * USERS)) (start + setDeviceAttributes per user)"
fi
SEED_RSS_MB=$(( $(kb_of "$GG_PID" VmHWM) / 1024 ))
log "$USERS users seeded in $SEED_SECS s ($(awk -v n="$USERS" -v s="$SEED_SECS" 'BEGIN { printf "%.0f", n / s }') users/s), greengage peak RSS while seeding $SEED_RSS_MB MB"

if [[ "$RESTART" == "1" ]]; then
  log "restarting greengage (same data directory) so the campaign starts in a fresh process"
  # Its queued writes are committed before it exits: wait for that (killing it would lose seeded users).
  t_stop=$(now_ms)
  KILLED=0; stop_pid "$GG_PID" 600
  [[ "$KILLED" == "0" ]] || die "greengage did not stop in 600 s after seeding (log $OUT_DIR/greengage-seed.log)"
  log "greengage stopped in $(awk -v ms="$(( $(now_ms) - t_stop ))" 'BEGIN { printf "%.1f", ms / 1000 }') s"
  start_greengage "$OUT_DIR/greengage.log"
  GG_LOG="$OUT_DIR/greengage.log"
fi

# ---- the campaign ----
FAKE_BEFORE=$(curl -fs -m 10 "$FCM_URL/stats") || die "no /stats from the fake FCM"
[[ "$(json_num "$FAKE_BEFORE" count)" == "0" ]] || die "the fake FCM counted sends before the campaign: $FAKE_BEFORE"
# at: LEAD seconds from now (UTC), whole seconds; the activation must come before it (see the header).
LEAD="${LEAD:-3}"
AT_EPOCH=$(( $(date +%s) + LEAD ))
AT=$(date -u -d "@$AT_EPOCH" +%Y-%m-%dT%H:%M:%S)
msg=$(admin POST "/apps/$APP_ID/messages" \
  "{\"name\":\"campaign bench\",\"channel\":\"push\",\"values\":{\"Message\":\"Hello from the campaign benchmark\"},\"schedule\":{\"at\":\"$AT\",\"timeZone\":\"UTC\",\"repeat\":\"once\"}}")
MSG_ID=$(grep -o '"id":[0-9]*' <<<"$msg" | head -1 | cut -d: -f2)
[[ -n "$MSG_ID" ]] || die "no message id in ${msg:0:300}"

START_RSS_KB=$(kb_of "$GG_PID" VmRSS); S0=$(ticks_of "$GG_PID"); F0=$(ticks_of "$FCM_PID")
( while kill -0 "$GG_PID" 2>/dev/null; do echo "$(now_ms) $(kb_of "$GG_PID" VmRSS) $(kb_of "$FCM_PID" VmRSS)"; sleep 0.5; done ) >"$OUT_DIR/rss.txt" &
SAMPLER_PID=$!; PIDS+=("$SAMPLER_PID")
T0=$(now_ms)
act=$(admin POST "/apps/$APP_ID/messages/$MSG_ID/activate")
PUBLISHED=$(json_str "$act" published)
PUB_MS=$(( $(date -d "$PUBLISHED" +%s%N) / 1000000 ))
((PUB_MS <= AT_EPOCH * 1000)) || die "the activation ($PUBLISHED) came after the schedule's at ($AT UTC): it would never be sent; the machine is too slow for a $LEAD s lead (set LEAD)"
log "message $MSG_ID activated at $(date -u -d "@$((T0 / 1000))" +%H:%M:%S) (published $PUBLISHED), scheduled once at $AT UTC; waiting for $USERS sends (timeout ${TIMEOUT} s)"

count=0; last_count=0; last_change=$T0; last_report=$T0; report_count=0; stats=
while :; do
  sleep 1
  kill -0 "$GG_PID" 2>/dev/null || die "greengage (pid $GG_PID) died during the campaign (log $GG_LOG)"
  stats=$(curl -fs -m 10 "$FCM_URL/stats") || die "the fake FCM stopped answering /stats (log $OUT_DIR/fake-fcm.log)"
  count=$(json_num "$stats" count); now=$(now_ms)
  ((count >= USERS)) && break
  ((count == last_count)) || { last_count=$count; last_change=$now; }
  if ((now - last_report >= 3000)); then
    asked=$(curl -s -m 10 -H "Authorization: Bearer $ADMIN_TOKEN" "$GG_URL/admin/v1/apps/$APP_ID/messages/$MSG_ID/runs" | grep -o '"asked":[0-9]*' | head -1 | cut -d: -f2 || true)
    log "asked ${asked:-0}, sent $count of $USERS: $(awk -v d="$((count - report_count))" -v ms="$((now - last_report))" 'BEGIN { printf "%.0f", d * 1000 / ms }') sends/s now, $(awk -v n="$count" -v ms="$((now - T0))" 'BEGIN { printf "%.0f", n * 1000 / ms }') since activation; RSS $(( $(kb_of "$GG_PID" VmRSS) / 1024 )) MB"
    last_report=$now; report_count=$count
  fi
  if ((now - last_change > STALL * 1000 || now - T0 > TIMEOUT * 1000)); then
    curl -s -m 10 -H "Authorization: Bearer $ADMIN_TOKEN" "$GG_URL/admin/v1/apps/$APP_ID/messages/$MSG_ID/runs" >"$OUT_DIR/runs.json" || true
    log "fake FCM /stats: $stats"
    log "runs: $(cat "$OUT_DIR/runs.json")"
    log "greengage log (last 40 lines of $GG_LOG):"; tail -n 40 "$GG_LOG" >&2
    ((now - T0 > TIMEOUT * 1000)) && die "timed out after $TIMEOUT s with $count of $USERS sends"
    die "no new send for $STALL s ($count of $USERS sent)"
  fi
done
FIRST_MS=$(json_num "$stats" firstMs); LAST_MS=$(json_num "$stats" lastMs)
S1=$(ticks_of "$GG_PID"); F1=$(ticks_of "$FCM_PID")
log "all $USERS sends counted by the fake FCM; waiting for the run to finish"
runs=
for _ in $(seq 1 60); do
  runs=$(admin GET "/apps/$APP_ID/messages/$MSG_ID/runs")
  [[ "$runs" == *'"state":"finished"'* ]] && break
  sleep 1
done
sleep 2  # late duplicates, if any, reach the fake
FINAL=$(curl -fs -m 10 "$FCM_URL/stats") || die "no /stats from the fake FCM"
SENT=$(json_num "$FINAL" count); TOKENS=$(json_num "$FINAL" tokens)
failed=$(admin GET "/apps/$APP_ID/deliveries/failed?limit=1000")
FAILED=$( (grep -o '"messageId"' <<<"$failed" || true) | wc -l)
HWM_KB=$(kb_of "$GG_PID" VmHWM); FAKE_HWM_KB=$(kb_of "$FCM_PID" VmHWM)
stop_pid "$SAMPLER_PID"
echo "$runs" >"$OUT_DIR/runs.json"; echo "$FINAL" >"$OUT_DIR/fake-stats.json"

# ---- report ----
CLK=$(getconf CLK_TCK)
read -r PEAK_KB FAKE_PEAK_KB SAMPLES < <(awk -v t0="$T0" -v t1="$LAST_MS" '$1 >= t0 - 1000 && $1 <= t1 + 1000 {
  n++; if ($2 > a) a = $2; if ($3 > b) b = $3 } END { print a + 0, b + 0, n + 0 }' "$OUT_DIR/rss.txt")
((PEAK_KB >= START_RSS_KB)) || PEAK_KB=$START_RSS_KB
# The campaign starts when it is due (AT_MS, the schedule's instant, after the activation): sends/s counts from there.
# From the activation, the LEAD seconds before `at` (see the header) are counted too.
AT_MS=$((AT_EPOCH * 1000))
SECS=$(awk -v a="$AT_MS" -v b="$LAST_MS" 'BEGIN { printf "%.3f", (b - a) / 1000 }')
SENDS_S=$(awk -v n="$USERS" -v s="$SECS" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
ACT_SECS=$(awk -v a="$T0" -v b="$LAST_MS" 'BEGIN { printf "%.3f", (b - a) / 1000 }')
ACT_SENDS_S=$(awk -v n="$USERS" -v s="$ACT_SECS" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
FIRST_S=$(awk -v a="$AT_MS" -v b="$FIRST_MS" 'BEGIN { printf "%.3f", (b - a) / 1000 }')
STEADY_S=$(awk -v n="$USERS" -v a="$FIRST_MS" -v b="$LAST_MS" 'BEGIN { printf "%.0f", (b > a ? (n - 1) * 1000 / (b - a) : 0) }')
CPU_PCT=$(awk -v t="$((S1 - S0))" -v clk="$CLK" -v s="$ACT_SECS" 'BEGIN { printf "%.0f", (s > 0 ? 100 * t / clk / s : 0) }')
FAKE_CPU_PCT=$(awk -v t="$((F1 - F0))" -v clk="$CLK" -v s="$ACT_SECS" 'BEGIN { printf "%.0f", (s > 0 ? 100 * t / clk / s : 0) }')
mb() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
PROBLEMS=$(grep -ciE '^(warn|fail|crit)|exception' "$GG_LOG" || true)

echo
echo "# Campaign benchmark: $USERS users with FCM tokens, one scheduled push, fake FCM on loopback"
echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(free -g | awk '/Mem:/{print $2}') GiB; load average now $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# greengage: $SERVER_BIN, source $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?') + $(git -C "$ROOT" status --porcelain 2>/dev/null | grep -c . || true) changed files; restarted after seeding: $([[ "$RESTART" == "1" ]] && echo yes || echo no)"
echo
echo "| measure | value |"
echo "|---|---|"
echo "| users (sends expected) | $USERS |"
echo "| sends counted by the fake FCM | $SENT$( ((SENT > USERS)) && echo " ($((SENT - USERS)) more than users: duplicates)") |"
echo "| seconds, due instant (schedule at) to last send | $SECS |"
echo "| **sends/s** (users / seconds) | **$SENDS_S** |"
echo "| first send after the due instant | $FIRST_S s (the schedule is polled every 1 s) |"
echo "| sends/s from first to last send | $STEADY_S |"
echo "| seconds and sends/s from the activation (at +$(awk -v a="$T0" -v b="$AT_MS" 'BEGIN { printf "%.1f", (b - a) / 1000 }') s after it) | $ACT_SECS s, $ACT_SENDS_S sends/s |"
echo "| greengage RSS at activation | $(mb "$START_RSS_KB") MB |"
echo "| **greengage peak RSS during the campaign** | **$(mb "$PEAK_KB") MB** ($SAMPLES samples, every 0.5 s) |"
echo "| greengage VmHWM at the end (whole life of the process) | $(mb "$HWM_KB") MB |"
echo "| greengage peak RSS while seeding | $SEED_RSS_MB MB$([[ "$RESTART" == "1" ]] && echo " (an earlier process)") |"
echo "| greengage CPU, activation to last send | $CPU_PCT % (200 = both cores) |"
echo "| fake FCM: peak RSS, CPU, token requests | $(mb "$FAKE_PEAK_KB") MB (VmHWM $(mb "$FAKE_HWM_KB") MB), $FAKE_CPU_PCT %, $TOKENS |"
echo "| failed deliveries listed | $FAILED |"
echo "| warnings/errors in the server log | $PROBLEMS ($GG_LOG) |"
echo "| seeding | $SEED_SECS s ($(awk -v n="$USERS" -v s="$SEED_SECS" 'BEGIN { printf "%.0f", n / s }') users/s, batches of $SEED_BATCH users, $SEED_PARALLEL at a time) |"
echo
echo "Run (GET /admin/v1/apps/$APP_ID/messages/$MSG_ID/runs): $runs"
if ((PROBLEMS > 0)); then
  echo
  echo "Server log warnings/errors (the first lines):"
  awk '/^(warn|fail|crit):/ { p = 1; print; next } /^[a-z]+: / { p = 0 } p' "$GG_LOG" | head -n 60
fi
echo
echo "Target: >= 20,000 sends/s -> $(((SENDS_S >= 20000)) && echo met || echo "NOT met") ($SENDS_S); flat memory: compare peak_rss_mb of USERS=100000 and USERS=1000000 (at most 1.25x)"
echo "Raw output: $OUT_DIR"
echo
echo "SUMMARY users=$USERS sends_s=$SENDS_S peak_rss_mb=$(mb "$PEAK_KB") seconds=$SECS sent=$SENT first_send_s=$FIRST_S steady_sends_s=$STEADY_S activation_sends_s=$ACT_SENDS_S activation_seconds=$ACT_SECS start_rss_mb=$(mb "$START_RSS_KB") hwm_mb=$(mb "$HWM_KB") server_cpu_pct=$CPU_PCT failed=$FAILED log_problems=$PROBLEMS"
