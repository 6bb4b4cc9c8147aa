// Records drizzle-kit migrations as applied without running them, on a database whose objects the backend's
// migrations/ already made: the baseline generated from drizzle/schema.ts, and later any migration that
// only catches schema.ts up with a backend migration. `drizzle-kit migrate` then runs only the rest.
//
//   DATABASE_URL=postgres://... node adopt.mjs [migrations folder, default ./drizzle] [tag, default the first]
//
// Adopts every migration of the journal up to and including the tag that is not recorded yet; running it
// again changes nothing. drizzle-orm records a migration as (sha256 of its .sql file, the journal entry's
// `when`) and runs those whose `when` is later than the newest recorded; both values are taken with
// drizzle-orm's own readMigrationFiles, so they are what `drizzle-kit migrate` expects.
import { readFileSync } from "node:fs";

import { readMigrationFiles } from "drizzle-orm/migrator";
import pg from "pg";

const folder = process.argv[2] ?? "./drizzle";
const tags = JSON.parse(readFileSync(`${folder}/meta/_journal.json`, "utf8")).entries.map((entry) => entry.tag);
const through = process.argv[3] ?? tags[0];
if (!tags.includes(through)) throw new Error(`no migration ${through} in ${folder}/meta/_journal.json`);
const wanted = readMigrationFiles({ migrationsFolder: folder })
  .map((migration, index) => ({ ...migration, tag: tags[index] }))
  .slice(0, tags.indexOf(through) + 1);

const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
await client.connect();
try {
  await client.query("BEGIN");
  const built = await client.query("SELECT to_regclass('public.schema_migrations') IS NOT NULL AS built");
  if (!built.rows[0].built) {
    throw new Error("this database was not built by the backend's migrations (no schema_migrations): not adopting");
  }
  // The table exactly as drizzle-orm's migrator creates it; two adopters at once queue on its lock.
  await client.query('CREATE SCHEMA IF NOT EXISTS "drizzle"');
  await client.query(
    'CREATE TABLE IF NOT EXISTS "drizzle"."__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)',
  );
  await client.query('LOCK TABLE "drizzle"."__drizzle_migrations" IN EXCLUSIVE MODE');
  const { rows } = await client.query('SELECT hash, created_at FROM "drizzle"."__drizzle_migrations"');
  const recorded = new Set(rows.map((row) => `${row.hash}@${row.created_at}`));
  const newest = Math.max(0, ...rows.map((row) => Number(row.created_at)));
  const adopted = [];
  for (const migration of wanted) {
    if (recorded.has(`${migration.hash}@${migration.folderMillis}`)) continue;
    if (migration.folderMillis <= newest) {
      throw new Error(`${migration.tag} is older than a migration already recorded, so it cannot be adopted: not adopting`);
    }
    await client.query('INSERT INTO "drizzle"."__drizzle_migrations" (hash, created_at) VALUES ($1, $2)', [
      migration.hash,
      migration.folderMillis,
    ]);
    adopted.push(migration.tag);
  }
  await client.query("COMMIT");
  console.log(JSON.stringify({ adopted }));
} catch (error) {
  await client.query("ROLLBACK");
  throw error;
} finally {
  await client.end();
}
