-- The scale benchmark's wrk script (bench/driver.py writes the plans and reads the result).
--
-- wrk -t T -c C -d 10s --timeout 30s -s bench/wrk.lua http://127.0.0.1:PORT -- PLAN FILES EXPECT
--
-- Thread n (1..T) sends the requests of the file PLAN.<((n - 1) % FILES) + 1>, one per line,
-- "METHOD<TAB>PATH<TAB>COOKIE<TAB>BODY", in turn, starting again at the end. A response whose
-- status is not EXPECT counts as unexpected. At the end one line is printed:
-- BENCH_RESULT {json} with requests, duration, latency percentiles (microseconds) and errors.

local threads = {}
local count = 0

function setup(thread)
  count = count + 1
  thread:set("index", count)
  table.insert(threads, thread)
end

function init(args)
  local plan, files = args[1], tonumber(args[2])
  expected = tonumber(args[3])
  unexpected = 0
  requests = {}
  local n = ((index - 1) % files) + 1
  for line in io.lines(plan .. "." .. n) do
    local method, path, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    if method then
      local headers = {}
      if cookie ~= "" then headers["Cookie"] = cookie end
      if body ~= "" then
        headers["Content-Type"] = "application/x-www-form-urlencoded"
      else
        body = nil
      end
      table.insert(requests, wrk.format(method, path, headers, body))
    end
  end
  at = 0
end

function request()
  at = at % #requests + 1
  return requests[at]
end

function response(status, headers, body)
  if status ~= expected then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("unexpected") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, '
      .. '"p99_us": %d, "max_us": %d, "unexpected": %d, "connect": %d, "read": %d, '
      .. '"write": %d, "timeout": %d, "status": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, bad, e.connect, e.read, e.write, e.timeout, e.status))
end
