-- What the generation flow needs beside the seed's tables (their shape stays as it is).

-- Idempotency-Key: one row per (user, operation, key), kept 24 hours (the scheduled cleanup deletes older
-- ones). The row is inserted in the same transaction as the work it guards, so ten identical requests at
-- once queue on the primary key and only the first does the work.
CREATE TABLE idempotency_keys (
	user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	operation varchar(50) NOT NULL,
	key varchar(255) NOT NULL,
	request_hash char(64) NOT NULL,
	resource_id uuid,
	response_status integer,
	response_body jsonb,
	created_at timestamp DEFAULT now() NOT NULL,
	PRIMARY KEY (user_id, operation, key)
);

CREATE INDEX idx_idempotency_keys_created_at ON idempotency_keys (created_at);

-- Keyset pagination of a user's generations, newest first, with or without a status filter; and the
-- in-flight count that POST /generations checks on every call.
CREATE INDEX idx_generations_user_created ON generations (user_id, created_at DESC, id DESC);
CREATE INDEX idx_generations_in_flight ON generations (user_id, created_at)
	WHERE status IN ('pending', 'processing');
