// The whole database as drizzle-kit must see it: the seed's schema.ts (the frontend's), unchanged in its
// exports and columns, plus every table, enum, sequence and index the backend's migrations/ add. Give this
// file to drizzle-kit (push, generate) instead of the seed's: with the seed's, `drizzle-kit push` proposes
// to drop the backend's tables and indexes (see drizzle/README.md).
//
// migrations/ owns the database; this file follows it. tests/frontend/test_drizzle_kit.py fails when
// `drizzle-kit push` with this file proposes any statement against a migrated database (but one known
// no-op, see wardrobe_items.tags), or when it stops being the seed's schema plus the backend's objects.
//
// What drizzle-kit cannot declare, and ignores: the backend's functions and triggers (updated_at,
// item_count, saved_to_wardrobe, the token ledger) and its database settings. They keep derived columns
// true whoever writes: a frontend may write these tables as the seed does.
import { pgTable, pgEnum, uuid, varchar, text, integer, timestamp, boolean, index } from "drizzle-orm/pg-core";
import { bigint, char, check, foreignKey, jsonb, primaryKey, uniqueIndex } from "drizzle-orm/pg-core";
import { relations, sql } from "drizzle-orm";

// ---- The seed's tables (columns exactly as the seed's schema.ts), with the indexes migrations/ add ----

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    email: varchar("email", { length: 255 }).notNull().unique(),
    name: varchar("name", { length: 255 }),
    passwordHash: text("password_hash"), // null for OAuth users
    image: text("image"), // Profile photo URL
    role: varchar("role", { length: 20 }).default("user").notNull(), // 'user' | 'admin'
    plan: varchar("plan", { length: 20 }).default("free").notNull(), // 'free' | 'pro'

    // Token System. Every change is in token_transactions: a trigger records a direct
    // `UPDATE users SET tokens = ...` as a 'direct_change' (migrations/0010).
    tokens: integer("tokens").default(50).notNull(), // 50 for users, 1000 for admins

    emailVerified: timestamp("email_verified"),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    updatedAt: timestamp("updated_at")
      .defaultNow()
      .$onUpdate(() => new Date()),
  },
  (table) => [
    // One account per address whatever its case; the address itself is stored as typed (migrations/0010).
    uniqueIndex("users_email_lower_key").using("btree", sql`lower((${table.email})::text)`),
  ],
);

export const accounts = pgTable("accounts", {
  id: uuid("id").primaryKey().defaultRandom(),
  userId: uuid("user_id")
    .notNull()
    .references(() => users.id, { onDelete: "cascade" }),
  type: varchar("type", { length: 50 }).notNull(),
  provider: varchar("provider", { length: 50 }).notNull(),
  providerAccountId: varchar("provider_account_id", { length: 255 }).notNull(),
  refreshToken: text("refresh_token"),
  accessToken: text("access_token"),
  expiresAt: integer("expires_at"),
  tokenType: varchar("token_type", { length: 50 }),
  scope: text("scope"),
  idToken: text("id_token"),
  createdAt: timestamp("created_at").defaultNow().notNull(),
});

export const sessions = pgTable("sessions", {
  id: uuid("id").primaryKey().defaultRandom(),
  sessionToken: text("session_token").notNull().unique(),
  userId: uuid("user_id")
    .notNull()
    .references(() => users.id, { onDelete: "cascade" }),
  expires: timestamp("expires").notNull(),
});

export const GenerationMode = pgEnum("generation_mode", [
  "tryon", // Photo + Item Photo
  "from_prompt", // Text prompt only
  "photo_text", // Photo + text description
]);

export const GenerationStatus = pgEnum("generation_status", [
  "pending",
  "processing",
  "completed",
  "failed",
]);

