// Miniflare's D1 (Cloudflare's own D1 code on the real workerd runtime) exposed over HTTP,
// so the conformance runner can replay D1 scenarios against it.
//
//   POST /query, /execute, /dump (also under /d1/), header X-LumaDB-Database: <name or uuid>
//     → passed unchanged to the D1 Durable Object behind a binding's inner fetcher: the
//       Workers-binding wire protocol exactly as workerd's env.DB speaks it.
//   /client/v4/accounts/<account>/d1/database[/<id>[/query|/raw]]
//     → a small REST layer written from Cloudflare's API documentation (envelope, status
//       codes, error codes 7500/7404) over the same wire protocol. Miniflare has no REST
//       API: these envelopes are the documented ones, the SQL results inside are Miniflare's.
//
// Usage: MINIFLARE_DIR=<dir holding node_modules/miniflare> node d1_server.mjs PORT [PERSIST_DIR]
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(path.join(process.env.MINIFLARE_DIR ?? process.cwd(), "noop.js"));
const { Miniflare } = require("miniflare");
// D1's SQL is workerd's SQLite and authorizer: run on the `workerd` installed beside Miniflare
// (the release current wrangler ships, SQLite 3.54.1 since 1.20261117), not the older one
// Miniflare 4 pins (SQLite 3.47.0 up to 1.20260730). An explicit MINIFLARE_WORKERD_PATH wins.
process.env.MINIFLARE_WORKERD_PATH ??= require("workerd").default;

const port = Number(process.argv[2] ?? 8802);
const persist = process.argv[3];
const POOL = Number(process.env.D1_POOL ?? 160);

// `__D1_BETA__` bindings are plain service bindings to the D1 Durable Object entry worker,
// i.e. the binding's inner `fetcher`: requests to them are the raw wire protocol.
const bindings = Array.from({ length: POOL }, (_, i) => `__D1_BETA__DB${i}`);

