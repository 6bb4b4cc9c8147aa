-- A try-on's whole outfit and the batch a look belongs to, in the backend's own table (the seed's row keeps
-- one garment, its first, in item_photo_url). garments is a JSON array in the order given, one object per
-- garment ({photo_url, category, photo_type}; the first's photo_url is null: it is item_photo_url). batch_id
-- groups the looks one request made (count > 1); the list finds a batch through its index.
ALTER TABLE generation_options ADD COLUMN garments jsonb;
ALTER TABLE generation_options ADD COLUMN batch_id uuid;
CREATE INDEX idx_generation_options_batch ON generation_options (batch_id) WHERE batch_id IS NOT NULL;
