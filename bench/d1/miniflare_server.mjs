// Runs worker.js under Miniflare (Cloudflare's local D1 on the real workerd runtime)
// and seeds kv with 10,000 rows.
// Usage: node miniflare_server.mjs [port] [persistDir] (D1PERF_DIR: a directory with node_modules/miniflare; default tests/node)
//   persistDir omitted: Miniflare's default (a temporary directory; D1 is always SQLite on disk).
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(process.env.D1PERF_DIR ?? path.join(here, "..", "..", "tests", "node"), "noop.js"));
const { Miniflare } = require("miniflare");
// on the `workerd` installed beside Miniflare (the release current wrangler ships), as the
// conformance reference runs (conformance/miniflare/d1_server.mjs), not the older one it pins
process.env.MINIFLARE_WORKERD_PATH ??= require("workerd").default;

const port = Number(process.argv[2] ?? 8801);
const persist = process.argv[3];
const mf = new Miniflare({
  modules: true,
  script: readFileSync(path.join(here, "worker.js"), "utf8"),
  compatibilityDate: "2025-06-01",
  d1Databases: ["DB"],
  ...(persist ? { d1Persist: persist } : {}),
  host: "127.0.0.1",
  port,
});
const url = await mf.ready;
const seeded = await (await fetch(new URL("/setup?n=10000", url), { method: "POST" })).text();
console.log(`READY ${url} seeded=${seeded} node_pid=${process.pid}`);

async function stop() {
  await mf.dispose();
  process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
