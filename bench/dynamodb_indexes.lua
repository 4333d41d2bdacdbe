-- wrk script: DynamoDB requests against tables with secondary indexes (bench/dynamodb_indexes.py).
-- Env: OP = QueryGSI | PutItem
--      TABLE  read table (default "gsiread"): NOWNERS owners x 10 items, GSI "byOwner" (owner, at)
--      WTABLE write table (default "gsiwrite"): GSIs "byStatus" (status, at) and "byOwner" (owner)
--      NOWNERS owners in the read table (default 1000)
--      URLPATH (default "/")
local op = os.getenv("OP") or "QueryGSI"
local tbl = os.getenv("TABLE") or "gsiread"
local wtbl = os.getenv("WTABLE") or "gsiwrite"
local nowners = tonumber(os.getenv("NOWNERS") or "1000")
local path = os.getenv("URLPATH") or "/"
local payload = string.rep("x", 100)

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
wrk.headers["X-Amz-Target"] = "DynamoDB_20120810." .. (op == "QueryGSI" and "Query" or op)
-- dummy SigV4 header: dynalite does not verify the signature, LumaDB ignores it by default
wrk.headers["X-Amz-Date"] = "20250101T000000Z"
wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/dynamodb/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0000000000000000000000000000000000000000000000000000000000000000"

local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

local counter = 0
local prefix = "w"
function init(args)
  math.randomseed(os.time() * 1000 + (tid or 0) * 7919 + math.floor(os.clock() * 1e6))
  prefix = string.format("w%d_%d_%d_", os.time(), tid or 0, math.random(1, 1000000000))
end

function request()
  counter = counter + 1
  local body
  if op == "QueryGSI" then
    body = string.format('{"TableName":"%s","IndexName":"byOwner","KeyConditionExpression":"#o = :o","ExpressionAttributeNames":{"#o":"owner"},"ExpressionAttributeValues":{":o":{"S":"o%d"}}}',
      tbl, math.random(0, nowners - 1))
  elseif op == "PutItem" then
    -- a new item in both GSIs (and, on LumaDB, one stream record)
    body = string.format('{"TableName":"%s","Item":{"pk":{"S":"%s%d"},"status":{"S":"s%d"},"at":{"N":"%d"},"owner":{"S":"o%d"},"val":{"S":"%s"}}}',
      wtbl, prefix, counter, counter % 10, counter, math.random(0, nowners - 1), payload)
  else
    error("unknown OP " .. op)
  end
  return wrk.format(nil, path, nil, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests":%d,"duration_us":%d,"rps":%.2f,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,"err_timeout":%d}\n',
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    e.connect, e.read, e.write, e.status, e.timeout))
end