const script = `
const POOL = ${POOL};
const byName = new Map();
const byUuid = new Map();
let next = 0;

function slot(key) {
  if (byUuid.has(key)) return byUuid.get(key);
  if (byName.has(key)) return byName.get(key).slot;
  return null;
}
function allocate(name) {
  if (next >= POOL) throw new Error("database pool exhausted");
  const db = { slot: next++, name, uuid: crypto.randomUUID(), created_at: new Date().toISOString() };
  byName.set(name, db);
  byUuid.set(db.uuid, db.slot);
  return db;
}
function dbOf(key) {
  if (byUuid.has(key)) {
    for (const db of byName.values()) if (db.uuid === key) return db;
  }
  return byName.get(key) ?? null;
}
const json = (value, status = 200) =>
  new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json" } });
const ok = (result, extra = {}) => json({ result, success: true, errors: [], messages: [], ...extra });
const fail = (status, code, message, result = null) =>
  json({ result, success: false, errors: [{ code, message }], messages: [] }, status);

// Split SQL into statements (quotes, identifiers and comments respected).
function splitStatements(sql) {
  const out = [];
  let start = 0, i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (c === "'" || c === '"' || c === "\`") {
      const end = sql.indexOf(c, i + 1);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === "[") {
      const end = sql.indexOf("]", i + 1);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === "-" && sql[i + 1] === "-") {
      const end = sql.indexOf("\\n", i);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === "/" && sql[i + 1] === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else if (c === ";") {
      out.push(sql.slice(start, i + 1));
      start = ++i;
    } else i++;
  }
  if (sql.slice(start).trim()) out.push(sql.slice(start));
  return out.filter((s) => s.replace(/;\\s*$/, "").trim() !== "" || out.length === 1);
}

async function wire(env, db, format, body) {
  const response = await env["__D1_BETA__DB" + db.slot].fetch(
    "http://d1/query?resultsFormat=" + format,
    { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
  );
  const text = await response.text();
  try { return JSON.parse(text); } catch { return { success: false, error: text }; }
}

function describe(db) {
  return { uuid: db.uuid, name: db.name, created_at: db.created_at, version: "production" };
}

async function rest(request, env, url, match) {
  const [, , id, action] = match;
  const method = request.method;
  if (id === undefined) {
    if (method === "POST") {
      const body = await request.json().catch(() => null);
      if (!body || typeof body.name !== "string" || !body.name) return fail(400, 7400, "The request is malformed: name is required");
      if (byName.has(body.name)) return fail(400, 7502, "A database with that name already exists");
      return ok(describe(allocate(body.name)));
    }
    if (method === "GET") {
      const name = url.searchParams.get("name") ?? "";
      const page = Number(url.searchParams.get("page") ?? 1);
      const perPage = Number(url.searchParams.get("per_page") ?? 1000);
      const all = [...byName.values()].filter((db) => db.name.includes(name)).map(describe);
      const items = all.slice((page - 1) * perPage, page * perPage);
      return ok(items, { result_info: { page, per_page: perPage, count: items.length, total_count: all.length } });
    }
    return fail(405, 7001, "Method not allowed");
  }
  const db = dbOf(decodeURIComponent(id));
  if (!db) return fail(404, 7404, "The database " + decodeURIComponent(id) + " could not be found");
  if (action === undefined || action === "") {
    if (method === "GET") return ok(describe(db));
    if (method === "DELETE") {
      byName.delete(db.name);
      byUuid.delete(db.uuid);
      return ok(null);
    }
    return fail(405, 7001, "Method not allowed");
  }
  if ((action === "/query" || action === "/raw") && method === "POST") {
    const body = await request.json().catch(() => null);
    const entries = body && Array.isArray(body.batch) ? body.batch : body ? [body] : [];
    const statements = [];
    for (const entry of entries) {
      if (!entry || typeof entry.sql !== "string") return fail(400, 7400, "The request is malformed: sql is required");
      const parts = splitStatements(entry.sql);
      for (const sql of parts) statements.push(entry.params === undefined || parts.length > 1 ? { sql } : { sql, params: entry.params });
    }
    const result = await wire(env, db, action === "/raw" ? "ROWS_AND_COLUMNS" : "ARRAY_OF_OBJECTS", statements);
    if (!Array.isArray(result)) return fail(400, 7500, String(result.error ?? "internal error"), []);
    return ok(result.map((r) => ({ results: r.results, success: r.success, meta: r.meta })));
  }
  return fail(404, 7003, "Could not route to " + url.pathname + ", perhaps your object identifier is invalid?");
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const restMatch = url.pathname.match(/^\\/(?:d1\\/)?(?:client\\/v4\\/)?accounts\\/([^/]+)\\/d1\\/database(?:\\/([^/]+)(\\/[^?]*)?)?\\/?$/);
    if (restMatch) return rest(request, env, url, [restMatch[0], restMatch[1], restMatch[2], restMatch[3]]);
    const bindingPath = url.pathname.replace(/^\\/d1(?=\\/)/, "");
    if (["/query", "/execute", "/dump"].includes(bindingPath)) {
      const key = request.headers.get("x-lumadb-database");
      if (!key) return new Response("missing X-LumaDB-Database", { status: 400 });
      let index = slot(key);
      if (index === null) index = allocate(key).slot;
      const headers = new Headers(request.headers);
      headers.delete("x-lumadb-database");
      return env["__D1_BETA__DB" + index].fetch("http://d1" + bindingPath + url.search, {
        method: request.method, headers, body: request.method === "GET" ? undefined : await request.arrayBuffer(),
      });
    }
    return new Response("not found", { status: 404 });
  },
};
`;

const mf = new Miniflare({
  modules: true,
  script,
  compatibilityDate: "2025-06-01",
  d1Databases: Object.fromEntries(bindings.map((name, i) => [name, `conformance-${i}`])),
  ...(persist ? { d1Persist: persist } : {}),
  host: "127.0.0.1",
  port,
});
const url = await mf.ready;
console.log(`READY ${url}`);

async function stop() {
  await mf.dispose();
  process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
