-- wrk script: every request registers a new person (unique e-mail per thread and counter) for one of the events
-- <prefix>1 .. <prefix><count>, chosen at random: wrk ... -- /api/v1/events/bench-hot- 1
local counter = 0
local thread_id = 0

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end

function init(args)
  prefix = args[1]
  events = tonumber(args[2] or "1")
  stamp = args[3] or "0"
  math.randomseed(os.time() * 100 + tid)
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"name":"Bench Deltakar %d","email":"t%s-%d-%d@bench.example.no","accept_privacy":true,"organisation":"Bergen kommune"}',
    counter, stamp, tid, counter)
  local path = prefix .. math.random(events) .. "/registrations"
  return wrk.format("POST", path, {["Content-Type"] = "application/json"}, body)
end

dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "report.lua")  -- done(): the report line
