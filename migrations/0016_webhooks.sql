-- Webhooks: endpoints a user registers, the events a generation's end makes, and each event's delivery to each
-- endpoint, in the backend's own tables keyed by the seed's ids.
--
-- An event is recorded by a trigger on generations, in the transaction that ends the generation, whichever
-- writer ends it (the flow, a cancel, the cleanup, the frontend): a generation ends once (its status leaves
-- pending/processing once), and the unique (type, subject_id) makes a second recording of the same end a no-op,
-- so each event exists once however often the flow retries. Its deliveries are made with it; sending them is
-- the backend's (imagify.webhooks), after the commit.

-- The account's own signing secret, for the one-off webhookUrl a generation request may name.
CREATE TABLE webhook_signing_secrets (
	user_id uuid PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	secret text NOT NULL,
	previous_secret text,
	previous_secret_expires_at timestamp,
	created_at timestamp DEFAULT now() NOT NULL,
	updated_at timestamp DEFAULT now() NOT NULL
);

CREATE TABLE webhook_endpoints (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	url text NOT NULL,
	events text[] NOT NULL,
	description varchar(255),
	enabled boolean DEFAULT true NOT NULL,
	-- why it is disabled: 'failing' (by us, after days of failed deliveries) or 'owner' (by its owner)
	disabled_reason varchar(16),
	secret text NOT NULL,
	-- after a rotation, the old secret also signs until it expires
	previous_secret text,
	previous_secret_expires_at timestamp,
	-- since when every delivery to it has failed (null once one succeeds)
	failing_since timestamp,
	created_at timestamp DEFAULT now() NOT NULL,
	updated_at timestamp DEFAULT now() NOT NULL
);
CREATE INDEX idx_webhook_endpoints_user_created ON webhook_endpoints (user_id, created_at DESC, id DESC);

