// @libsql/client against LumaDB: node libsql_client.mjs <scenario> <table>
// LUMADB_URL is the client URL (with or without /turso, with or without a trailing slash);
// LUMADB_TOKEN an optional auth token. Prints one JSON document on the last line.
// LUMADB_CLIENT_ENTRY=ws: the client's `@libsql/client/ws` entry (libsql:// URLs over WebSocket)
const { createClient, LibsqlError } = await import(
  process.env.LUMADB_CLIENT_ENTRY === "ws" ? "@libsql/client/ws" : "@libsql/client");

const url = process.env.LUMADB_URL;
const authToken = process.env.LUMADB_TOKEN || undefined;
const [scenario, table] = process.argv.slice(2);

const plain = (v) => {
  if (typeof v === "bigint") return { bigint: v.toString() };
  if (v instanceof ArrayBuffer) return { blob: Buffer.from(v).toString("hex") };
  if (v instanceof Uint8Array) return { blob: Buffer.from(v).toString("hex") };
  return v;
};
const rows = (rs) => rs.rows.map((r) => Array.from(r).map(plain));
const summary = (rs) => ({
  columns: rs.columns, columnTypes: rs.columnTypes, rows: rows(rs),
  rowsAffected: rs.rowsAffected, lastInsertRowid: plain(rs.lastInsertRowid),
});
const failure = async (promise) => {
  try { await promise; return null; } catch (e) {
    return { libsql: e instanceof LibsqlError, code: e.code, message: e.message, rawCode: e.rawCode ?? null };
  }
};

