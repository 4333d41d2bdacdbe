// Runs d1_worker/worker.js on Miniflare with Miniflare's own D1 and prints GET /run's JSON
// (the reference the LumaDB-backed runs are compared with). Argument: the path to fetch.
import { Miniflare } from "miniflare";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import path from "node:path";

// D1's SQL is workerd's SQLite: Miniflare runs on this package's `workerd` (see
// conformance/miniflare/d1_server.mjs), not the older one it pins.
process.env.MINIFLARE_WORKERD_PATH ??= createRequire(import.meta.url)("workerd").default;

const here = path.dirname(fileURLToPath(import.meta.url));
const mf = new Miniflare({
  modules: true,
  scriptPath: path.join(here, "d1_worker", "worker.js"),
  compatibilityDate: "2025-06-01",
  d1Databases: ["DB"],
});
try {
  const response = await mf.dispatchFetch(`http://localhost${process.argv[2] ?? "/run"}`);
  console.log(JSON.stringify(await response.json()));
} finally {
  await mf.dispose();
}
