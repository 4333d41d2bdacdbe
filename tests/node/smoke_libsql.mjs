// @libsql/client runs `SELECT 1` against LumaDB: the foundation's libSQL smoke test.
import { createClient } from "@libsql/client";

const client = createClient({ url: process.env.LUMADB_URL + "/turso" });
const rs = await client.execute("SELECT 1 AS one");
console.log(JSON.stringify({ columns: rs.columns, rows: rs.rows.map((r) => Number(r.one)) }));
client.close();