const scenarios = {
  async values() {
    const c = createClient({ url, authToken, intMode: "bigint" });
    const out = {};
    out.select = summary(await c.execute({ sql: "SELECT ? AS a, ? AS b, ? AS c, ? AS d, ? AS e, ? AS f", args: [1, 2.5, "x", new Uint8Array([1, 2, 3]), null, true] }));
    await c.execute(`CREATE TABLE ${table} (id INTEGER PRIMARY KEY, i INTEGER, r REAL, t TEXT, b BLOB, n)`);
    const big = [9223372036854775807n, -9223372036854775808n, 0n, 42n];
    for (const v of big) await c.execute({ sql: `INSERT INTO ${table}(i) VALUES (?)`, args: [v] });
    const ins = await c.execute({ sql: `INSERT INTO ${table}(i, r, t, b, n) VALUES (:i, :r, :t, :b, :n)`, args: { i: 7n, r: 1.5, t: "héllo ✓", b: new Uint8Array([0, 255, 16]), n: null } });
    out.insert = summary(ins);
    out.read = summary(await c.execute(`SELECT id, i, r, t, b, n FROM ${table} ORDER BY id`));
    out.named = summary(await c.execute({ sql: "SELECT $x AS x, @y AS y, :z AS z", args: { x: 1n, "@y": "two", ":z": 3.5 } }));
    const s = createClient({ url, authToken, intMode: "string" });
    out.strings = summary(await s.execute(`SELECT i FROM ${table} WHERE i IS NOT NULL ORDER BY id LIMIT 2`));
    c.close(); s.close();
    return out;
  },
  async batches() {
    const c = createClient({ url, authToken, intMode: "number" });
    const out = {};
    await c.execute(`CREATE TABLE ${table} (id INTEGER PRIMARY KEY, v TEXT UNIQUE)`);
    const w = await c.batch([
      { sql: `INSERT INTO ${table}(v) VALUES (?)`, args: ["a"] },
      { sql: `INSERT INTO ${table}(v) VALUES (?)`, args: ["b"] },
      `SELECT count(*) AS n FROM ${table}`,
    ], "write");
    out.write = w.map(summary);
    out.read = (await c.batch([`SELECT v FROM ${table} ORDER BY id`, `SELECT count(*) AS n FROM ${table}`], "read")).map(summary);
    out.deferred = (await c.batch([{ sql: `INSERT INTO ${table}(v) VALUES (?)`, args: ["c"] }, `SELECT count(*) AS n FROM ${table}`], "deferred")).map(summary);
    // a failing statement rolls the whole batch back
    out.failed = await failure(c.batch([
      { sql: `INSERT INTO ${table}(v) VALUES (?)`, args: ["d"] },
      { sql: `INSERT INTO ${table}(v) VALUES (?)`, args: ["a"] },
    ], "write"));
    out.afterFailed = rows(await c.execute(`SELECT v FROM ${table} ORDER BY id`));
    await c.executeMultiple(`CREATE TABLE ${table}_m (x); INSERT INTO ${table}_m VALUES (1); INSERT INTO ${table}_m VALUES (2);`);
    out.multiple = rows(await c.execute(`SELECT x FROM ${table}_m ORDER BY x`));
    out.migrate = (await c.migrate([`CREATE TABLE ${table}_g (y)`, `INSERT INTO ${table}_g VALUES (9)`])).map(summary);
    c.close();
    return out;
  },
  async transactions() {
    const c = createClient({ url, authToken, intMode: "number" });
    const out = {};
    await c.execute(`CREATE TABLE ${table} (v)`);
    const tx = await c.transaction("write");
    await tx.execute({ sql: `INSERT INTO ${table} VALUES (?)`, args: [1] });
    out.insideTx = rows(await tx.execute(`SELECT count(*) FROM ${table}`));
    const other = createClient({ url, authToken, intMode: "number" });
    out.otherDuringTx = rows(await other.execute(`SELECT count(*) FROM ${table}`));
    await tx.commit();
    out.afterCommit = rows(await c.execute(`SELECT count(*) FROM ${table}`));
    const tx2 = await c.transaction("write");
    await tx2.execute({ sql: `INSERT INTO ${table} VALUES (?)`, args: [2] });
    await tx2.batch([{ sql: `INSERT INTO ${table} VALUES (?)`, args: [3] }]);
    await tx2.rollback();
    out.afterRollback = rows(await c.execute(`SELECT count(*) FROM ${table}`));
    const tx3 = await c.transaction("read");
    out.readTx = rows(await tx3.execute(`SELECT count(*) FROM ${table}`));
    tx3.close();
    const tx4 = await c.transaction("deferred");
    await tx4.execute({ sql: `INSERT INTO ${table} VALUES (?)`, args: [4] });
    await tx4.executeMultiple(`INSERT INTO ${table} VALUES (5); INSERT INTO ${table} VALUES (6);`);
    await tx4.commit();
    out.afterDeferred = rows(await c.execute(`SELECT v FROM ${table} ORDER BY v`));
    // transactions closed before they touched a table (an early exit from try/finally), and a
    // lone BEGIN: what runs next is not inside them
    const tx5 = await c.transaction("read");
    await tx5.execute("SELECT 1");
    tx5.close();
    (await c.transaction("deferred")).close();
    await c.execute("BEGIN");
    await c.batch([{ sql: `INSERT INTO ${table} VALUES (?)`, args: [7] }], "write");
    await c.executeMultiple(`INSERT INTO ${table} VALUES (8); INSERT INTO ${table} VALUES (9);`);
    out.afterAbandoned = rows(await other.execute(`SELECT v FROM ${table} WHERE v > 6 ORDER BY v`));
    c.close(); other.close();
    return out;
  },
  async errors() {
    const c = createClient({ url, authToken });
    await c.execute(`CREATE TABLE ${table} (v TEXT PRIMARY KEY)`);
    await c.execute({ sql: `INSERT INTO ${table} VALUES (?)`, args: ["a"] });
    const out = {
      unique: await failure(c.execute({ sql: `INSERT INTO ${table} VALUES (?)`, args: ["a"] })),
      syntax: await failure(c.execute("SELEC 1")),
      noTable: await failure(c.execute("SELECT * FROM no_such_table_here")),
      args: await failure(c.execute({ sql: "SELECT ?, ?", args: [1] })),
      many: await failure(c.execute("SELECT 1; SELECT 2")),
      batch: await failure(c.batch([`INSERT INTO ${table} VALUES ('b')`, `INSERT INTO ${table} VALUES ('a')`], "write")),
      afterBatch: rows(await c.execute(`SELECT v FROM ${table} ORDER BY v`)),
    };
    c.close();  // (a ws:// client's open socket would keep node running)
    return out;
  },
  async busy() {
    // a write transaction on one client; another client's write waits, then fails with SQLITE_BUSY
    const a = createClient({ url, authToken });
    const b = createClient({ url, authToken });
    await a.execute(`CREATE TABLE ${table} (v)`);
    const tx = await a.transaction("write");
    await tx.execute(`INSERT INTO ${table} VALUES (1)`);
    const started = Date.now();
    const readWhileLocked = rows(await b.execute(`SELECT count(*) FROM ${table}`));
    const blocked = await failure(b.execute(`INSERT INTO ${table} VALUES (2)`));
    const waitedMs = Date.now() - started;
    await tx.commit();
    const after = rows(await b.execute(`SELECT count(*) FROM ${table}`));
    a.close(); b.close();
    return { readWhileLocked, blocked, waitedMs, after };
  },
  // Turso's vector search as its documentation writes it: an F32_BLOB column, vector32(),
  // a libsql_vector_idx index, vector_top_k joined to the table, and vectors bound as blobs
  async vectors() {
    const c = createClient({ url, authToken });
    await c.batch([
      `CREATE TABLE ${table} (title TEXT, year INT, embedding F32_BLOB(4))`,
      `CREATE INDEX ${table}_idx ON ${table} (libsql_vector_idx(embedding))`,
      `INSERT INTO ${table} VALUES ('Napoleon', 2023, vector32('[0.800, 0.579, 0.481, 0.229]'))`,
      `INSERT INTO ${table} VALUES ('Black Hawk Down', 2001, vector32('[0.406, 0.027, 0.378, 0.056]'))`,
      `INSERT INTO ${table} VALUES ('Gladiator', 2000, vector32('[0.698, 0.140, 0.073, 0.125]'))`,
      `INSERT INTO ${table} VALUES ('Blade Runner', 1982, vector32('[0.379, 0.637, 0.011, 0.647]'))`,
    ], "write");
    const bound = new Float32Array([0.064, 0.777, 0.661, 0.687]);
    await c.execute({ sql: `INSERT INTO ${table} VALUES ('Arrival', 2016, ?)`, args: [new Uint8Array(bound.buffer)] });
    const out = {};
    out.top = rows(await c.execute({
      sql: `SELECT title, year FROM vector_top_k('${table}_idx', vector32(?), 3) JOIN ${table} ON ${table}.rowid = id`,
      args: ["[0.064, 0.777, 0.661, 0.687]"],
    }));
    out.distances = rows(await c.execute(
      `SELECT title, vector_extract(embedding), vector_distance_cos(embedding, vector32('[0.800, 0.579, 0.481, 0.229]')) AS d
       FROM ${table} ORDER BY d LIMIT 2`));
    out.column = summary(await c.execute(`SELECT embedding FROM ${table} WHERE title = 'Arrival'`));
    out.wrongSize = await failure(c.execute(`INSERT INTO ${table} VALUES ('Dune', 2021, vector32('[1, 2, 3]'))`));
    c.close();
    return out;
  },
  // 40 write transactions at once on one client, beside plain reads: the client's fetch keeps
  // several connections, and a transaction's requests go over whichever is free
  async concurrentTransactions() {
    const c = createClient({ url, authToken, intMode: "number" });
    await c.execute(`CREATE TABLE ${table} (id INTEGER PRIMARY KEY, v TEXT)`);
    let committed = 0;
    const failed = {};
    const transaction = async (n) => {
      try {
        const tx = await c.transaction("write");
        await tx.execute({ sql: `INSERT INTO ${table} (v) VALUES (?)`, args: [`t${n}`] });
        await tx.execute(`SELECT count(*) FROM ${table}`);
        await tx.commit();
        committed++;
      } catch (e) {
        const key = `${e.code}: ${e.message}`;
        failed[key] = (failed[key] || 0) + 1;
      }
    };
    const reads = async () => { for (let i = 0; i < 20; i++) await c.execute("SELECT 1"); };
    const jobs = [];
    for (let n = 0; n < 40; n++) jobs.push(transaction(n), reads());
    await Promise.all(jobs);
    const [[count, distinct]] = rows(await c.execute(`SELECT count(*), count(DISTINCT v) FROM ${table}`));
    c.close();
    return { committed, failed, rows: count, distinct };
  },
  async abandonedTransaction() {
    // a transaction left open (neither committed nor closed) holds the write lock 5 s at most
    const c = createClient({ url, authToken });
    await c.execute(`CREATE TABLE ${table} (v)`);
    const abandoned = await c.transaction("write");
    await abandoned.execute(`INSERT INTO ${table} VALUES ('abandoned')`);
    const started = Date.now();
    const write = await failure(c.execute(`INSERT INTO ${table} VALUES ('autocommit')`));
    const waitedMs = Date.now() - started;
    const after = await failure(abandoned.execute("SELECT 1"));
    const next = await c.transaction("write");
    await next.execute(`INSERT INTO ${table} VALUES ('next')`);
    await next.commit();
    const values = rows(await c.execute(`SELECT v FROM ${table} ORDER BY rowid`));
    c.close();
    return { write, waitedMs, after, values };
  },
};

const result = await scenarios[scenario]();
console.log(JSON.stringify(result));
