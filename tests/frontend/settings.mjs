// What a fresh node-postgres connection of the frontend gets from the server, before it sets anything.
//   node settings.mjs  -> {"statement_timeout", "idle_in_transaction_session_timeout", "TimeZone"}
import pg from "pg";

import { print } from "./db.mjs";

const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
await client.connect();
try {
  const settings = {};
  for (const name of ["statement_timeout", "idle_in_transaction_session_timeout", "TimeZone"]) {
    settings[name] = (await client.query(`SHOW ${name}`)).rows[0][name.toLowerCase()];
  }
  print(settings);
} finally {
  await client.end();
}
