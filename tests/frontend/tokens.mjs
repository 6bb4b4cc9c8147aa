// The frontend spends a token the way the seed's model invites: a plain update of users.tokens.
//   node --import tsx tokens.mjs spend <userId>  -> {"tokens"}
import { eq, sql } from "drizzle-orm";

import { print, schema, withDb } from "./db.mjs";

const { users } = schema;
const [operation, userId] = process.argv.slice(2);
if (operation !== "spend") throw new Error(`unknown operation ${operation}`);
await withDb(async (db) => {
  const [user] = await db
    .update(users)
    .set({ tokens: sql`${users.tokens} - 1` })
    .where(eq(users.id, userId))
    .returning({ tokens: users.tokens });
  print({ tokens: user.tokens });
});
