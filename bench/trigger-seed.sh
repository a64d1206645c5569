#!/usr/bin/env bash
# Seeds server-triggered messages for the tracking mix (bench/run.sh SCENARIO_SET=mix TRIGGERS=N): the delivery
# issue's item 8 re-runs the tracking issue's ingestion benchmark "with 20 triggered messages defined". The messages
# trigger on what bench/wrk/mix.lua sends, so every event, state and attribute change of the mix is looked up and
# most of them match a trigger:
#   message i mod 20 = 0..5    event  (Open, Purchase, Level Up, Tap Banner, Share, Search), rule: score is 37 i
#                     6..9     state entered (Home, Shop, Level, Settings), rule: score is 37 i
#                     10..12   attribute plan changes to free / gold / pro, rule: score is 37 i
#                     13       attribute score changes, rule: score is 500
#                     14..19   event with parameter source = newsletter (the mix sends source = bench: never fires)
# The rules (the mix draws score from 0..1000) make about 1 in 1000 matched triggers send, as a real app's audiences
# would; each message is capped at one per user per day. A send is a webhook GET to WEBHOOK_URL (the bench's bare
# server on loopback), through the outbox like any other: the server must run with
# Greengage:Delivery:Webhook:AllowPrivateNetworks=true (bench/run.sh starts it so), or every send is refused.
#
# Env: GG_URL, GG_APP_ID, ADMIN_TOKEN, WEBHOOK_URL, TRIGGERS (default 20).
set -euo pipefail
: "${GG_URL:?}" "${GG_APP_ID:?}" "${ADMIN_TOKEN:?}" "${WEBHOOK_URL:?}"
TRIGGERS="${TRIGGERS:-20}"
events=("Open" "Purchase" "Level Up" "Tap Banner" "Share" "Search")
states=("Home" "Shop" "Level" "Settings")
plans=("free" "gold" "pro")

admin() {  # method path [json body]
  local out code
  out=$(mktemp)
  code=$(curl -s -m 30 -o "$out" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $ADMIN_TOKEN" \
    ${3:+-H 'Content-Type: application/json' --data "$3"} "$GG_URL/admin/v1/apps/$GG_APP_ID$2")
  [[ "$code" == 2* ]] || { echo "trigger-seed: $1 $2 -> $code $(head -c 500 "$out")" >&2; rm -f "$out"; exit 1; }
  cat "$out"; rm -f "$out"
}

for ((i = 0; i < TRIGGERS; i++)); do
  k=$((i % 20))
  rule="{\"subject\":\"attribute\",\"name\":\"score\",\"op\":\"is\",\"value\":$((37 * k))}"
  if ((k <= 5)); then
    trigger="{\"subject\":\"event\",\"noun\":\"${events[k]}\"}"
  elif ((k <= 9)); then
    trigger="{\"subject\":\"state\",\"noun\":\"${states[k - 6]}\"}"
  elif ((k <= 12)); then
    trigger="{\"subject\":\"userAttribute\",\"noun\":\"plan\",\"verb\":\"changesTo\",\"objects\":[\"${plans[k - 10]}\"]}"
  elif ((k == 13)); then
    trigger='{"subject":"userAttribute","noun":"score","verb":"changes"}'
    rule='{"subject":"attribute","name":"score","op":"is","value":500}'
  else
    trigger="{\"subject\":\"event\",\"noun\":\"${events[k - 14]}\",\"verb\":\"triggersWithParameter\",\"objects\":[\"source\",\"newsletter\"]}"
    rule=""
  fi
  body="{\"name\":\"trigger $i\",\"channel\":\"webhook\",\"values\":{\"URL\":\"$WEBHOOK_URL\",\"Method\":\"GET\"},\"serverTriggers\":[$trigger],\"caps\":{\"day\":1}${rule:+,\"rule\":$rule}}"
  id=$(admin POST /messages "$body" | grep -o '"id":[0-9]*' | head -1 | cut -d: -f2)
  admin POST "/messages/$id/activate" >/dev/null
done
echo "trigger-seed: $TRIGGERS triggered webhook messages active on app $GG_APP_ID" >&2
