-- Scenario (c): a JS-SDK-shaped `multi` of BATCH (default 20) `track` items for one user per request: auth and
-- action=multi in the query, {"data":[...]} as a text/plain body, each item with userId, deviceId, event, value and
-- time. Users are drawn at random from USERS (default 1,000) distinct users. Set ITEMS to BATCH for actions/s.
-- Env: GG_APP_ID, GG_CLIENT_KEY (a production key), BATCH, USERS.
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")
local app = os.getenv("GG_APP_ID") or error("GG_APP_ID is not set")
local key = os.getenv("GG_CLIENT_KEY") or error("GG_CLIENT_KEY is not set")
local batch = tonumber(os.getenv("BATCH") or "20")
local users = tonumber(os.getenv("USERS") or "1000")
local names = { "purchase", "level_up", "open_store", "tap_banner" }
local reqs = {}

-- One request per user, built once per thread, so wrk spends its time sending, not formatting.
function init(args)
  math.randomseed(os.time() * 1000 + (tid or 0))
  local hdr = { ["Content-Type"] = "text/plain" }
  local now = os.time()
  local path = "/api?appId=" .. app .. "&client=js&clientKey=" .. key .. "&sdkVersion=1.9.0&action=multi&time=" .. now
  for u = 1, users do
    local parts = {}
    for i = 1, batch do
      parts[i] = string.format('{"userId":"u%d","deviceId":"d%d","action":"track","event":"%s","value":%d.99,"time":"%d.%03d"}',
        u, u, names[(i - 1) % 4 + 1], (u + i) % 10, now - batch + i, (u * 7 + i) % 1000)
    end
    reqs[u] = wrk.format("POST", path, hdr, '{"data":[' .. table.concat(parts, ",") .. ']}')
  end
end

function request()
  return reqs[math.random(1, users)]
end
