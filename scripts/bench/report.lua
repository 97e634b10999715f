-- The report line every wrk script here ends with (read by benchlib.wrk_figures). Load it with
--   dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "report.lua")
-- (the path of the loading script, so wrk may run from any directory).
function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "BENCH requests=%d errors_status=%d errors_other=%d p50_us=%d p99_us=%d duration_us=%d\n",
    summary.requests, errors.status, errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(99), summary.duration))
end
