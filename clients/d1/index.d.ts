// Types follow @cloudflare/workers-types' D1 declarations, so code typed against
// `D1Database` accepts this client unchanged.

export interface D1Meta {
  served_by?: string;
  served_by_region?: string;
  served_by_primary?: boolean;
  timings?: { sql_duration_ms: number };
  duration: number;
  changes: number;
  last_row_id: number;
  changed_db: boolean;
  size_after: number;
  rows_read: number;
  rows_written: number;
}

export interface D1Response {
  success: true;
  meta: D1Meta & Record<string, unknown>;
  error?: never;
}

export type D1Result<T = unknown> = D1Response & { results: T[] };

export interface D1ExecResult {
  count: number;
  duration: number;
}

export type D1SessionConstraint = "first-primary" | "first-unconstrained";
export type D1SessionBookmark = string;

export interface D1Options {
  /** The LumaDB server, e.g. "http://127.0.0.1:8000" (the binding protocol is served at the root). */
  url: string;
  /** The D1 database's name or uuid; an unknown name is created on first use. */
  database: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** A fetch implementation (defaults to globalThis.fetch). */
  fetch?: typeof fetch;
  /** Extra headers for every request. */
  headers?: Record<string, string>;
}

export declare class D1PreparedStatement {
  bind(...values: unknown[]): D1PreparedStatement;
  first<T = unknown>(colName: string): Promise<T | null>;
  first<T = Record<string, unknown>>(): Promise<T | null>;
  run<T = Record<string, unknown>>(): Promise<D1Result<T>>;
  all<T = Record<string, unknown>>(): Promise<D1Result<T>>;
  raw<T = unknown[]>(options: { columnNames: true }): Promise<[string[], ...T[]]>;
  raw<T = unknown[]>(options?: { columnNames?: false }): Promise<T[]>;
}

export declare class D1DatabaseSession {
  prepare(query: string): D1PreparedStatement;
  batch<T = unknown>(statements: D1PreparedStatement[]): Promise<D1Result<T>[]>;
  getBookmark(): D1SessionBookmark | null;
}

export declare class D1Database {
  constructor(options: D1Options);
  prepare(query: string): D1PreparedStatement;
  batch<T = unknown>(statements: D1PreparedStatement[]): Promise<D1Result<T>[]>;
  exec(query: string): Promise<D1ExecResult>;
  withSession(constraintOrBookmark?: D1SessionBookmark | D1SessionConstraint): D1DatabaseSession;
  /** @deprecated */
  dump(): Promise<ArrayBuffer>;
}

export { D1Database as LumaD1Database };
export default D1Database;
