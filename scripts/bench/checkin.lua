-- wrk script: every request scans a random ticket at a random door, with a fresh nonce.
-- The data file holds "door <token>" and "code <ticket code>" lines (written by checkin.py).
local counter = 0
local thread_id = 0
local tokens, codes = {}, {}

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end

function init(args)
  for line in io.lines(args[1]) do
    local kind, value = line:match("^(%a+) (.+)$")
    if kind == "door" then table.insert(tokens, value) elseif kind == "code" then table.insert(codes, value) end
  end
  math.randomseed(os.time() * 100 + tid)
end

function request()
  counter = counter + 1
  local body = string.format('{"code":"%s","nonce":"w%d-%d"}', codes[math.random(#codes)], tid, counter)
  local headers = {["Content-Type"] = "application/json",
                   ["Authorization"] = "Bearer " .. tokens[math.random(#tokens)]}
  return wrk.format("POST", "/api/v1/checkins", headers, body)
end

dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "report.lua")  -- done(): the report line
