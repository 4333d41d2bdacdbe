-- wrk script: D1 requests straight to LumaDB. Env: OP = rest_point | rest_insert | binding_point | binding_insert
--   rest_*     POST URLPATH (the REST API's .../d1/database/<uuid>/query) {"sql", "params"}
--   binding_*  POST /query?resultsFormat=ROWS_AND_COLUMNS (.first()) or /execute?resultsFormat=NONE (.run()),
--              the requests workerd's D1 binding sends, with X-LumaDB-Database: DATABASE
local op = os.getenv("OP") or "rest_point"
local path = os.getenv("URLPATH") or "/"
local nrows = tonumber(os.getenv("NROWS") or "10000")
local value = string.rep("x", 100)
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-LumaDB-Database"] = os.getenv("DATABASE") or "bench"
local point = '{"sql":"SELECT id, v FROM kv WHERE id = ?","params":[%d]}'
local insert = '{"sql":"INSERT INTO kvw(v) VALUES (?)","params":["' .. value .. '"]}'

function init(args)
  math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1e6))
end

function request()
  if op == "rest_point" then
    return wrk.format(nil, path, nil, string.format(point, math.random(1, nrows)))
  elseif op == "rest_insert" then
    return wrk.format(nil, path, nil, insert)
  elseif op == "binding_point" then
    return wrk.format(nil, "/query?resultsFormat=ROWS_AND_COLUMNS", nil, string.format(point, math.random(1, nrows)))
  elseif op == "binding_insert" then
    return wrk.format(nil, "/execute?resultsFormat=NONE", nil, insert)
  end
  error("unknown OP " .. op)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests":%d,"duration_us":%d,"rps":%.2f,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,"err_timeout":%d}\n',
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    e.connect, e.read, e.write, e.status, e.timeout))
end
