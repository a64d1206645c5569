-- Unleash's frontend API (`GET /api/frontend`: the evaluated flags, with variants, for one user context) for the
-- users of the start scenario: the request of ../shared/bench/peers/wrk/unleash-frontend.lua (random userId and
-- country, the peers' frontend token), with users drawn from USERS (u1..uN) instead of 1..1e6, and this folder's
-- shared checks and report (report.lua), so the figures compare with Greengage's in the same run.
-- Env: UNLEASH_FRONTEND_TOKEN (default: the token ../shared/bench/peers/env.sh sets up), USERS.
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")
local token = os.getenv("UNLEASH_FRONTEND_TOKEN") or "default:development.bench-frontend-token"
local users = tonumber(os.getenv("USERS") or "100000")
local countries = { "US", "DE", "FR", "GB", "BR", "JP" }
local hdr = { ["Authorization"] = token }

function init(args)
  math.randomseed(os.time() * 1000 + (tid or 0))
end

function request()
  local u = math.random(1, users)
  return wrk.format("GET", "/api/frontend?appName=bench&userId=u" .. u .. "&properties%5Bcountry%5D=" .. countries[u % 6 + 1], hdr)
end