export const generations = pgTable(
  "generations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    mode: GenerationMode("mode").notNull(),
    status: GenerationStatus("status").default("pending").notNull(),

    // Input data
    prompt: text("prompt"), // User text prompt (modes 1, 2)
    userPhotoUrl: text("user_photo_url"), // Original user upload (Blob URL or base64)
    itemPhotoUrl: text("item_photo_url"), // Item/clothing upload (for tryon mode)

    // AI output
    resultImageBase64: text("result_image_base64"), // Generated image as base64 data URI
    aiPromptUsed: text("ai_prompt_used"), // Actual prompt sent to Gemini

    // Metadata
    modelUsed: varchar("model_used", { length: 100 }), // 'gemini-2.5-flash'
    generationTimeMs: integer("generation_time_ms"), // How long it took
    errorMessage: text("error_message"), // If status = failed

    // Kept true by a trigger on wardrobe_items (migrations/0007).
    savedToWardrobe: boolean("saved_to_wardrobe").default(false).notNull(),
    createdAt: timestamp("created_at").defaultNow().notNull(),
  },
  (table) => [
    index("idx_generations_user_id").on(table.userId),
    index("idx_generations_created_at").on(table.createdAt.desc().nullsFirst()),
    index("idx_generations_user_created").on(table.userId, table.createdAt.desc().nullsFirst(), table.id.desc().nullsFirst()),
    index("idx_generations_in_flight")
      .on(table.userId, table.createdAt)
      .where(sql`(status = ANY (ARRAY['pending'::generation_status, 'processing'::generation_status]))`),
  ],
);

export const wardrobe_items = pgTable(
  "wardrobe_items",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    generationId: uuid("generation_id").references(() => generations.id, {
      onDelete: "set null",
    }),

    title: varchar("title", { length: 255 }),
    description: text("description"),
    imageBase64: text("image_base64").notNull(), // The saved look image

    collectionId: uuid("collection_id").references(
      () => wardrobe_collections.id,
      { onDelete: "set null" },
    ),
    // drizzle-kit 0.31 reads this default back as '{""}', so `push` always offers to set it again
    // (drizzle-team/drizzle-orm#4231); that one statement is harmless and the tests allow it.
    tags: text("tags").array().default([]),

    createdAt: timestamp("created_at").defaultNow().notNull(),
    updatedAt: timestamp("updated_at")
      .defaultNow()
      .$onUpdate(() => new Date()),
  },
  (table) => [
    index("idx_wardrobe_items_user_id").on(table.userId),
    index("idx_wardrobe_items_collection_id").on(table.collectionId),
    index("idx_wardrobe_items_user_created").on(table.userId, table.createdAt.desc().nullsFirst(), table.id.desc().nullsFirst()),
    index("idx_wardrobe_items_collection_created")
      .on(table.collectionId, table.createdAt.desc().nullsFirst(), table.id.desc().nullsFirst())
      .where(sql`(collection_id IS NOT NULL)`),
    index("idx_wardrobe_items_generation_id").on(table.generationId).where(sql`(generation_id IS NOT NULL)`),
    // Tags match whatever their case (`?tag=summer` finds "Summer"); lower_tags() is the backend's
    // function (migrations/0010), so this index exists only in a database the backend migrated.
    index("idx_wardrobe_items_tags_lower").using("gin", sql`lower_tags(${table.tags})`),
  ],
);

export const wardrobe_collections = pgTable(
  "wardrobe_collections",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: varchar("name", { length: 255 }).notNull(),
    coverImageBase64: text("cover_image_base64"),
    // The number of items in the collection, kept true by triggers whatever a writer sets (migrations/0010).
    itemCount: integer("item_count").default(0).notNull(),
    createdAt: timestamp("created_at").defaultNow().notNull(),
  },
  (table) => [
    index("idx_wardrobe_collections_user_created").on(table.userId, table.createdAt.desc().nullsFirst(), table.id.desc().nullsFirst()),
  ],
);

export const advisor_sessions = pgTable(
  "advisor_sessions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),

    userPhotoUrl: text("user_photo_url"), // Photo user uploaded
    userMessage: text("user_message").notNull(), // User's style question
    aiResponse: text("ai_response").notNull(), // LLaMA generated advice (markdown)
    extractedPrompt: text("extracted_prompt"), // Extracted prompt for Generate Studio

    createdAt: timestamp("created_at").defaultNow().notNull(),
  },
  (table) => [
    index("idx_advisor_sessions_user_id").on(table.userId),
    index("idx_advisor_sessions_user_created").on(table.userId, table.createdAt.desc().nullsFirst(), table.id.desc().nullsFirst()),
  ],
);

