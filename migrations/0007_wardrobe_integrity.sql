-- The wardrobe's derived columns are kept true by the database itself, whichever path (this API, the
-- frontend's Drizzle client, an ON DELETE action) adds, moves or removes an item, and under concurrency:
--   wardrobe_collections.item_count = the number of items in the collection;
--   generations.saved_to_wardrobe   = at least one item points at the generation.
-- The seed's tables keep their shape: only triggers and indexes are added.

CREATE FUNCTION wardrobe_items_sync_counts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.collection_id IS NOT NULL
		AND (TG_OP = 'DELETE' OR OLD.collection_id IS DISTINCT FROM NEW.collection_id) THEN
		UPDATE wardrobe_collections SET item_count = item_count - 1 WHERE id = OLD.collection_id;
	END IF;
	IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.collection_id IS NOT NULL
		AND (TG_OP = 'INSERT' OR OLD.collection_id IS DISTINCT FROM NEW.collection_id) THEN
		UPDATE wardrobe_collections SET item_count = item_count + 1 WHERE id = NEW.collection_id;
	END IF;
	RETURN NULL;
END;
$$;

CREATE TRIGGER wardrobe_items_sync_counts
	AFTER INSERT OR DELETE OR UPDATE OF collection_id ON wardrobe_items
	FOR EACH ROW EXECUTE FUNCTION wardrobe_items_sync_counts();

CREATE FUNCTION sync_saved_to_wardrobe(generation uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF generation IS NULL THEN
		RETURN;
	END IF;
	-- Lock the generation first: two transactions removing its last two items then queue here, and the
	-- second one's EXISTS (a new snapshot, after the first committed) sees that none is left.
	PERFORM 1 FROM generations WHERE id = generation FOR UPDATE;
	UPDATE generations
	SET saved_to_wardrobe = EXISTS (SELECT 1 FROM wardrobe_items WHERE generation_id = generation)
	WHERE id = generation;
END;
$$;

CREATE FUNCTION wardrobe_items_sync_saved() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP IN ('UPDATE', 'DELETE') THEN
		PERFORM sync_saved_to_wardrobe(OLD.generation_id);
	END IF;
	IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND OLD.generation_id IS DISTINCT FROM NEW.generation_id) THEN
		PERFORM sync_saved_to_wardrobe(NEW.generation_id);
	END IF;
	RETURN NULL;
END;
$$;

CREATE TRIGGER wardrobe_items_sync_saved
	AFTER INSERT OR DELETE OR UPDATE OF generation_id ON wardrobe_items
	FOR EACH ROW EXECUTE FUNCTION wardrobe_items_sync_saved();

-- Whatever was there before the triggers is made true once.
UPDATE wardrobe_collections c
SET item_count = (SELECT count(*) FROM wardrobe_items i WHERE i.collection_id = c.id);
UPDATE generations g
SET saved_to_wardrobe = EXISTS (SELECT 1 FROM wardrobe_items i WHERE i.generation_id = g.id);

-- Lists: a user's items newest first (keyset), a collection's items, and the tag filter (GIN on the array).
CREATE INDEX idx_wardrobe_items_user_created ON wardrobe_items (user_id, created_at DESC, id DESC);
CREATE INDEX idx_wardrobe_items_collection_created ON wardrobe_items (collection_id, created_at DESC, id DESC)
	WHERE collection_id IS NOT NULL;
CREATE INDEX idx_wardrobe_items_tags ON wardrobe_items USING gin (tags);
CREATE INDEX idx_wardrobe_collections_user_created ON wardrobe_collections (user_id, created_at DESC, id DESC);
CREATE INDEX idx_advisor_sessions_user_created ON advisor_sessions (user_id, created_at DESC, id DESC);
