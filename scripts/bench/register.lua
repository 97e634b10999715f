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

dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "report.lua")  -- done(): the report line
