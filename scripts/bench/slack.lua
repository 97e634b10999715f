-- wrk script: signed Slack requests, each sent once (the server refuses a signature it has seen).
-- The data file (written by announce.py) holds one request per line: path, timestamp, signature and the
-- form-encoded body, separated by tabs. wrk's threads each have their own Lua state: thread t of n takes
-- lines t, t + n, t + 2n, … so no line is sent twice. Arguments: the data file and the number of threads.
local thread_id = 0
local lines = {}
local next_line, step = 0, 1

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end

function init(args)
  for line in io.lines(args[1]) do
    local path, stamp, signature, body = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)\t(.*)$")
    table.insert(lines, {path = path, stamp = stamp, signature = signature, body = body})
  end
  step = tonumber(args[2])
  next_line = tid
end

function request()
  local item = lines[next_line]
  if item == nil then
    error("out of signed requests: write more lines to the data file")
  end
  next_line = next_line + step
  local headers = {["Content-Type"] = "application/x-www-form-urlencoded",
                   ["X-Slack-Request-Timestamp"] = item.stamp, ["X-Slack-Signature"] = item.signature}
  return wrk.format("POST", item.path, headers, item.body)
end

dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "report.lua")  -- done(): the report line
