// Every D1 REST endpoint through the official `cloudflare` TypeScript SDK against LUMADB_URL.
// Argument: a unique database name prefix. Prints one JSON document with what each call returned.
import Cloudflare from "cloudflare";
import { createHash } from "node:crypto";

const account_id = "0123456789abcdef0123456789abcdef";
const prefix = process.argv[2];
const cf = new Cloudflare({ apiToken: "local-token", baseURL: `${process.env.LUMADB_URL}/client/v4`, maxRetries: 0 });
const out = {};

async function failure(promise) {
  try {
    await promise;
    return null;
  } catch (e) {
    return { status: e.status, errors: e.errors };
  }
}

const db = await cf.d1.database.create({ account_id, name: `${prefix}-a`, primary_location_hint: "apac" });
const other = await cf.d1.database.create({ account_id, name: `${prefix}-b`, read_replication: { mode: "auto" } });
out.created = { name: db.name, version: db.version, num_tables: db.num_tables, mode: other.read_replication.mode,
  region: db.running_in_region };
const names = [];
for await (const item of cf.d1.database.list({ account_id, name: prefix, per_page: 1 })) names.push(item.name);
out.listed = names;
const got = await cf.d1.database.get(`${prefix}-a`, { account_id, fields: ["uuid", "name"] });
out.got = got;
out.got_uuid_matches = got.uuid === db.uuid;
out.updated = (await cf.d1.database.update(db.uuid, { account_id, read_replication: { mode: "auto" } })).read_replication;
out.edited = (await cf.d1.database.edit(db.uuid, { account_id, read_replication: { mode: "disabled" } })).read_replication;

const query = await cf.d1.database.query(db.uuid, {
  account_id, sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, v); INSERT INTO t (v) VALUES (?); SELECT * FROM t",
  params: ["x"],
});
out.query = query.result.map((r) => r.results);
out.query_meta = { changes: query.result[1].meta.changes, last_row_id: query.result[1].meta.last_row_id };
const batch = await cf.d1.database.query(db.uuid, { account_id, batch: [{ sql: "SELECT 1 AS one" }, { sql: "SELECT ? AS p", params: ["2"] }] });
out.batch = batch.result.map((r) => r.results);
const raw = await cf.d1.database.raw(db.uuid, { account_id, sql: "SELECT id, v FROM t" });
out.raw = raw.result[0].results;
out.sql_error = await failure(cf.d1.database.query(db.uuid, { account_id, sql: "SELECT * FROM nope" }));
out.not_found = await failure(cf.d1.database.get("no-such-db", { account_id }));

const exported = await cf.d1.database.export(db.uuid, { account_id, output_format: "polling" });
out.export_status = exported.status;
out.export_sql = await (await fetch(exported.result.signed_url)).text();

const file = "INSERT INTO t (v) VALUES ('imported');\n";
const etag = createHash("md5").update(file).digest("hex");
const init = await cf.d1.database.import(db.uuid, { account_id, action: "init", etag });
const put = await fetch(init.upload_url, { method: "PUT", body: file });
out.upload_etag_ok = put.headers.get("etag") === `"${etag}"`;
const ingest = await cf.d1.database.import(db.uuid, { account_id, action: "ingest", etag, filename: init.filename });
const poll = await cf.d1.database.import(db.uuid, { account_id, action: "poll", current_bookmark: ingest.at_bookmark });
out.import = { status: ingest.status, num_queries: ingest.result.num_queries, polled: poll.status };

const mark = await cf.d1.database.timeTravel.getBookmark(db.uuid, { account_id });
await cf.d1.database.query(db.uuid, { account_id, sql: "DELETE FROM t" });
const restored = await cf.d1.database.timeTravel.restore(db.uuid, { account_id, bookmark: mark.bookmark });
out.restored = typeof restored.bookmark === "string" && typeof restored.previous_bookmark === "string";
out.after_restore = (await cf.d1.database.query(db.uuid, { account_id, sql: "SELECT v FROM t ORDER BY id" })).result[0].results;

out.deleted = await cf.d1.database.delete(db.uuid, { account_id });
await cf.d1.database.delete(other.uuid, { account_id });
out.gone = await failure(cf.d1.database.get(db.uuid, { account_id }));
console.log(JSON.stringify(out));
