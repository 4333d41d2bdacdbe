// Runs d1_worker/worker.js on Miniflare with Miniflare's own D1 and prints GET /run's JSON
// (the reference the LumaDB-backed runs are compared with). Argument: the path to fetch.
import { Miniflare } from "miniflare";
import { fileURLToPath } from "node:url";
import path from "node:path";

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
