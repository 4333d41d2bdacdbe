// A plain Worker exercising env.DB (prepare/bind/first/all/raw/run/batch/exec/withSession/dump).
// The same file runs unchanged on workerd (D1 binding wired to LumaDB by `lumadb workerd-config`),
// on Miniflare (its own D1) and in Node with the LumaDB helper class as `db`.
// GET /run answers every scenario's outcome as JSON; meta is cut down to the fields that
// do not depend on timing or on how the backend stores the file.

const WIDE = Array.from({ length: 101 }, (_, i) => `${i} AS c${i}`).join(", ");
const DEEP = "SELECT " + Array(102).fill("1").join(" + ");
const MANY = "SELECT " + Array.from({ length: 101 }, () => "?").join(", ");

function pickMeta(meta) {
  if (!meta) return meta;
  return { changes: meta.changes, last_row_id: meta.last_row_id, changed_db: meta.changed_db };
}

function clean(value) {
  if (Array.isArray(value)) return value.map(clean);
  if (value && typeof value === "object" && "success" in value && "meta" in value) {
    return { success: value.success, meta: pickMeta(value.meta), results: value.results };
  }
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clean(v)]));
  }
  return value;
}

async function attempt(fn) {
  try {
    return { ok: clean(await fn()) };
  } catch (e) {
    return { error: String(e?.message ?? e), cause: e?.cause?.message ?? null };
  }
}

