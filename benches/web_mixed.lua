-- wrk's script for benches/web_mixed.sh: each thread (one connection each) goes round the same
-- steps — the executive's and the manager's pages, with reps logging activities through the API
-- in between — starting at a different step, and times each request itself, so that the summary
-- gives the percentiles of each step. Set by the caller in the environment: EXECUTIVE and MANAGER
-- (session cookies), TOKENS (API tokens of reps, separated by spaces), and MONTH, QUARTER and YEAR
-- (the periods of the dashboards, the leaderboards and the plans: the demo's last month of data).
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock, bench_timespec *ts);
]]
local clock = ffi.new("bench_timespec")
local function now_us()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1e6 + tonumber(clock.tv_nsec) / 1e3
end

local executive, manager = os.getenv("EXECUTIVE"), os.getenv("MANAGER")
local tokens = {}
for token in string.gmatch(os.getenv("TOKENS") or "", "%S+") do tokens[#tokens + 1] = token end

local dashboard = "/dashboard?period=" .. os.getenv("MONTH")
local leaderboard = "/leaderboard?period=" .. os.getenv("QUARTER")
local plan = "/plan?year=" .. os.getenv("YEAR")
local WRITE = "log an activity (API)"
local steps = {
  { "executive dashboard", dashboard, executive },
  { WRITE },
  { "manager dashboard", dashboard, manager },
  { "executive leaderboard", leaderboard, executive },
  { WRITE },
  { "manager leaderboard", leaderboard, manager },
  { "executive goals", "/goals", executive },
  { WRITE },
  { "manager goals", "/goals", manager },
  { "executive plan", plan, executive },
  { WRITE },
  { "manager plan", plan, manager },
}

-- Each step's number in `names`; a thread keeps flat arrays (wrk copies no nested table out of a
-- thread): each request's step number and time.
local names, number = {}, {}
for _, step in ipairs(steps) do
  if not number[step[1]] then names[#names + 1] = step[1]; number[step[1]] = #names end
end

-- With THINK_MS, each connection waits that long after an answer before its next request, as a
-- person reading a page does: a load of a given rate rather than as many requests as the server
-- can answer.
local think = tonumber(os.getenv("THINK_MS") or "0")
if think > 0 then
  function delay() return think end
end

local threads = {}
function setup(thread)
  thread:set("offset", #threads)
  threads[#threads + 1] = thread
end

function init(args)
  step = offset * 5
  writes = offset
  count = 0
  which, took = {}, {}
  failed = {}
  for i = 1, #names do failed[i] = 0 end
end

function request()
  step = step % #steps + 1
  local name, path, cookie = steps[step][1], steps[step][2], steps[step][3]
  started = now_us()
  if name == WRITE then
    writes = writes + 1
    local headers = {
      ["Authorization"] = "Bearer " .. tokens[writes % #tokens + 1],
      ["Content-Type"] = "application/json",
    }
    return wrk.format("POST", "/api/v1/activities", headers, '{"type": "cold_call", "outcome": "connected"}')
  end
  return wrk.format("GET", path, { ["Cookie"] = cookie })
end

function response(status, headers, body)
  local n = number[steps[step][1]]
  count = count + 1
  which[count], took[count] = n, now_us() - started
  if status ~= 200 and status ~= 201 then failed[n] = failed[n] + 1 end
end

function done(summary, latency, requests)
  local all, bad = {}, {}
  for i = 1, #names do all[i], bad[i] = {}, 0 end
  for _, thread in ipairs(threads) do
    local which, took, failed = thread:get("which"), thread:get("took"), thread:get("failed")
    for i = 1, thread:get("count") do
      local list = all[which[i]]
      list[#list + 1] = took[i]
    end
    for i = 1, #names do bad[i] = bad[i] + failed[i] end
  end
  local seconds = summary.duration / 1e6
  for i, name in ipairs(names) do
    local list = all[i]
    table.sort(list)
    local function at(share) return (list[math.max(1, math.ceil(share * #list))] or 0) / 1000 end
    io.write(string.format("%-24s %7d requests %8.1f/s  p50 %8.2f ms  p99 %8.2f ms  max %8.2f ms%s\n",
      name, #list, #list / seconds, at(0.5), at(0.99), at(1), bad[i] > 0 and (", failed " .. bad[i]) or ""))
  end
end
