-- Moving an item changes two collections' counts. 0007's trigger updated the old collection, then the new
-- one, so two opposite moves at once (one item A -> B while another goes B -> A) locked the two rows in
-- opposite orders and deadlocked: one of the requests failed. A move now locks both rows first, in id
-- order, then updates them. The counts were never wrong (a deadlock rolls back); only requests failed.

CREATE OR REPLACE FUNCTION wardrobe_items_sync_counts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'UPDATE' AND OLD.collection_id IS NOT NULL AND NEW.collection_id IS NOT NULL
		AND OLD.collection_id IS DISTINCT FROM NEW.collection_id THEN
		PERFORM 1 FROM wardrobe_collections WHERE id IN (OLD.collection_id, NEW.collection_id)
			ORDER BY id FOR NO KEY UPDATE;
	END IF;
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
