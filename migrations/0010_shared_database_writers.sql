-- The database is shared with the Next.js frontend (drizzle-orm, Auth.js's Drizzle adapter, bcryptjs), which
-- writes the same tables its own way. What the backend derives or limits must hold whoever writes, and
-- must not reach the frontend's connections.

-- 1. The backend's limits are the backend's own. 0005 put statement_timeout and
--    idle_in_transaction_session_timeout on the whole database, so every frontend connection (and
--    drizzle-kit's DDL) got a 15 s limit. The backend now sets them with SET LOCAL in its own transactions
--    (imagify.db). The time zone stays UTC database-wide: it is Neon's default, and the seed's `timestamp`
--    columns filled by now() only agree between writers if every session uses the same zone.
DO $$
BEGIN
	EXECUTE format('ALTER DATABASE %I RESET statement_timeout', current_database());
	EXECUTE format('ALTER DATABASE %I RESET idle_in_transaction_session_timeout', current_database());
END
$$;

-- 2. One person is one account whatever the case of the address. Addresses are stored as the person typed
--    them (Auth.js's getUserByEmail compares exactly) and found with lower(email), which this index serves
--    and keeps unique for every writer. If the frontend already holds two rows that differ only in case,
--    this statement fails naming the address: merge or rename one, then migrate again.
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));

-- 3. Tags match regardless of case (`?tag=summer` finds an item the frontend tagged "Summer"). The GIN
--    index is on the lower-cased array; the original tags stay as written.
CREATE FUNCTION lower_tags(tags text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT coalesce(array_agg(lower(tag)), '{}') FROM unnest(tags) AS tag $$;

DROP INDEX idx_wardrobe_items_tags;
CREATE INDEX idx_wardrobe_items_tags_lower ON wardrobe_items USING gin (lower_tags(tags));

-- 4. item_count is the true number of a collection's items, whoever writes. The seed's model invites a
--    writer to add 1 when it adds an item; 0007's trigger adds 1 as well, so the count went up by two.
--    Now any write of item_count (ours from the items trigger, the frontend's +1/-1, a stray value) is
--    replaced by a count of the rows, taken after the collection's row lock, so concurrent writers queue
--    and each counts what the one before committed. A new collection holds no items.
CREATE FUNCTION wardrobe_collections_true_count() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		NEW.item_count := 0;
	ELSE
		NEW.item_count := (SELECT count(*) FROM wardrobe_items WHERE collection_id = NEW.id);
	END IF;
	RETURN NEW;
END;
$$;

CREATE TRIGGER wardrobe_collections_true_count
	BEFORE INSERT OR UPDATE OF item_count ON wardrobe_collections
	FOR EACH ROW EXECUTE FUNCTION wardrobe_collections_true_count();

-- 5. Every change of users.tokens is in the ledger, whoever makes it. imagify.tokens.ledger writes the
--    balance and its ledger row in one statement; a writer that only runs
--    `UPDATE users SET tokens = tokens - 1` left the ledger behind. A constraint trigger checks each user
--    whose balance changed when the transaction commits: if the ledger does not sum to the balance, the
--    difference is recorded as a 'direct_change'. Checking at commit lets the ledger's own row (or a
--    frontend writing its own correct row) land first, so nothing is ever recorded twice.
ALTER TYPE token_transaction_kind ADD VALUE 'direct_change';

CREATE FUNCTION users_record_direct_token_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	balance integer;
	recorded bigint;
BEGIN
	SELECT tokens INTO balance FROM users WHERE id = NEW.id;
	IF NOT FOUND THEN
		RETURN NULL;  -- deleted later in the same transaction; its ledger went with it
	END IF;
	SELECT coalesce(sum(delta), 0) INTO recorded FROM token_transactions WHERE user_id = NEW.id;
	IF recorded <> balance THEN
		INSERT INTO token_transactions (user_id, delta, balance_after, kind, note)
		VALUES (NEW.id, balance - recorded, balance, 'direct_change',
			'users.tokens was changed without a ledger entry');
	END IF;
	RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER users_record_direct_token_change
	AFTER UPDATE OF tokens ON users
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW
	WHEN (OLD.tokens IS DISTINCT FROM NEW.tokens)
	EXECUTE FUNCTION users_record_direct_token_change();
