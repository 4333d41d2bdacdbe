// lumadb-d1: a D1Database-compatible client that speaks D1's Workers-binding wire protocol
// to LumaDB over fetch. `env.DB = new D1Database({ url, database })` is the whole migration
// for Workers run by wrangler dev or Miniflare, and for Node code.
//
// The client-side behaviour follows Cloudflare's binding: bind-time conversions and
// D1_TYPE_ERROR, `D1_ERROR: <message>` errors with a `cause`, rows as objects where a
// duplicate column name keeps the last value, raw({ columnNames }), first(column),
// exec() splitting on newlines with D1_EXEC_ERROR, and sessions that keep the newest bookmark.

const TOKEN_HEADER = "x-cf-d1-session-commit-token";
const CONSTRAINTS = new Set(["first-primary", "first-unconstrained"]);

function d1Error(prefix, message) {
  return new Error(`${prefix}: ${message}`, { cause: new Error(message) });
}

function firstIfArray(value) {
  return Array.isArray(value) ? value[0] : value;
}

function toObjects(result) {
  const results = result.results;
  if (results && !Array.isArray(results) && Array.isArray(results.columns)) {
    const { columns, rows } = results;
    return {
      success: result.success,
      meta: result.meta,
      results: rows.map((row) => Object.fromEntries(columns.map((name, i) => [name, row[i]]))),
    };
  }
  return { success: result.success, meta: result.meta, results: results ?? [] };
}

function bindValue(value) {
  const type = typeof value;
  if (type === "number" || type === "string") return value;
  if (type === "boolean") return value ? 1 : 0;
  if (type === "object") {
    if (value === null) return null;
    if (Array.isArray(value) && value.every((b) => typeof b === "number" && b >= 0 && b < 256)) return value;
    if (value instanceof ArrayBuffer) return Array.from(new Uint8Array(value));
    if (ArrayBuffer.isView(value)) return Array.from(value);
  }
  throw d1Error("D1_TYPE_ERROR", `Type '${type}' not supported for value '${value}'`);
}

async function parseBody(response) {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`Failed to parse body as JSON, got: ${text}`);
  }
}

function mapResult(item) {
  if (item && typeof item === "object" && "error" in item) return { success: false, error: item.error };
  return { success: true, meta: item?.meta ?? {}, results: item?.results ?? [] };
}

/** One connection to a LumaDB database: where, which, and the credentials. */
class Transport {
  constructor({ url, database, token, fetch: fetchImpl, headers }) {
    if (!url) throw new TypeError("lumadb-d1: `url` (the LumaDB server) is required");
    if (!database) throw new TypeError("lumadb-d1: `database` (a D1 database name or uuid) is required");
    this.base = String(url).replace(/\/+$/, "");
    this.fetch = fetchImpl ?? globalThis.fetch.bind(globalThis);
    this.headers = { "content-type": "application/json", "x-lumadb-database": database, ...(headers ?? {}) };
    if (token) this.headers.authorization = `Bearer ${token}`;
  }

  request(path, init) {
    return this.fetch(`${this.base}${path}`, { ...init, headers: { ...this.headers, ...(init.headers ?? {}) } });
  }
}

class Session {
  constructor(transport, bookmarkOrConstraint) {
    this.transport = transport;
    this.bookmark = bookmarkOrConstraint; // undefined: plain env.DB calls send no token
  }

  getBookmark() {
    return this.bookmark === undefined || CONSTRAINTS.has(this.bookmark) ? null : this.bookmark;
  }

  prepare(sql) {
    return new D1PreparedStatement(this, sql);
  }

  async batch(statements) {
    const results = await this.sendOrThrow(
      "/query", statements.map((s) => s.statement), statements.map((s) => s.params), "ROWS_AND_COLUMNS");
    return results.map(toObjects);
  }

  async exec(query) {
    const lines = query.trim().split("\n");
    const answer = await this.send("/execute", lines, [], "NONE");
    const results = Array.isArray(answer) ? answer : [answer];
    const failed = results.findIndex((r) => r.error);
    if (failed !== -1) {
      throw d1Error("D1_EXEC_ERROR", `Error in line ${failed + 1}: ${lines[failed]}: ${results[failed].error}`);
    }
    return { count: results.length, duration: results.reduce((sum, r) => sum + (r.meta?.duration ?? 0), 0) };
  }

