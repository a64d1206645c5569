-- Scenario (b): one `track` per request, POST /api. Auth and the action in the query (as the JS SDK puts them), the
-- user and the event in a form body. Users are drawn at random from USERS (default 1,000) distinct users.
-- Env: GG_APP_ID, GG_CLIENT_KEY (a production key), USERS.
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")
local app = os.getenv("GG_APP_ID") or error("GG_APP_ID is not set")
local key = os.getenv("GG_CLIENT_KEY") or error("GG_CLIENT_KEY is not set")
local users = tonumber(os.getenv("USERS") or "1000")
local path = "/api?appId=" .. app .. "&client=js&clientKey=" .. key .. "&sdkVersion=1.9.0&action=track"
local reqs = {}

-- Requests are built once per thread, so wrk spends its time sending, not formatting.
function init(args)
  math.randomseed(os.time() * 1000 + (tid or 0))
  local hdr = { ["Content-Type"] = "application/x-www-form-urlencoded" }
  local now = os.time()
  for u = 1, users do
    local body = string.format("userId=u%d&deviceId=d%d&event=e&value=1&time=%d", u, u, now)
    reqs[u] = wrk.format("POST", path, hdr, body)
  end
end

function request()
  return reqs[math.random(1, users)]
end
