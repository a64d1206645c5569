-- `start` for returning users (SCENARIO_SET=start of bench/run.sh): POST /api with auth and action=start in the query
-- (as the JS SDK puts them) and a form body as the SDKs send it for a returning user: userId, deviceId, appVersion 1.0,
-- includeDefaults=false, the user's country and locale (the same as bench/start-seed.sh gave them, by u mod 6), and
-- the client's time. Users are drawn at random from USERS (u1..uN, seeded by bench/start-seed.sh with one start each).
-- report.lua checks every answer (non-2xx, "success":false); this script also counts answers without a "vars" object
-- as failed, so an error page or an empty answer cannot pass for a start.
-- Env: GG_APP_ID, GG_CLIENT_KEY (a production key), USERS.
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")
local app = os.getenv("GG_APP_ID") or error("GG_APP_ID is not set")
local key = os.getenv("GG_CLIENT_KEY") or error("GG_CLIENT_KEY is not set")
local users = tonumber(os.getenv("USERS") or "100000")
local path = "/api?appId=" .. app .. "&client=js&clientKey=" .. key .. "&sdkVersion=1.9.0&action=start"
local countries = { "US", "DE", "FR", "GB", "BR", "JP" }
local locales = { "en_US", "de_DE", "fr_FR", "en_GB", "pt_BR", "ja_JP" }
local reqs = {}

-- Requests are built once per thread, so wrk spends its time sending, not formatting.
function init(args)
  math.randomseed(os.time() * 1000 + (tid or 0))
  local hdr = { ["Content-Type"] = "application/x-www-form-urlencoded" }
  local now = os.time()
  for u = 1, users do
    local c = u % 6 + 1
    local body = string.format("userId=u%d&deviceId=d%d&appVersion=1.0&includeDefaults=false&country=%s&locale=%s&time=%d",
      u, u, countries[c], locales[c], now)
    reqs[u] = wrk.format("POST", path, hdr, body)
  end
end

function request()
  return reqs[math.random(1, users)]
end

local check = response
function response(status, headers, body)
  check(status, headers, body)
  if status >= 200 and status <= 299 and not (body and string.find(body, '"vars":{', 1, true)) then
    failed_items = failed_items + 1
  end
end
