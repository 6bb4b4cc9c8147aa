-- Drizzle's $onUpdate sets updated_at in the ORM; this backend writes plain SQL, so a trigger does it for
-- every update path (ours and any other client's). Only updated_at is touched: the seed's shape stays.
CREATE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.updated_at := now();
	RETURN NEW;
END;
$$;

CREATE TRIGGER users_set_updated_at
	BEFORE UPDATE ON users
	FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TRIGGER wardrobe_items_set_updated_at
	BEFORE UPDATE ON wardrobe_items
	FOR EACH ROW EXECUTE FUNCTION set_updated_at();
