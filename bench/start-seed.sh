#!/usr/bin/env bash
# Seeds a Greengage app for the `start` benchmark (bench/run.sh, SCENARIO_SET=start): content and returning users.
#   - code defaults: one setVars (development key) of 200 variables in 4 groups (ui: 50 strings, shop: 50 integers,
#     level: 50 floats, feature: 50 bools), app version "1.0";
#   - 30 live values (admin API), spread over the 4 groups;
#   - 20 audiences (admin API) over userBucket ranges, the attributes plan/score/cohort, country and locale, each
#     matching about half of the users;
#   - 10 A/B tests (admin API), test i targeting audience i*2, with 2-4 variants (control + 1-3) that override 3
#     variables each, all started;
#   - MESSAGES (default 0) active in-app messages (admin API), message j targeting audience (j mod 20) and a window of
#     600 of the 1000 user buckets that starts at (211 j mod 1000), so that about 30% of them reach each user (about
#     30 of 100); templates Alert, Confirm, Center
#     Popup and Interstitial in turn, start or event triggers, limits, no personalised text;
#   - USERS users u1..uN (device dN), each with one `start` (appVersion 1.0, includeDefaults=false, country, locale
#     and userAttributes plan/score/cohort derived from N), sent as JS-shaped `multi` batches of SEED_BATCH items
#     with different users, SEED_PARALLEL batches at a time. Every item must answer success.
# The user N -> country/locale mapping is repeated in bench/wrk/start.lua (returning users send the same ones).
#
# Env (all required unless a default is given): GG_URL (http://127.0.0.1:port), GG_APP_ID, GG_CLIENT_KEY (production),
#   GG_DEV_KEY (development), ADMIN_TOKEN, USERS, MESSAGES=0, SEED_BATCH=1000, SEED_PARALLEL=2, SEED_DIR (scratch, default mktemp)
# Prints progress on stderr; exits non-zero on the first failure.
set -euo pipefail

: "${GG_URL:?}" "${GG_APP_ID:?}" "${GG_CLIENT_KEY:?}" "${GG_DEV_KEY:?}" "${ADMIN_TOKEN:?}" "${USERS:?}"
SEED_BATCH="${SEED_BATCH:-1000}" SEED_PARALLEL="${SEED_PARALLEL:-2}"
OWN_DIR=0
if [[ -z "${SEED_DIR:-}" ]]; then SEED_DIR="$(mktemp -d /tmp/greengage-start-seed.XXXXXX)"; OWN_DIR=1; fi
mkdir -p "$SEED_DIR"
[[ "$OWN_DIR" == "0" ]] || trap 'rm -rf "$SEED_DIR"' EXIT

log() { echo "seed: $*" >&2; }
die() { echo "seed: error: $*" >&2; exit 1; }

admin() {  # method path [json body] -> prints the answer; fails on a non-2xx status
  local method=$1 path=$2 body=${3:-} out code
  out="$SEED_DIR/admin.out"
  code=$(curl -s -m 30 -o "$out" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $ADMIN_TOKEN" \
    ${body:+-H 'Content-Type: application/json' --data "$body"} "$GG_URL/admin/v1/apps/$GG_APP_ID$path")
  [[ "$code" == 2* ]] || die "$method $path -> $code $(head -c 500 "$out")"
  cat "$out"
}
id_of() { grep -o '"id":[0-9]*' | head -1 | cut -d: -f2; }

api_multi() {  # key file-with-body -> prints the answer
  curl -s -m 300 -X POST -H 'Content-Type: text/plain' --data-binary "@$2" \
    "$GG_URL/api?appId=$GG_APP_ID&client=js&clientKey=$1&sdkVersion=1.9.0&action=multi&time=$(date +%s)"
}

# ---- code defaults: 200 variables ----
awk 'BEGIN {
  printf "{\"data\":[{\"action\":\"setVars\",\"appVersion\":\"1.0\",\"vars\":{"
  printf "\"ui\":{"; for (i = 0; i < 50; i++) printf "%s\"text%02d\":\"Default text %d\"", (i ? "," : ""), i, i; printf "},"
  printf "\"shop\":{"; for (i = 0; i < 50; i++) printf "%s\"price%02d\":%d", (i ? "," : ""), i, 100 + i; printf "},"
  printf "\"level\":{"; for (i = 0; i < 50; i++) printf "%s\"speed%02d\":%d.5", (i ? "," : ""), i, i; printf "},"
  printf "\"feature\":{"; for (i = 0; i < 50; i++) printf "%s\"flag%02d\":%s", (i ? "," : ""), i, (i % 2 ? "true" : "false"); printf "}"
  printf "},\"kinds\":{\"ui\":\"group\",\"shop\":\"group\",\"level\":\"group\",\"feature\":\"group\""
  for (i = 0; i < 50; i++) printf ",\"ui.text%02d\":\"string\",\"shop.price%02d\":\"integer\",\"level.speed%02d\":\"float\",\"feature.flag%02d\":\"bool\"", i, i, i, i
  printf "}}]}"
}' >"$SEED_DIR/setvars.json"
ans=$(api_multi "$GG_DEV_KEY" "$SEED_DIR/setvars.json")
[[ "$ans" == *'"success":true'* && "$ans" != *'"success":false'* ]] || die "setVars failed: ${ans:0:500}"
log "setVars: 200 variables declared for app version 1.0"

