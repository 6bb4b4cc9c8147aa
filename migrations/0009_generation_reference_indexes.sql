-- Indexes for the columns that reference a generation or a user without one (found by bench/, see
-- docs/performance.md). Without them Postgres reads the whole table:
--   wardrobe_items.generation_id: the saved_to_wardrobe trigger's EXISTS on every save or delete of a
--     saved look, and the foreign key's ON DELETE SET NULL on every deleted generation;
--   token_transactions.generation_id: the foreign key's ON DELETE SET NULL on every deleted generation
--     (uq_token_transactions_generation_kind cannot serve it: it only covers two kinds);
--   token_transactions.actor_id: the foreign key's ON DELETE SET NULL on every deleted account.
-- An account's deletion cascades to its generations, so it read the ledger once per generation it had.
-- Partial: most rows have no generation (uploads) or no actor (all but admin changes).

CREATE INDEX idx_wardrobe_items_generation_id ON wardrobe_items (generation_id) WHERE generation_id IS NOT NULL;
CREATE INDEX idx_token_transactions_generation_id ON token_transactions (generation_id)
	WHERE generation_id IS NOT NULL;
CREATE INDEX idx_token_transactions_actor_id ON token_transactions (actor_id) WHERE actor_id IS NOT NULL;
