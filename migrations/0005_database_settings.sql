-- Settings every connection gets from the server, since clients behind Neon's PgBouncer pooler cannot
-- send them at startup and must not SET them (a pooled server connection is shared). timestamp columns
-- hold UTC (as Neon's default), and no request statement runs away with a connection. The migration
-- runner lifts the timeout with SET LOCAL inside its own transactions.
DO $$
BEGIN
	EXECUTE format('ALTER DATABASE %I SET timezone TO %L', current_database(), 'UTC');
	EXECUTE format('ALTER DATABASE %I SET statement_timeout TO %L', current_database(), '15s');
	EXECUTE format('ALTER DATABASE %I SET idle_in_transaction_session_timeout TO %L', current_database(), '60s');
END
$$;