# ---- 30 live values ----
for i in $(seq 0 7); do admin PUT "/variables/ui.text$(printf %02d $((i * 6)))" "{\"value\":\"Live text $i\"}" >/dev/null; done
for i in $(seq 0 7); do admin PUT "/variables/shop.price$(printf %02d $((i * 6 + 1)))" "{\"value\":$((90 + i))}" >/dev/null; done
for i in $(seq 0 6); do admin PUT "/variables/level.speed$(printf %02d $((i * 7 + 2)))" "{\"value\":$i.25}" >/dev/null; done
for i in $(seq 0 6); do admin PUT "/variables/feature.flag$(printf %02d $((i * 7 + 3)))" "{\"value\":$([[ $(((i * 7 + 3) % 2)) == 1 ]] && echo false || echo true)}" >/dev/null; done
log "30 live values set"

# ---- 20 audiences, each about half of the users ----
B() { echo "{\"subject\":\"userBucket\",\"op\":\"$1\",\"value\":$2}"; }
A() { echo "{\"subject\":\"attribute\",\"name\":\"$1\",\"op\":\"$2\",\"value\":$3}"; }
AV() { echo "{\"subject\":\"attribute\",\"name\":\"$1\",\"op\":\"is\",\"values\":$2}"; }
RULES=(
  "$(B lessThan 500)"
  "$(B atLeast 500)"
  "{\"and\":[$(B atLeast 250),$(B lessThan 750)]}"
  "{\"or\":[$(B lessThan 250),$(B atLeast 750)]}"
  "{\"and\":[$(B atLeast 100),$(B lessThan 600)]}"
  "$(AV plan '["free","gold"]')"
  "$(AV plan '["pro","basic"]')"
  "$(AV plan '["gold","pro"]')"
  "$(A score lessThan 500)"
  "$(A score atLeast 500)"
  "{\"and\":[$(A score atLeast 200),$(A score lessThan 700)]}"
  "$(AV cohort '["a","c"]')"
  "$(AV cohort '["b","d"]')"
  "{\"subject\":\"country\",\"op\":\"is\",\"values\":[\"US\",\"DE\",\"FR\"]}"
  "{\"subject\":\"country\",\"op\":\"is\",\"values\":[\"GB\",\"BR\",\"JP\"]}"
  "{\"subject\":\"locale\",\"op\":\"is\",\"values\":[\"en_US\",\"de_DE\",\"fr_FR\"]}"
  "{\"or\":[$(B lessThan 300),$(A plan is '"gold"')]}"
  "{\"or\":[{\"subject\":\"country\",\"op\":\"is\",\"values\":[\"US\",\"DE\"]},$(A score lessThan 300)]}"
  "{\"not\":$(AV plan '["free","gold"]')}"
  "{\"and\":[$(B lessThan 700),{\"not\":$(AV cohort '["a"]')}]}"
)
AUDIENCES=()
for i in "${!RULES[@]}"; do
  AUDIENCES+=("$(admin POST /audiences "{\"name\":\"bench audience $i\",\"rule\":${RULES[$i]}}" | id_of)")
done
log "${#AUDIENCES[@]} audiences created (ids ${AUDIENCES[*]})"

# ---- 10 running A/B tests, 2-4 variants each, 3 overridden variables per variant ----
GROUPS_=(ui shop level feature)
override() {  # test variant -> "vars" JSON of 3 overrides (variables no live value touches)
  local t=$1 v=$2 k out="" g n
  for k in 0 1 2; do
    g=${GROUPS_[$(((t + k) % 4))]}; n=$(printf %02d $(((t * 4 + k * 13 + 5) % 50)))
    case $g in
      ui) out+="\"ui.text$n\":\"Test $t variant $v\"," ;;
      shop) out+="\"shop.price$n\":$((200 + t * 10 + v))," ;;
      level) out+="\"level.speed$n\":$t.$((v + 1))," ;;
      feature) out+="\"feature.flag$n\":$([[ $(((t + v) % 2)) == 0 ]] && echo true || echo false)," ;;
    esac
  done
  echo "{${out%,}}"
}
TESTS=()
for t in $(seq 0 9); do
  n=$((2 + t % 3))
  case $n in 2) pcts=(50 50) ;; 3) pcts=(34 33 33) ;; 4) pcts=(25 25 25 25) ;; esac
  variants="{\"name\":\"Control\",\"percent\":${pcts[0]}}"
  for v in $(seq 1 $((n - 1))); do variants+=",{\"name\":\"V$v\",\"percent\":${pcts[$v]},\"vars\":$(override "$t" "$v")}"; done
  id=$(admin POST /ab-tests "{\"name\":\"bench test $t\",\"audienceId\":${AUDIENCES[$((t * 2))]},\"sticky\":true,\"variants\":[$variants]}" | id_of)
  admin POST "/ab-tests/$id/start" >/dev/null
  TESTS+=("$id")