export async function runScenarios(db) {
  const s = {};
  const q = (sql, ...args) => db.prepare(sql).bind(...args);

  s.create = await attempt(() => db.batch([
    db.prepare("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, score REAL, data BLOB, note TEXT)"),
    db.prepare("CREATE TABLE posts (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER REFERENCES users(id), body TEXT CHECK (length(body) > 0))"),
    db.prepare("CREATE TABLE st (v INTEGER) STRICT"),
  ]));
  s.insert_blob = await attempt(() =>
    q("INSERT INTO users (name, score, data, note) VALUES (?, ?, ?, ?)", "alice", 1.5, new Uint8Array([1, 2, 3]), null).run());
  s.insert_bool_array = await attempt(() =>
    q("INSERT INTO users (name, score, data, note) VALUES (?, ?, ?, ?)", "bob", true, [4, 5], "n").run());
  s.insert_number_into_text = await attempt(() =>
    q("INSERT INTO users (name, score, data, note) VALUES (?, ?, ?, ?)", "carol", 10, new ArrayBuffer(2), 42).run());
  s.insert_returning = await attempt(() =>
    q("INSERT INTO users (name, score) VALUES (?, ?) RETURNING id, name", "dave", -0).run());

  s.first_row = await attempt(() => q("SELECT id, name, score, data, note FROM users WHERE name = ?", "alice").first());
  s.first_column = await attempt(() => q("SELECT name FROM users ORDER BY id").first("name"));
  s.first_no_row = await attempt(() => q("SELECT * FROM users WHERE id = ?", 999).first());
  s.first_column_no_row = await attempt(() => q("SELECT name FROM users WHERE id = ?", 999).first("name"));
  s.first_missing_column = await attempt(() => q("SELECT name FROM users ORDER BY id").first("nope"));
  s.all_users = await attempt(() => db.prepare("SELECT * FROM users ORDER BY id").all());
  s.raw = await attempt(() => db.prepare("SELECT id, name, data FROM users ORDER BY id").raw());
  s.raw_column_names = await attempt(() => db.prepare("SELECT id, name FROM users ORDER BY id").raw({ columnNames: true }));
  s.raw_column_names_no_rows = await attempt(() => q("SELECT id, name FROM users WHERE id = ?", 999).raw({ columnNames: true }));
  s.run_select = await attempt(() => db.prepare("SELECT name FROM users ORDER BY id").run());

  s.number_typing = await attempt(() => q("SELECT typeof(?) AS t, ? || '' AS s, CAST(? AS TEXT) AS c", 42, 1, 3).all());
  s.duplicate_columns = await attempt(async () => [await db.prepare("SELECT 1 AS a, 2 AS a").all(),
    await db.prepare("SELECT 1 AS a, 2 AS a").raw({ columnNames: true })]);
  s.expression_columns = await attempt(() => db.prepare("SELECT 1, 'x', 1 + 1, upper('a')").all());
  s.special_numbers = await attempt(() => q("SELECT 1e999 AS inf, -1e999 AS ninf, ? AS nan, ? AS pinf, 25.0 AS r", NaN, Infinity).all());
  s.big_integers = await attempt(() => db.prepare("SELECT 9007199254740993 AS a, 9223372036854775807 AS b").all());
  s.blob_roundtrip = await attempt(() => q("SELECT data, hex(data) AS h FROM users WHERE name = ?", "bob").first());
  s.typed_array_bind = await attempt(() => q("SELECT hex(?) AS h", new Int16Array([1, -1, 300])).first("h"));
  s.json_functions = await attempt(() => db.prepare(`SELECT json_extract('{"a":1}', '$.a') AS a, jsonb('{}') IS NOT NULL AS b, unhex('41') AS c`).first());

  s.multi_statement = await attempt(() =>
    db.prepare("INSERT INTO posts (user_id, body) VALUES (1, 'a'); SELECT count(*) AS n FROM posts").all());
  s.multi_statement_params = await attempt(() => q("SELECT ?; SELECT ?", 1, 2).all());
  s.batch_ok = await attempt(() => db.batch([
    q("INSERT INTO posts (user_id, body) VALUES (?, ?)", 1, "b"),
    q("INSERT INTO posts (user_id, body) VALUES (?, ?)", 2, "c"),
    db.prepare("SELECT count(*) AS n FROM posts"),
  ]));
  s.batch_rolls_back = await attempt(() => db.batch([
    q("INSERT INTO posts (user_id, body) VALUES (?, ?)", 1, "d"),
    q("INSERT INTO posts (user_id, body) VALUES (?, ?)", 1, ""),
  ]));
  s.after_rollback = await attempt(() => db.prepare("SELECT count(*) AS n FROM posts").first("n"));
  s.batch_empty = await attempt(() => db.batch([]));

  s.exec = await attempt(async () => (await db.exec(
    "INSERT INTO posts (user_id, body) VALUES (2, 'x');\nINSERT INTO posts (user_id, body) VALUES (2, 'y')")).count);
  s.exec_two_on_one_line = await attempt(async () => (await db.exec("SELECT 1; SELECT 2")).count);
  s.exec_multiline_statement = await attempt(() => db.exec("CREATE TABLE f (\n  a INTEGER\n)"));
  s.exec_error_on_line_two = await attempt(() => db.exec("SELECT 1\nSELECT nope FROM nowhere"));
  s.exec_empty = await attempt(() => db.exec(""));

  s.unique = await attempt(() => q("INSERT INTO users (name) VALUES (?)", "alice").run());
  s.not_null = await attempt(() => q("INSERT INTO users (name) VALUES (?)", null).run());
  s.foreign_key = await attempt(() => q("INSERT INTO posts (user_id, body) VALUES (?, ?)", 999, "z").run());
  s.check = await attempt(() => q("INSERT INTO posts (user_id, body) VALUES (?, ?)", 1, "").run());
  s.strict_type = await attempt(() => q("INSERT INTO st (v) VALUES (?)", "abc").run());
  s.datatype_mismatch = await attempt(() => q("INSERT INTO users (id, name) VALUES (?, ?)", "x", "zed").run());
  s.syntax = await attempt(() => db.prepare("SELEC 1").all());
  s.incomplete = await attempt(() => db.prepare("SELECT (").all());
  s.no_table = await attempt(() => db.prepare("SELECT * FROM nope").all());
  s.no_column = await attempt(() => db.prepare("SELECT nope FROM users").all());
  s.table_exists = await attempt(() => db.prepare("CREATE TABLE users (x)").run());
  s.too_few_params = await attempt(() => q("SELECT ?, ?", 1).all());
  s.too_many_params = await attempt(() => q("SELECT ?", 1, 2).all());
  s.variable_number = await attempt(() => q("SELECT ?101", 1).all());
  s.too_many_variables = await attempt(() => db.prepare(MANY).bind(...Array(101).fill(1)).all());
  s.too_many_columns = await attempt(() => db.prepare(`SELECT ${WIDE}`).all());
  s.expression_depth = await attempt(() => db.prepare(DEEP).all());
  s.begin = await attempt(() => db.prepare("BEGIN TRANSACTION").run());
  s.savepoint = await attempt(() => db.prepare("SAVEPOINT a").run());
  s.attach = await attempt(() => db.prepare("ATTACH DATABASE 'x.db' AS x").run());
  s.pragma_denied = await attempt(() => db.prepare("PRAGMA journal_mode").all());
  s.pragma_allowed = await attempt(() => db.prepare("PRAGMA table_info(users)").all());
  s.pragma_foreign_keys = await attempt(() => db.prepare("PRAGMA foreign_keys").first());
  s.function_denied = await attempt(() => db.prepare("SELECT sqlite_version()").all());
  s.cf_prefix = await attempt(() => db.prepare("CREATE TABLE _cf_mine (a)").run());
  s.sqlite_prefix = await attempt(() => db.prepare("CREATE TABLE sqlite_mine (a)").run());
  s.vacuum = await attempt(() => db.prepare("VACUUM").run());
  s.comment_only = await attempt(() => db.prepare("-- only a comment").all());
  s.trailing_comment = await attempt(() => db.prepare("SELECT 1; -- done").all());
  // SQLite 3.54, workerd's since 1.20261117: iif of two arguments, jsonb_each, R*Tree tables
  s.newer_sqlite = await attempt(() =>
    db.prepare("SELECT iif(0, 'y') AS a, (SELECT group_concat(value) FROM jsonb_each('[1,2]')) AS b").first());
  s.rtree = await attempt(async () => {
    await db.prepare("CREATE VIRTUAL TABLE boxes USING rtree(id, x0, x1)").run();
    await db.prepare("INSERT INTO boxes VALUES (1, 0, 10), (2, 20, 30)").run();
    return db.prepare("SELECT id, rtreecheck('boxes') AS ok FROM boxes WHERE x0 <= 5 AND x1 >= 5").all();
  });

  // UPDATE and DELETE with ORDER BY and LIMIT (workerd builds SQLite with SQLITE_ENABLE_UPDATE_DELETE_LIMIT)
  s.limited_update = await attempt(() =>
    q("UPDATE posts SET body = body || '!' WHERE user_id = ? ORDER BY id DESC LIMIT ?", 2, 1).run());
  s.limited_delete_returning = await attempt(() =>
    db.prepare("DELETE FROM posts WHERE user_id = 2 RETURNING body ORDER BY id LIMIT 1").all());
  // parameters in RETURNING and in the clause: each binds where it was written
  s.limited_returning_parameters = await attempt(() =>
    q("UPDATE posts SET body = body || ? WHERE user_id = ? RETURNING id, ? AS tag, body ORDER BY id LIMIT ?", "?", 1, "t", 1).all());
  // a DEFAULT's functions as written (SQLite's authorizer gets `CURRENT_TIMESTAMP`, `Upper`)
  s.defaults_in_capitals = await attempt(async () => {
    await db.prepare("CREATE TABLE stamped (id INTEGER PRIMARY KEY, at TEXT DEFAULT (CURRENT_TIMESTAMP) NOT NULL, " +
      "day TEXT DEFAULT CURRENT_DATE, tag TEXT DEFAULT (Upper('x')))").run();
    await db.prepare("ALTER TABLE stamped ADD COLUMN n INTEGER DEFAULT (ABS(-1))").run();
    await db.prepare("INSERT INTO stamped (id) VALUES (1)").run();
    return db.prepare("SELECT id, length(at) AS at, length(day) AS day, tag, n FROM stamped").all();
  });
  s.limited_delete_offset = await attempt(() => db.prepare("DELETE FROM posts LIMIT 1 OFFSET 1").run());
  s.after_limited = await attempt(() => db.prepare("SELECT id, body FROM posts ORDER BY id").all());
  s.order_without_limit = await attempt(() => db.prepare("DELETE FROM posts ORDER BY id").run());
  s.limited_without_rowid = await attempt(async () => {
    await db.prepare("CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER) WITHOUT ROWID").run();
    await db.prepare("INSERT INTO kv VALUES ('a', 1), ('b', 2), ('c', 3)").run();
    const deleted = await db.prepare("DELETE FROM kv -- newest first\nORDER BY v DESC LIMIT 2 OFFSET 0").run();
    return [deleted, await db.prepare("SELECT k FROM kv").all()];
  });

  s.bind_object = await attempt(() => db.prepare("SELECT ?").bind({ a: 1 }).all());
  s.bind_undefined = await attempt(() => db.prepare("SELECT ?").bind(undefined).all());
  s.bind_bigint = await attempt(() => db.prepare("SELECT ?").bind(1n).all());

  s.session_first = await attempt(async () => {
    const session = db.withSession();
    const before = session.getBookmark();
    const row = await session.prepare("SELECT count(*) AS n FROM users").first();
    return { before, row, bookmark: typeof session.getBookmark() };
  });
  s.session_constraint = await attempt(async () => {
    const session = db.withSession("first-primary");
    const before = session.getBookmark();
    const results = await session.batch([db.prepare("SELECT 1 AS one"), db.prepare("SELECT 2 AS two")]);
    return { before, results, bookmark: typeof session.getBookmark() };
  });
  s.session_error = await attempt(() => db.withSession().prepare("SELECT * FROM nope").all());
  return s;
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/run") {
      return Response.json(await runScenarios(env.DB));
    }
    if (url.pathname === "/dump") {
      try {
        const data = await env.DB.dump();
        return Response.json({ bytes: data.byteLength, header: new TextDecoder().decode(data.slice(0, 15)) });
      } catch (e) {
        return Response.json({ error: String(e.message) });
      }
    }
    return new Response("not found", { status: 404 });
  },
};
