-- What a generation was asked for beyond the seed's columns, and why one failed, in tables of the backend's
-- own keyed by the generation's id (the seed's generations table keeps its shape). A generation written
-- without them (by the frontend, say) reads as the standard tier at the model's defaults, and a failed one
-- without a failure row as `internal`, not retryable.
CREATE TABLE generation_options (
	generation_id uuid PRIMARY KEY NOT NULL REFERENCES generations(id) ON DELETE CASCADE,
	quality varchar(16) DEFAULT 'standard' NOT NULL CHECK (quality IN ('standard', 'high')),
	aspect_ratio varchar(8),
	image_size varchar(4) CHECK (image_size IN ('1K', '2K', '4K')),
	created_at timestamp DEFAULT now() NOT NULL
);

CREATE TABLE generation_failures (
	generation_id uuid PRIMARY KEY NOT NULL REFERENCES generations(id) ON DELETE CASCADE,
	error_code varchar(32) NOT NULL,
	retryable boolean NOT NULL,
	created_at timestamp DEFAULT now() NOT NULL
);