export const verification_tokens = pgTable("verification_tokens", {
  identifier: text("identifier").notNull(),
  token: text("token").notNull().unique(),
  expires: timestamp("expires").notNull(),
});

// ---- The backend's own tables (migrations/0003, 0004, 0006 and the runner's schema_migrations) ----
// Read them if you like; write them only through the API. Foreign keys, the check and the composite
// primary key carry the names Postgres gave them, so drizzle-kit sees nothing to rename.

export const TokenTransactionKind = pgEnum("token_transaction_kind", [
  "signup",
  "generation_charge",
  "generation_refund",
  "admin_adjustment",
  "role_grant",
  "advisor_charge",
  "direct_change", // users.tokens changed without a ledger row (migrations/0010)
]);

// The token ledger: for every user, users.tokens = sum(delta).
export const token_transactions = pgTable(
  "token_transactions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id").notNull(),
    delta: integer("delta").notNull(),
    balanceAfter: integer("balance_after").notNull(),
    kind: TokenTransactionKind("kind").notNull(),
    generationId: uuid("generation_id"),
    actorId: uuid("actor_id"),
    note: text("note"),
    createdAt: timestamp("created_at").defaultNow().notNull(),
  },
  (table) => [
    foreignKey({ name: "token_transactions_user_id_fkey", columns: [table.userId], foreignColumns: [users.id] })
      .onDelete("cascade"),
    foreignKey({
      name: "token_transactions_generation_id_fkey",
      columns: [table.generationId],
      foreignColumns: [generations.id],
    }).onDelete("set null"),
    foreignKey({ name: "token_transactions_actor_id_fkey", columns: [table.actorId], foreignColumns: [users.id] })
      .onDelete("set null"),
    check("token_transactions_balance_after_check", sql`balance_after >= 0`),
    index("idx_token_transactions_user_created").on(table.userId, table.createdAt.desc().nullsFirst(), table.id.desc().nullsFirst()),
    uniqueIndex("uq_token_transactions_generation_kind")
      .on(table.generationId, table.kind)
      .where(
        sql`((generation_id IS NOT NULL) AND (kind = ANY (ARRAY['generation_charge'::token_transaction_kind, 'generation_refund'::token_transaction_kind])))`,
      ),
    index("idx_token_transactions_generation_id").on(table.generationId).where(sql`(generation_id IS NOT NULL)`),
    index("idx_token_transactions_actor_id").on(table.actorId).where(sql`(actor_id IS NOT NULL)`),
  ],
);

// Failed logins per address, for the login lockout.
export const login_failures = pgTable(
  "login_failures",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity({ name: "login_failures_id_seq" }),
    email: varchar("email", { length: 255 }).notNull(),
    failedAt: timestamp("failed_at").defaultNow().notNull(),
  },
  (table) => [index("idx_login_failures_email_failed_at").on(table.email, table.failedAt.desc().nullsFirst())],
);

// Idempotency-Key records of the API, kept 24 hours.
export const idempotency_keys = pgTable(
  "idempotency_keys",
  {
    userId: uuid("user_id").notNull(),
    operation: varchar("operation", { length: 50 }).notNull(),
    key: varchar("key", { length: 255 }).notNull(),
    requestHash: char("request_hash", { length: 64 }).notNull(),
    resourceId: uuid("resource_id"),
    responseStatus: integer("response_status"),
    responseBody: jsonb("response_body"),
    createdAt: timestamp("created_at").defaultNow().notNull(),
  },
  (table) => [
    primaryKey({ name: "idempotency_keys_pkey", columns: [table.userId, table.operation, table.key] }),
    foreignKey({ name: "idempotency_keys_user_id_fkey", columns: [table.userId], foreignColumns: [users.id] })
      .onDelete("cascade"),
    index("idx_idempotency_keys_created_at").on(table.createdAt),
  ],
);

