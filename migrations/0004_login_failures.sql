-- Failed logins, per normalised email, for the 5-in-15-minutes lockout. Rows older than the window are
-- useless and deleted by the scheduled cleanup; a successful login clears its email's rows.
CREATE TABLE login_failures (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	email varchar(255) NOT NULL,
	failed_at timestamp DEFAULT now() NOT NULL
);

CREATE INDEX idx_login_failures_email_failed_at ON login_failures (email, failed_at DESC);