  async sendOrThrow(path, query, params, format) {
    const results = await this.send(path, query, params, format);
    const first = firstIfArray(results);
    if (!first.success) throw d1Error("D1_ERROR", first.error);
    return results;
  }

  async send(path, query, params, format) {
    const body = Array.isArray(query)
      ? query.map((sql, i) => ({ sql, params: params[i] }))
      : { sql: query, params };
    const headers = this.bookmark === undefined ? {} : { [TOKEN_HEADER]: this.bookmark };
    try {
      const response = await this.transport.request(`${path}?resultsFormat=${format}`, {
        method: "POST", headers, body: JSON.stringify(body),
      });
      const answer = await parseBody(response);
      const token = response.headers.get(TOKEN_HEADER);
      if (token && this.bookmark !== undefined) this.keepNewest(token);
      return Array.isArray(answer) ? answer.map(mapResult) : mapResult(answer);
    } catch (e) {
      throw d1Error("D1_ERROR", e?.message ?? String(e));
    }
  }

  keepNewest(token) {
    const current = this.getBookmark();
    if (current === null || token.localeCompare(current) > 0) this.bookmark = token;
  }
}

export class D1PreparedStatement {
  constructor(session, statement, params = []) {
    this.session = session;
    this.statement = statement;
    this.params = params;
  }

  bind(...values) {
    return new D1PreparedStatement(this.session, this.statement, values.map(bindValue));
  }

  async first(column) {
    const result = toObjects(firstIfArray(
      await this.session.sendOrThrow("/query", this.statement, this.params, "ROWS_AND_COLUMNS")));
    if (result.results.length === 0) return null;
    const row = result.results[0];
    if (column === undefined) return row;
    if (row[column] === undefined) {
      throw new Error(`D1_COLUMN_NOTFOUND: Column not found (${column})`, { cause: new Error("Column not found") });
    }
    return row[column];
  }

  async run() {
    return toObjects(firstIfArray(await this.session.sendOrThrow("/execute", this.statement, this.params, "NONE")));
  }

  async all() {
    return toObjects(firstIfArray(
      await this.session.sendOrThrow("/query", this.statement, this.params, "ROWS_AND_COLUMNS")));
  }

  async raw(options) {
    const result = firstIfArray(
      await this.session.sendOrThrow("/query", this.statement, this.params, "ROWS_AND_COLUMNS"));
    const { columns, rows } = result.results;
    return options?.columnNames ? [columns, ...rows] : rows;
  }
}

export class D1DatabaseSession {
  constructor(session) {
    this.session = session;
  }

  prepare(sql) {
    return this.session.prepare(sql);
  }

  batch(statements) {
    return this.session.batch(statements);
  }

  getBookmark() {
    return this.session.getBookmark();
  }
}

export class D1Database {
  /**
   * @param {{url: string, database: string, token?: string, fetch?: typeof fetch, headers?: Record<string,string>}} options
   */
  constructor(options) {
    this.transport = new Transport(options);
    this.primary = new Session(this.transport, undefined);
  }

  prepare(sql) {
    return this.primary.prepare(sql);
  }

  batch(statements) {
    return this.primary.batch(statements);
  }

  exec(query) {
    return this.primary.exec(query);
  }

  withSession(constraintOrBookmark) {
    let start = typeof constraintOrBookmark === "string" ? constraintOrBookmark.trim() : constraintOrBookmark;
    if (start === undefined || start === null || start === "") start = "first-unconstrained";
    return new D1DatabaseSession(new Session(this.transport, start));
  }

  /** @deprecated D1's dump(): the database file. */
  async dump() {
    const response = await this.transport.request("/dump", { method: "POST" });
    if (response.status !== 200) {
      try {
        const answer = await response.json();
        throw d1Error("D1_DUMP_ERROR", answer.error);
      } catch (e) {
        if (String(e?.message).startsWith("D1_DUMP_ERROR")) throw e;
        throw d1Error("D1_DUMP_ERROR", `Status + ${response.status}`);
      }
    }
    return response.arrayBuffer();
  }
}

export { D1Database as LumaD1Database };
export default D1Database;
