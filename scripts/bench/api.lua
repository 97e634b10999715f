-- wrk script: GET one path (the first argument), each connection pausing the second argument's milliseconds
-- between requests (people browsing, not a flood); reports like the other scripts, also when stopped with SIGINT.
local path, pause = "/", 0

function init(args)
  path = args[1]
  pause = tonumber(args[2] or "0")
end

function delay()
  return pause
end

function request()
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "BENCH requests=%d errors_status=%d errors_other=%d p50_us=%d p99_us=%d duration_us=%d\n",
    summary.requests, errors.status, errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(99), summary.duration))
end
