-- The seed's schema, exactly as drizzle-kit 0.31 generates it from the frontend's schema.ts, plus the
-- seed's five indexes. A Drizzle client and this backend share the database, so names must match.

CREATE TYPE "public"."generation_mode" AS ENUM('tryon', 'from_prompt', 'photo_text');
CREATE TYPE "public"."generation_status" AS ENUM('pending', 'processing', 'completed', 'failed');
CREATE TABLE "accounts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"type" varchar(50) NOT NULL,
	"provider" varchar(50) NOT NULL,
	"provider_account_id" varchar(255) NOT NULL,
	"refresh_token" text,
	"access_token" text,
	"expires_at" integer,
	"token_type" varchar(50),
	"scope" text,
	"id_token" text,
	"created_at" timestamp DEFAULT now() NOT NULL
);

CREATE TABLE "advisor_sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"user_photo_url" text,
	"user_message" text NOT NULL,
	"ai_response" text NOT NULL,
	"extracted_prompt" text,
	"created_at" timestamp DEFAULT now() NOT NULL
);

CREATE TABLE "generations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"mode" "generation_mode" NOT NULL,
	"status" "generation_status" DEFAULT 'pending' NOT NULL,
	"prompt" text,
	"user_photo_url" text,
	"item_photo_url" text,
	"result_image_base64" text,
	"ai_prompt_used" text,
	"model_used" varchar(100),
	"generation_time_ms" integer,
	"error_message" text,
	"saved_to_wardrobe" boolean DEFAULT false NOT NULL,
	"created_at" timestamp DEFAULT now() NOT NULL
);

CREATE TABLE "sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"session_token" text NOT NULL,
	"user_id" uuid NOT NULL,
	"expires" timestamp NOT NULL,
	CONSTRAINT "sessions_session_token_unique" UNIQUE("session_token")
);

CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" varchar(255) NOT NULL,
	"name" varchar(255),
	"password_hash" text,
	"image" text,
	"role" varchar(20) DEFAULT 'user' NOT NULL,
	"plan" varchar(20) DEFAULT 'free' NOT NULL,
	"tokens" integer DEFAULT 50 NOT NULL,
	"email_verified" timestamp,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"updated_at" timestamp DEFAULT now(),
	CONSTRAINT "users_email_unique" UNIQUE("email")
);

CREATE TABLE "verification_tokens" (
	"identifier" text NOT NULL,
	"token" text NOT NULL,
	"expires" timestamp NOT NULL,
	CONSTRAINT "verification_tokens_token_unique" UNIQUE("token")
);

CREATE TABLE "wardrobe_collections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"name" varchar(255) NOT NULL,
	"cover_image_base64" text,
	"item_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp DEFAULT now() NOT NULL
);

CREATE TABLE "wardrobe_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"generation_id" uuid,
	"title" varchar(255),
	"description" text,
	"image_base64" text NOT NULL,
	"collection_id" uuid,
	"tags" text[] DEFAULT '{}',
	"created_at" timestamp DEFAULT now() NOT NULL,
	"updated_at" timestamp DEFAULT now()
);

ALTER TABLE "accounts" ADD CONSTRAINT "accounts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;
ALTER TABLE "advisor_sessions" ADD CONSTRAINT "advisor_sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;
ALTER TABLE "generations" ADD CONSTRAINT "generations_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;
ALTER TABLE "wardrobe_collections" ADD CONSTRAINT "wardrobe_collections_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;
ALTER TABLE "wardrobe_items" ADD CONSTRAINT "wardrobe_items_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;
ALTER TABLE "wardrobe_items" ADD CONSTRAINT "wardrobe_items_generation_id_generations_id_fk" FOREIGN KEY ("generation_id") REFERENCES "public"."generations"("id") ON DELETE set null ON UPDATE no action;
ALTER TABLE "wardrobe_items" ADD CONSTRAINT "wardrobe_items_collection_id_wardrobe_collections_id_fk" FOREIGN KEY ("collection_id") REFERENCES "public"."wardrobe_collections"("id") ON DELETE set null ON UPDATE no action;
-- The seed's indexes ('Indexes for Performance')
CREATE INDEX idx_generations_user_id ON generations(user_id);
CREATE INDEX idx_generations_created_at ON generations(created_at DESC);
CREATE INDEX idx_wardrobe_items_user_id ON wardrobe_items(user_id);
CREATE INDEX idx_wardrobe_items_collection_id ON wardrobe_items(collection_id);
CREATE INDEX idx_advisor_sessions_user_id ON advisor_sessions(user_id);
