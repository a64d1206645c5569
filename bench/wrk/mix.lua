-- The tracking issue's realistic mix: JS-SDK-shaped `multi` batches of 5-30 items (uniform, mean 17.5) for one user
-- each, users drawn from USERS (default 100,000). Per item: 60% track, 10% advance, 10% setUserAttributes, 5% start,
-- 5% stop, 5% pauseSession or resumeSession, 5% heartbeat. Set ITEMS=17.5 so the report's actions/s is right.
-- Env: GG_APP_ID, GG_CLIENT_KEY (a production key), USERS.
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")
local app = os.getenv("GG_APP_ID") or error("GG_APP_ID is not set")
local key = os.getenv("GG_CLIENT_KEY") or error("GG_CLIENT_KEY is not set")
local users = tonumber(os.getenv("USERS") or "100000")
local events = { "Open", "Purchase", "Level Up", "Tap Banner", "Share", "Search" }
local states = { "Home", "Shop", "Level", "Settings" }
local plans = { "free", "gold", "pro" }
local hdr = { ["Content-Type"] = "text/plain" }
local path

function init(args)
  math.randomseed(os.time() * 1000 + (tid or 0))
  path = "/api?appId=" .. app .. "&client=js&clientKey=" .. key .. "&sdkVersion=1.9.0&action=multi&time=" .. os.time()
end

local function item(u, r)
  local who = string.format('"userId":"u%d","deviceId":"d%d"', u, u)
  if r <= 60 then
    local e = events[math.random(#events)]
    return string.format('{%s,"action":"track","event":"%s","value":%d.5,"params":"{\\"source\\":\\"bench\\"}"}', who, e, math.random(0, 9))
  elseif r <= 70 then
    return string.format('{%s,"action":"advance","state":"%s"}', who, states[math.random(#states)])
  elseif r <= 80 then
    return string.format('{%s,"action":"setUserAttributes","userAttributes":"{\\"plan\\":\\"%s\\",\\"score\\":%d}"}',
      who, plans[math.random(#plans)], math.random(0, 1000))
  elseif r <= 85 then
    return string.format('{%s,"action":"start","userAttributes":"{}"}', who)
  elseif r <= 90 then
    return string.format('{%s,"action":"stop"}', who)
  elseif r <= 95 then
    return string.format('{%s,"action":"%s"}', who, math.random(2) == 1 and "pauseSession" or "resumeSession")
  end
  return string.format('{%s,"action":"heartbeat"}', who)
end

function request()
  local u = math.random(1, users)
  local n = math.random(5, 30)
  local parts = {}
  for i = 1, n do
    parts[i] = item(u, math.random(1, 100))
  end
  return wrk.format("POST", path, hdr, '{"data":[' .. table.concat(parts, ",") .. ']}')
end
