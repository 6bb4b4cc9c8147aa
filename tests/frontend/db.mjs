// The frontend's way to the database: node-postgres and drizzle-orm with its (the seed's) schema.ts.
// Every script here reads DATABASE_URL and prints one JSON document on stdout for pytest.
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";

import * as schema from "./seed-schema.ts";

export { schema };

export async function withDb(work) {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
  try {
    return await work(drizzle(pool, { schema }), pool);
  } finally {
    await pool.end();
  }
}

export function print(value) {
  console.log(JSON.stringify(value));
}