// What a generation was asked for beyond the seed's columns (quality tier, aspect ratio, size), and why one
// failed (an error code and whether a retry may succeed): the backend's own tables, keyed by the generation.
export const generation_options = pgTable(
  "generation_options",
  {
    generationId: uuid("generation_id").primaryKey().notNull(),
    quality: varchar("quality", { length: 16 }).default("standard").notNull(),
    aspectRatio: varchar("aspect_ratio", { length: 8 }),
    imageSize: varchar("image_size", { length: 4 }),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    style: varchar("style", { length: 100 }),
    deadlineAt: timestamp("deadline_at"),
    garments: jsonb("garments"),
    batchId: uuid("batch_id"),
    webhookUrl: text("webhook_url"),
  },
  (table) => [
    index("idx_generation_options_deadline").on(table.deadlineAt).where(sql`(deadline_at IS NOT NULL)`),
    index("idx_generation_options_batch").on(table.batchId).where(sql`(batch_id IS NOT NULL)`),
    foreignKey({
      name: "generation_options_generation_id_fkey",
      columns: [table.generationId],
      foreignColumns: [generations.id],
    }).onDelete("cascade"),
    check("generation_options_quality_check", sql`(quality)::text = ANY ((ARRAY['standard'::character varying, 'high'::character varying])::text[])`),
    check("generation_options_image_size_check", sql`(image_size)::text = ANY ((ARRAY['1K'::character varying, '2K'::character varying, '4K'::character varying])::text[])`),
  ],
);

export const generation_failures = pgTable(
  "generation_failures",
  {
    generationId: uuid("generation_id").primaryKey().notNull(),
    errorCode: varchar("error_code", { length: 32 }).notNull(),
    retryable: boolean("retryable").notNull(),
    createdAt: timestamp("created_at").defaultNow().notNull(),
  },
  (table) => [
    foreignKey({
      name: "generation_failures_generation_id_fkey",
      columns: [table.generationId],
      foreignColumns: [generations.id],
    }).onDelete("cascade"),
  ],
);

// Webhooks (migrations/0016): endpoints, the account's signing secret for one-off URLs, the events a
// generation's end makes (a trigger records them, whoever ends it) and their deliveries. Secrets are here:
// read them only to show them to their owner.
export const webhook_signing_secrets = pgTable(
  "webhook_signing_secrets",
  {
    userId: uuid("user_id").primaryKey().notNull(),
    secret: text("secret").notNull(),
    previousSecret: text("previous_secret"),
    previousSecretExpiresAt: timestamp("previous_secret_expires_at"),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    updatedAt: timestamp("updated_at").defaultNow().notNull(),
  },
  (table) => [
    foreignKey({ name: "webhook_signing_secrets_user_id_fkey", columns: [table.userId], foreignColumns: [users.id] })
      .onDelete("cascade"),
  ],
);

export const webhook_endpoints = pgTable(
  "webhook_endpoints",
  {
    id: uuid("id").primaryKey().defaultRandom().notNull(),
    userId: uuid("user_id").notNull(),
    url: text("url").notNull(),
    events: text("events").array().notNull(),
    description: varchar("description", { length: 255 }),
    enabled: boolean("enabled").default(true).notNull(),
    disabledReason: varchar("disabled_reason", { length: 16 }),
    secret: text("secret").notNull(),
    previousSecret: text("previous_secret"),
    previousSecretExpiresAt: timestamp("previous_secret_expires_at"),
    failingSince: timestamp("failing_since"),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    updatedAt: timestamp("updated_at").defaultNow().notNull(),
  },
  (table) => [
    foreignKey({ name: "webhook_endpoints_user_id_fkey", columns: [table.userId], foreignColumns: [users.id] })
      .onDelete("cascade"),
    index("idx_webhook_endpoints_user_created").on(table.userId, table.createdAt.desc().nullsFirst(), table.id.desc().nullsFirst()),
  ],
);

