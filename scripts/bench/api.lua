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

dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "report.lua")  -- done(): the report line