CREATE TABLE webhook_events (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	type varchar(32) NOT NULL,
	-- the generation (generation.*) or the batch (batch.completed) it is about
	subject_id uuid NOT NULL,
	-- the body every delivery sends: {type, timestamp, data}
	payload jsonb NOT NULL,
	created_at timestamp DEFAULT now() NOT NULL
);
-- (unique indexes rather than constraints: drizzle-kit reads an index's columns in their order)
CREATE UNIQUE INDEX uq_webhook_events_type_subject ON webhook_events (type, subject_id);
CREATE INDEX idx_webhook_events_created ON webhook_events (created_at);

CREATE TABLE webhook_deliveries (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	event_id uuid NOT NULL REFERENCES webhook_events(id) ON DELETE CASCADE,
	user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	-- null: the one-off url the generation request named
	endpoint_id uuid REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
	url text,
	status varchar(16) DEFAULT 'pending' NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
	attempts integer DEFAULT 0 NOT NULL,
	last_status_code integer,
	last_error text,
	next_attempt_at timestamp DEFAULT now(),
	-- set at the first attempt: retried until then
	give_up_at timestamp,
	-- an attempt in flight holds it until then
	leased_until timestamp,
	-- when its delivery was last started (null: not yet)
	dispatched_at timestamp,
	delivered_at timestamp,
	created_at timestamp DEFAULT now() NOT NULL,
	updated_at timestamp DEFAULT now() NOT NULL
);
CREATE UNIQUE INDEX uq_webhook_deliveries_event_endpoint ON webhook_deliveries (event_id, endpoint_id);
CREATE INDEX idx_webhook_deliveries_endpoint_created
	ON webhook_deliveries (endpoint_id, created_at DESC, id DESC) WHERE endpoint_id IS NOT NULL;
CREATE INDEX idx_webhook_deliveries_one_off_created
	ON webhook_deliveries (user_id, created_at DESC, id DESC) WHERE endpoint_id IS NULL;
CREATE INDEX idx_webhook_deliveries_pending ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX idx_webhook_deliveries_created ON webhook_deliveries (created_at);

-- The one-off URL a generation request named (a look of a batch carries its batch's).
ALTER TABLE generation_options ADD COLUMN webhook_url text;

-- Record an event for its owner's enabled endpoints that listen to it, and the one-off URL if any; nothing when
-- nobody listens, and nothing again for an event already recorded.
CREATE FUNCTION webhook_record(owner uuid, kind text, subject uuid, data jsonb, one_off_url text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	event uuid;
BEGIN
	IF one_off_url IS NULL AND NOT EXISTS (
		SELECT 1 FROM webhook_endpoints WHERE user_id = owner AND enabled AND kind = ANY (events)
	) THEN
		RETURN;
	END IF;
	INSERT INTO webhook_events (user_id, type, subject_id, payload)
	VALUES (owner, kind, subject, jsonb_build_object(
		'type', kind,
		'timestamp', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
		'data', data
	))
	ON CONFLICT (type, subject_id) DO NOTHING
	RETURNING id INTO event;
	IF event IS NULL THEN
		RETURN;
	END IF;
	INSERT INTO webhook_deliveries (event_id, user_id, endpoint_id)
	SELECT event, owner, id FROM webhook_endpoints WHERE user_id = owner AND enabled AND kind = ANY (events);
	IF one_off_url IS NOT NULL THEN
		INSERT INTO webhook_deliveries (event_id, user_id, url) VALUES (event, owner, one_off_url);
	END IF;
END;
$$;

-- A generation's end (its status becoming completed or failed) is a generation.completed or generation.failed
-- event; the end of a batch's last look is also its batch.completed. Two looks of a batch ending at once: each
-- takes the batch's lock before looking at the others, so the second to commit sees the first, and exactly one
-- records batch.completed.
CREATE FUNCTION webhook_generation_ended() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	batch uuid;
	one_off_url text;
	summary jsonb;
BEGIN
	SELECT batch_id, webhook_url INTO batch, one_off_url FROM generation_options WHERE generation_id = NEW.id;
	-- Most users listen to nothing: then nothing is built, looked up or locked.
	IF one_off_url IS NULL AND NOT EXISTS (SELECT 1 FROM webhook_endpoints WHERE user_id = NEW.user_id AND enabled) THEN
		RETURN NULL;
	END IF;
	PERFORM webhook_record(NEW.user_id, 'generation.' || NEW.status::text, NEW.id, jsonb_build_object(
		'generationId', NEW.id,
		'status', NEW.status,
		'mode', NEW.mode,
		'errorCode', CASE WHEN NEW.status = 'failed' THEN coalesce(
			(SELECT error_code FROM generation_failures WHERE generation_id = NEW.id), 'internal') END,
		'batchId', batch,
		'links', jsonb_build_object(
			'generation', '/generations/' || NEW.id,
			'image', CASE WHEN NEW.status = 'completed' THEN '/generations/' || NEW.id || '/image' END
		)
	), one_off_url);
	IF batch IS NOT NULL THEN
		PERFORM pg_advisory_xact_lock(hashtextextended('webhook batch ' || batch::text, 0));
		IF NOT EXISTS (
			SELECT 1 FROM generation_options o JOIN generations g ON g.id = o.generation_id
			WHERE o.batch_id = batch AND g.status IN ('pending', 'processing')
		) THEN
			SELECT jsonb_build_object(
				'batchId', batch,
				'completed', count(*) FILTER (WHERE g.status = 'completed'),
				'failed', count(*) FILTER (WHERE g.status = 'failed'),
				'generations', jsonb_agg(jsonb_build_object('generationId', g.id, 'status', g.status)
					ORDER BY g.created_at, g.id),
				'links', jsonb_build_object('generations', '/generations?batchId=' || batch)
			) INTO summary
			FROM generation_options o JOIN generations g ON g.id = o.generation_id WHERE o.batch_id = batch;
			PERFORM webhook_record(NEW.user_id, 'batch.completed', batch, summary, one_off_url);
		END IF;
	END IF;
	RETURN NULL;
END;
$$;

CREATE TRIGGER generations_webhook_ended
	AFTER UPDATE OF status ON generations
	FOR EACH ROW
	WHEN (NEW.status IN ('completed', 'failed') AND OLD.status IS DISTINCT FROM NEW.status)
	EXECUTE FUNCTION webhook_generation_ended();
