// Hrana over WebSocket load, closed loop, as @libsql/client's ws:// client sends `execute()`:
// open_stream, execute, close_stream sent together, the next only when all three are answered.
// usage: node hrana_ws.mjs URL OP CONNECTIONS SECONDS   (OP = select1 | point | insert)
// Prints `RESULT {...}` as bench/dynamodb.lua's wrk runs do (rps, p50_us, p90_us, p99_us, errors).
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "..", "tests", "node", "package.json"));
const WebSocket = require("ws");

const [url, op, connections, seconds] = [process.argv[2], process.argv[3], Number(process.argv[4]), Number(process.argv[5])];
const int = (n) => ({ type: "integer", value: String(n) });
const statements = {
  select1: () => ({ sql: "SELECT ?", args: [int(1)] }),
  point: () => ({ sql: "SELECT id, v FROM kv WHERE id = ?", args: [int(1 + Math.floor(Math.random() * 10000))] }),
  insert: () => ({ sql: "INSERT INTO kvw(v) VALUES (?)", args: [{ type: "text", value: "w" + Math.random() }] }),
};
const statement = statements[op];
const latencies = [];
let errors = 0;
let running = true;

async function connection() {
  const ws = new WebSocket(url, ["hrana2"]);
  await new Promise((resolve, reject) => { ws.once("open", resolve); ws.once("error", reject); });
  let waiting = null;
  ws.on("message", (data) => {
    const msg = JSON.parse(data);
    if (msg.type === "response_error") errors++;
    if (waiting && msg.type !== "hello_ok" && --waiting.left === 0) { const w = waiting; waiting = null; w.resolve(); }
  });
  ws.send(JSON.stringify({ type: "hello" }));
  let id = 0;
  while (running) {
    const started = process.hrtime.bigint();
    const done = new Promise((resolve) => { waiting = { left: 3, resolve }; });
    ws.send(JSON.stringify({ type: "request", request_id: id++, request: { type: "open_stream", stream_id: 1 } }));
    ws.send(JSON.stringify({ type: "request", request_id: id++, request: { type: "execute", stream_id: 1, stmt: { ...statement(), want_rows: true } } }));
    ws.send(JSON.stringify({ type: "request", request_id: id++, request: { type: "close_stream", stream_id: 1 } }));
    await done;
    latencies.push(Number(process.hrtime.bigint() - started) / 1000);
  }
  ws.close();
}

const started = process.hrtime.bigint();
setTimeout(() => { running = false; }, seconds * 1000);
await Promise.all(Array.from({ length: connections }, connection));
const duration = Number(process.hrtime.bigint() - started) / 1000;
latencies.sort((a, b) => a - b);
const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))];
console.log("RESULT " + JSON.stringify({
  requests: latencies.length, duration_us: duration, rps: latencies.length / (duration / 1e6),
  p50_us: at(0.5), p90_us: at(0.9), p99_us: at(0.99), errors,
}));
process.exit(0);
