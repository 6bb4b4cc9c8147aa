-- The token ledger: one row per change of users.tokens, so every balance can be explained and audited.
-- Invariant: for every user, users.tokens = sum(token_transactions.delta). imagify.tokens.ledger owns
-- every change after signup; the opening balance of a new user (inserted by us or by the frontend's
-- Drizzle client, which relies on the column default) is recorded by the trigger below.
CREATE TYPE token_transaction_kind AS ENUM (
	'signup', 'generation_charge', 'generation_refund', 'admin_adjustment', 'role_grant', 'advisor_charge'
);

CREATE TABLE token_transactions (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	delta integer NOT NULL,
	balance_after integer NOT NULL CHECK (balance_after >= 0),
	kind token_transaction_kind NOT NULL,
	generation_id uuid REFERENCES generations(id) ON DELETE SET NULL,
	actor_id uuid REFERENCES users(id) ON DELETE SET NULL,
	note text,
	created_at timestamp DEFAULT now() NOT NULL
);

CREATE INDEX idx_token_transactions_user_created ON token_transactions (user_id, created_at DESC, id DESC);

-- A charge and its refund are each recorded at most once per generation, whatever retries happen.
CREATE UNIQUE INDEX uq_token_transactions_generation_kind
	ON token_transactions (generation_id, kind)
	WHERE generation_id IS NOT NULL AND kind IN ('generation_charge', 'generation_refund');

CREATE FUNCTION record_opening_balance() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.tokens <> 0 THEN
		INSERT INTO token_transactions (user_id, delta, balance_after, kind, note)
		VALUES (NEW.id, NEW.tokens, NEW.tokens, 'signup', 'opening balance');
	END IF;
	RETURN NEW;
END;
$$;

CREATE TRIGGER users_record_opening_balance
	AFTER INSERT ON users
	FOR EACH ROW EXECUTE FUNCTION record_opening_balance();

-- Users that existed before the ledger get their balance as an opening row.
INSERT INTO token_transactions (user_id, delta, balance_after, kind, note, created_at)
SELECT id, tokens, tokens, 'signup', 'opening balance', created_at FROM users WHERE tokens <> 0;