done
log "${#TESTS[@]} A/B tests running (ids ${TESTS[*]})"

# ---- MESSAGES active in-app messages over the 20 audiences, about 30% reaching each user ----
MESSAGES="${MESSAGES:-0}"
TEMPLATES=("Alert" "Confirm" "Center Popup" "Interstitial")
for j in $(seq 0 $((MESSAGES - 1))); do
  tpl=${TEMPLATES[$((j % 4))]}
  case $tpl in
    Alert) values="{\"Title\":\"Message $j\",\"Message\":\"Alert text for message $j, long enough to look like real copy.\"}" ;;
    Confirm) values="{\"Title\":\"Message $j\",\"Message\":\"Confirm text for message $j\",\"Accept text\":\"Yes\",\"Cancel text\":\"Later\"}" ;;
    *) values="{}" ;;
  esac
  if ((j % 3 == 0)); then trigger='{"subject":"start"}'; else trigger="{\"subject\":\"event\",\"noun\":\"Event $((j % 10))\"}"; fi
  # a window of 600 of the 1000 user buckets, starting at a different bucket per message (wrapping around)
  from=$(((j * 211) % 1000)); to=$((from + 600))
  if ((to <= 1000)); then window="{\"and\":[$(B atLeast $from),$(B lessThan $to)]}"; else window="{\"or\":[$(B atLeast $from),$(B lessThan $((to - 1000)))]}"; fi
  rule="{\"and\":[{\"subject\":\"audience\",\"name\":\"${AUDIENCES[$((j % 20))]}\",\"op\":\"is\"},$window]}"
  id=$(admin POST /messages "{\"name\":\"bench message $j\",\"channel\":\"in-app\",\"template\":\"$tpl\",\"values\":$values,\"rule\":$rule,\"priority\":$((j % 7 * 100)),\"whenTriggers\":[$trigger],\"limits\":[{\"subject\":\"times\",\"noun\":\"$((1 + j % 3))\",\"verb\":\"limitUser\"}]}" | id_of)
  admin POST "/messages/$id/activate" >/dev/null
done
((MESSAGES == 0)) || log "$MESSAGES in-app messages active"

# ---- USERS returning users: one start each, in multi batches of SEED_BATCH different users ----
t0=$(date +%s.%N)
awk -v users="$USERS" -v batch="$SEED_BATCH" -v dir="$SEED_DIR" 'BEGIN {
  split("US DE FR GB BR JP", country, " "); split("en_US de_DE fr_FR en_GB pt_BR ja_JP", locale, " ")
  split("free gold pro basic", plan, " "); split("a b c d", cohort, " ")
  for (u = 1; u <= users; u++) {
    if ((u - 1) % batch == 0) { if (f) { printf "]}" > f; close(f) } f = sprintf("%s/users-%06d.json", dir, u); printf "{\"data\":[" > f; sep = "" }
    # same mapping as bench/wrk/start.lua: country and locale by (u mod 6)
    c = u % 6 + 1
    printf "%s{\"userId\":\"u%d\",\"deviceId\":\"d%d\",\"action\":\"start\",\"appVersion\":\"1.0\",\"includeDefaults\":false,\"country\":\"%s\",\"locale\":\"%s\",\"userAttributes\":\"{\\\"plan\\\":\\\"%s\\\",\\\"score\\\":%d,\\\"cohort\\\":\\\"%s\\\"}\"}", \
      sep, u, u, country[c], locale[c], plan[u % 4 + 1], (u * 7919) % 1000, cohort[int(u / 4) % 4 + 1] > f
    sep = ","
  }
  if (f) { printf "]}" > f; close(f) }
}'
export -f api_multi; export GG_URL GG_APP_ID GG_CLIENT_KEY
# one line per batch: "<file> <items answered success> <items failed>"
ls "$SEED_DIR"/users-*.json | xargs -P "$SEED_PARALLEL" -I{} bash -c \
  'a=$(api_multi "$GG_CLIENT_KEY" "{}" | grep -o "\"success\":[a-z]*" | sort | uniq -c | tr "\n" " "); echo "{} $a"' \
  >"$SEED_DIR/users.log"
ok=$(awk '{ for (i = 2; i < NF; i += 2) if ($(i + 1) == "\"success\":true") s += $i } END { print s + 0 }' "$SEED_DIR/users.log")
bad=$(awk '{ for (i = 2; i < NF; i += 2) if ($(i + 1) == "\"success\":false") s += $i } END { print s + 0 }' "$SEED_DIR/users.log")
secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
if [[ "$ok" -ne "$USERS" || "$bad" -ne 0 ]]; then
  head -n 5 "$SEED_DIR/users.log" >&2
  die "user seeding: $ok starts succeeded and $bad failed of $USERS"
fi
log "$USERS users started once each in ${secs} s ($(awk -v n="$USERS" -v s="$secs" 'BEGIN { printf "%.0f", n / s }') starts/s, batches of $SEED_BATCH, $SEED_PARALLEL at a time)"
