-- wrk script: every request registers a new person (unique e-mail per thread and counter).
local counter = 0
local thread_id = 0
local statuses = {}

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end

function init(args)
  path = args[1]
  statuses = {}
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"name":"Bench Deltakar %d","email":"t%d-%d@bench.example.no","accept_privacy":true,"organisation":"Bergen kommune"}',
    counter, tid, counter)
  return wrk.format("POST", path, {["Content-Type"] = "application/json"}, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "BENCH requests=%d errors_status=%d errors_other=%d p50_us=%d p99_us=%d duration_us=%d\n",
    summary.requests, errors.status, errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(99), summary.duration))
end