export const webhook_events = pgTable(
  "webhook_events",
  {
    id: uuid("id").primaryKey().defaultRandom().notNull(),
    userId: uuid("user_id").notNull(),
    type: varchar("type", { length: 32 }).notNull(),
    subjectId: uuid("subject_id").notNull(),
    payload: jsonb("payload").notNull(),
    createdAt: timestamp("created_at").defaultNow().notNull(),
  },
  (table) => [
    foreignKey({ name: "webhook_events_user_id_fkey", columns: [table.userId], foreignColumns: [users.id] })
      .onDelete("cascade"),
    uniqueIndex("uq_webhook_events_type_subject").on(table.type, table.subjectId),
    index("idx_webhook_events_created").on(table.createdAt),
  ],
);

export const webhook_deliveries = pgTable(
  "webhook_deliveries",
  {
    id: uuid("id").primaryKey().defaultRandom().notNull(),
    eventId: uuid("event_id").notNull(),
    userId: uuid("user_id").notNull(),
    endpointId: uuid("endpoint_id"),
    url: text("url"),
    status: varchar("status", { length: 16 }).default("pending").notNull(),
    attempts: integer("attempts").default(0).notNull(),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    nextAttemptAt: timestamp("next_attempt_at").defaultNow(),
    giveUpAt: timestamp("give_up_at"),
    leasedUntil: timestamp("leased_until"),
    dispatchedAt: timestamp("dispatched_at"),
    deliveredAt: timestamp("delivered_at"),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    updatedAt: timestamp("updated_at").defaultNow().notNull(),
  },
  (table) => [
    foreignKey({ name: "webhook_deliveries_event_id_fkey", columns: [table.eventId], foreignColumns: [webhook_events.id] })
      .onDelete("cascade"),
    foreignKey({ name: "webhook_deliveries_user_id_fkey", columns: [table.userId], foreignColumns: [users.id] })
      .onDelete("cascade"),
    foreignKey({
      name: "webhook_deliveries_endpoint_id_fkey",
      columns: [table.endpointId],
      foreignColumns: [webhook_endpoints.id],
    }).onDelete("cascade"),
    uniqueIndex("uq_webhook_deliveries_event_endpoint").on(table.eventId, table.endpointId),
    check("webhook_deliveries_status_check", sql`(status)::text = ANY ((ARRAY['pending'::character varying, 'succeeded'::character varying, 'failed'::character varying])::text[])`),
    index("idx_webhook_deliveries_endpoint_created")
      .on(table.endpointId, table.createdAt.desc().nullsFirst(), table.id.desc().nullsFirst())
      .where(sql`(endpoint_id IS NOT NULL)`),
    index("idx_webhook_deliveries_one_off_created")
      .on(table.userId, table.createdAt.desc().nullsFirst(), table.id.desc().nullsFirst())
      .where(sql`(endpoint_id IS NULL)`),
    index("idx_webhook_deliveries_pending").on(table.nextAttemptAt).where(sql`((status)::text = 'pending'::text)`),
    index("idx_webhook_deliveries_created").on(table.createdAt),
  ],
);

// The backend's migration runner's record of applied migrations/ files (imagify.migrator).
export const schema_migrations = pgTable("schema_migrations", {
  version: text("version").primaryKey(),
  checksum: char("checksum", { length: 64 }).notNull(),
  appliedAt: timestamp("applied_at", { withTimezone: true }).defaultNow().notNull(),
});

// ---- The seed's relations, unchanged ----

export const usersRelations = relations(users, ({ many }) => ({
  accounts: many(accounts),
  sessions: many(sessions),
  generations: many(generations),
  wardrobeItems: many(wardrobe_items),
  wardrobeCollections: many(wardrobe_collections),
  advisorSessions: many(advisor_sessions),
}));

export const generationsRelations = relations(generations, ({ one }) => ({
  user: one(users, { fields: [generations.userId], references: [users.id] }),
  wardrobeItem: one(wardrobe_items, {
    fields: [generations.id],
    references: [wardrobe_items.generationId],
  }),
}));

export const wardrobeItemsRelations = relations(wardrobe_items, ({ one }) => ({
  user: one(users, { fields: [wardrobe_items.userId], references: [users.id] }),
  collection: one(wardrobe_collections, {
    fields: [wardrobe_items.collectionId],
    references: [wardrobe_collections.id],
  }),
  generation: one(generations, {
    fields: [wardrobe_items.generationId],
    references: [generations.id],
  }),
}));
