// Auth.js's Drizzle adapter on the frontend's tables.
//   node --import tsx adapter.mjs get-user-by-email <email>              -> {"user": {...} | null}
//   node --import tsx adapter.mjs create-user <email>   (PASSWORD_HASH)  -> {"user": {...}}
// The credentials sign-up stores its bcryptjs hash with the user, as the seed's passwordHash column invites.
import { DrizzleAdapter } from "@auth/drizzle-adapter";

import { print, schema, withDb } from "./db.mjs";

const [operation, email] = process.argv.slice(2);
await withDb(async (db) => {
  const adapter = DrizzleAdapter(db, {
    usersTable: schema.users,
    accountsTable: schema.accounts,
    sessionsTable: schema.sessions,
    verificationTokensTable: schema.verification_tokens,
  });
  if (operation === "get-user-by-email") {
    print({ user: await adapter.getUserByEmail(email) });
  } else if (operation === "create-user") {
    const user = { id: crypto.randomUUID(), email, name: null, image: null, emailVerified: null };
    print({ user: await adapter.createUser({ ...user, passwordHash: process.env.PASSWORD_HASH }) });
  } else {
    throw new Error(`unknown operation ${operation}`);
  }
});
