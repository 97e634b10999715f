-- wrk script: GET one path (the argument); reports like the other scripts, also when stopped with SIGINT.
local path = "/"

function init(args)
  path = args[1]
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
