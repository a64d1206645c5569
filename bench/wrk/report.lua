-- Shared by every scenario in this folder: load it first with
--   dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")
-- It defines setup(), response() and done(); scenarios define init() and request() only.
-- * response() checks every answer: a status outside 200-299 counts as non-2xx, and each '"success":false' in the
--   body counts as one failed item (a multi answers 200 even when some of its items fail). The same check runs for
--   the baseline, so wrk does the same work per response in every scenario.
-- * done() prints a readable summary and one machine-readable line, WRKJSON {...}: the fields of
--   ../shared/bench/peers/wrk/report.lua plus items, req_s, actions_s, non2xx and failed_items.
-- Env: ITEMS (actions per request, default 1), SCENARIO (a name for the summary).
items = tonumber(os.getenv("ITEMS") or "1")
non2xx = 0
failed_items = 0

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
  if body then
    local from = 1
    while true do
      local s, e = string.find(body, '"success":false', from, true)
      if not s then break end
      failed_items = failed_items + 1
      from = e + 1
    end
  end
end

function done(summary, latency, requests)
  local bad, failed = 0, 0
  for _, t in ipairs(threads) do
    bad = bad + (t:get("non2xx") or 0)
    failed = failed + (t:get("failed_items") or 0)
  end
  local e = summary.errors
  local secs = summary.duration / 1e6
  local rps = summary.requests / secs
  io.write(string.format(
    "%s: %.0f req/s, %.0f actions/s (%d per request); latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.1f ms; " ..
    "non-2xx %d, failed items %d, socket errors connect %d read %d write %d timeout %d\n",
    os.getenv("SCENARIO") or "scenario", rps, rps * items, items,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    bad, failed, e.connect, e.read, e.write, e.timeout))
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,' ..
    '"err_timeout":%d,"lat_mean_us":%.1f,"lat_p50_us":%d,"lat_p90_us":%d,"lat_p99_us":%d,"lat_max_us":%d,' ..
    '"items":%d,"req_s":%.1f,"actions_s":%.1f,"non2xx":%d,"failed_items":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    items, rps, rps * items, bad, failed))
end
