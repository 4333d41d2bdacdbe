// Runs d1_worker/worker.js's scenarios in Node with the lumadb-d1 helper class as env.DB,
// against the LumaDB server at LUMADB_URL, and prints their outcomes as JSON.
// Arguments: the database name; "dump" to print the dump's size and header instead.
import { D1Database } from "../../clients/d1/index.js";
import { runScenarios } from "./d1_worker/worker.js";

const db = new D1Database({ url: process.env.LUMADB_URL, database: process.argv[2] });
if (process.argv[3] === "dump") {
  const data = await db.dump();
  console.log(JSON.stringify({ bytes: data.byteLength, header: new TextDecoder().decode(data.slice(0, 15)) }));
} else {
  console.log(JSON.stringify(await runScenarios(db)));
}
